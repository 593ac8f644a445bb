"""Group classes (DESIGN §4): sessions, enrolment that never exceeds capacity, and a waitlist.

Capacity is PostgreSQL's to guard: a seat is taken by one conditional UPDATE (``seats_taken < capacity``) in the
transaction that inserts the enrolment, never by counting first; a CHECK constraint backs it. Every other change to a
session's seats and places (leaving, accepting, lapsing offers, cancelling) first locks the session row, so those
never interleave. A freed seat stays counted while it is offered to the first waiter, so nobody jumps the queue:
a session with a free seat never has anyone waiting.

A seat of a priced class is held unpaid (``pending_payment``) like a paid booking: the payments module makes its
PaymentIntent on ``classes.pending_payment``, settles it through ``settle_payment``, and refunds what ``refund_percent``
says when the place ends; a hold that lapses unpaid frees the seat for the waitlist.

Each session blocks the professional's time with a confirmed row in booking's table, so booking's exclusion
constraint refuses a session over a consultation (and the reverse), and consultation slots leave class time out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import anyio.to_thread
import msgspec

from confer.core import events
from confer.core.auth import Principal
from confer.core.db import EXCLUSION_VIOLATION, UNIQUE_VIOLATION, is_violation
from confer.core.errors import Conflict, InvalidInput, NotFound
from confer.core.pagination import decode_cursor, encode_cursor
from confer.core.runtime import Runtime
from confer.modules.accounts import service as accounts
from confer.modules.booking import service as bookings
from confer.modules.booking.tables import Booking
from confer.modules.classes.recurrence import RecurrenceError, occurrences
from confer.modules.classes.schemas import (
    EnrolmentOut,
    MyPlaceOut,
    MyPlaces,
    PlaceToPay,
    SessionOut,
    SessionPage,
    SessionsCreate,
)
from confer.modules.classes.settings import ClassesSettings
from confer.modules.classes.tables import ClassSession, Enrolment
from confer.modules.professionals import service as professionals
from confer.modules.professionals.schemas import OfferingOut
from confer.modules.professionals.tables import ProfessionalProfile

LIVE = ("enrolled", "pending_payment", "waitlisted", "offered")
HOLDS_SEAT = ("enrolled", "pending_payment", "offered")
LAPSING = {"offered": "classes.offer_expired", "pending_payment": "classes.payment_expired"}
"""Places whose seat is held until ``offer_expires_at`` (accepted or paid by then), and the event of their lapsing."""
ROSTER_ORDER = {"enrolled": 0, "pending_payment": 1, "offered": 2, "waitlisted": 3}
ACTIVE_BOOKING = ("held", "pending_payment", "confirmed")
PAGE_SIZE = 50
LATEST_START = datetime(3000, 1, 1, tzinfo=UTC)
"""Sessions start before this: far-off instants would overflow the date maths (a start at 9999-12-31T23:30Z has no
end), and no class is planned a millennium ahead."""


class SessionOverlaps(Conflict):
    type = "session-overlaps"
    title = "The professional is busy at that time"


class SessionClosed(Conflict):
    type = "session-closed"
    title = "This session is not open"


class AlreadyEnrolled(Conflict):
    type = "already-enrolled"
    title = "You already have a place in this session"


class NoSeatOffered(Conflict):
    type = "no-seat-offered"
    title = "No seat is offered to you in this session"


# --- the professional's sessions --------------------------------------------------------------------------------------


async def schedule_sessions(
    runtime: Runtime, principal: Principal, offering_id: UUID, data: SessionsCreate
) -> list[SessionOut]:
    """Schedule one session or a series of one of the caller's classes; all or nothing."""
    principal.require_role("professional", "admin")
    offering = await _own_class(principal, offering_id)
    zone = await _zone_of(principal.user_id)
    starts = await _session_starts(runtime, data, zone)
    duration = timedelta(minutes=offering.duration_minutes)
    before = timedelta(minutes=offering.buffer_before_minutes)
    after = timedelta(minutes=offering.buffer_after_minutes)
    if any(later - earlier < before + duration + after for earlier, later in pairwise(starts)):
        raise InvalidInput("rrule", "its sessions would overlap one another (buffers included)")
    capacity = data.capacity or offering.capacity or 1
    now = runtime.clock.now()
    blocks: list[Booking] = []
    sessions: list[ClassSession] = []
    for start in starts:
        block = Booking(
            id=uuid4(),
            offering=offering.id,
            professional=offering.professional_id,
            client=offering.professional_id,
            starts_at=start,
            ends_at=start + duration,
            blocked_from=start - before,
            blocked_until=start + duration + after,
            status="confirmed",
            created_at=now,
            updated_at=now,
        )
        blocks.append(block)
        sessions.append(
            ClassSession(
                id=uuid4(),
                offering=offering.id,
                professional=offering.professional_id,
                starts_at=start,
                ends_at=start + duration,
                capacity=capacity,
                seats_taken=0,
                waitlist_tickets=0,
                status="scheduled",
                blocking_booking=block.id,
                created_at=now,
            )
        )
    try:
        async with runtime.engine.transaction():
            await Booking.insert(*blocks).run()
            await ClassSession.insert(*sessions).run()
            for session in sessions:
                await events.publish("classes.session_scheduled", _session_event(session.to_dict()))
    except Exception as exc:
        if is_violation(exc, EXCLUSION_VIOLATION):
            raise SessionOverlaps(await _clash_detail(offering.professional_id, blocks)) from None
        raise
    return [_session_out(session.to_dict()) for session in sessions]


