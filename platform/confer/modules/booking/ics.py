"""Bookings as iCalendar: a private feed per account (for Google or Apple Calendar to subscribe to) and an ``.ics``
for each booking."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import icalendar

from confer.core.auth import Principal
from confer.core.errors import NotFound
from confer.core.runtime import Runtime
from confer.modules.booking.queries import ACTIVE_STATUSES
from confer.modules.booking.tables import Booking, CalendarFeed

FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=400)
PRODID = "-//Confer//Bookings//EN"


async def create_feed(runtime: Runtime, principal: Principal) -> str:
    """A new secret feed URL for the caller; any earlier one stops working."""
    token = secrets.token_urlsafe(32)
    await CalendarFeed.raw(
        "INSERT INTO calendar_feed (owner, token_hash, created_at) VALUES ({}, {}, {}) ON CONFLICT (owner) "
        "DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at",
        principal.user_id,
        _digest(token),
        runtime.clock.now(),
    )
    return f"{runtime.settings.public_url}/api/v1/calendar-feeds/{token}.ics"


async def revoke_feed(principal: Principal) -> None:
    await CalendarFeed.delete().where(CalendarFeed.owner == principal.user_id)


async def feed(runtime: Runtime, token: str) -> bytes:
    """The feed behind a secret URL: the owner's active bookings, as client or professional; unknown -> 404."""
    row = (
        await CalendarFeed.select(CalendarFeed.owner)
        .where(CalendarFeed.token_hash == _digest(token.removesuffix(".ics")))
        .first()
    )
    if row is None:
        raise NotFound("no such calendar feed")
    now = runtime.clock.now()
    owner = row["owner"]
    bookings = (
        await Booking.select(*_EVENT_COLUMNS)
        .where(
            ((Booking.client == owner) | (Booking.professional == owner))
            & Booking.status.is_in(list(ACTIVE_STATUSES))
            & (Booking.ends_at > now - FEED_PAST)
            & (Booking.starts_at < now + FEED_FUTURE)
        )
        .order_by(Booking.starts_at)
    )
    return _calendar([_event(booking, owner, now) for booking in bookings], name="Confer")


async def booking_ics(runtime: Runtime, principal: Principal, booking_id: UUID) -> bytes:
    row = (
        await Booking.select(*_EVENT_COLUMNS)
        .where(
            (Booking.id == booking_id)
            & ((Booking.client == principal.user_id) | (Booking.professional == principal.user_id))
        )
        .first()
    )
    if row is None:
        raise NotFound("no such booking")
    return _calendar([_event(row, principal.user_id, runtime.clock.now())], name="Confer booking")


async def invitation(booking_id: UUID, viewer: UUID, now: datetime) -> bytes | None:
    """An iTIP invitation (``METHOD:REQUEST``) for a live booking, or its cancellation (``METHOD:CANCEL``), that
    calendar apps apply to the same event (same UID; SEQUENCE grows with each change) when mailed."""
    row = await Booking.select(*_EVENT_COLUMNS).where(Booking.id == booking_id).first()
    if row is None:
        return None
    event = _event(row, viewer, now)
    event.add("sequence", int(row["updated_at"].timestamp()) - int(row["created_at"].timestamp()))
    cancelled = row["status"] in ("cancelled", "expired")
    if cancelled:
        event["status"] = "CANCELLED"
    return _calendar([event], name="Confer booking", method="CANCEL" if cancelled else "REQUEST")


_EVENT_COLUMNS = (
    Booking.id,
    Booking.starts_at,
    Booking.ends_at,
    Booking.status,
    Booking.client,
    Booking.professional,
    Booking.offering.title.as_alias("title"),
    Booking.updated_at,
    Booking.created_at,
)


def _event(booking: dict[str, Any], viewer: UUID, now: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{booking['id']}@confer")
    event.add("dtstamp", now)
    event.add("dtstart", booking["starts_at"])
    event.add("dtend", booking["ends_at"])
    event.add("last-modified", booking["updated_at"])
    role = "with a client" if booking["professional"] == viewer else "booked"
    event.add("summary", f"{booking['title']} ({role})")
    event.add("status", "CONFIRMED" if booking["status"] == "confirmed" else "TENTATIVE")
    return event


def _calendar(events: list[icalendar.Event], *, name: str, method: str | None = None) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
