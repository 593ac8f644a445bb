import { ActionIcon, Alert, Box, Button, Card, Grid, Group, Stack, Switch, Text, TextInput, Title } from "@mantine/core";
import { DatePickerInput, DateTimePicker } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { Empty, ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { formatDateTime, formatDay, localDay } from "../../time/zones";
import { barOf, rulesToWeek, WEEKDAYS, weekProblems, weekToRules, type Hours, type HoursProblem, type Rule, type Week } from "./availability";
import { HoursEditor } from "./HoursEditor";
import { proKeys, useProZone } from "./queries";
import { wallToUtc, zoneLabel } from "./time";

const s = t.pro.availability;

export function AvailabilityPage() {
  const zone = useProZone();
  return (
    <Stack gap="lg">
      <div>
        <Title order={1}>{s.title}</Title>
        <Text c="dimmed">{s.zoneNote(zoneLabel(zone))}</Text>
      </div>
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

function WeeklyHours() {
  const rules = useQuery({
    queryKey: proKeys.rules,
    queryFn: async () => unwrap(await api.GET("/api/v1/me/availability/rules")),
  });
  return (
    <Card withBorder component="section" aria-labelledby="weekly-title" padding="md">
      <Title order={2} size="h3" id="weekly-title" mb="xs">
        {s.weeklyTitle}
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {s.weeklyHint}
      </Text>
      {rules.isPending ? (
        <Loading />
      ) : rules.isError ? (
        <ErrorState error={rules.error} onRetry={() => rules.refetch()} />
      ) : (
        <WeekEditor key={JSON.stringify(rules.data)} saved={rules.data} />
      )}
    </Card>
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
        {save.isError && (
          <Alert color="red" role="alert" title={s.saveFailed}>
            {messageOf(save.error)}
          </Alert>
        )}
        {!valid && (
          <Text size="sm" c="red" role="status">
            {s.fixProblems}
          </Text>
        )}
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

function Overrides({ zone }: { zone: string }) {
  const queryClient = useQueryClient();
  const overrides = useQuery({
    queryKey: proKeys.overrides,
    queryFn: async () => unwrap(await api.GET("/api/v1/me/availability/overrides")),
  });
  const [date, setDate] = useState<string | null>(null);
  const [closed, setClosed] = useState(true);
  const [hours, setHours] = useState<Hours[]>([{ start: "09:00", end: "12:00" }]);
  const problems = weekProblems([closed ? [] : hours]);
  const hourProblems = Object.fromEntries(Object.entries(problems).map(([key, problem]) => [Number(key.split("-")[1]), problem]));
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: proKeys.overrides });
    await queryClient.invalidateQueries({ queryKey: ["slots"] });
  };
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
  const remove = useMutation({
    mutationFn: async (day: string) => unwrap(await api.DELETE("/api/v1/me/availability/overrides/{day}", { params: { path: { day } } })),
    onSuccess: refresh,
    onError: (error) => notifications.show({ color: "red", message: messageOf(error) }),
  });
  const today = localDay(new Date(), zone);
  const canSave = date !== null && Object.keys(problems).length === 0;
  return (
    <Card withBorder component="section" aria-labelledby="overrides-title" h="100%">
      <Title order={2} size="h3" id="overrides-title" mb="xs">
        {s.overridesTitle}
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {s.overridesHint}
      </Text>
      {overrides.isPending ? (
        <Loading />
      ) : overrides.isError ? (
        <ErrorState error={overrides.error} onRetry={() => overrides.refetch()} />
      ) : overrides.data.length === 0 ? (
        <Empty>{s.noOverrides}</Empty>
      ) : (
        <Stack gap={6} component="ul" p={0} m={0} style={{ listStyle: "none" }}>
          {overrides.data.map((override) => (
            <Group key={override.date} component="li" justify="space-between" wrap="nowrap">
              <div>
                <Text size="sm" fw={500}>
                  {formatDay(override.date)}
                </Text>
                <Text size="sm" c="dimmed">
                  {override.intervals.length === 0 ? s.closed : override.intervals.map((h) => `${h.start}–${h.end}`).join(", ")}
                </Text>
              </div>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={s.removeOverride(formatDay(override.date))}
                loading={remove.isPending && remove.variables === override.date}
                onClick={() => remove.mutate(override.date)}
              >
                <span aria-hidden>×</span>
              </ActionIcon>
            </Group>
          ))}
        </Stack>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (canSave) add.mutate();
        }}
      >
        <Stack gap="sm" mt="md">
          <Title order={3} size="h5">
            {s.newOverride}
          </Title>
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
          {add.isError && (
            <Alert color="red" role="alert">
              {messageOf(add.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={add.isPending} disabled={!canSave}>
              {s.saveOverride}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** "YYYY-MM-DD HH:mm:ss" from the date-time picker, read on `zone`'s wall clock. */
function pickedInstant(value: string | null, zone: string): string | null {
  if (!value) return null;
  const [day, time] = value.split(" ");
  return day && time ? wallToUtc(day, time.slice(0, 5), zone) : null;
}

function TimeOff({ zone }: { zone: string }) {
  const queryClient = useQueryClient();
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
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: proKeys.timeOff });
    await queryClient.invalidateQueries({ queryKey: ["slots"] });
  };
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
  const remove = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE("/api/v1/me/time-off/{time_off_id}", { params: { path: { time_off_id: id } } })),
    onSuccess: refresh,
    onError: (error) => notifications.show({ color: "red", message: messageOf(error) }),
  });
  return (
    <Card withBorder component="section" aria-labelledby="time-off-title" h="100%">
      <Title order={2} size="h3" id="time-off-title" mb="xs">
        {s.timeOffTitle}
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {s.timeOffHint(zoneLabel(zone))}
      </Text>
      {timeOff.isPending ? (
        <Loading />
      ) : timeOff.isError ? (
        <ErrorState error={timeOff.error} onRetry={() => timeOff.refetch()} />
      ) : timeOff.data.length === 0 ? (
        <Empty>{s.noTimeOff}</Empty>
      ) : (
        <Stack gap={6} component="ul" p={0} m={0} style={{ listStyle: "none" }}>
          {timeOff.data.map((item) => {
            const when = `${formatDateTime(item.starts_at, zone)} – ${formatDateTime(item.ends_at, zone)}`;
            return (
              <Group key={item.id} component="li" justify="space-between" wrap="nowrap">
                <div>
                  <Text size="sm" fw={500}>
                    {when}
                  </Text>
                  {item.note && (
                    <Text size="sm" c="dimmed">
                      {item.note}
                    </Text>
                  )}
                </div>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={s.removeTimeOff(when)}
                  loading={remove.isPending && remove.variables === item.id}
                  onClick={() => remove.mutate(item.id)}
                >
                  <span aria-hidden>×</span>
                </ActionIcon>
              </Group>
            );
          })}
        </Stack>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (startsAt && endsAt && ordered) add.mutate({ starts_at: startsAt, ends_at: endsAt, note: note.trim() });
        }}
      >
        <Stack gap="sm" mt="md">
          <Title order={3} size="h5">
            {s.newTimeOff}
          </Title>
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
          {add.isError && (
            <Alert color="red" role="alert">
              {messageOf(add.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={add.isPending} disabled={!startsAt || !endsAt || !ordered}>
              {s.addTimeOff}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** An ICS URL (Google, Apple, Outlook export) whose events block the professional's time here. */
function ExternalCalendar({ zone }: { zone: string }) {
  const queryClient = useQueryClient();
  const status = useQuery({
    queryKey: proKeys.externalCalendar,
    queryFn: async () => unwrap(await api.GET("/api/v1/me/availability/external-calendar")),
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
    <Card withBorder component="section" aria-labelledby="external-title">
      <Title order={2} size="h3" id="external-title" mb="xs">
        {s.externalTitle}
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {s.externalHint}
      </Text>
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
                {status.data.last_fetched_at
                  ? s.externalStatus(status.data.busy_intervals, formatDateTime(status.data.last_fetched_at, zone))
                  : s.externalNotYet}
              </Text>
            )}
            {status.data.last_error && (
              <Alert color="yellow" title={s.externalErrorTitle}>
                {status.data.last_error}
              </Alert>
            )}
            <TextInput label={s.externalUrl} placeholder={s.externalUrlPlaceholder} type="url" maxLength={2048} value={url} onChange={(event) => setDraft(event.currentTarget.value)} />
            {link.isError && (
              <Alert color="red" role="alert">
                {messageOf(link.error)}
              </Alert>
            )}
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
    </Card>
  );
}