async def cancel_session(runtime: Runtime, principal: Principal, session_id: UUID) -> SessionOut:
    """Cancel one upcoming session of the caller's: its places end, and its time is free again."""
    principal.require_role("professional", "admin")
    session = await _own_session(principal, session_id)
    now = runtime.clock.now()
    async with runtime.engine.transaction():
        cancelled = (
            await ClassSession.update({ClassSession.status: "cancelled", ClassSession.cancelled_at: now})
            .where(
                (ClassSession.id == session_id) & (ClassSession.status == "scheduled") & (ClassSession.starts_at > now)
            )
            .returning(*_SESSION_COLUMNS)
        )
        if not cancelled:
            raise SessionClosed("this session is already cancelled or has started")
        dropped = (
            await Enrolment.update(
                {
                    Enrolment.status: "cancelled",
                    Enrolment.offer_expires_at: None,
                    Enrolment.refund_percent: 100,
                    Enrolment.updated_at: now,
                }
            )
            .where((Enrolment.session == session_id) & Enrolment.status.is_in(list(LIVE)))
            .returning(Enrolment.id, Enrolment.client)
        )
        await Booking.update(
            {
                Booking.status: "cancelled",
                Booking.cancelled_by: principal.user_id,
                Booking.cancel_reason: "class session cancelled",
                Booking.updated_at: now,
            }
        ).where((Booking.id == session["blocking_booking"]) & Booking.status.is_in(list(ACTIVE_BOOKING)))
        await events.publish(
            "classes.session_cancelled",
            {**_session_event(cancelled[0]), "client_ids": [str(row["client"]) for row in dropped]},
        )
        for row in dropped:
            await events.publish(
                "classes.enrolment_cancelled",
                {
                    "enrolment_id": str(row["id"]),
                    "session_id": str(session_id),
                    "client_id": str(row["client"]),
                    "reason": "session cancelled",
                    "refund_percent": 100,
                },
            )
    return _session_out(cancelled[0])


# --- sessions anyone may see ------------------------------------------------------------------------------------------


async def upcoming_sessions(runtime: Runtime, offering_id: UUID, cursor: str | None) -> SessionPage:
    """Scheduled sessions still to come of a published class, soonest first, with the seats left."""
    offering, _zone = await professionals.bookable_offering(offering_id)
    if offering.kind != "class":
        raise NotFound("no such class")
    return await _sessions_page(runtime, offering_id, cursor, scheduled_only=True)


async def my_sessions(runtime: Runtime, principal: Principal, offering_id: UUID, cursor: str | None) -> SessionPage:
    """The caller's sessions of one of their classes still to come, cancelled ones included."""
    principal.require_role("professional", "admin")
    await _own_class(principal, offering_id)
    return await _sessions_page(runtime, offering_id, cursor, scheduled_only=False)


