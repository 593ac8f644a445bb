import { describe, expect, it } from "vitest";
import { isoWeekday, minutesOf, wallToUtc, weekDays, weekStart, zoneLabel } from "./time";

describe("wall-clock times in the professional's zone", () => {
  it("reads a wall time in the zone, winter and summer", () => {
    expect(wallToUtc("2026-01-15", "09:00", "Europe/Paris")).toBe("2026-01-15T08:00:00.000Z");
    expect(wallToUtc("2026-07-15", "09:00", "Europe/Paris")).toBe("2026-07-15T07:00:00.000Z");
    expect(wallToUtc("2026-07-15", "09:00", "America/New_York")).toBe("2026-07-15T13:00:00.000Z");
    expect(wallToUtc("2026-07-15", "23:30", "UTC")).toBe("2026-07-15T23:30:00.000Z");
  });

  it("moves a time skipped by the spring change on by the gap, as the server does", () => {
    // 29 March 2026: Paris goes from 02:00 CET to 03:00 CEST; 02:30 does not exist.
    expect(wallToUtc("2026-03-29", "02:30", "Europe/Paris")).toBe("2026-03-29T01:30:00.000Z");
  });

  it("takes the first of a time repeated by the autumn change", () => {
    // 25 October 2026: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    expect(wallToUtc("2026-10-25", "02:30", "Europe/Paris")).toBe("2026-10-25T00:30:00.000Z");
  });

  it("reads midnight at the end of a day", () => {
    expect(wallToUtc("2026-01-15", "24:00", "UTC")).toBe("2026-01-16T00:00:00.000Z");
  });

  it("knows weekdays and weeks", () => {
    expect(isoWeekday("2026-11-23")).toBe(1);
    expect(isoWeekday("2026-11-29")).toBe(7);
    expect(weekStart("2026-11-29")).toBe("2026-11-23");
    expect(weekStart("2026-11-23")).toBe("2026-11-23");
    expect(weekDays("2026-12-28")).toEqual(["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"]);
  });

  it("parses HH:MM and refuses anything else", () => {
    expect(minutesOf("09:30")).toBe(570);
    expect(minutesOf("24:00")).toBe(1440);
    expect(minutesOf("")).toBeNaN();
    expect(minutesOf("25:00")).toBeNaN();
  });

  it("names the zone with its abbreviation", () => {
    expect(zoneLabel("UTC")).toBe("UTC");
    expect(zoneLabel("America/New_York", new Date("2026-01-15T12:00:00Z"), "en-US")).toBe("America/New_York (EST)");
  });
});
