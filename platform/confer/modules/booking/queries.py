"""The booking path's reads and writes, as single prepared statements on the pool.

Booking is the hottest write (issue 3 targets 1,000 bookings/s), and Piccolo's query builder costs more than the
queries: building five queries took over half of a booking's time. So everything a booking decision needs — the
offering and its professional's zone, their weekly rules, the overrides and time off near the range, and the busy
bookings in it — comes back in one round trip, and the insert and its outbox event go out in one transaction. The
tables read here belong to the professionals and calendar modules, which booking requires; their schemas stay theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from confer.modules.calendar.slots import Availability, Busy, LocalInterval, WeeklyRule
from confer.modules.professionals.schemas import OfferingOut

ACTIVE_STATUSES = ("held", "pending_payment", "confirmed")

CONTEXT_SQL = """
SELECT o.id, o.professional, o.kind, o.title, o.description, o.duration_minutes, o.slot_step_minutes, o.price_minor,
       o.currency, o.buffer_before_minutes, o.buffer_after_minutes, o.min_notice_minutes, o.horizon_days,
       o.max_per_day, o.cancellation_free_hours, o.late_cancellation_refund_percent, o.requires_approval, o.capacity,
       o.published, p.timezone,
  (SELECT coalesce(json_agg(json_build_array(r.weekday, r.start, r."end")), '[]')
     FROM availability_rule r WHERE r.professional = o.professional) AS rules,
  (SELECT coalesce(json_agg(json_build_array(d.day, d.start, d."end")), '[]')
     FROM date_override d WHERE d.professional = o.professional AND d.day BETWEEN $2::date AND $3::date) AS overrides,
  (SELECT coalesce(json_agg(json_build_array(t.starts_at, t.ends_at)), '[]') FROM (
     SELECT starts_at, ends_at FROM time_off WHERE professional = o.professional AND starts_at < $5 AND ends_at > $4
     UNION ALL
     SELECT starts_at, ends_at FROM imported_busy WHERE professional = o.professional AND starts_at < $5
       AND ends_at > $4) t) AS time_off,
  (SELECT coalesce(json_agg(json_build_array(b.id, b.starts_at, b.blocked_from, b.blocked_until,
                                               b.client = b.professional)), '[]')
     FROM booking b WHERE b.professional = o.professional AND b.status IN ('held', 'pending_payment', 'confirmed')
      AND b.blocked_until > $4 AND b.blocked_from < $5) AS busy
FROM offering o JOIN professional_profile p ON p.id = o.professional
WHERE o.id = $1 AND o.published AND p.published
"""

INSERT_BOOKING_SQL = """
INSERT INTO booking (id, offering, professional, client, starts_at, ends_at, blocked_from, blocked_until, status,
                     hold_expires_at, free_cancel_until, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
"""

INSERT_IDEMPOTENT_SQL = """
INSERT INTO idempotent_request (id, client, key, fingerprint, status, body, created_at)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
"""

LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
"""A transaction-scoped lock on a name (a professional's day, a client's bookings with one professional): the
bookings that count against one limit are decided one after the other, and the lock goes with the commit."""

BOOKED_ON_DAY_SQL = """
SELECT count(*) FROM booking
WHERE professional = $1 AND client <> professional AND status IN ('held', 'pending_payment', 'confirmed')
  AND starts_at >= $2 AND starts_at < $3 AND id <> $4
"""

OPEN_WITH_PROFESSIONAL_SQL = """
SELECT count(*) FROM (
  SELECT 1 FROM booking
  WHERE client = $2 AND professional = $1 AND status IN ('held', 'pending_payment', 'confirmed') AND ends_at > $3
  LIMIT $4
) AS open_booking
"""
"""Counts up to the cap only (``$4``), on the partial index ``booking_open_by_client``: a constant cost per booking."""

_OFFERING_FIELDS = OfferingOut.__struct_fields__


@dataclass(frozen=True, slots=True)
class BookingContext:
    """What deciding a booking in ``[range_start, range_end)`` needs to know."""

    offering: OfferingOut
    zone: str
    availability: Availability
    time_off: list[Busy]
    """Time off and busy times imported from external calendars."""
    bookings: list[tuple[UUID, datetime, Busy, bool]]
    """Active bookings near the range: (id, starts_at, blocked range, is a block of the professional's own time,
    such as a class session, which counts as busy but not against the offering's bookings a day)."""

    def busy(self, *, ignoring: UUID | None = None) -> list[Busy]:
        return [*self.time_off, *(blocked for booking_id, _, blocked, _ in self.bookings if booking_id != ignoring)]

    def booked_per_day(self, *, ignoring: UUID | None = None) -> dict[date, int]:
        counts: dict[date, int] = {}
        for booking_id, starts_at, _, is_block in self.bookings:
            if booking_id != ignoring and not is_block:
                day = starts_at.astimezone(self.availability.zone).date()
                counts[day] = counts.get(day, 0) + 1
        return counts


async def load_context(
    connection: Any, offering_id: UUID, range_start: datetime, range_end: datetime
) -> BookingContext | None:
    """One round trip; None when the offering is unknown or not bookable (unpublished, or its professional is)."""
    near_start, near_end = range_start - timedelta(days=1), range_end + timedelta(days=1)
    row = await connection.fetchrow(
        CONTEXT_SQL,
        offering_id,
        near_start.date() - timedelta(days=1),
        near_end.date() + timedelta(days=1),
        near_start,
        near_end,
    )
    if row is None:
        return None
    offering = OfferingOut(
        professional_id=row["professional"],
        **{name: row[name] for name in _OFFERING_FIELDS if name != "professional_id"},
    )
    zone = ZoneInfo(row["timezone"])
    overrides: dict[date, list[LocalInterval]] = {}
    for day, start, end in msgspec.json.decode(row["overrides"]):
        intervals = overrides.setdefault(date.fromisoformat(day), [])
        if start is not None:
            intervals.append(LocalInterval(time.fromisoformat(start), _time(end)))
    return BookingContext(
        offering=offering,
        zone=row["timezone"],
        availability=Availability(
            zone=zone,
            rules=[
                WeeklyRule(weekday, LocalInterval(time.fromisoformat(start), _time(end)))
                for weekday, start, end in msgspec.json.decode(row["rules"])
            ],
            overrides=overrides,
        ),
        time_off=[Busy(_instant(start), _instant(end)) for start, end in msgspec.json.decode(row["time_off"])],
        bookings=[
            (UUID(booking_id), _instant(starts), Busy(_instant(blocked_from), _instant(blocked_until)), is_block)
            for booking_id, starts, blocked_from, blocked_until, is_block in msgspec.json.decode(row["busy"])
        ],
    )


def _time(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)
