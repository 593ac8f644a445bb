import { ActionIcon, Alert, Box, Button, Card, Grid, Group, Stack, Switch, Text, TextInput, Title, type CardProps } from "@mantine/core";
import { DatePickerInput, DateTimePicker } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient, type QueryKey, type UseMutationResult, type UseQueryResult } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent, type ReactNode } from "react";
import { api } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { Empty, ErrorAlert, ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { formatDateTime, formatDay, localDay } from "../../time/zones";
import { SaveFeedback } from "./SaveFeedback";
import { barOf, rulesToWeek, WEEKDAYS, weekProblems, weekToRules, type Hours, type HoursProblem, type Rule, type Week } from "./availability";
import { HoursEditor } from "./HoursEditor";
import { ProPageHeader } from "./ProPageHeader";
import { proKeys, useProZone } from "./queries";
import { wallToUtc, zoneLabel } from "./time";

const s = t.pro.availability;

export function AvailabilityPage() {
  const zone = useProZone();
  return (
    <Stack gap="lg">
      <ProPageHeader title={s.title} zoneNote={s.zoneNote(zoneLabel(zone))} />
      <WeeklyHours />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Overrides zone={zone} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <TimeOff zone={zone} />
        </Grid.Col>
      </Grid>
      <ExternalCalendar zone={zone} />
    </Stack>
  );
}

/** One card of the page: a titled section with a line on what it is for. */
function Section({ id, title, hint, children, ...card }: { id: string; title: string; hint: string; children: ReactNode } & Omit<CardProps, "children">) {
  return (
    <Card withBorder component="section" aria-labelledby={id} {...card}>
      <Title order={2} size="h3" id={id} mb="xs">
        {title}
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {hint}
      </Text>
      {children}
    </Card>
  );
}

function WeeklyHours() {
  const rules = useQuery({
    queryKey: proKeys.rules,
    queryFn: async () => unwrap(await api.GET("/api/v1/me/availability/rules")),
  });
  return (
    <Section id="weekly-title" title={s.weeklyTitle} hint={s.weeklyHint} padding="md">
      {rules.isPending ? (
        <Loading />
      ) : rules.isError ? (
        <ErrorState error={rules.error} onRetry={() => rules.refetch()} />
      ) : (
        <WeekEditor key={JSON.stringify(rules.data)} saved={rules.data} />
      )}
    </Section>
  );
}

function WeekEditor({ saved }: { saved: Rule[] }) {
  const queryClient = useQueryClient();
  const [week, setWeek] = useState<Week>(() => rulesToWeek(saved));
  const problems = useMemo(() => weekProblems(week), [week]);
  const valid = Object.keys(problems).length === 0;
  const changed = JSON.stringify(weekToRules(week)) !== JSON.stringify(weekToRules(rulesToWeek(saved)));
  const save = useMutation({
    mutationFn: async (body: Rule[]) => unwrap(await api.PUT("/api/v1/me/availability/rules", { body })),
    onSuccess: async (rules) => {
      notifications.show({ color: "green", message: s.saved });
      queryClient.setQueryData(proKeys.rules, rules);
      await queryClient.invalidateQueries({ queryKey: ["slots"] });
    },
  });
  const dayProblems = (dayIndex: number) => {
    const found: Partial<Record<number, HoursProblem>> = {};
    for (const [key, problem] of Object.entries(problems)) {
      const [day, index] = key.split("-").map(Number);
      if (day === dayIndex && index !== undefined) found[index] = problem;
    }
    return found;
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) save.mutate(weekToRules(week));
      }}
    >
      <Stack gap="md">
        <WeekView week={week} />
        {WEEKDAYS.map((weekday, dayIndex) => {
          const name = s.weekdays[dayIndex] ?? String(weekday);
          return (
            <Box key={weekday} role="group" aria-labelledby={`weekday-${weekday}`} pb="sm" style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
              <Grid gap="xs" align="flex-start">
                <Grid.Col span={{ base: 12, sm: 2 }}>
                  <Text fw={600} id={`weekday-${weekday}`} pt={{ sm: 6 }}>
                    {name}
                  </Text>
                </Grid.Col>
                <Grid.Col span={{ base: 12, sm: 10 }}>
                  <HoursEditor
                    idPrefix={`weekday-${weekday}`}
                    name={name}
                    hours={week[dayIndex] ?? []}
                    problems={dayProblems(dayIndex)}
                    emptyText={s.unavailable}
                    onChange={(hours) => setWeek(week.map((day, i) => (i === dayIndex ? hours : day)))}
                  />
                </Grid.Col>
              </Grid>
            </Box>
          );
        })}
        <SaveFeedback error={save.error} failedTitle={s.saveFailed} problems={valid ? null : s.fixProblems} />
        <Group justify="flex-end">
          {changed && (
            <Text size="sm" c="dimmed" role="status">
              {s.unsaved}
            </Text>
          )}
          <Button variant="default" disabled={!changed || save.isPending} onClick={() => setWeek(rulesToWeek(saved))}>
            {s.reset}
          </Button>
          <Button type="submit" loading={save.isPending} disabled={!valid}>
            {s.save}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The week at a glance: each day's hours as bars on a 24-hour line (the editor below says the same in words). */
