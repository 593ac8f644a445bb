/** The professional's bookings over a range of days, gathered from the API's two paged lists (upcoming soonest
 * first, past latest first): each list is read only as far as the range reaches. */
import type { Schemas } from "../../api/client";
import { localDay } from "../../time/zones";

export type Booking = Schemas["BookingOut"];
export type BookingPage = Schemas["BookingPage"];
export type When = "upcoming" | "past";
export type PageFetcher = (when: When, cursor: string | null) => Promise<BookingPage>;

/** Enough for a busy week; beyond it the page says the list may be incomplete rather than loop for ever. */
export const MAX_PAGES = 20;

export interface RangeResult {
  bookings: Booking[];
  complete: boolean;
}

/** Bookings starting in [from, to) (instants, ms), in start order. */
export async function bookingsInRange(fetchPage: PageFetcher, from: number, to: number, now: number): Promise<RangeResult> {
  const found = new Map<string, Booking>();
  let complete = true;
  const read = async (when: When, beyond: (start: number) => boolean) => {
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer: BookingPage = await fetchPage(when, cursor);
      for (const booking of answer.items) {
        const start = Date.parse(booking.starts_at);
        if (start >= from && start < to) found.set(booking.id, booking);
      }
      const last = answer.items.at(-1);
      if (!answer.next_cursor || !last || beyond(Date.parse(last.starts_at))) return;
      cursor = answer.next_cursor;
    }
    complete = false;
  };
  // "upcoming" means not yet ended; "past" means ended. A range touching now needs both.
  if (to > now) await read("upcoming", (start) => start >= to);
  if (from <= now) await read("past", (start) => start < from);
  const bookings = [...found.values()].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  return { bookings, complete };
}

/** The bookings of each day (YYYY-MM-DD in `zone`), for the given days. */
export function byDay<T extends { starts_at: string }>(items: readonly T[], days: readonly string[], zone: string): Map<string, T[]> {
  const grouped = new Map<string, T[]>(days.map((day) => [day, []]));
  const ordered = [...items].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  for (const item of ordered) grouped.get(localDay(item.starts_at, zone))?.push(item);
  return grouped;
}

export type BookingAction = "confirm" | "complete" | "no-show";

/** What the professional may do with a booking now (the server decides; this only offers what it would allow). */
export function actionsFor(booking: Booking, now: number): BookingAction[] {
  if (booking.status === "held") return ["confirm"];
  if (booking.status === "confirmed" && Date.parse(booking.ends_at) <= now) return ["complete", "no-show"];
  return [];
}

export interface Timed {
  id: string;
  starts_at: string;
}

/** Items of a list in start order (soonest first, a page at a time) that start in [from, to): read only as far as
 * the range reaches. Used for a class's upcoming sessions. */
export async function upcomingInRange<T extends Timed>(
  fetchPage: (cursor: string | null) => Promise<{ items: T[]; next_cursor: string | null }>,
  from: number,
  to: number,
): Promise<{ items: T[]; complete: boolean }> {
  const found: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: { items: T[]; next_cursor: string | null } = await fetchPage(cursor);
    found.push(...answer.items.filter((item) => Date.parse(item.starts_at) >= from && Date.parse(item.starts_at) < to));
    const last = answer.items.at(-1);
    if (!answer.next_cursor || !last || Date.parse(last.starts_at) >= to) return { items: found, complete: true };
    cursor = answer.next_cursor;
  }
  return { items: found, complete: false };
}