async def roster(principal: Principal, session_id: UUID) -> list[EnrolmentOut]:
    """Who holds a seat, is offered one, or waits (in order) in one of the caller's sessions."""
    principal.require_role("professional", "admin")
    await _own_session(principal, session_id)
    rows = await Enrolment.select(*_ENROLMENT_COLUMNS).where(
        (Enrolment.session == session_id) & Enrolment.status.is_in(list(LIVE))
    )
    rows.sort(key=lambda row: (ROSTER_ORDER[row["status"]], row["position"] or 0, row["created_at"]))
    waiting = 0
    places: list[EnrolmentOut] = []
    for row in rows:
        waiting += row["status"] == "waitlisted"
        places.append(_place_out(row, waiting if row["status"] == "waitlisted" else None))
    names = await accounts.names_of(place.client_id for place in places)
    return [msgspec.structs.replace(place, client_name=names.get(place.client_id)) for place in places]


async def _sessions_page(
    runtime: Runtime, offering_id: UUID, cursor: str | None, *, scheduled_only: bool
) -> SessionPage:
    query = ClassSession.select(*_SESSION_COLUMNS).where(
        (ClassSession.offering == offering_id) & (ClassSession.starts_at > runtime.clock.now())
    )
    if scheduled_only:
        query = query.where(ClassSession.status == "scheduled")
    if cursor:
        after_start, after_id = decode_cursor(cursor)
        query = query.where(
            (ClassSession.starts_at > after_start)
            | ((ClassSession.starts_at == after_start) & (ClassSession.id > after_id))
        )
    rows = await query.order_by(ClassSession.starts_at, ClassSession.id).limit(PAGE_SIZE + 1)
    items = [_session_out(row) for row in rows[:PAGE_SIZE]]
    next_cursor = encode_cursor(items[-1].starts_at, items[-1].id) if len(rows) > PAGE_SIZE else None
    return SessionPage(items=items, next_cursor=next_cursor)


async def my_places(runtime: Runtime, principal: Principal) -> MyPlaces:
    """The caller's seats, offers and waitlist places in sessions not yet over, soonest first (at most a page)."""
    places = (
        await Enrolment.select(
            *_ENROLMENT_COLUMNS,
            Enrolment.session.offering.as_alias("offering_id"),
            Enrolment.session.professional.as_alias("professional_id"),
            Enrolment.session.starts_at.as_alias("starts_at"),
            Enrolment.session.ends_at.as_alias("ends_at"),
            Enrolment.session.status.as_alias("session_status"),
        )
        .where(
            (Enrolment.client == principal.user_id)
            & Enrolment.status.is_in(list(LIVE))
            & (Enrolment.session.ends_at > runtime.clock.now())
        )
        .order_by(Enrolment.session.starts_at)
        .limit(PAGE_SIZE)
    )
    items = []
    for row in places:
        offering = await professionals.offering_by_id(row["offering_id"])
        profile = (
            await ProfessionalProfile.select(ProfessionalProfile.display_name)
            .where(ProfessionalProfile.id == row["professional_id"])
            .first()
        )
        items.append(
            MyPlaceOut(
                enrolment=await _enrolment_out(row),
                offering_id=row["offering_id"],
                title=offering.title,
                professional_id=row["professional_id"],
                professional_name=profile["display_name"] if profile else "",
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                session_status=row["session_status"],
            )
        )
    return MyPlaces(items=items)


# --- a client's place -------------------------------------------------------------------------------------------------


async def enrol(runtime: Runtime, principal: Principal, session_id: UUID) -> EnrolmentOut:
    """A seat if one is free (held unpaid until paid, in a priced class), else a place at the end of the waitlist."""
    session, offering = await _open_session(runtime, session_id)
    if session["professional"] == principal.user_id:
        raise InvalidInput("session_id", "you cannot enrol in your own class")
    now = runtime.clock.now()
    status, pay_before = _seat_taken(offering, session, now)
    enrolment = Enrolment(
        id=uuid4(),
        session=session_id,
        client=principal.user_id,
        status=status,
        offer_expires_at=pay_before,
        created_at=now,
        updated_at=now,
    )
    try:
        async with runtime.engine.transaction():
            if not await _take_seat(session_id, now):
                ticket = await _waitlist_ticket(session_id, now)
                if ticket is None:
                    raise SessionClosed("this session is cancelled or has started")
                # The ticket locked the session row: a seat freed since the first try (with nobody waiting, as freed
                # seats go to waiters first) is ours now rather than a place in a queue of one.
                if not await _take_seat(session_id, now):
                    enrolment.status, enrolment.position, enrolment.offer_expires_at = "waitlisted", ticket, None
            await Enrolment.insert(enrolment).run()
            await events.publish(f"classes.{enrolment.status}", _enrolment_event(enrolment.to_dict()))
    except Exception as exc:
        if is_violation(exc, UNIQUE_VIOLATION):
            raise AlreadyEnrolled() from None
        raise
    return await _enrolment_out(enrolment.to_dict())


