import { ActionIcon, Button, Group, Stack, Text } from "@mantine/core";
import { TimeInput } from "@mantine/dates";
import { t } from "../../i18n";
import { nextHours, type Hours, type HoursProblem } from "./availability";

const s = t.pro.availability;

/** The intervals of one day: a start and an end input per interval (named after the day, so a screen reader and a
 * test script can tell Monday's from Tuesday's), a remove button each, and "Add time". */
export function HoursEditor({
  idPrefix,
  name,
  hours,
  problems,
  onChange,
  emptyText,
}: {
  /** Unique on the page, for the ids linking an interval to its problem. */
  idPrefix: string;
  /** What the intervals belong to, e.g. "Monday": it prefixes every control's name. */
  name: string;
  hours: Hours[];
  problems: Partial<Record<number, HoursProblem>>;
  onChange: (hours: Hours[]) => void;
  emptyText: string;
}) {
  const set = (index: number, change: Partial<Hours>) =>
    onChange(hours.map((current, i) => (i === index ? { ...current, ...change } : current)));
  return (
    <Stack gap="xs">
      {hours.length === 0 && (
        <Text size="sm" c="dimmed">
          {emptyText}
        </Text>
      )}
      {hours.map((interval, index) => {
        const problem = problems[index];
        const problemId = `${idPrefix}-${index}-problem`;
        return (
          <Stack key={index} gap={2}>
            <Group gap="xs" align="center" wrap="nowrap">
              <TimeInput
                aria-label={s.startLabel(name, index + 1)}
                value={interval.start}
                onChange={(event) => set(index, { start: event.currentTarget.value })}
                error={problem !== undefined}
                aria-describedby={problem ? problemId : undefined}
                w={116}
              />
              <Text aria-hidden>–</Text>
              <TimeInput
                aria-label={s.endLabel(name, index + 1)}
                value={interval.end}
                onChange={(event) => set(index, { end: event.currentTarget.value })}
                error={problem !== undefined}
                aria-describedby={problem ? problemId : undefined}
                w={116}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={s.removeLabel(name, index + 1)}
                onClick={() => onChange(hours.filter((_, i) => i !== index))}
              >
                <span aria-hidden>×</span>
              </ActionIcon>
            </Group>
            {problem && (
              <Text id={problemId} size="xs" c="red">
                {s.problems[problem]}
              </Text>
            )}
          </Stack>
        );
      })}
      <Group>
        <Button variant="light" size="xs" aria-label={s.addLabel(name)} onClick={() => onChange([...hours, nextHours(hours)])} disabled={hours.length >= 10}>
          {s.add}
        </Button>
      </Group>
    </Stack>
  );
}
