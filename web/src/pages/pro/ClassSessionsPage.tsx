import { Alert, Anchor, Badge, Button, Card, Chip, Collapse, Grid, Group, Modal, NumberInput, Radio, Select, Stack, Table, Text, Title } from "@mantine/core";
import { DatePickerInput, TimeInput } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { Empty, ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { formatDateTime, formatTime, localDay } from "../../time/zones";
import { proKeys, useMyOfferings, useProZone } from "./queries";
import { newScheduleForm, rruleOf, scheduleBody, scheduleProblems, type Frequency, type ScheduleField, type ScheduleForm } from "./recurrence";
import { zoneLabel } from "./time";

const s = t.pro.classes;
type Session = Schemas["classes_schemas_SessionOut"];
type Enrolment = Schemas["EnrolmentOut"];

export function ClassSessionsPage() {
  const { offeringId = "" } = useParams();
  const zone = useProZone();
  const offerings = useMyOfferings();
  if (offerings.isPending) return <Loading />;
  if (offerings.isError) return <ErrorState error={offerings.error} onRetry={() => offerings.refetch()} />;
  const offering = offerings.data.find((o) => o.id === offeringId && o.kind === "class");
  if (!offering) {
    return (
      <Stack>
        <Empty>{s.notFound}</Empty>
        <Anchor component={Link} to="/pro/offerings" ta="center">
          {s.backToOfferings}
        </Anchor>
      </Stack>
    );
  }
  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to="/pro/offerings" size="sm">
          {s.backToOfferings}
        </Anchor>
        <Title order={1}>{s.title(offering.title)}</Title>
        <Text c="dimmed">{s.zoneNote(zoneLabel(zone), offering.duration_minutes, offering.capacity ?? 0)}</Text>
      </div>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <ScheduleCard offeringId={offering.id} zone={zone} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Sessions offeringId={offering.id} zone={zone} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

const FREQUENCIES: Frequency[] = ["none", "DAILY", "WEEKLY", "MONTHLY"];

function ScheduleCard({ offeringId, zone }: { offeringId: string; zone: string }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState<ScheduleForm>(newScheduleForm);
  const [submitted, setSubmitted] = useState(false);
  const problems = scheduleProblems(form);
  const error = (field: ScheduleField) => {
    const problem = submitted ? problems[field] : undefined;
    return problem ? s.problems[problem] : undefined;
  };
  const set = <K extends keyof ScheduleForm>(field: K, value: ScheduleForm[K]) => setForm((current) => ({ ...current, [field]: value }));
  const schedule = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/me/classes/{offering_id}/sessions", { params: { path: { offering_id: offeringId } }, body: scheduleBody(form, zone) })),
    onSuccess: async (sessions) => {
      notifications.show({ color: "green", message: s.scheduled(sessions.length) });
      setForm(newScheduleForm());
      setSubmitted(false);
      // Every sessions list: this class's, and the calendar's week that shows all classes.
      await queryClient.invalidateQueries({ queryKey: proKeys.allSessions });
      await queryClient.invalidateQueries({ queryKey: ["bookings"] });
    },
  });
  const today = localDay(new Date(), zone);
  const rrule = rruleOf(form);
  return (
    <Card withBorder component="section" aria-labelledby="schedule-title">
      <Title order={2} size="h3" id="schedule-title" mb="sm">
        {s.scheduleTitle}
      </Title>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setSubmitted(true);
          if (Object.keys(problems).length === 0) schedule.mutate();
        }}
      >
        <Stack gap="sm">
          <Group grow align="flex-start">
            <DatePickerInput label={s.date} placeholder={s.pickDate} value={form.date} onChange={(value) => set("date", value)} minDate={today} error={error("date")} required />
            <TimeInput label={s.time} description={zone} value={form.time} onChange={(event) => set("time", event.currentTarget.value)} error={error("time")} required />
          </Group>
          <Select
            label={s.repeat}
            data={FREQUENCIES.map((value) => ({ value, label: s.frequencies[value] }))}
            value={form.frequency}
            onChange={(value) => value && set("frequency", value as Frequency)}
            allowDeselect={false}
          />
          {form.frequency !== "none" && (
            <>
              <NumberInput
                label={s.interval}
                description={s.intervalHint[form.frequency]}
                value={form.interval}
                onChange={(value) => set("interval", value)}
                min={1}
                max={12}
                allowDecimal={false}
                allowNegative={false}
                error={error("interval")}
              />
              {form.frequency === "WEEKLY" && (
                <div role="group" aria-labelledby="weekdays-label">
                  <Text size="sm" fw={500} id="weekdays-label" mb={4}>
                    {s.onDays}
                  </Text>
                  <Chip.Group multiple value={form.weekdays.map(String)} onChange={(values) => set("weekdays", values.map(Number))}>
                    <Group gap={4}>
                      {t.pro.availability.weekdaysShort.map((day, index) => (
                        <Chip key={day} value={String(index + 1)} size="xs" aria-label={t.pro.availability.weekdays[index]}>
                          {day}
                        </Chip>
                      ))}
                    </Group>
                  </Chip.Group>
                  <Text size="xs" c="dimmed" mt={4}>
                    {s.onDaysHint}
                  </Text>
                </div>
              )}
              <Radio.Group label={s.ends} value={form.ending} onChange={(value) => set("ending", value === "until" ? "until" : "count")}>
                <Stack gap="xs" mt={4}>
                  <Radio value="count" label={s.afterCount} />
                  {form.ending === "count" && (
                    <NumberInput
                      label={s.count}
                      value={form.count}
                      onChange={(value) => set("count", value)}
                      min={1}
                      max={100}
                      allowDecimal={false}
                      allowNegative={false}
                      error={error("count")}
                    />
                  )}
                  <Radio value="until" label={s.onDate} />
                  {form.ending === "until" && (
                    <DatePickerInput label={s.until} placeholder={s.pickDate} value={form.until} onChange={(value) => set("until", value)} minDate={form.date ?? today} error={error("until")} />
                  )}
                </Stack>
              </Radio.Group>
            </>
          )}
          <NumberInput
            label={s.capacity}
            description={s.capacityHint}
            value={form.capacity}
            onChange={(value) => set("capacity", value)}
            min={1}
            max={1000}
            allowDecimal={false}
            allowNegative={false}
            error={error("capacity")}
          />
          {rrule && (
            <Text size="xs" c="dimmed">
              {s.rule(rrule)}
            </Text>
          )}
          {schedule.isError && (
            <Alert color="red" role="alert" title={s.scheduleFailed}>
              {messageOf(schedule.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={schedule.isPending}>
              {form.frequency === "none" ? s.scheduleOne : s.scheduleSeries}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function Sessions({ offeringId, zone }: { offeringId: string; zone: string }) {
  const [cancelling, setCancelling] = useState<Session | null>(null);
  const sessions = useInfiniteQuery({
    queryKey: proKeys.sessions(offeringId),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET("/api/v1/me/classes/{offering_id}/sessions", { params: { path: { offering_id: offeringId }, query: { cursor: pageParam } } })),
    getNextPageParam: (page) => page.next_cursor,
  });
  const items = sessions.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Card withBorder component="section" aria-labelledby="sessions-title">
      <Title order={2} size="h3" id="sessions-title" mb="sm">
        {s.sessionsTitle}
      </Title>
      {sessions.isPending ? (
        <Loading />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => sessions.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{s.noSessions}</Empty>
      ) : (
        <Stack gap="xs">
          {items.map((session) => (
            <SessionRow key={session.id} session={session} zone={zone} onCancel={() => setCancelling(session)} />
          ))}
          {sessions.hasNextPage && (
            <Button variant="light" mx="auto" onClick={() => sessions.fetchNextPage()} loading={sessions.isFetchingNextPage}>
              {s.more}
            </Button>
          )}
        </Stack>
      )}
      <CancelSessionDialog session={cancelling} zone={zone} onClose={() => setCancelling(null)} />
    </Card>
  );
}

function SessionRow({ session, zone, onCancel }: { session: Session; zone: string; onCancel: () => void }) {
  const [open, setOpen] = useState(false);
  const when = `${formatDateTime(session.starts_at, zone)} – ${formatTime(session.ends_at, zone)}`;
  const taken = session.capacity - session.seats_left;
  const cancelled = session.status === "cancelled";
  const rosterId = `roster-${session.id}`;
  return (
    <Card withBorder padding="sm" component="article" aria-label={when}>
      <Group justify="space-between" align="flex-start" gap="xs">
        <Stack gap={2}>
          <Text fw={600} td={cancelled ? "line-through" : undefined}>
            {when}
          </Text>
          <Group gap={6}>
            <Badge variant="light" color={cancelled ? "gray" : session.seats_left === 0 ? "orange" : "teal"}>
              {cancelled ? s.cancelled : session.seats_left === 0 ? s.full : s.scheduledBadge}
            </Badge>
            {!cancelled && (
              <Text size="sm" c="dimmed">
                {s.seatsTaken(taken, session.capacity)}
              </Text>
            )}
          </Group>
        </Stack>
        <Group gap="xs">
          <Button size="xs" variant="default" aria-expanded={open} aria-controls={rosterId} onClick={() => setOpen((o) => !o)}>
            {open ? s.hideRoster : s.showRoster}
          </Button>
          {!cancelled && (
            <Button size="xs" variant="light" color="red" onClick={onCancel} aria-label={s.cancelNamed(when)}>
              {s.cancel}
            </Button>
          )}
        </Group>
      </Group>
      <Collapse expanded={open} id={rosterId}>
        {open && <Roster sessionId={session.id} zone={zone} />}
      </Collapse>
    </Card>
  );
}

const ROSTER_ORDER: Enrolment["status"][] = ["enrolled", "pending_payment", "offered", "waitlisted", "cancelled", "expired"];

function clientName(enrolment: Enrolment): string {
  return enrolment.client_name ?? s.client(enrolment.client_id.slice(0, 8));
}

function Roster({ sessionId, zone }: { sessionId: string; zone: string }) {
  const roster = useQuery({
    queryKey: proKeys.roster(sessionId),
    queryFn: async () => unwrap(await api.GET("/api/v1/me/classes/sessions/{session_id}/enrolments", { params: { path: { session_id: sessionId } } })),
  });
  if (roster.isPending) return <Loading />;
  if (roster.isError) return <ErrorState error={roster.error} onRetry={() => roster.refetch()} />;
  const seated = roster.data.filter((e) => e.status === "enrolled" || e.status === "pending_payment" || e.status === "offered");
  const waiting = roster.data.filter((e) => e.status === "waitlisted").sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const gone = roster.data.filter((e) => e.status === "cancelled" || e.status === "expired");
  const rows = (list: Enrolment[]) =>
    [...list]
      .sort((a, b) => ROSTER_ORDER.indexOf(a.status) - ROSTER_ORDER.indexOf(b.status))
      .map((enrolment) => (
        <Table.Tr key={enrolment.id}>
          <Table.Td>{enrolment.position ?? "—"}</Table.Td>
          <Table.Td>{clientName(enrolment)}</Table.Td>
          <Table.Td>
            {s.enrolmentStatus[enrolment.status]}
            {enrolment.status === "offered" && enrolment.offer_expires_at && (
              <Text span size="xs" c="dimmed">
                {" "}
                {s.offerUntil(formatDateTime(enrolment.offer_expires_at, zone))}
              </Text>
            )}
          </Table.Td>
          <Table.Td>{formatDateTime(enrolment.created_at, zone)}</Table.Td>
        </Table.Tr>
      ));
  const table = (caption: string, list: Enrolment[], empty: string) => (
    <div>
      <Title order={3} size="h6" mt="sm" mb={4}>
        {caption} ({list.length})
      </Title>
      {list.length === 0 ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={420}>
          <Table striped withTableBorder aria-label={caption}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{s.position}</Table.Th>
                <Table.Th>{s.clientColumn}</Table.Th>
                <Table.Th>{s.statusColumn}</Table.Th>
                <Table.Th>{s.sinceColumn}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>{rows(list)}</Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </div>
  );
  return (
    <Stack gap={0} mt="xs">
      {table(s.enrolled, seated, s.noneEnrolled)}
      {table(s.waitlist, waiting, s.noneWaiting)}
      {gone.length > 0 && table(s.left, gone, "")}
    </Stack>
  );
}

function CancelSessionDialog({ session, zone, onClose }: { session: Session | null; zone: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST("/api/v1/me/classes/sessions/{session_id}/cancel", { params: { path: { session_id: id } } })),
    onSuccess: async (cancelled) => {
      notifications.show({ color: "green", message: s.cancelledNow });
      close();
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: proKeys.allSessions }),
        queryClient.invalidateQueries({ queryKey: proKeys.roster(cancelled.id) }),
        queryClient.invalidateQueries({ queryKey: ["bookings"] }),
      ]);
    },
  });
  function close() {
    cancel.reset();
    onClose();
  }
  return (
    <Modal opened={session !== null} onClose={close} title={s.cancelTitle}>
      {session && (
        <Stack>
          <Text>{s.cancelText(formatDateTime(session.starts_at, zone))}</Text>
          {cancel.isError && (
            <Alert color="red" role="alert">
              {messageOf(cancel.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {s.keep}
            </Button>
            <Button color="red" loading={cancel.isPending} onClick={() => cancel.mutate(session.id)}>
              {s.cancelConfirm}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