function WeekView({ week }: { week: Week }) {
  return (
    <Box aria-hidden>
      {WEEKDAYS.map((weekday, dayIndex) => (
        <Group key={weekday} gap="xs" wrap="nowrap" mb={4}>
          <Text size="xs" w={36} c="dimmed">
            {s.weekdaysShort[dayIndex]}
          </Text>
          <Box pos="relative" h={14} style={{ flex: 1, borderRadius: 4, background: "var(--mantine-color-default-hover)" }}>
            {(week[dayIndex] ?? []).map((hours, i) => {
              const bar = barOf(hours);
              return bar ? (
                <Box
                  key={i}
                  pos="absolute"
                  top={0}
                  h={14}
                  style={{ left: `${bar.left}%`, width: `${bar.width}%`, borderRadius: 4, background: "var(--mantine-primary-color-filled)" }}
                />
              ) : null;
            })}
          </Box>
        </Group>
      ))}
      <Group gap="xs" wrap="nowrap">
        <Box w={36} />
        <Group justify="space-between" style={{ flex: 1 }}>
          {["00", "06", "12", "18", "24"].map((hour) => (
            <Text key={hour} size="xs" c="dimmed">
              {hour}
            </Text>
          ))}
        </Group>
      </Group>
    </Box>
  );
}

/** Forget the cached `key` and the bookable slots computed from it, after a change to either. */
function useRefresh(key: QueryKey) {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: key });
    await queryClient.invalidateQueries({ queryKey: ["slots"] });
  };
}

/** Removing one entry of a list by its id; a failure is told in a notification, as the row has no room for it. */
function useRemove(remove: (id: string) => Promise<unknown>, refresh: () => Promise<void>) {
  return useMutation({
    mutationFn: remove,
    onSuccess: refresh,
    onError: (error) => notifications.show({ color: "red", message: messageOf(error) }),
  });
}

interface Row {
  id: string;
  label: string;
  detail: string | null;
  removeLabel: string;
}

/** The saved entries (overrides, time off) as a list, each with its remove button; or why there is no list. */
function RemovableList<T>({ query, empty, rowOf, remove }: { query: UseQueryResult<T[]>; empty: string; rowOf: (item: T) => Row; remove: UseMutationResult<unknown, Error, string> }) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  if (query.data.length === 0) return <Empty>{empty}</Empty>;
  return (
    <Stack gap={6} component="ul" p={0} m={0} style={{ listStyle: "none" }}>
      {query.data.map(rowOf).map((row) => (
        <Group key={row.id} component="li" justify="space-between" wrap="nowrap">
          <div>
            <Text size="sm" fw={500}>
              {row.label}
            </Text>
            {row.detail && (
              <Text size="sm" c="dimmed">
                {row.detail}
              </Text>
            )}
          </div>
          <ActionIcon variant="subtle" color="red" aria-label={row.removeLabel} loading={remove.isPending && remove.variables === row.id} onClick={() => remove.mutate(row.id)}>
            <span aria-hidden>×</span>
          </ActionIcon>
        </Group>
      ))}
    </Stack>
  );
}

