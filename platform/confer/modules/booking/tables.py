"""Bookings. The guarantee against double booking is PostgreSQL's exclusion constraint (a raw-SQL migration)."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, ForeignKey, OnDelete, SmallInt, Timestamptz, Varchar
from piccolo.table import Table

from confer.modules.professionals.tables import Offering


class Booking(Table, tablename="booking"):
    id = UUID(primary_key=True)
    offering = ForeignKey(Offering, on_delete=OnDelete.restrict, index=True)
    professional = UUID(index=True)
    client = UUID(index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    blocked_from = Timestamptz()
    blocked_until = Timestamptz()
    status = Varchar(length=20)
    hold_expires_at = Timestamptz(null=True, default=None)
    refund_percent = SmallInt(null=True, default=None)
    cancelled_by = UUID(null=True, default=None)
    cancel_reason = Varchar(length=500, null=True, default=None)
    free_cancel_until = Timestamptz(null=True, default=None)
    """Until when the client may cancel with a full refund: set when booked, and not pushed back by a late move."""
    created_at = Timestamptz()
    updated_at = Timestamptz()


class IdempotentRequest(Table, tablename="idempotent_request"):
    """The first answer to a POST carrying an ``Idempotency-Key``, replayed for repeats of that key."""

    id = UUID(primary_key=True)
    client = UUID()
    key = Varchar(length=200)
    fingerprint = Varchar(length=64, null=True, default=None)
    """A hash of the request the key came with: the same key with another request is refused, not replayed."""
    status = SmallInt()
    body = JSONB()
    created_at = Timestamptz()


class CalendarFeed(Table, tablename="calendar_feed"):
    """A private ICS feed of one account's bookings; only the token's hash is kept, so a leak of the database does
    not expose anyone's calendar. Creating a new one revokes the old URL."""

    owner = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