async def leave(runtime: Runtime, principal: Principal, session_id: UUID) -> EnrolmentOut:
    """Give up a seat, an offered seat or a place in the waitlist; a seat goes to the first waiter."""
    now = runtime.clock.now()
    async with runtime.engine.transaction():
        session = await _lock_session(session_id)
        mine = await _live_place(principal, session_id)
        if session is None or mine is None:
            raise NotFound("you have no place in this session")
        if session["starts_at"] <= now:
            raise SessionClosed("this session has started")
        refund = await _refund_on_leaving(mine["status"], session, now)
        left = (
            await Enrolment.update(
                {
                    Enrolment.status: "cancelled",
                    Enrolment.offer_expires_at: None,
                    Enrolment.refund_percent: refund,
                    Enrolment.updated_at: now,
                }
            )
            .where((Enrolment.id == mine["id"]) & (Enrolment.status == mine["status"]))
            .returning(*_ENROLMENT_COLUMNS)
        )
        await events.publish(
            "classes.left", {**_enrolment_event(left[0]), "was": mine["status"], "refund_percent": refund}
        )
        if mine["status"] in HOLDS_SEAT:
            await _pass_seat_on(runtime, session, now)
    return await _enrolment_out(left[0])


async def accept(runtime: Runtime, principal: Principal, session_id: UUID) -> EnrolmentOut:
    """Take the seat offered to the caller, while the offer stands (in a priced class, held until paid)."""
    now = runtime.clock.now()
    async with runtime.engine.transaction():
        session = await _lock_session(session_id)
        if session is None:
            raise NotFound("you have no place in this session")
        status, pay_before = _seat_taken(await professionals.offering_by_id(session["offering"]), session, now)
        accepted = (
            await Enrolment.update(
                {Enrolment.status: status, Enrolment.offer_expires_at: pay_before, Enrolment.updated_at: now}
            )
            .where(
                (Enrolment.session == session_id)
                & (Enrolment.client == principal.user_id)
                & (Enrolment.status == "offered")
                & (Enrolment.offer_expires_at > now)
            )
            .returning(*_ENROLMENT_COLUMNS)
        )
        if not accepted:
            mine = await _latest_place(principal, session_id)
            if mine is None:
                raise NotFound("you have no place in this session")
            if mine["status"] in ("offered", "expired"):
                raise NoSeatOffered("the offer has lapsed")
            raise NoSeatOffered(f"your place is {mine['status']}")
        await events.publish(f"classes.{status}", {**_enrolment_event(accepted[0]), "from_waitlist": True})
    return await _enrolment_out(accepted[0])


async def my_place(principal: Principal, session_id: UUID) -> EnrolmentOut:
    """The caller's place in a session: the live one, else the latest."""
    row = await _latest_place(principal, session_id)
    if row is None:
        raise NotFound("you have no place in this session")
    return await _enrolment_out(row)


async def expire_offers(ctx: dict[str, Any]) -> int:
    """saq cron job: offers not accepted in time and seats not paid in time lapse, and each seat is offered to the
    next waiter."""
    runtime: Runtime = ctx["runtime"]
    now = runtime.clock.now()
    lapsed = (
        await Enrolment.select(Enrolment.id, Enrolment.session, Enrolment.status)
        .where(Enrolment.status.is_in(list(LAPSING)) & (Enrolment.offer_expires_at <= now))
        .order_by(Enrolment.offer_expires_at)
        .limit(500)
    )
    expired = 0
    for place in lapsed:
        expired += await _lapse(runtime, place["id"], place["session"], place["status"], now)
    return expired


