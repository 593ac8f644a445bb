import { describe, expect, it } from "vitest";
import { barOf, nextHours, rulesToWeek, weekProblems, weekToRules, type Week } from "./availability";

describe("the weekly hours editor's model", () => {
  it("turns the API's rules into seven days in time order, and back", () => {
    const rules = [
      { weekday: 1, start: "14:00", end: "18:00" },
      { weekday: 1, start: "09:00", end: "12:00" },
      { weekday: 5, start: "20:00", end: "24:00" },
    ];
    const week = rulesToWeek(rules);
    expect(week).toHaveLength(7);
    expect(week[0]).toEqual([
      { start: "09:00", end: "12:00" },
      { start: "14:00", end: "18:00" },
    ]);
    expect(week[4]).toEqual([{ start: "20:00", end: "00:00" }]);
    expect(week[6]).toEqual([]);
    expect(weekToRules(week)).toEqual([
      { weekday: 1, start: "09:00", end: "12:00" },
      { weekday: 1, start: "14:00", end: "18:00" },
      { weekday: 5, start: "20:00", end: "24:00" },
    ]);
  });

  it("drops the seconds a time input may add", () => {
    const week: Week = [[{ start: "09:00:00", end: "17:30:00" }], [], [], [], [], [], []];
    expect(weekToRules(week)).toEqual([{ weekday: 1, start: "09:00", end: "17:30" }]);
  });

  it("says which intervals are empty, backwards or overlapping", () => {
    const week: Week = [
      [
        { start: "09:00", end: "12:00" },
        { start: "11:00", end: "13:00" },
      ],
      [{ start: "", end: "10:00" }],
      [{ start: "12:00", end: "08:00" }],
      [{ start: "22:00", end: "00:00" }],
      [],
      [],
      [],
    ];
    expect(weekProblems(week)).toEqual({ "0-1": "overlap", "1-0": "missing", "2-0": "order" });
  });

  it("offers a sensible next interval", () => {
    expect(nextHours([])).toEqual({ start: "09:00", end: "17:00" });
    expect(nextHours([{ start: "09:00", end: "12:00" }])).toEqual({ start: "13:00", end: "14:00" });
  });

  it("draws an interval as a share of the day", () => {
    expect(barOf({ start: "06:00", end: "18:00" })).toEqual({ left: 25, width: 50 });
    expect(barOf({ start: "18:00", end: "00:00" })).toEqual({ left: 75, width: 25 });
    expect(barOf({ start: "18:00", end: "06:00" })).toBeNull();
  });
});
