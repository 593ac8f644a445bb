import { Alert, Anchor, Badge, Box, Button, Card, CopyButton, Group, Modal, SegmentedControl, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { api, type Schemas } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { Empty, ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { addDays, formatDateTime, formatDay, formatTime, localDay } from "../../time/zones";
import { actionsFor, bookingsInRange, byDay, upcomingInRange, type Booking, type BookingAction, type When } from "./bookings";
import { ProPageHeader } from "./ProPageHeader";
import { proKeys, useMyOfferings, useProZone } from "./queries";
import { useNow } from "../../time/useNow";
import { formatShortDay, wallToUtc, weekDays, weekStart, zoneLabel } from "./time";

const s = t.pro.calendar;
type View = "week" | "day";

const STATUS_COLOR: Record<string, string> = {
  held: "yellow",
  pending_payment: "orange",
  confirmed: "teal",
  completed: "blue",
  cancelled: "gray",
  no_show: "red",
};

export function CalendarPage() {
  const zone = useProZone();
  return (
    <Stack gap="lg">
      <ProPageHeader title={s.title} zoneNote={s.zoneNote(zoneLabel(zone))} />
      <Requests zone={zone} />
      <Schedule zone={zone} />
      <CalendarFeed />
    </Stack>
  );
}

function useOfferingTitles(): Map<string, string> {
  const offerings = useMyOfferings();
  return useMemo(() => new Map((offerings.data ?? []).map((o) => [o.id, o.title])), [offerings.data]);
}

type Session = Schemas["classes_schemas_SessionOut"];
type Entry = { kind: "booking"; id: string; starts_at: string; booking: Booking } | { kind: "session"; id: string; starts_at: string; session: Session };

/** The sessions of all the professional's classes that start in [from, to). */
function useSessionsInRange(first: string, last: string, from: number, to: number) {
  const offerings = useMyOfferings();
  const classes = (offerings.data ?? []).filter((o) => o.kind === "class").map((o) => o.id);
  return useQuery({
    queryKey: [...proKeys.allSessions, "range", first, last, from, classes.join(",")],
    enabled: offerings.isSuccess,
    queryFn: async () => {
      const answers = await Promise.all(
        classes.map((offeringId) =>
          upcomingInRange(
            async (cursor) =>
              unwrap(await api.GET("/api/v1/me/classes/{offering_id}/sessions", { params: { path: { offering_id: offeringId }, query: { cursor } } })),
            from,
            to,
          ),
        ),
      );
      return { sessions: answers.flatMap((answer) => answer.items), complete: answers.every((answer) => answer.complete) };
    },
  });
}

function useBookingAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ booking, action }: { booking: Booking; action: BookingAction }) => {
      const params = { params: { path: { booking_id: booking.id } } };
      if (action === "confirm") return unwrap(await api.POST("/api/v1/bookings/{booking_id}/confirm", params));
      if (action === "complete") return unwrap(await api.POST("/api/v1/bookings/{booking_id}/complete", params));
      return unwrap(await api.POST("/api/v1/bookings/{booking_id}/no-show", params));
    },
    onSuccess: async (_, { action }) => {
      notifications.show({ color: "green", message: s.done[action] });
      await queryClient.invalidateQueries({ queryKey: ["bookings"] });
    },
    onError: (error) => notifications.show({ color: "red", message: messageOf(error) }),
  });
}

/** Bookings waiting for the professional's approval: the first thing to act on. */
function Requests({ zone }: { zone: string }) {
  const titles = useOfferingTitles();
  const requests = useQuery({
    queryKey: [...proKeys.bookings, "requests"],
    queryFn: async () => unwrap(await api.GET("/api/v1/bookings", { params: { query: { as: "professional", when: "upcoming", status: "held" } } })),
  });
  if (requests.isPending) return <Loading label={s.loadingRequests} />;
  if (requests.isError) return <ErrorState error={requests.error} onRetry={() => requests.refetch()} />;
  if (requests.data.items.length === 0) return null;
  return (
    <Card withBorder component="section" aria-labelledby="requests-title" bg="var(--mantine-color-yellow-light)">
      <Title order={2} size="h3" id="requests-title" mb="xs">
        {s.requestsTitle(requests.data.items.length)}
      </Title>
      <Stack gap="xs">
        {requests.data.items.map((booking) => (
          <BookingItem key={booking.id} booking={booking} zone={zone} title={titles.get(booking.offering_id)} withDay />
        ))}
      </Stack>
    </Card>
  );
}

