/** Showing UTC instants in a chosen IANA zone. All formatting goes through Intl, so DST is the platform's business. */

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function supportedZones(): string[] {
  const withValues = Intl as typeof Intl & { supportedValuesOf?: (key: "timeZone") => string[] };
  const zones = withValues.supportedValuesOf?.("timeZone") ?? [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

export function formatDateTime(iso: string, zone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(iso));
}

export function formatTime(iso: string, zone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: zone, hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function formatDay(day: string, locale?: string): string {
  // A calendar day has no zone; format its noon in UTC so no offset can move it to a neighbouring day.
  return new Intl.DateTimeFormat(locale, {
    timeZone: "UTC",
    weekday: "long",
    day: "numeric",
    month: "long",
  }).format(new Date(`${day}T12:00:00Z`));
}

/** The calendar day (YYYY-MM-DD) on which `iso` falls in `zone`. */
export function localDay(iso: string | Date, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(typeof iso === "string" ? new Date(iso) : iso);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** `day` (YYYY-MM-DD) moved by `days` calendar days. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export interface Interval {
  starts_at: string;
  ends_at: string;
}

export interface DayGroup<T extends Interval> {
  day: string;
  slots: T[];
}

/** Slots grouped by the calendar day they start on in `zone`, days and slots in time order. */
export function groupByLocalDay<T extends Interval>(slots: readonly T[], zone: string): DayGroup<T>[] {
  const groups = new Map<string, T[]>();
  const ordered = [...slots].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  for (const slot of ordered) {
    const day = localDay(slot.starts_at, zone);
    const group = groups.get(day);
    if (group) group.push(slot);
    else groups.set(day, [slot]);
  }
  return [...groups].map(([day, daySlots]) => ({ day, slots: daySlots }));
}
