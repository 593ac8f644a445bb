import { Button, Group, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { api, type Schemas } from "../api/client";
import { unwrap } from "../api/problem";
import { t } from "../i18n";
import { addDays, browserZone, formatDateTime, formatDay, formatTime, groupByLocalDay, localDay, supportedZones } from "../time/zones";
import { Empty, ErrorState, Loading } from "./States";

export type Slot = Schemas["SlotOut"];

export interface SlotPickerProps {
  professionalId: string;
  offeringId: string;
  /** Shown as a hint under the zone chooser, when known. */
  professionalZone?: string;
  /** The zone to start in (default: the browser's). */
  initialZone?: string;
  /** A slot to leave out (the booking's current time, when rescheduling). */
  excludeStart?: string;
  /** The accessible name of a slot's button. */
  chooseLabel?: (when: string) => string;
  onChoose: (slot: Slot, zone: string) => void;
}

/** A week of a professional's free slots for one offering, in a zone the viewer chooses, a week at a time. */
export function SlotPicker({ professionalId, offeringId, professionalZone, initialZone, excludeStart, chooseLabel = t.professional.bookTime, onChoose }: SlotPickerProps) {
  const titleId = useId();
  const zones = useMemo(() => supportedZones(), []);
  const [zone, setZone] = useState(initialZone ?? browserZone());
  const [from, setFrom] = useState(() => localDay(new Date(), initialZone ?? browserZone()));
  const to = addDays(from, 6);
  const slots = useQuery({
    queryKey: ["slots", professionalId, offeringId, from, to, zone],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/professionals/{professional_id}/slots", {
          params: { path: { professional_id: professionalId }, query: { offering_id: offeringId, from, to, tz: zone } },
        }),
      ),
  });
  const free = (slots.data?.slots ?? []).filter((slot) => excludeStart === undefined || Date.parse(slot.starts_at) !== Date.parse(excludeStart));
  const days = groupByLocalDay(free, zone);
  const today = localDay(new Date(), zone);

  return (
    <Stack aria-labelledby={titleId} component="section">
      <Title order={3} size="h4" id={titleId}>
        {t.professional.slots}
      </Title>
      <Select
        label={t.professional.zone}
        description={professionalZone ? t.professional.zoneHint(professionalZone) : undefined}
        data={zones}
        searchable
        allowDeselect={false}
        value={zone}
        onChange={(value) => value && setZone(value)}
        maw={360}
      />
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Button variant="default" size="xs" disabled={from <= today} onClick={() => setFrom(addDays(from, -7))}>
          {t.professional.previousWeek}
        </Button>
        <Text size="sm" aria-live="polite" ta="center">
          {formatDay(from)} – {formatDay(to)}
        </Text>
        <Button variant="default" size="xs" onClick={() => setFrom(addDays(from, 7))}>
          {t.professional.nextWeek}
        </Button>
      </Group>
      {slots.isPending ? (
        <Loading />
      ) : slots.isError ? (
        <ErrorState error={slots.error} onRetry={() => slots.refetch()} />
      ) : days.length === 0 ? (
        <Empty>{t.professional.noSlots}</Empty>
      ) : (
        <Stack gap="sm">
          {days.map(({ day, slots: daySlots }) => (
            <div key={day} role="group" aria-labelledby={`${titleId}-${day}`}>
              <Text fw={600} size="sm" id={`${titleId}-${day}`} mb={4}>
                {formatDay(day)}
              </Text>
              <SimpleGrid cols={{ base: 3, xs: 4, sm: 6 }} spacing="xs">
                {daySlots.map((slot) => (
                  <Button key={slot.starts_at} variant="light" size="xs" aria-label={chooseLabel(formatDateTime(slot.starts_at, zone))} onClick={() => onChoose(slot, zone)}>
                    {formatTime(slot.starts_at, zone)}
                  </Button>
                ))}
              </SimpleGrid>
            </div>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