function Schedule({ zone }: { zone: string }) {
  const today = localDay(new Date(), zone);
  const [view, setView] = useState<View>("week");
  const [anchor, setAnchor] = useState(today);
  const days = view === "week" ? weekDays(weekStart(anchor)) : [anchor];
  const first = days[0] ?? anchor;
  const last = days[days.length - 1] ?? anchor;
  const from = Date.parse(wallToUtc(first, "00:00", zone));
  const to = Date.parse(wallToUtc(addDays(last, 1), "00:00", zone));
  const titles = useOfferingTitles();
  const sessions = useSessionsInRange(first, last, from, to);
  const bookings = useQuery({
    queryKey: [...proKeys.bookings, "range", first, last, zone],
    queryFn: () =>
      bookingsInRange(
        async (when: When, cursor: string | null) =>
          unwrap(await api.GET("/api/v1/bookings", { params: { query: { as: "professional", when, cursor } } })),
        from,
        to,
        Date.now(),
      ),
  });
  const step = view === "week" ? 7 : 1;
  const rangeText = view === "week" ? `${formatShortDay(first)} – ${formatShortDay(last)}` : formatDay(first);
  const entries: Entry[] = [
    ...(bookings.data?.bookings ?? []).map((booking): Entry => ({ kind: "booking", id: booking.id, starts_at: booking.starts_at, booking })),
    ...(sessions.data?.sessions ?? []).map((session): Entry => ({ kind: "session", id: session.id, starts_at: session.starts_at, session })),
  ];
  const grouped = byDay(entries, days, zone);
  const complete = (bookings.data?.complete ?? true) && (sessions.data?.complete ?? true);
  return (
    <Card withBorder component="section" aria-labelledby="schedule-title">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Title order={2} size="h3" id="schedule-title">
            {s.scheduleTitle}
          </Title>
          <SegmentedControl
            aria-label={s.viewLabel}
            value={view}
            onChange={(value) => setView(value === "day" ? "day" : "week")}
            data={[
              { value: "week", label: s.week },
              { value: "day", label: s.day },
            ]}
            size="xs"
          />
        </Group>
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <StepButton label={view === "week" ? s.previousWeek : s.previousDay} arrow="‹" onClick={() => setAnchor(addDays(anchor, -step))} />
          <Stack gap={0} align="center">
            <Text size="sm" fw={600} aria-live="polite" ta="center">
              {rangeText}
            </Text>
            {!days.includes(today) && (
              <Button variant="subtle" size="compact-xs" onClick={() => setAnchor(today)}>
                {s.today}
              </Button>
            )}
          </Stack>
          <StepButton label={view === "week" ? s.nextWeek : s.nextDay} arrow="›" onClick={() => setAnchor(addDays(anchor, step))} />
        </Group>
        {bookings.isPending ? (
          <Loading />
        ) : bookings.isError ? (
          <ErrorState error={bookings.error} onRetry={() => bookings.refetch()} />
        ) : sessions.isError ? (
          <ErrorState error={sessions.error} onRetry={() => sessions.refetch()} />
        ) : (
          <>
            {!complete && (
              <Alert color="yellow" role="status">
                {s.incomplete}
              </Alert>
            )}
            {entries.length === 0 && <Empty>{view === "week" ? s.emptyWeek : s.emptyDay}</Empty>}
            <SimpleGrid cols={view === "week" ? { base: 1, sm: 2, lg: 7 } : 1} spacing="xs">
              {days.map((day) => {
                const dayEntries = grouped.get(day) ?? [];
                if (entries.length === 0) return null;
                return (
                  <Stack key={day} gap={6} role="group" aria-label={formatDay(day)}>
                    <Button
                      variant={day === today ? "light" : "subtle"}
                      size="compact-sm"
                      justify="flex-start"
                      onClick={() => {
                        setAnchor(day);
                        setView("day");
                      }}
                      aria-label={view === "week" ? `${formatShortDay(day)}: ${s.openDay(formatDay(day))}` : undefined}
                    >
                      {view === "week" ? formatShortDay(day) : formatDay(day)}
                    </Button>
                    {dayEntries.length === 0 ? (
                      <Text size="xs" c="dimmed" px={4}>
                        {s.nothing}
                      </Text>
                    ) : (
                      dayEntries.map((entry) =>
                        entry.kind === "booking" ? (
                          <BookingItem key={entry.id} booking={entry.booking} zone={zone} title={titles.get(entry.booking.offering_id)} compact={view === "week"} />
                        ) : (
                          <SessionItem key={entry.id} session={entry.session} zone={zone} title={titles.get(entry.session.offering_id)} />
                        ),
                      )
                    )}
                  </Stack>
                );
              })}
            </SimpleGrid>
          </>
        )}
      </Stack>
    </Card>
  );
}

