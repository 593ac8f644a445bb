/** When a booking's video room may be joined: from 10 minutes before the start to 15 minutes after the end. The
 * window is made of instants, so it is the same everywhere; only the hint naming its opening depends on the zone. */

export const OPENS_BEFORE_MS = 10 * 60_000;
export const CLOSES_AFTER_MS = 15 * 60_000;

export type JoinState =
  | { kind: "open" }
  | { kind: "early"; opensAt: Date }
  | { kind: "closed" }
  | { kind: "not-confirmed" };

export function joinState(booking: { status: string; starts_at: string; ends_at: string }, now: Date): JoinState {
  const start = Date.parse(booking.starts_at);
  const end = Date.parse(booking.ends_at);
  const at = now.getTime();
  if (at > end + CLOSES_AFTER_MS) return { kind: "closed" };
  if (booking.status !== "confirmed") return { kind: "not-confirmed" };
  if (at < start - OPENS_BEFORE_MS) return { kind: "early", opensAt: new Date(start - OPENS_BEFORE_MS) };
  return { kind: "open" };
}
