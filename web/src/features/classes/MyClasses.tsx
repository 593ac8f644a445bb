import { Badge, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api, type Schemas } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { Empty, ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { formatDateTime, formatTime } from "../../time/zones";
import { joinState } from "../bookings/joinWindow";
import { SeatPaymentPanel } from "../payment/PaymentPanel";
import { useNow } from "../../time/useNow";

type Place = Schemas["MyPlaceOut"];

function usePlaceAction(path: "/api/v1/classes/sessions/{session_id}/leave" | "/api/v1/classes/sessions/{session_id}/accept", done: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (sessionId: string) => unwrap(await api.POST(path, { params: { path: { session_id: sessionId } } })),
    onSuccess: () => {
      notifications.show({ color: "teal", message: done });
      void queryClient.invalidateQueries({ queryKey: ["my-places"] });
    },
    onError: (error) => notifications.show({ color: "red", message: messageOf(error) }),
  });
}

function PlaceCard({ place, zone }: { place: Place; zone: string }) {
  const now = useNow(30_000);
  const leave = usePlaceAction("/api/v1/classes/sessions/{session_id}/leave", t.classes.left);
  const accept = usePlaceAction("/api/v1/classes/sessions/{session_id}/accept", t.classes.accepted);
  const [paying, setPaying] = useState(false);
  const { enrolment } = place;
  const seated = enrolment.status === "enrolled" && place.session_status === "scheduled";
  const join = joinState({ status: seated ? "confirmed" : "other", starts_at: place.starts_at, ends_at: place.ends_at }, now);
  return (
    <Card withBorder component="li">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Title order={3} size="h5">
            {place.professional_name ? `${place.title} · ${place.professional_name}` : place.title}
          </Title>
          <Badge variant="light" tt="none" color={seated ? "green" : "yellow"}>
            {t.classes.status[enrolment.status] ?? enrolment.status}
          </Badge>
        </Group>
        <Text size="sm">{`${formatDateTime(place.starts_at, zone)} – ${formatTime(place.ends_at, zone)}`}</Text>
        {place.session_status === "cancelled" && <Text size="sm" c="red">{t.classes.sessionCancelled}</Text>}
        {enrolment.status === "waitlisted" && enrolment.position && <Text size="sm">{t.classes.position(enrolment.position)}</Text>}
        {enrolment.status === "offered" && enrolment.offer_expires_at && (
          <Text size="sm">{t.classes.offerUntil(formatDateTime(enrolment.offer_expires_at, zone))}</Text>
        )}
        {enrolment.status === "pending_payment" && enrolment.pay_before && (
          <Text size="sm">{t.classes.payBefore(formatDateTime(enrolment.pay_before, zone))}</Text>
        )}
        <Group gap="xs">
          {seated &&
            (join.kind === "open" ? (
              <Button size="xs" component={Link} to={`/video/class/${enrolment.session_id}`}>
                {t.video.join}
              </Button>
            ) : (
              <Button size="xs" disabled>
                {t.video.join}
              </Button>
            ))}
          {enrolment.status === "offered" && (
            <Button size="xs" loading={accept.isPending} onClick={() => accept.mutate(enrolment.session_id)}>
              {t.classes.accept}
            </Button>
          )}
          {enrolment.status === "pending_payment" && !paying && (
            <Button size="xs" onClick={() => setPaying(true)}>
              {t.classes.pay}
            </Button>
          )}
          {place.session_status === "scheduled" && (
            <Button size="xs" variant="default" loading={leave.isPending} onClick={() => leave.mutate(enrolment.session_id)}>
              {t.classes.leave}
            </Button>
          )}
        </Group>
        {paying && enrolment.status === "pending_payment" && (
          <SeatPaymentPanel enrolmentId={enrolment.id} sessionId={enrolment.session_id} />
        )}
      </Stack>
    </Card>
  );
}

/** The signed-in client's places in class sessions to come: seats (with the join button), offers and waitlists. */
export function MyClasses({ zone }: { zone: string }) {
  const places = useQuery({
    queryKey: ["my-places"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me/enrolments")).items,
  });
  if (places.isPending) return <Loading />;
  if (places.isError) return <ErrorState error={places.error} onRetry={() => void places.refetch()} />;
  if (places.data.length === 0) return <Empty>{t.classes.noPlaces}</Empty>;
  return (
    <Stack component="ul" p={0} gap="sm" style={{ listStyle: "none" }}>
      {places.data.map((place) => (
        <PlaceCard key={place.enrolment.id} place={place} zone={zone} />
      ))}
    </Stack>
  );
}