async def _lapse(runtime: Runtime, enrolment_id: UUID, session_id: UUID, status: str, now: datetime) -> bool:
    """An offered or unpaid seat that was not taken up in time (or whose payment failed) goes to the next waiter.
    False when the place moved on meanwhile (accepted, paid or left)."""
    async with runtime.engine.transaction():
        session = await _lock_session(session_id)
        rows = (
            await Enrolment.update(
                {Enrolment.status: "expired", Enrolment.offer_expires_at: None, Enrolment.updated_at: now}
            )
            .where((Enrolment.id == enrolment_id) & (Enrolment.status == status))
            .returning(*_ENROLMENT_COLUMNS)
        )
        if session is None or not rows:
            return False
        await events.publish(LAPSING[status], _enrolment_event(rows[0]))
        await _pass_seat_on(runtime, session, now)
    return True


# --- paying for a seat (the payments module calls these) --------------------------------------------------------------


async def place_to_pay(enrolment_id: UUID) -> PlaceToPay | None:
    """What paying for a place needs to know; None for an unknown place."""
    rows = await Enrolment.select(
        Enrolment.id,
        Enrolment.client,
        Enrolment.status,
        Enrolment.offer_expires_at,
        Enrolment.session.professional.as_alias("professional"),
        Enrolment.session.offering.as_alias("offering"),
    ).where(Enrolment.id == enrolment_id)
    if not rows:
        return None
    row = rows[0]
    return PlaceToPay(
        id=row["id"],
        client_id=row["client"],
        professional_id=row["professional"],
        offering_id=row["offering"],
        status=row["status"],
        pay_before=row["offer_expires_at"] if row["status"] == "pending_payment" else None,
    )


async def settle_payment(runtime: Runtime, enrolment_id: UUID, *, paid: bool) -> bool:
    """The payment of a seat held unpaid came through (the client is enrolled) or failed (the seat goes to the next
    waiter). False when the place no longer waits for payment (it lapsed or was left, or this was done already)."""
    now = runtime.clock.now()
    place = await Enrolment.select(Enrolment.session).where(Enrolment.id == enrolment_id).first()
    if place is None:
        return False
    if not paid:
        return await _lapse(runtime, enrolment_id, place["session"], "pending_payment", now)
    async with runtime.engine.transaction():
        enrolled = (
            await Enrolment.update(
                {Enrolment.status: "enrolled", Enrolment.offer_expires_at: None, Enrolment.updated_at: now}
            )
            .where((Enrolment.id == enrolment_id) & (Enrolment.status == "pending_payment"))
            .returning(*_ENROLMENT_COLUMNS)
        )
        if enrolled:
            await events.publish("classes.enrolled", {**_enrolment_event(enrolled[0]), "paid": True})
    return bool(enrolled)


# --- the seat rules ---------------------------------------------------------------------------------------------------


def _seat_taken(offering: OfferingOut, session: dict[str, Any], now: datetime) -> tuple[str, datetime | None]:
    """The status of a place that has just taken a seat: enrolled in a free class; in a priced one, held unpaid for
    as long as a paid booking is (never past the session's start), with the time it lapses."""
    if offering.price_minor <= 0:
        return "enrolled", None
    return "pending_payment", min(now + bookings.PAYMENT_WINDOW, session["starts_at"])


async def _refund_on_leaving(status: str, session: dict[str, Any], now: datetime) -> int | None:
    """The share of the price a client leaving gets back, by the class's cancellation policy: all of it up to
    ``cancellation_free_hours`` before the start, ``late_cancellation_refund_percent`` after. None when nothing was
    paid for the place (a free class, an unpaid seat, a waitlist place)."""
    if status != "enrolled":
        return None
    offering = await professionals.offering_by_id(session["offering"])
    if offering.price_minor <= 0:
        return None
    if session["starts_at"] - now >= timedelta(hours=offering.cancellation_free_hours):
        return 100
    return offering.late_cancellation_refund_percent


async def _take_seat(session_id: UUID, now: datetime) -> bool:
    """The capacity guard: one conditional UPDATE, decided by PostgreSQL under the row's lock."""
    rows = await ClassSession.raw(
        "UPDATE class_session SET seats_taken = seats_taken + 1 WHERE id = {} AND status = 'scheduled'"
        " AND starts_at > {} AND seats_taken < capacity RETURNING id",
        session_id,
        now,
    )
    return bool(rows)


async def _waitlist_ticket(session_id: UUID, now: datetime) -> int | None:
    rows = await ClassSession.raw(
        "UPDATE class_session SET waitlist_tickets = waitlist_tickets + 1 WHERE id = {} AND status = 'scheduled'"
        " AND starts_at > {} RETURNING waitlist_tickets",
        session_id,
        now,
    )
    return int(rows[0]["waitlist_tickets"]) if rows else None


