/** The class-schedule form: one session or a series (an RRULE the server expands on the professional's wall clock). */
import type { Schemas } from "../../api/client";
import { isoWeekday, wallToUtc } from "./time";

export type SessionsBody = Schemas["SessionsCreate"];
export type Frequency = "none" | "DAILY" | "WEEKLY" | "MONTHLY";
export type Ending = "count" | "until";

export interface ScheduleForm {
  /** YYYY-MM-DD of the first session, in the professional's zone. */
  date: string | null;
  /** HH:MM on the professional's wall clock. */
  time: string;
  frequency: Frequency;
  interval: number | string;
  /** ISO weekdays (1 = Monday) for a weekly series; empty means the first session's weekday. */
  weekdays: number[];
  ending: Ending;
  count: number | string;
  until: string | null;
  /** Empty: the class's capacity. */
  capacity: number | string;
}

export const BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export const MAX_SESSIONS = 100;

export function newScheduleForm(): ScheduleForm {
  return { date: null, time: "18:00", frequency: "none", interval: 1, weekdays: [], ending: "count", count: 10, until: null, capacity: "" };
}

export type ScheduleField = "date" | "time" | "interval" | "count" | "until" | "capacity";
export type ScheduleProblem = "required" | "range" | "order";

export function scheduleProblems(form: ScheduleForm): Partial<Record<ScheduleField, ScheduleProblem>> {
  const problems: Partial<Record<ScheduleField, ScheduleProblem>> = {};
  if (!form.date) problems.date = "required";
  if (!/^\d{2}:\d{2}/.test(form.time)) problems.time = "required";
  if (form.capacity !== "" && !inRange(form.capacity, 1, 1000)) problems.capacity = "range";
  if (form.frequency === "none") return problems;
  if (!inRange(form.interval, 1, 12)) problems.interval = "range";
  if (form.ending === "count" && !inRange(form.count, 1, MAX_SESSIONS)) problems.count = form.count === "" ? "required" : "range";
  if (form.ending === "until") {
    if (!form.until) problems.until = "required";
    else if (form.date && form.until < form.date) problems.until = "order";
  }
  return problems;
}

function inRange(value: number | string, min: number, max: number): boolean {
  const number = Number(value);
  return value !== "" && Number.isInteger(number) && number >= min && number <= max;
}

/** The RRULE of a series, e.g. "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10"; null for a single session. */
export function rruleOf(form: ScheduleForm): string | null {
  if (form.frequency === "none") return null;
  const parts = [`FREQ=${form.frequency}`];
  if (Number(form.interval) > 1) parts.push(`INTERVAL=${Number(form.interval)}`);
  if (form.frequency === "WEEKLY") {
    const days = form.weekdays.length ? form.weekdays : form.date ? [isoWeekday(form.date)] : [];
    const byday = [...new Set(days)].sort((a, b) => a - b).map((d) => BYDAY[d - 1]);
    if (byday.length) parts.push(`BYDAY=${byday.join(",")}`);
  }
  // UNTIL as a date: the server reads it in the professional's zone, its whole day included.
  if (form.ending === "until" && form.until) parts.push(`UNTIL=${form.until.slice(0, 10).replaceAll("-", "")}`);
  else parts.push(`COUNT=${Number(form.count)}`);
  return parts.join(";");
}

/** The API body of a valid form: `starts_at` for one session, `first_starts_at` + `rrule` for a series. */
export function scheduleBody(form: ScheduleForm, zone: string): SessionsBody {
  if (!form.date) throw new RangeError("no date");
  const start = wallToUtc(form.date.slice(0, 10), form.time.slice(0, 5), zone);
  const capacity = form.capacity === "" ? null : Number(form.capacity);
  const rrule = rruleOf(form);
  return rrule ? { first_starts_at: start, rrule, capacity } : { starts_at: start, capacity };
}
