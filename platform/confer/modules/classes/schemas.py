"""The classes API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Instant = Annotated[datetime, msgspec.Meta(tz=True)]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=1000)]


class SessionsCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Either one session (``starts_at``) or a series (``first_starts_at`` + ``rrule``, expanded in the
    professional's zone). ``capacity`` defaults to the class's."""

    starts_at: Instant | None = None
    first_starts_at: Instant | None = None
    rrule: (
        Annotated[str, msgspec.Meta(min_length=1, max_length=300, examples=["FREQ=WEEKLY;COUNT=10;BYDAY=MO"])] | None
    ) = None
    capacity: Capacity | None = None


class SessionOut(msgspec.Struct):
    id: UUID
    offering_id: UUID
    professional_id: UUID
    starts_at: datetime
    ends_at: datetime
    capacity: int
    seats_left: int
    status: Literal["scheduled", "cancelled"]


class SessionPage(msgspec.Struct):
    items: list[SessionOut]
    next_cursor: str | None


class EnrolmentOut(msgspec.Struct):
    id: UUID
    session_id: UUID
    client_id: UUID
    status: Literal["enrolled", "pending_payment", "waitlisted", "offered", "cancelled", "expired"]
    """``pending_payment``: a seat of a priced class, held until ``pay_before`` (pay it at
    ``POST /api/v1/classes/enrolments/{id}/payment``), then enrolled once paid, or lapsed."""
    position: int | None
    """Place in the waitlist (1 is next) while waitlisted."""
    offer_expires_at: datetime | None
    created_at: datetime
    client_name: str | None = None
    """In the host's roster: who holds the place."""
    pay_before: datetime | None = None
    """While ``pending_payment``: unpaid by then, the seat goes to the next waiter."""
    refund_percent: int | None = None
    """Once the place has ended: the share of the price refunded (the class's cancellation policy)."""


class PlaceToPay(msgspec.Struct, frozen=True, kw_only=True):
    """What the payments module needs to know of a place in a priced class."""

    id: UUID
    client_id: UUID
    professional_id: UUID
    offering_id: UUID
    status: str
    pay_before: datetime | None


class MyPlaceOut(msgspec.Struct, kw_only=True):
    """One of the caller's places in a class session still to come, with what a list of them shows."""

    enrolment: EnrolmentOut
    offering_id: UUID
    title: str
    professional_id: UUID
    professional_name: str
    starts_at: datetime
    ends_at: datetime
    session_status: Literal["scheduled", "cancelled"]


class MyPlaces(msgspec.Struct):
    items: list[MyPlaceOut]
