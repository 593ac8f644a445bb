"""The booking API's shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

Instant = Annotated[datetime, msgspec.Meta(tz=True)]


class BookingCreate(msgspec.Struct, forbid_unknown_fields=True):
    offering_id: UUID
    starts_at: Instant


class Reschedule(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: Instant


class Cancellation(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class BookingOut(msgspec.Struct):
    id: UUID
    offering_id: UUID
    professional_id: UUID
    client_id: UUID
    starts_at: datetime
    ends_at: datetime
    status: str
    hold_expires_at: datetime | None
    refund_percent: int | None
    cancel_reason: str | None
    created_at: datetime
    client_name: str | None = None
    """Who booked, in the lists and the single booking a party reads (the professional sees whom they meet)."""


class BookingPage(msgspec.Struct):
    items: list[BookingOut]
    next_cursor: str | None


class SlotOut(msgspec.Struct):
    starts_at: datetime
    ends_at: datetime


class SlotsOut(msgspec.Struct):
    offering_id: UUID
    zone: str
    """The zone the range was read in (the client's)."""
    professional_zone: str
    from_date: date
    to_date: date
    slots: list[SlotOut]


class CalendarFeedOut(msgspec.Struct):
    url: str
    """Secret: whoever has it can read the calendar. Create a new one to revoke it."""
