import { describe, expect, it } from "vitest";
import { newScheduleForm, rruleOf, scheduleBody, scheduleProblems } from "./recurrence";

const base = { ...newScheduleForm(), date: "2026-12-02", time: "18:30" };

describe("the class schedule form", () => {
  it("sends one session as starts_at, read on the professional's wall clock", () => {
    expect(scheduleBody(base, "Europe/Paris")).toEqual({ starts_at: "2026-12-02T17:30:00.000Z", capacity: null });
  });

  it("sends a weekly series on chosen days with a count", () => {
    const form = { ...base, frequency: "WEEKLY" as const, weekdays: [4, 1], count: 10, capacity: 8 };
    expect(scheduleBody(form, "Europe/Paris")).toEqual({
      first_starts_at: "2026-12-02T17:30:00.000Z",
      rrule: "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10",
      capacity: 8,
    });
  });

  it("repeats on the first session's weekday when none is chosen, every other week until a date", () => {
    const form = { ...base, frequency: "WEEKLY" as const, interval: 2, ending: "until" as const, until: "2027-03-31" };
    expect(rruleOf(form)).toBe("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;UNTIL=20270331");
  });

  it("makes daily and monthly rules", () => {
    expect(rruleOf({ ...base, frequency: "DAILY", count: 5 })).toBe("FREQ=DAILY;COUNT=5");
    expect(rruleOf({ ...base, frequency: "MONTHLY", interval: 3, count: 4 })).toBe("FREQ=MONTHLY;INTERVAL=3;COUNT=4");
    expect(rruleOf(base)).toBeNull();
  });

  it("checks what the server would refuse", () => {
    expect(scheduleProblems({ ...newScheduleForm(), time: "" })).toEqual({ date: "required", time: "required" });
    expect(scheduleProblems({ ...base, frequency: "WEEKLY", count: 101, interval: 0 })).toEqual({ count: "range", interval: "range" });
    expect(scheduleProblems({ ...base, frequency: "WEEKLY", ending: "until", until: "2026-11-30" })).toEqual({ until: "order" });
    expect(scheduleProblems({ ...base, capacity: 0 })).toEqual({ capacity: "range" });
    expect(scheduleProblems(base)).toEqual({});
  });
});
