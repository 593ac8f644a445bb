"""Reviews of completed bookings, and each professional's rating aggregate kept with them."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, Numeric, OnDelete, SmallInt, Text, Timestamptz
from piccolo.table import Table

from confer.modules.booking.tables import Booking


class Review(Table, tablename="review"):
    """One per booking (a unique index), written by its client; the professional may reply once; an admin may hide
    it, which takes it out of the public list and of the aggregate."""

    id = UUID(primary_key=True)
    booking = ForeignKey(Booking, on_delete=OnDelete.cascade, null=False)
    professional = UUID()
    client = UUID()
    rating = SmallInt()
    text = Text(default="")
    """Plain text, never markup: clients render it as text."""
    created_at = Timestamptz()
    edited_at = Timestamptz(null=True, default=None)
    reply = Text(null=True, default=None)
    replied_at = Timestamptz(null=True, default=None)
    hidden_at = Timestamptz(null=True, default=None)
    hidden_by = UUID(null=True, default=None)


class ReviewAggregate(Table, tablename="review_aggregate"):
    """The visible reviews of one professional, summed: changed by the same transaction as the review it counts."""

    id = UUID(primary_key=True)
    """The professional's id (their profile's id)."""
    review_count = Integer(default=0)
    rating_sum = Integer(default=0)
    """The stars of all counted reviews together (``count`` and ``sum`` would shadow ``Table`` methods)."""
    count_1 = Integer(default=0)
    count_2 = Integer(default=0)
    count_3 = Integer(default=0)
    count_4 = Integer(default=0)
    count_5 = Integer(default=0)
    bayesian_avg = Numeric(digits=(5, 4), null=True, default=None)
    """``(C*m + rating_sum) / (C + review_count)``, with the prior the settings had at the last change: the order
    ranking by rating should use (see the module's notes on search)."""
    updated_at = Timestamptz()
