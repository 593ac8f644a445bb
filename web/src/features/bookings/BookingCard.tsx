import { Anchor, Badge, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { Link } from "react-router";
import { api, downloadIcs, type Schemas } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { useAuth } from "../../auth/AuthContext";
import { t } from "../../i18n";
import { formatDateTime, formatTime } from "../../time/zones";
import { joinState } from "./joinWindow";
import { useNow } from "../../time/useNow";

export type Booking = Schemas["BookingOut"];

export const ACTIVE = new Set(["held", "pending_payment", "confirmed"]);

const STATUS_COLOR: Record<string, string> = { pending_payment: "yellow", confirmed: "green", held: "blue", cancelled: "gray", no_show: "red", completed: "teal" };

/** The professional's public profile: their name and the offering's title (cached, shared with their page). */
export function useProfessional(professionalId: string) {
  return useQuery({
    queryKey: ["professional", professionalId],
    queryFn: async () => unwrap(await api.GET("/api/v1/professionals/{professional_id}", { params: { path: { professional_id: professionalId } } })),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export function useBookingTitle(booking: Booking): { title: string; professionalName: string | null } {
  const profile = useProfessional(booking.professional_id);
  const name = profile.data?.display_name ?? null;
  const offering = profile.data?.offerings?.find((o) => o.id === booking.offering_id)?.title ?? t.bookings.booking;
  return { title: name ? t.bookings.withProfessional(offering, name) : offering, professionalName: name };
}

export interface BookingCardProps {
  booking: Booking;
  zone: string;
  onCancel?: (booking: Booking) => void;
  onReschedule?: (booking: Booking) => void;
  /** Messages of the other party not read yet (from GET /conversations). */
  unreadMessages?: number;
  /** On the booking's own page: no link to itself. */
  detailed?: boolean;
  headingLevel?: 2 | 3;
}

/** One booking with what can be done with it: join the video, pay, chat, reschedule, cancel, add to a calendar. */
export function BookingCard({ booking, zone, onCancel, onReschedule, unreadMessages = 0, detailed = false, headingLevel = 2 }: BookingCardProps) {
  const { user } = useAuth();
  const now = useNow(30_000);
  const hintId = useId();
  const { title } = useBookingTitle(booking);
  const join = joinState(booking, now);
  const upcoming = Date.parse(booking.ends_at) > now.getTime();
  const active = ACTIVE.has(booking.status);
  const isClient = user?.id === booking.client_id;
  const when = t.bookings.when(formatDateTime(booking.starts_at, zone), formatTime(booking.ends_at, zone));
  const hint =
    join.kind === "early"
      ? t.bookings.joinOpensAt(formatDateTime(join.opensAt.toISOString(), zone))
      : join.kind === "not-confirmed" && active
        ? t.bookings.joinOnlyConfirmed
        : null;

  return (
    <Card withBorder component="article" aria-label={`${title}, ${when}`} padding="md">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs">
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Title order={headingLevel} size="h4">
              {detailed ? (
                t.bookings.details
              ) : (
                <Anchor component={Link} to={`/bookings/${booking.id}`} inherit>
                  {title}
                </Anchor>
              )}
            </Title>
            <Text fw={500}>{when}</Text>
          </Stack>
          <Group gap="xs">
            <Badge variant="light" color={STATUS_COLOR[booking.status] ?? "blue"}>
              {t.bookings.status[booking.status] ?? booking.status}
            </Badge>
            {booking.refund_percent !== null && <Text size="sm">{t.bookings.refund(booking.refund_percent)}</Text>}
          </Group>
        </Group>
        {booking.status === "pending_payment" && booking.hold_expires_at && (
          <Text size="sm" c="yellow.8">
            {t.bookings.payBy(formatDateTime(booking.hold_expires_at, zone))}
          </Text>
        )}
        {booking.cancel_reason && (
          <Text size="sm" c="dimmed">
            {booking.cancel_reason}
          </Text>
        )}
        <Group gap="xs">
          {/* The room stays open 15 minutes past the end, when the booking is already listed as past. */}
          {active && join.kind !== "closed" && (
            <>
              {join.kind === "open" ? (
                <Button component={Link} to={`/video/booking/${booking.id}`} size="xs" color="green">
                  {t.bookings.join}
                </Button>
              ) : (
                <Button size="xs" disabled aria-describedby={hint ? hintId : undefined}>
                  {t.bookings.join}
                </Button>
              )}
            </>
          )}
          {booking.status === "pending_payment" && isClient && !detailed && (
            <Button component={Link} to={`/bookings/${booking.id}`} size="xs" color="yellow">
              {t.bookings.payNow}
            </Button>
          )}
          {!detailed && (
            <Button
              component={Link}
              to={`/bookings/${booking.id}/chat`}
              size="xs"
              variant="light"
              rightSection={unreadMessages > 0 ? <Badge size="xs" circle color="red" aria-hidden>{unreadMessages}</Badge> : undefined}
              aria-description={unreadMessages > 0 ? t.bookings.unreadMessages(unreadMessages) : undefined}
            >
              {t.bookings.openChat}
            </Button>
          )}
          {upcoming && active && onReschedule && Date.parse(booking.starts_at) > now.getTime() && (
            <Button size="xs" variant="default" onClick={() => onReschedule(booking)}>
              {t.bookings.reschedule}
            </Button>
          )}
          <Button
            variant="default"
            size="xs"
            onClick={() => downloadIcs(booking.id).catch((error: unknown) => notifications.show({ color: "red", message: messageOf(error) }))}
          >
            {t.bookings.ics}
          </Button>
          {upcoming && active && onCancel && (
            <Button variant="light" color="red" size="xs" onClick={() => onCancel(booking)}>
              {t.bookings.cancel}
            </Button>
          )}
        </Group>
        {hint && (
          <Text size="xs" c="dimmed" id={hintId}>
            {hint}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