/** The form under a list that adds an entry to it: a heading, the fields, the server's refusal, and the submit button. */
function AddForm(props: { title: string; submitLabel: string; onSubmit: () => void; error: unknown; pending: boolean; disabled: boolean; children: ReactNode }) {
  function submit(event: FormEvent) {
    event.preventDefault();
    props.onSubmit();
  }
  return (
    <form onSubmit={submit}>
      <Stack gap="sm" mt="md">
        <Title order={3} size="h5">
          {props.title}
        </Title>
        {props.children}
        <ErrorAlert error={props.error} />
        <Group justify="flex-end">
          <Button type="submit" loading={props.pending} disabled={props.disabled}>
            {props.submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Overrides({ zone }: { zone: string }) {
  const overrides = useQuery({
    queryKey: proKeys.overrides,
    queryFn: async () => unwrap(await api.GET("/api/v1/me/availability/overrides")),
  });
  const [date, setDate] = useState<string | null>(null);
  const [closed, setClosed] = useState(true);
  const [hours, setHours] = useState<Hours[]>([{ start: "09:00", end: "12:00" }]);
  const problems = weekProblems([closed ? [] : hours]);
  const hourProblems = Object.fromEntries(Object.entries(problems).map(([key, problem]) => [Number(key.split("-")[1]), problem]));
  const refresh = useRefresh(proKeys.overrides);
  const add = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/me/availability/overrides", {
          body: { date: date ?? "", intervals: closed ? [] : weekToRules([hours]).map(({ start, end }) => ({ start, end })) },
        }),
      ),
    onSuccess: async () => {
      notifications.show({ color: "green", message: s.overrideSaved });
      setDate(null);
      await refresh();
    },
  });
  const remove = useRemove(async (day) => unwrap(await api.DELETE("/api/v1/me/availability/overrides/{day}", { params: { path: { day } } })), refresh);
  const today = localDay(new Date(), zone);
  const canSave = date !== null && Object.keys(problems).length === 0;
  return (
    <Section id="overrides-title" title={s.overridesTitle} hint={s.overridesHint} h="100%">
      <RemovableList
        query={overrides}
        empty={s.noOverrides}
        rowOf={(override) => ({
          id: override.date,
          label: formatDay(override.date),
          detail: override.intervals.length === 0 ? s.closed : override.intervals.map((h) => `${h.start}–${h.end}`).join(", "),
          removeLabel: s.removeOverride(formatDay(override.date)),
        })}
        remove={remove}
      />
      <AddForm title={s.newOverride} submitLabel={s.saveOverride} onSubmit={() => canSave && add.mutate()} error={add.error} pending={add.isPending} disabled={!canSave}>
        <DatePickerInput label={s.overrideDate} placeholder={s.pickDate} value={date} onChange={setDate} minDate={today} clearable />
        <Switch label={s.closedAllDay} checked={closed} onChange={(event) => setClosed(event.currentTarget.checked)} />
        {!closed && (
          <HoursEditor
            idPrefix="override"
            name={date ? formatDay(date) : s.overrideDate}
            hours={hours}
            problems={hourProblems}
            emptyText={s.noHoursClosed}
            onChange={setHours}
          />
        )}
      </AddForm>
    </Section>
  );
}

/** "YYYY-MM-DD HH:mm:ss" from the date-time picker, read on `zone`'s wall clock. */
function pickedInstant(value: string | null, zone: string): string | null {
  if (!value) return null;
  const [day, time] = value.split(" ");
  return day && time ? wallToUtc(day, time.slice(0, 5), zone) : null;
}

