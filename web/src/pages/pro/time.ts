/** Wall-clock time in the professional's zone: what their weekly hours, time off and class sessions are written in.
 * (The shared helpers in time/zones.ts show instants; these go the other way too, from a zone's wall clock to UTC.) */
import { addDays } from "../../time/zones";

/** ISO weekday of a calendar day (YYYY-MM-DD): 1 = Monday … 7 = Sunday. */
export function isoWeekday(day: string): number {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

/** The Monday of the week `day` falls in. */
export function weekStart(day: string): string {
  return addDays(day, 1 - isoWeekday(day));
}

/** The seven days of the week starting on `monday`. */
export function weekDays(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** Minutes since midnight of an "HH:MM" wall time ("24:00" is 1440); NaN when it is not one. */
export function minutesOf(time: string): number {
  const match = /^(\d{2}):(\d{2})(?::\d{2})?$/.exec(time);
  if (!match) return Number.NaN;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 && Number(match[2]) < 60 ? minutes : Number.NaN;
}

/** How far `zone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
export function zoneOffset(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The UTC instant (ISO 8601) at which `zone`'s wall clock shows `time` on `day`. Like the server (Python's
 * zoneinfo, fold 0): a repeated time takes its first occurrence, a time skipped by a DST change moves on by the gap. */
export function wallToUtc(day: string, time: string, zone: string): string {
  const [year, month, date] = day.split("-").map(Number);
  const minutes = minutesOf(time);
  if (!year || !month || !date || Number.isNaN(minutes)) throw new RangeError(`not a wall time: ${day} ${time}`);
  const wall = Date.UTC(year, month - 1, date) + minutes * 60_000;
  const DAY = 86_400_000;
  const before = wall - zoneOffset(wall - DAY, zone);
  const after = wall - zoneOffset(wall + DAY, zone);
  const valid = [before, after].filter((instant) => instant + zoneOffset(instant, zone) === wall);
  return new Date(valid.length ? Math.min(...valid) : before).toISOString();
}

/** The zone with its current abbreviation or offset, e.g. "Europe/Paris (CET)": what times on a page are read in. */
export function zoneLabel(zone: string, at: Date = new Date(), locale?: string): string {
  try {
    const name = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value;
    return name && name !== zone ? `${zone} (${name})` : zone;
  } catch {
    return zone;
  }
}

/** A calendar day, short: "Mon 3 Nov". */
export function formatShortDay(day: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" }).format(
    new Date(`${day}T12:00:00Z`),
  );
}
