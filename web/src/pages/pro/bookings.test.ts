import { describe, expect, it, vi } from "vitest";
import { actionsFor, bookingsInRange, byDay, upcomingInRange, type Booking, type BookingPage, type When } from "./bookings";

function booking(id: string, startsAt: string, status = "confirmed", minutes = 30): Booking {
  return {
    id,
    offering_id: "o",
    professional_id: "p",
    client_id: "c",
    starts_at: startsAt,
    ends_at: new Date(Date.parse(startsAt) + minutes * 60_000).toISOString(),
    status,
    hold_expires_at: null,
    refund_percent: null,
    cancel_reason: null,
    created_at: startsAt,
  };
}

/** Pages of two bookings each, as the API gives them (upcoming soonest first, past latest first). */
function pages(items: Record<When, Booking[]>) {
  return vi.fn(async (when: When, cursor: string | null): Promise<BookingPage> => {
    const start = cursor ? Number(cursor) : 0;
    const list = items[when];
    return { items: list.slice(start, start + 2), next_cursor: start + 2 < list.length ? String(start + 2) : null };
  });
}

const at = (iso: string) => Date.parse(iso);

describe("the bookings of a range", () => {
  it("reads upcoming pages only as far as the range reaches", async () => {
    const upcoming = ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z", "2026-12-08T09:00:00Z", "2026-12-09T09:00:00Z", "2026-12-20T09:00:00Z", "2026-12-21T09:00:00Z"];
    const fetchPage = pages({ upcoming: upcoming.map((s, i) => booking(`u${i}`, s)), past: [] });
    const result = await bookingsInRange(fetchPage, at("2026-12-07T00:00:00Z"), at("2026-12-14T00:00:00Z"), at("2026-11-30T00:00:00Z"));
    expect(result.bookings.map((b) => b.id)).toEqual(["u2", "u3"]);
    expect(result.complete).toBe(true);
    expect(fetchPage).toHaveBeenCalledTimes(3);
    expect(fetchPage.mock.calls.every(([when]) => when === "upcoming")).toBe(true);
  });

  it("reads both lists for the week around now, and only the past one for an earlier week", async () => {
    const fetchPage = pages({
      upcoming: [booking("later", "2026-12-03T09:00:00Z")],
      past: [booking("earlier", "2026-11-30T09:00:00Z"), booking("old", "2026-11-20T09:00:00Z")],
    });
    const now = at("2026-12-01T12:00:00Z");
    const thisWeek = await bookingsInRange(fetchPage, at("2026-11-30T00:00:00Z"), at("2026-12-07T00:00:00Z"), now);
    expect(thisWeek.bookings.map((b) => b.id)).toEqual(["earlier", "later"]);
    fetchPage.mockClear();
    const lastWeek = await bookingsInRange(fetchPage, at("2026-11-16T00:00:00Z"), at("2026-11-23T00:00:00Z"), now);
    expect(lastWeek.bookings.map((b) => b.id)).toEqual(["old"]);
    expect(fetchPage.mock.calls.every(([when]) => when === "past")).toBe(true);
  });

  it("says when it stopped before reaching the end of the range", async () => {
    const many = Array.from({ length: 100 }, (_, i) => booking(`b${i}`, new Date(at("2026-12-01T00:00:00Z") + i * 60_000).toISOString()));
    const result = await bookingsInRange(pages({ upcoming: many, past: [] }), at("2026-12-01T00:00:00Z"), at("2026-12-08T00:00:00Z"), at("2026-11-01T00:00:00Z"));
    expect(result.complete).toBe(false);
    expect(result.bookings).toHaveLength(40);
  });

  it("groups by the day in the professional's zone", () => {
    const late = booking("late", "2026-12-01T23:30:00Z");
    const grouped = byDay([late], ["2026-12-01", "2026-12-02"], "Europe/Paris");
    expect(grouped.get("2026-12-01")).toEqual([]);
    expect(grouped.get("2026-12-02")).toEqual([late]);
  });

  it("offers confirm for a request, and completion only once a confirmed booking has ended", () => {
    const now = at("2026-12-01T12:00:00Z");
    expect(actionsFor(booking("a", "2026-12-02T09:00:00Z", "held"), now)).toEqual(["confirm"]);
    expect(actionsFor(booking("b", "2026-12-02T09:00:00Z"), now)).toEqual([]);
    expect(actionsFor(booking("c", "2026-12-01T09:00:00Z"), now)).toEqual(["complete", "no-show"]);
    expect(actionsFor(booking("d", "2026-12-01T09:00:00Z", "cancelled"), now)).toEqual([]);
  });
});

describe("a class's sessions in a range", () => {
  it("stops reading once a page reaches past the range", async () => {
    const sessions = ["2026-12-01T18:00:00Z", "2026-12-08T18:00:00Z", "2026-12-15T18:00:00Z", "2026-12-22T18:00:00Z"].map((starts_at, i) => ({ id: `s${i}`, starts_at }));
    const fetchPage = vi.fn(async (cursor: string | null) => {
      const start = cursor ? Number(cursor) : 0;
      return { items: sessions.slice(start, start + 1), next_cursor: start + 1 < sessions.length ? String(start + 1) : null };
    });
    const result = await upcomingInRange(fetchPage, at("2026-12-07T00:00:00Z"), at("2026-12-14T00:00:00Z"));
    expect(result).toEqual({ items: [sessions[1]], complete: true });
    expect(fetchPage).toHaveBeenCalledTimes(3);
  });
});
