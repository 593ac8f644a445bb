import { describe, expect, it } from "vitest";
import { formatTime } from "../../time/zones";
import { joinState } from "./joinWindow";

const booking = { status: "confirmed", starts_at: "2026-10-25T09:00:00Z", ends_at: "2026-10-25T09:30:00Z" };
const at = (iso: string) => new Date(iso);

describe("the video room's join window", () => {
  it("opens ten minutes before the start and closes fifteen minutes after the end", () => {
    expect(joinState(booking, at("2026-10-25T08:49:59Z")).kind).toBe("early");
    expect(joinState(booking, at("2026-10-25T08:50:00Z")).kind).toBe("open");
    expect(joinState(booking, at("2026-10-25T09:30:00Z")).kind).toBe("open");
    expect(joinState(booking, at("2026-10-25T09:45:00Z")).kind).toBe("open");
    expect(joinState(booking, at("2026-10-25T09:45:01Z")).kind).toBe("closed");
  });

  it("is the same instant for viewers in any zone, named in each one's own time (across a DST change)", () => {
    // 2026-10-25: Paris has just left summer time (UTC+1), New York has not yet (UTC-4), Tokyo has none (UTC+9).
    const early = joinState(booking, at("2026-10-25T08:00:00Z"));
    if (early.kind !== "early") throw new Error("expected early");
    expect(early.opensAt.toISOString()).toBe("2026-10-25T08:50:00.000Z");
    expect(formatTime(early.opensAt.toISOString(), "Europe/Paris", "en-GB")).toBe("09:50");
    expect(formatTime(early.opensAt.toISOString(), "America/New_York", "en-GB")).toBe("04:50");
    expect(formatTime(early.opensAt.toISOString(), "Asia/Tokyo", "en-GB")).toBe("17:50");
  });

  it("stays shut for bookings that are not confirmed", () => {
    for (const status of ["held", "pending_payment", "cancelled"]) {
      expect(joinState({ ...booking, status }, at("2026-10-25T09:00:00Z")).kind).toBe("not-confirmed");
    }
  });
});