/** "Previous week" on wide screens, an arrow with the same name on phones. */
function StepButton({ label, arrow, onClick }: { label: string; arrow: string; onClick: () => void }) {
  return (
    <Button variant="default" size="xs" onClick={onClick} aria-label={label} style={{ flexShrink: 0 }}>
      <Box component="span" visibleFrom="sm">
        {label}
      </Box>
      <Box component="span" hiddenFrom="sm" aria-hidden fz="md">
        {arrow}
      </Box>
    </Button>
  );
}

function SessionItem({ session, zone, title }: { session: Session; zone: string; title: string | undefined }) {
  const when = `${formatTime(session.starts_at, zone)} – ${formatTime(session.ends_at, zone)}`;
  const name = title ?? s.classSession;
  const cancelled = session.status === "cancelled";
  return (
    <Card withBorder padding="xs" component="article" aria-label={`${name}, ${when}`} bg={cancelled ? undefined : "var(--mantine-primary-color-light)"}>
      <Stack gap={4}>
        <Text size="sm" fw={600} td={cancelled ? "line-through" : undefined}>
          {when}
        </Text>
        <Text size="sm">{name}</Text>
        <Group gap={4}>
          <Badge size="sm" variant="light" color={cancelled ? "gray" : "grape"}>
            {cancelled ? s.sessionCancelled : s.classBadge}
          </Badge>
          {!cancelled && (
            <Text size="xs" c="dimmed">
              {s.seats(session.capacity - session.seats_left, session.capacity)}
            </Text>
          )}
        </Group>
        <Anchor component={Link} to={`/pro/offerings/${session.offering_id}/sessions`} size="xs" aria-label={s.rosterOf(name, when)}>
          {s.roster}
        </Anchor>
      </Stack>
    </Card>
  );
}

function BookingItem({ booking, zone, title, withDay = false, compact = false }: { booking: Booking; zone: string; title: string | undefined; withDay?: boolean; compact?: boolean }) {
  const act = useBookingAction();
  const now = useNow(60_000).getTime();
  const actions = actionsFor(booking, now);
  const when = `${withDay ? formatDateTime(booking.starts_at, zone) : formatTime(booking.starts_at, zone)} – ${formatTime(booking.ends_at, zone)}`;
  const offering = title ?? s.booking;
  const name = booking.client_name ? s.withClient(offering, booking.client_name) : offering;
  return (
    <Card withBorder padding="xs" component="article" aria-label={`${name}, ${when}`}>
      <Stack gap={4}>
        <Text size="sm" fw={600}>
          {when}
        </Text>
        <Text size="sm" lineClamp={compact ? 2 : undefined}>
          {name}
        </Text>
        <Group gap={4}>
          <Badge size="sm" variant="light" color={STATUS_COLOR[booking.status] ?? "gray"}>
            {t.bookings.status[booking.status] ?? booking.status}
          </Badge>
          {booking.status === "held" && (
            <Badge size="sm" variant="outline" color="yellow">
              {s.awaitingApproval}
            </Badge>
          )}
        </Group>
        <Anchor component={Link} to={`/bookings/${booking.id}`} size="xs" aria-label={s.openBookingOf(name, when)}>
          {s.openBooking}
        </Anchor>
        {booking.cancel_reason && (
          <Text size="xs" c="dimmed">
            {s.reason(booking.cancel_reason)}
          </Text>
        )}
        {actions.length > 0 && (
          <Group gap={4}>
            {actions.map((action) => (
              <Button
                key={action}
                size="compact-xs"
                variant={action === "no-show" ? "default" : "filled"}
                loading={act.isPending && act.variables?.booking.id === booking.id && act.variables.action === action}
                onClick={() => act.mutate({ booking, action })}
                aria-label={s.actionNamed[action](name, when)}
              >
                {s.action[action]}
              </Button>
            ))}
            {booking.status === "held" && <DeclineButton booking={booking} label={s.declineNamed(name, when)} />}
          </Group>
        )}
      </Stack>
    </Card>
  );
}