async def _pass_seat_on(runtime: Runtime, session: dict[str, Any], now: datetime) -> None:
    """A seat was freed (the session row is locked): offer it to the first waiter, else count it free."""
    waiter = None
    if session["status"] == "scheduled" and session["starts_at"] > now:
        waiter = (
            await Enrolment.select(*_ENROLMENT_COLUMNS)
            .where((Enrolment.session == session["id"]) & (Enrolment.status == "waitlisted"))
            .order_by(Enrolment.position)
            .first()
        )
    if waiter is None:
        await ClassSession.raw(
            "UPDATE class_session SET seats_taken = seats_taken - 1 WHERE id = {} AND seats_taken > 0", session["id"]
        )
        return
    window = timedelta(minutes=runtime.section("classes", ClassesSettings).offer_minutes)
    offered = (
        await Enrolment.update(
            {
                Enrolment.status: "offered",
                Enrolment.offer_expires_at: min(now + window, session["starts_at"]),
                Enrolment.updated_at: now,
            }
        )
        .where((Enrolment.id == waiter["id"]) & (Enrolment.status == "waitlisted"))
        .returning(*_ENROLMENT_COLUMNS)
    )
    await events.publish("classes.seat_offered", _enrolment_event(offered[0]))


async def _lock_session(session_id: UUID) -> dict[str, Any] | None:
    rows = await ClassSession.raw(
        "SELECT id, offering, professional, starts_at, status FROM class_session WHERE id = {} FOR UPDATE", session_id
    )
    return rows[0] if rows else None


async def _live_place(principal: Principal, session_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Enrolment.select(*_ENROLMENT_COLUMNS)
        .where(
            (Enrolment.session == session_id)
            & (Enrolment.client == principal.user_id)
            & Enrolment.status.is_in(list(LIVE))
        )
        .first()
    )
    return row


async def _latest_place(principal: Principal, session_id: UUID) -> dict[str, Any] | None:
    """The caller's live place in a session, else the one they had last."""
    rows = (
        await Enrolment.select(*_ENROLMENT_COLUMNS)
        .where((Enrolment.session == session_id) & (Enrolment.client == principal.user_id))
        .order_by(Enrolment.created_at, ascending=False)
    )
    return next((row for row in rows if row["status"] in LIVE), rows[0] if rows else None)


async def _open_session(runtime: Runtime, session_id: UUID) -> tuple[dict[str, Any], OfferingOut]:
    """A session of a published class, open for enrolment, and its class; 404 when there is no such public
    session."""
    row: dict[str, Any] | None = (
        await ClassSession.select(*_SESSION_COLUMNS).where(ClassSession.id == session_id).first()
    )
    if row is None:
        raise NotFound("no such session")
    offering, _zone = await professionals.bookable_offering(row["offering"])
    if row["status"] != "scheduled":
        raise SessionClosed("this session is cancelled")
    if row["starts_at"] <= runtime.clock.now():
        raise SessionClosed("this session has started")
    return row, offering


# --- the professional's own things ------------------------------------------------------------------------------------


async def _own_class(principal: Principal, offering_id: UUID) -> OfferingOut:
    offering = await professionals.offering_by_id(offering_id)
    if offering.professional_id != principal.user_id:
        raise NotFound("no such offering")
    if offering.kind != "class":
        raise InvalidInput("offering_id", "sessions belong to classes; this offering is a consultation")
    return offering


async def _own_session(principal: Principal, session_id: UUID) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await ClassSession.select(*_SESSION_COLUMNS)
        .where((ClassSession.id == session_id) & (ClassSession.professional == principal.user_id))
        .first()
    )
    if row is None:
        raise NotFound("no such session")
    return row


async def _zone_of(professional_id: UUID) -> str:
    row = (
        await ProfessionalProfile.select(ProfessionalProfile.timezone)
        .where(ProfessionalProfile.id == professional_id)
        .first()
    )
    if row is None:
        raise NotFound("no such professional")
    zone: str = row["timezone"]
    return zone


