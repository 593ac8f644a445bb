import { describe, expect, it } from "vitest";
import { addDays, formatTime, groupByLocalDay, localDay } from "./zones";

const hhmm = (iso: string, zone: string) => formatTime(iso, zone, "en-GB");

describe("a UTC instant shown in a viewer's zone", () => {
  it("is an hour apart in Paris before and after Paris moves its clocks back", () => {
    // Europe leaves summer time on 2026-10-25 at 01:00 UTC.
    expect(hhmm("2026-10-24T08:00:00Z", "Europe/Paris")).toBe("10:00");
    expect(hhmm("2026-10-26T08:00:00Z", "Europe/Paris")).toBe("09:00");
  });

  it("is seen five hours earlier in New York than in Paris, except in the week their DST changes differ", () => {
    // Paris has left summer time (2026-10-25) but New York has not yet (2026-11-01): six hours apart.
    expect(hhmm("2026-10-24T14:00:00Z", "Europe/Paris")).toBe("16:00");
    expect(hhmm("2026-10-24T14:00:00Z", "America/New_York")).toBe("10:00");
    expect(hhmm("2026-10-28T14:00:00Z", "Europe/Paris")).toBe("15:00");
    expect(hhmm("2026-10-28T14:00:00Z", "America/New_York")).toBe("10:00");
    expect(hhmm("2026-11-03T14:00:00Z", "Europe/Paris")).toBe("15:00");
    expect(hhmm("2026-11-03T14:00:00Z", "America/New_York")).toBe("09:00");
  });

  it("falls on the calendar day of the viewer's zone", () => {
    expect(localDay("2026-03-10T02:30:00Z", "UTC")).toBe("2026-03-10");
    expect(localDay("2026-03-10T02:30:00Z", "America/New_York")).toBe("2026-03-09");
    expect(localDay("2026-03-09T23:30:00Z", "Asia/Tokyo")).toBe("2026-03-10");
  });
});

describe("slots grouped by local day", () => {
  const slot = (start: string) => ({ starts_at: start, ends_at: new Date(Date.parse(start) + 3_600_000).toISOString() });

  it("puts a late-evening slot in New York on the previous day of a Paris-day listing", () => {
    const slots = [slot("2026-11-10T09:00:00Z"), slot("2026-11-10T03:00:00Z"), slot("2026-11-10T23:30:00Z")];

    expect(groupByLocalDay(slots, "Europe/Paris").map((g) => [g.day, g.slots.map((s) => hhmm(s.starts_at, "Europe/Paris"))])).toEqual([
      ["2026-11-10", ["04:00", "10:00"]],
      ["2026-11-11", ["00:30"]],
    ]);
    expect(groupByLocalDay(slots, "America/New_York").map((g) => [g.day, g.slots.map((s) => hhmm(s.starts_at, "America/New_York"))])).toEqual([
      ["2026-11-09", ["22:00"]],
      ["2026-11-10", ["04:00", "18:30"]],
    ]);
  });

  it("returns no day for no slot", () => {
    expect(groupByLocalDay([], "UTC")).toEqual([]);
  });
});

describe("calendar days", () => {
  it("move across month and year ends and DST changes", () => {
    expect(addDays("2026-12-29", 6)).toBe("2027-01-04");
    expect(addDays("2026-03-29", 1)).toBe("2026-03-30");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });
});
