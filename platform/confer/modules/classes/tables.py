"""Group classes: their sessions and who holds (or waits for) a seat in each."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, OnDelete, SmallInt, Timestamptz, Varchar
from piccolo.table import Table

from confer.modules.booking.tables import Booking
from confer.modules.professionals.tables import Offering


class ClassSession(Table, tablename="class_session"):
    """One meeting of a class. ``seats_taken`` counts enrolled clients and seats offered to a waiter; the
    conditional UPDATE that raises it (and a CHECK constraint) keep it within ``capacity``."""

    id = UUID(primary_key=True)
    offering = ForeignKey(Offering, on_delete=OnDelete.restrict, index=True)
    professional = UUID(index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    capacity = SmallInt()
    seats_taken = SmallInt(default=0)
    waitlist_tickets = Integer(default=0)
    """Tickets handed out to waiters so far: the next waiter's ``position`` is this plus one."""
    status = Varchar(length=20)
    blocking_booking = ForeignKey(Booking, on_delete=OnDelete.restrict)
    """The confirmed booking row that blocks the professional's time, so consultations cannot overlap the class."""
    created_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)


class Enrolment(Table, tablename="enrolment"):
    """A client's place in a session: enrolled, holding a seat of a priced class until it is paid
    (``pending_payment``), waitlisted, offered a freed seat, or no longer live."""

    id = UUID(primary_key=True)
    session = ForeignKey(ClassSession, on_delete=OnDelete.cascade, index=True)
    client = UUID(index=True)
    status = Varchar(length=20)
    position = Integer(null=True, default=None)
    """Order on the waitlist (a ticket number: smaller waited longer)."""
    offer_expires_at = Timestamptz(null=True, default=None)
    """When the seat held for this place lapses unless taken: an offered seat's acceptance, an unpaid seat's
    payment."""
    refund_percent = SmallInt(null=True, default=None)
    """The share of the price refunded when the place ended (by the class's cancellation policy)."""
    created_at = Timestamptz()
    updated_at = Timestamptz()
