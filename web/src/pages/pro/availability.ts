/** The weekly-hours editor's model: the API's flat list of rules ⇄ seven days of intervals, and its checks. */
import type { Schemas } from "../../api/client";
import { minutesOf } from "./time";

export type Rule = Schemas["RuleIn"];

export interface Hours {
  start: string;
  end: string;
}

/** Index 0 is Monday (ISO weekday 1) … index 6 is Sunday. */
export type Week = Hours[][];

export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

export function emptyWeek(): Week {
  return WEEKDAYS.map(() => []);
}

/** The rules as seven days, each in time order. The server's "24:00" (until midnight) shows as "00:00", which is what
 * a time input can hold; `weekToRules` reads an end of "00:00" back as midnight. */
export function rulesToWeek(rules: readonly Rule[]): Week {
  const week = emptyWeek();
  for (const rule of rules) {
    week[rule.weekday - 1]?.push({ start: rule.start, end: rule.end === "24:00" ? "00:00" : rule.end });
  }
  for (const day of week) day.sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
  return week;
}

/** An end of "00:00" is midnight at the end of the day. */
export function endMinutes(end: string): number {
  return end === "00:00" ? 24 * 60 : minutesOf(end);
}

export function weekToRules(week: Week): Rule[] {
  return week.flatMap((day, index) =>
    [...day]
      .sort((a, b) => minutesOf(a.start) - minutesOf(b.start))
      .map((hours) => ({
        weekday: index + 1,
        start: hours.start.slice(0, 5),
        end: endMinutes(hours.end) === 24 * 60 ? "24:00" : hours.end.slice(0, 5),
      })),
  );
}

export type HoursProblem = "missing" | "order" | "overlap";

/** What is wrong with each interval, keyed "<day index>-<interval index>"; empty when the week can be saved. */
export function weekProblems(week: Week): Record<string, HoursProblem> {
  const problems: Record<string, HoursProblem> = {};
  week.forEach((day, dayIndex) => {
    const checked = day.map((hours, index) => ({ index, start: minutesOf(hours.start), end: endMinutes(hours.end) }));
    for (const { index, start, end } of checked) {
      if (Number.isNaN(start) || Number.isNaN(end)) problems[`${dayIndex}-${index}`] = "missing";
      else if (end <= start) problems[`${dayIndex}-${index}`] = "order";
    }
    const valid = checked.filter(({ index }) => !problems[`${dayIndex}-${index}`]).sort((a, b) => a.start - b.start);
    valid.forEach((current, i) => {
      const previous = valid[i - 1];
      if (previous && current.start < previous.end) problems[`${dayIndex}-${current.index}`] = "overlap";
    });
  });
  return problems;
}

/** The next interval to offer on a day: an hour after the last one ends, or 09:00–17:00 on an empty day. */
export function nextHours(day: readonly Hours[]): Hours {
  const last = day.reduce((latest, hours) => Math.max(latest, endMinutes(hours.end) || 0), -1);
  if (last < 0) return { start: "09:00", end: "17:00" };
  const start = Math.min(last + 60, 23 * 60);
  const end = Math.min(start + 60, 24 * 60);
  return { start: clock(start), end: end === 24 * 60 ? "00:00" : clock(end) };
}

export function clock(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  return `${String(hours).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** Share of the day an interval covers, for the week view's bars (0–100, start and width). */
export function barOf(hours: Hours): { left: number; width: number } | null {
  const start = minutesOf(hours.start);
  const end = endMinutes(hours.end);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return null;
  return { left: (start / 1440) * 100, width: ((end - start) / 1440) * 100 };
}