function TimeOff({ zone }: { zone: string }) {
  const timeOff = useQuery({
    queryKey: proKeys.timeOff,
    queryFn: async () => unwrap(await api.GET("/api/v1/me/time-off")),
  });
  const [start, setStart] = useState<string | null>(null);
  const [end, setEnd] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const startsAt = pickedInstant(start, zone);
  const endsAt = pickedInstant(end, zone);
  const ordered = !startsAt || !endsAt || Date.parse(endsAt) > Date.parse(startsAt);
  const refresh = useRefresh(proKeys.timeOff);
  const add = useMutation({
    mutationFn: async (body: { starts_at: string; ends_at: string; note: string }) => unwrap(await api.POST("/api/v1/me/time-off", { body })),
    onSuccess: async () => {
      notifications.show({ color: "green", message: s.timeOffSaved });
      setStart(null);
      setEnd(null);
      setNote("");
      await refresh();
    },
  });
  const remove = useRemove(async (id) => unwrap(await api.DELETE("/api/v1/me/time-off/{time_off_id}", { params: { path: { time_off_id: id } } })), refresh);
  const when = (item: { starts_at: string; ends_at: string }) => `${formatDateTime(item.starts_at, zone)} – ${formatDateTime(item.ends_at, zone)}`;
  return (
    <Section id="time-off-title" title={s.timeOffTitle} hint={s.timeOffHint(zoneLabel(zone))} h="100%">
      <RemovableList
        query={timeOff}
        empty={s.noTimeOff}
        rowOf={(item) => ({ id: item.id, label: when(item), detail: item.note, removeLabel: s.removeTimeOff(when(item)) })}
        remove={remove}
      />
      <AddForm
        title={s.newTimeOff}
        submitLabel={s.addTimeOff}
        onSubmit={() => startsAt && endsAt && ordered && add.mutate({ starts_at: startsAt, ends_at: endsAt, note: note.trim() })}
        error={add.error}
        pending={add.isPending}
        disabled={!startsAt || !endsAt || !ordered}
      >
        <DateTimePicker label={s.timeOffStart} placeholder={s.pickDateTime} value={start} onChange={setStart} clearable />
        <DateTimePicker
          label={s.timeOffEnd}
          placeholder={s.pickDateTime}
          value={end}
          onChange={setEnd}
          clearable
          error={ordered ? undefined : s.endAfterStart}
        />
        <TextInput label={s.timeOffNote} maxLength={200} value={note} onChange={(event) => setNote(event.currentTarget.value)} />
      </AddForm>
    </Section>
  );
}

/** An ICS URL (Google, Apple, Outlook export) whose events block the professional's time here. The server imports it
 * in the background: while it does, the status is read again every second. */
function ExternalCalendar({ zone }: { zone: string }) {
  const queryClient = useQueryClient();
  const status = useQuery({
    queryKey: proKeys.externalCalendar,
    queryFn: async () => unwrap(await api.GET("/api/v1/me/availability/external-calendar")),
    refetchInterval: (query) => (importing(query.state.data?.status) ? 1000 : false),
  });
  const [draft, setDraft] = useState<string | null>(null);
  const link = useMutation({
    mutationFn: async (url: string | null) => unwrap(await api.PUT("/api/v1/me/availability/external-calendar", { body: { url } })),
    onSuccess: async (answer) => {
      notifications.show({ color: "green", message: answer.url ? s.externalLinked : s.externalUnlinked });
      setDraft(null);
      queryClient.setQueryData(proKeys.externalCalendar, answer);
      await queryClient.invalidateQueries({ queryKey: ["slots"] });
    },
  });
  const url = draft ?? status.data?.url ?? "";
  return (
    <Section id="external-title" title={s.externalTitle} hint={s.externalHint}>
      {status.isPending ? (
        <Loading />
      ) : status.isError ? (
        <ErrorState error={status.error} onRetry={() => status.refetch()} />
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (url.trim()) link.mutate(url.trim());
          }}
        >
          <Stack gap="sm">
            {status.data.url && (
              <Text size="sm" role="status">
                {importing(status.data.status)
                  ? s.externalImporting
                  : status.data.last_fetched_at
                    ? s.externalStatus(status.data.busy_intervals, formatDateTime(status.data.last_fetched_at, zone))
                    : s.externalNotYet}
              </Text>
            )}
            {status.data.last_error && (
              <Alert color={status.data.status === "refused" ? "red" : "yellow"} title={status.data.status === "refused" ? s.externalRefusedTitle : s.externalErrorTitle}>
                {status.data.last_error}
              </Alert>
            )}
            <TextInput label={s.externalUrl} placeholder={s.externalUrlPlaceholder} type="url" maxLength={2048} value={url} onChange={(event) => setDraft(event.currentTarget.value)} />
            <ErrorAlert error={link.error} />
            <Group justify="flex-end" gap="xs">
              {status.data.url && (
                <Button variant="default" color="red" loading={link.isPending && link.variables === null} onClick={() => link.mutate(null)}>
                  {s.externalUnlink}
                </Button>
              )}
              <Button type="submit" disabled={!url.trim() || url.trim() === status.data.url} loading={link.isPending && link.variables !== null}>
                {s.externalSave}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Section>
  );
}

function importing(status: string | null | undefined): boolean {
  return status === "queued" || status === "importing";
}