async def _session_starts(runtime: Runtime, data: SessionsCreate, zone: str) -> list[datetime]:
    """The UTC starts the request asks for, in order: one, or a series expanded in the professional's zone."""
    now = runtime.clock.now()
    for field, start in (("starts_at", data.starts_at), ("first_starts_at", data.first_starts_at)):
        if start is not None and start >= LATEST_START:
            raise InvalidInput(field, f"must be before {LATEST_START.year}")
    if data.starts_at is not None:
        if data.first_starts_at is not None or data.rrule is not None:
            raise InvalidInput("starts_at", "give either starts_at (one session) or first_starts_at with rrule")
        if data.starts_at <= now:
            raise InvalidInput("starts_at", "must be in the future")
        return [data.starts_at.astimezone(UTC)]
    if data.first_starts_at is None:
        raise InvalidInput("starts_at", "give either starts_at (one session) or first_starts_at with rrule")
    if data.rrule is None:
        raise InvalidInput("rrule", "is needed with first_starts_at (for one session, give starts_at)")
    if data.first_starts_at <= now:
        raise InvalidInput("first_starts_at", "must be in the future")
    try:
        # In a worker thread: even a bounded expansion of an odd rule may take a moment of CPU.
        return await anyio.to_thread.run_sync(occurrences, data.rrule, data.first_starts_at, ZoneInfo(zone))
    except RecurrenceError as exc:
        raise InvalidInput("rrule", str(exc)) from None


async def _clash_detail(professional_id: UUID, blocks: list[Booking]) -> str:
    """Which of the refused sessions clashes with what is already in the professional's calendar."""
    for block in blocks:
        clash = await Booking.exists().where(
            (Booking.professional == professional_id)
            & Booking.status.is_in(list(ACTIVE_BOOKING))
            & (Booking.blocked_from < block.blocked_until)
            & (Booking.blocked_until > block.blocked_from)
        )
        if clash:
            return f"the session at {block.starts_at.isoformat()} overlaps a booking or another class session"
    return "a session overlaps a booking or another class session"


# --- shapes -----------------------------------------------------------------------------------------------------------

_SESSION_COLUMNS = (
    ClassSession.id,
    ClassSession.offering,
    ClassSession.professional,
    ClassSession.starts_at,
    ClassSession.ends_at,
    ClassSession.capacity,
    ClassSession.seats_taken,
    ClassSession.status,
    ClassSession.blocking_booking,
)

_ENROLMENT_COLUMNS = (
    Enrolment.id,
    Enrolment.session,
    Enrolment.client,
    Enrolment.status,
    Enrolment.position,
    Enrolment.offer_expires_at,
    Enrolment.refund_percent,
    Enrolment.created_at,
)


def _session_out(row: dict[str, Any]) -> SessionOut:
    scheduled = row["status"] == "scheduled"
    return SessionOut(
        id=row["id"],
        offering_id=row["offering"],
        professional_id=row["professional"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        capacity=row["capacity"],
        seats_left=row["capacity"] - row["seats_taken"] if scheduled else 0,
        status=row["status"],
    )


async def _enrolment_out(row: dict[str, Any]) -> EnrolmentOut:
    place_in_line = None
    if row["status"] == "waitlisted":
        place_in_line = await Enrolment.count().where(
            (Enrolment.session == row["session"])
            & (Enrolment.status == "waitlisted")
            & (Enrolment.position <= row["position"])
        )
    return _place_out(row, place_in_line)


def _place_out(row: dict[str, Any], place_in_line: int | None) -> EnrolmentOut:
    return EnrolmentOut(
        id=row["id"],
        session_id=row["session"],
        client_id=row["client"],
        status=row["status"],
        position=place_in_line,
        offer_expires_at=row["offer_expires_at"] if row["status"] == "offered" else None,
        pay_before=row["offer_expires_at"] if row["status"] == "pending_payment" else None,
        refund_percent=row["refund_percent"],
        created_at=row["created_at"],
    )


def _session_event(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "session_id": str(row["id"]),
        "offering_id": str(row["offering"]),
        "professional_id": str(row["professional"]),
        "starts_at": row["starts_at"].isoformat(),
    }


def _enrolment_event(row: dict[str, Any]) -> dict[str, Any]:
    expires = row.get("offer_expires_at")
    return {
        "enrolment_id": str(row["id"]),
        "session_id": str(row["session"]),
        "client_id": str(row["client"]),
        "status": row["status"],
        "offer_expires_at": expires.isoformat() if expires else None,
    }