function DeclineButton({ booking, label }: { booking: Booking; label: string }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const decline = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/bookings/{booking_id}/cancel", { params: { path: { booking_id: booking.id } }, body: { reason } })),
    onSuccess: async () => {
      notifications.show({ color: "green", message: s.declined });
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: ["bookings"] });
    },
  });
  return (
    <>
      <Button size="compact-xs" variant="light" color="red" onClick={() => setOpen(true)} aria-label={label}>
        {s.decline}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={s.declineTitle}>
        <Stack>
          {decline.isError && (
            <Alert color="red" role="alert">
              {messageOf(decline.error)}
            </Alert>
          )}
          <Textarea label={s.declineReason} maxLength={500} value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              {s.keep}
            </Button>
            <Button color="red" loading={decline.isPending} onClick={() => decline.mutate()}>
              {s.declineConfirm}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** The secret ICS URL calendars subscribe to. The server keeps only a hash, so the URL is shown once, when made. */
function CalendarFeed() {
  const [url, setUrl] = useState<string | null>(null);
  const [confirmRevoke, setConfirmRevoke] = useState(false);
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/me/calendar-feed")),
    onSuccess: (feed) => setUrl(feed.url),
  });
  const revoke = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/me/calendar-feed")),
    onSuccess: () => {
      setUrl(null);
      setConfirmRevoke(false);
      notifications.show({ color: "green", message: s.feedRevoked });
    },
  });
  const error = create.error ?? revoke.error;
  return (
    <Card withBorder component="section" aria-labelledby="feed-title">
      <Title order={2} size="h3" id="feed-title" mb="xs">
        {s.feedTitle}
      </Title>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {s.feedHint}
        </Text>
        {url && (
          <Group gap="xs" align="flex-end" wrap="nowrap">
            <TextInput label={s.feedUrl} value={url} readOnly style={{ flex: 1 }} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton value={url}>
              {({ copied, copy }) => (
                <Button variant={copied ? "light" : "filled"} color={copied ? "teal" : undefined} onClick={copy}>
                  {copied ? s.copied : s.copy}
                </Button>
              )}
            </CopyButton>
          </Group>
        )}
        {url && (
          <Text size="xs" c="dimmed">
            {s.feedSecret}
          </Text>
        )}
        {error && (
          <Alert color="red" role="alert">
            {messageOf(error)}
          </Alert>
        )}
        <Group gap="xs">
          <Button variant={url ? "default" : "filled"} loading={create.isPending} onClick={() => create.mutate()}>
            {url ? s.rotateFeed : s.createFeed}
          </Button>
          {confirmRevoke ? (
            <>
              <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate()}>
                {s.revokeConfirm}
              </Button>
              <Button variant="subtle" onClick={() => setConfirmRevoke(false)}>
                {s.keep}
              </Button>
            </>
          ) : (
            <Button variant="light" color="red" onClick={() => setConfirmRevoke(true)}>
              {s.revokeFeed}
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  );
}
