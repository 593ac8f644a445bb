import { Badge, Button, Group, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { useAuth } from "../../auth/AuthContext";
import { Empty, ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { formatDateTime, formatTime } from "../../time/zones";

/** A class offering's sessions to come, with the seats left and a way in: a seat, or the waitlist when full. */
export function ClassSessions({ offeringId, zone }: { offeringId: string; zone: string }) {
  const { user } = useAuth();
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ["class-sessions", offeringId],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/classes/{offering_id}/sessions", { params: { path: { offering_id: offeringId } } })),
  });
  const enrol = useMutation({
    mutationFn: async (sessionId: string) =>
      unwrap(await api.POST("/api/v1/classes/sessions/{session_id}/enrol", { params: { path: { session_id: sessionId } } })),
    onSuccess: (place) => {
      const message =
        place.status === "waitlisted" ? t.classes.waitlisted(place.position) : place.status === "pending_payment" ? t.classes.held : t.classes.enrolled;
      notifications.show({ color: "teal", message });
      void queryClient.invalidateQueries({ queryKey: ["class-sessions", offeringId] });
      void queryClient.invalidateQueries({ queryKey: ["my-places"] });
    },
    onError: (error) => notifications.show({ color: "red", message: messageOf(error) }),
  });

  if (sessions.isPending) return <Loading />;
  if (sessions.isError) return <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />;
  if (sessions.data.items.length === 0) return <Empty>{t.classes.noSessions}</Empty>;
  return (
    <Stack gap="xs" component="ul" p={0} style={{ listStyle: "none" }} aria-label={t.classes.sessions}>
      {sessions.data.items.map((session) => {
        const when = `${formatDateTime(session.starts_at, zone)} – ${formatTime(session.ends_at, zone)}`;
        const full = session.seats_left === 0;
        return (
          <Group key={session.id} component="li" justify="space-between" wrap="wrap" gap="xs">
            <Stack gap={0}>
              <Text size="sm" fw={500}>
                {when}
              </Text>
              <Badge size="sm" variant="light" color={full ? "yellow" : "teal"} tt="none">
                {t.classes.seatsLeft(session.seats_left)}
              </Badge>
            </Stack>
            {user ? (
              <Button
                size="xs"
                variant={full ? "default" : "filled"}
                loading={enrol.isPending && enrol.variables === session.id}
                aria-label={full ? t.classes.waitlistFor(when) : t.classes.enrolIn(when)}
                onClick={() => enrol.mutate(session.id)}
              >
                {full ? t.classes.joinWaitlist : t.classes.enrol}
              </Button>
            ) : (
              <Button size="xs" variant="default" component={Link} to="/signin">
                {t.classes.signInToEnrol}
              </Button>
            )}
          </Group>
        );
      })}
    </Stack>
  );
}
