"""Bookings (DESIGN §4): hold, confirm, cancel, reschedule, list; and the free slots a client may book.

The database decides races: the exclusion constraint ``booking_no_overlap`` refuses a second active booking over any
part of a professional's blocked range (buffers included), and every state change is a conditional UPDATE whose row
count is checked. The checks made here before writing (grid, rules, notice, horizon) only explain refusals.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec

from confer.core import events
from confer.core.auth import Principal
from confer.core.db import EXCLUSION_VIOLATION, UNIQUE_VIOLATION, is_violation
from confer.core.errors import ConferError, Conflict, Forbidden, InvalidInput, NotFound
from confer.core.pagination import decode_cursor, encode_cursor
from confer.core.runtime import Runtime
from confer.core.timezones import checked_zone
from confer.modules.accounts import service as accounts
from confer.modules.booking.queries import (
    BOOKED_ON_DAY_SQL,
    INSERT_BOOKING_SQL,
    INSERT_IDEMPOTENT_SQL,
    LOCK_SQL,
    OPEN_WITH_PROFESSIONAL_SQL,
    BookingContext,
    load_context,
)
from confer.modules.booking.schemas import BookingCreate, BookingOut, BookingPage, SlotOut, SlotsOut
from confer.modules.booking.settings import BookingSettings
from confer.modules.booking.tables import Booking, IdempotentRequest
from confer.modules.calendar.slots import MAX_RANGE, Slot, SlotPolicy, free_slots
from confer.modules.professionals import service as professionals
from confer.modules.professionals.schemas import OfferingOut

ACTIVE = ("held", "pending_payment", "confirmed")
BOOKING_TOPICS = tuple(
    f"booking.{change}"
    for change in (
        "held",
        "pending_payment",
        "confirmed",
        "cancelled",
        "rescheduled",
        "expired",
        "completed",
        "no_show",
    )
)
"""Every event this module publishes about a booking (payload: ``booking_id``)."""
PAYMENT_WINDOW = timedelta(minutes=15)
APPROVAL_WINDOW = timedelta(hours=24)
PAGE_SIZE = 50
YEARS = range(2000, 3000)
T = TypeVar("T")


class SlotUnavailable(Conflict):
    type = "slot-unavailable"
    title = "That time is no longer available"


class NotActive(Conflict):
    type = "booking-not-active"
    title = "This booking is not in a state that allows this"


class BookingStarted(Conflict):
    type = "booking-started"
    title = "This booking has started or ended: it can no longer be moved"


class DayFullyBooked(Conflict):
    type = "day-fully-booked"
    title = "This day already has all the bookings the professional takes"


class TooManyOpenBookings(Conflict):
    type = "too-many-open-bookings"
    title = "You have as many open bookings with this professional as one client may"


class IdempotencyKeyReused(ConferError):
    status = 422
    type = "idempotency-key-reused"
    title = "This Idempotency-Key was used for a different request"


class Idempotent(msgspec.Struct):
    """What a booking request answers: its status code and body (replayed for a repeated Idempotency-Key)."""

    status: int
    body: BookingOut


# --- slots ------------------------------------------------------------------------------------------------------------


async def slots(
    runtime: Runtime, professional_id: UUID, offering_id: UUID, from_date: date, to_date: date, zone_name: str
) -> SlotsOut:
    """Free slots of one offering from ``from_date`` to ``to_date`` inclusive, dates read in ``zone_name``."""
    zone = ZoneInfo(checked_zone("tz", zone_name))
    _check_year("from", from_date.year)
    _check_year("to", to_date.year)
    if to_date < from_date:
        raise InvalidInput("to", "must not be before from")
    range_start = datetime.combine(from_date, time(0), tzinfo=zone)
    range_end = datetime.combine(to_date + timedelta(days=1), time(0), tzinfo=zone)
    if range_end - range_start > MAX_RANGE:
        raise InvalidInput("to", f"a request for slots may cover at most {MAX_RANGE.days} days")
    context = await _context(runtime, offering_id, range_start, range_end)
    if context.offering.professional_id != professional_id:
        raise NotFound("no such offering")
    found = _free(runtime, context, range_start, range_end)
    return SlotsOut(
        offering_id=offering_id,
        zone=zone_name,
        professional_zone=context.zone,
        from_date=from_date,
        to_date=to_date,
        slots=[SlotOut(starts_at=s.starts_at, ends_at=s.ends_at) for s in found],
    )


async def _context(runtime: Runtime, offering_id: UUID, range_start: datetime, range_end: datetime) -> BookingContext:
    assert runtime.engine.pool is not None
    async with runtime.engine.pool.acquire() as connection:
        context = await load_context(connection, offering_id, range_start, range_end)
    if context is None:
        raise NotFound("no such offering")
    return context


def _free(
    runtime: Runtime,
    context: BookingContext,
    range_start: datetime,
    range_end: datetime,
    *,
    ignoring: UUID | None = None,
    with_bookings: bool = True,
    counting_days: bool = True,
) -> list[Slot]:
    busy = context.busy(ignoring=ignoring) if with_bookings else list(context.time_off)
    return free_slots(
        context.availability,
        _policy(context.offering),
        busy,
        range_start=range_start,
        range_end=range_end,
        now=runtime.clock.now(),
        booked_per_day=context.booked_per_day(ignoring=ignoring) if with_bookings and counting_days else None,
    )


def _check_year(field: str, year: int) -> None:
    """Far-off dates cannot be slots (horizons end within a year); refusing them early keeps date maths in range."""
    if not YEARS.start <= year < YEARS.stop:
        raise InvalidInput(field, f"must be in the years {YEARS.start} to {YEARS.stop - 1}")


def _policy(offering: OfferingOut) -> SlotPolicy:
    return SlotPolicy(
        duration=timedelta(minutes=offering.duration_minutes),
        step=timedelta(minutes=offering.slot_step_minutes),
        buffer_before=timedelta(minutes=offering.buffer_before_minutes),
        buffer_after=timedelta(minutes=offering.buffer_after_minutes),
        min_notice=timedelta(minutes=offering.min_notice_minutes),
        horizon=timedelta(days=offering.horizon_days),
        max_per_day=offering.max_per_day,
    )


def _check_bookable(
    runtime: Runtime, context: BookingContext, starts_at: datetime, *, ignoring: UUID | None = None
) -> None:
    """422 if ``starts_at`` is not a slot of the offering at all, 409 if it is one but taken or its day is full."""
    window = (starts_at, starts_at + timedelta(seconds=1))
    if _free(runtime, context, *window, ignoring=ignoring):
        return
    if _free(runtime, context, *window, ignoring=ignoring, counting_days=False):
        raise DayFullyBooked(f"{starts_at.isoformat()} is on a day that has all its bookings")
    if _free(runtime, context, *window, with_bookings=False):
        raise SlotUnavailable(f"{starts_at.isoformat()} is taken")
    raise InvalidInput("starts_at", "is not a bookable slot of this offering (hours, grid, notice or horizon)")


# --- booking ----------------------------------------------------------------------------------------------------------


async def book(runtime: Runtime, principal: Principal, data: BookingCreate, idempotency_key: str | None) -> Idempotent:
    """Hold a slot for the caller. The exclusion constraint is the guard against double booking; this only
    translates its verdict. A repeated ``Idempotency-Key`` gets the first answer (422 if it came with another body).
    The day's cap and the client's open bookings are counted under locks, in the transaction that inserts."""
    fingerprint = request_fingerprint("POST /bookings", data)
    if idempotency_key:
        earlier = await _earlier_booking(principal.user_id, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    _check_year("starts_at", data.starts_at.year)
    starts_at = data.starts_at.astimezone(UTC)
    context = await _context(runtime, data.offering_id, starts_at, starts_at + timedelta(seconds=1))
    offering = context.offering
    if offering.kind != "consultation":
        raise InvalidInput("offering_id", "a class is joined by enrolling in one of its sessions")
    if offering.professional_id == principal.user_id:
        raise InvalidInput("offering_id", "you cannot book your own offering")
    try:
        _check_bookable(runtime, context, starts_at)
    except SlotUnavailable:
        # Taken — perhaps by a concurrent repeat of this very request, whose answer is then ours.
        earlier = await _earlier_booking(principal.user_id, idempotency_key, fingerprint) if idempotency_key else None
        if earlier is not None:
            return earlier
        raise
    booking = _new_booking(runtime, principal, offering, starts_at)
    answer = Idempotent(status=201, body=_out(booking.to_dict()))
    assert runtime.engine.pool is not None
    try:
        async with runtime.engine.pool.acquire() as connection, connection.transaction():
            if idempotency_key:
                # The key first: a concurrent repeat waits on its unique index, then replays this answer.
                await connection.execute(
                    INSERT_IDEMPOTENT_SQL,
                    uuid4(),
                    principal.user_id,
                    idempotency_key,
                    fingerprint,
                    answer.status,
                    msgspec.json.encode(answer.body).decode(),
                    runtime.clock.now(),
                )
            await _claim_day(connection, context, starts_at, ignoring=None)
            await _claim_client_place(runtime, connection, offering.professional_id, principal.user_id)
            await connection.execute(
                INSERT_BOOKING_SQL,
                booking.id,
                offering.id,
                offering.professional_id,
                principal.user_id,
                booking.starts_at,
                booking.ends_at,
                booking.blocked_from,
                booking.blocked_until,
                booking.status,
                booking.hold_expires_at,
                booking.free_cancel_until,
                booking.created_at,
            )
            await events.publish_on(connection, f"booking.{booking.status}", {"booking_id": str(booking.id)})
    except Exception as exc:
        if idempotency_key and is_violation(exc, UNIQUE_VIOLATION):
            earlier = await _earlier_booking(principal.user_id, idempotency_key, fingerprint)
            if earlier is not None:
                return earlier
        if is_violation(exc, EXCLUSION_VIOLATION):
            raise SlotUnavailable(f"{starts_at.isoformat()} is taken") from None
        raise
    return answer


def _new_booking(runtime: Runtime, principal: Principal, offering: OfferingOut, starts_at: datetime) -> Booking:
    now = runtime.clock.now()
    if offering.requires_approval:
        status, expires = "held", now + APPROVAL_WINDOW
    elif offering.price_minor > 0:
        status, expires = "pending_payment", now + PAYMENT_WINDOW
    else:
        status, expires = "confirmed", None
    ends_at = starts_at + timedelta(minutes=offering.duration_minutes)
    return Booking(
        id=uuid4(),
        offering=offering.id,
        professional=offering.professional_id,
        client=principal.user_id,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_from=starts_at - timedelta(minutes=offering.buffer_before_minutes),
        blocked_until=ends_at + timedelta(minutes=offering.buffer_after_minutes),
        status=status,
        hold_expires_at=expires,
        free_cancel_until=starts_at - timedelta(hours=offering.cancellation_free_hours),
        created_at=now,
        updated_at=now,
    )


async def _claim_day(connection: Any, context: BookingContext, starts_at: datetime, *, ignoring: UUID | None) -> None:
    """The offering's cap on bookings a day, decided one booking at a time: the professional's local day is locked
    until commit, and its bookings counted under the lock (409 day-fully-booked when it has them all)."""
    cap = context.offering.max_per_day
    if cap is None:
        return
    zone = context.availability.zone
    day = starts_at.astimezone(zone).date()
    professional = context.offering.professional_id
    await connection.execute(LOCK_SQL, f"booking-day:{professional}:{day.isoformat()}")
    day_start = datetime.combine(day, time(0), tzinfo=zone)
    day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    booked = await connection.fetchval(BOOKED_ON_DAY_SQL, professional, day_start, day_end, ignoring or uuid4())
    if booked >= cap:
        raise DayFullyBooked(f"{day.isoformat()} already has {cap} booking{'s' if cap > 1 else ''}")


async def _claim_client_place(runtime: Runtime, connection: Any, professional: UUID, client: UUID) -> None:
    """The cap on one client's open bookings with one professional, counted under a lock on that pair."""
    cap = runtime.section("booking", BookingSettings).max_open_per_client
    await connection.execute(LOCK_SQL, f"booking-client:{professional}:{client}")
    if await connection.fetchval(OPEN_WITH_PROFESSIONAL_SQL, professional, client, runtime.clock.now(), cap) >= cap:
        raise TooManyOpenBookings(f"at most {cap} open bookings with one professional; cancel or attend one first")


async def _earlier_booking(client_id: UUID, key: str, fingerprint: str) -> Idempotent | None:
    earlier = await earlier_answer(client_id, key, fingerprint, BookingOut)
    return None if earlier is None else Idempotent(status=earlier[0], body=earlier[1])


# --- idempotency keys (DESIGN §4), for every POST that creates a booking or a payment ---------------------------------


def request_fingerprint(operation: str, body: object) -> str:
    """What a repeat of a request must match: the operation and its decoded body, hashed (canonical JSON, so
    spacing and key order of the sent bytes do not matter)."""
    return hashlib.sha256(operation.encode() + b"\n" + msgspec.json.encode(body, order="sorted")).hexdigest()


async def earlier_answer(client_id: UUID, key: str, fingerprint: str, kind: type[T]) -> tuple[int, T] | None:
    """The first answer given to this client's ``Idempotency-Key``, or None for a new key. A key first used for
    another request is refused (422 idempotency-key-reused) rather than answered with that request's answer."""
    row = (
        await IdempotentRequest.select(IdempotentRequest.status, IdempotentRequest.body, IdempotentRequest.fingerprint)
        .where((IdempotentRequest.client == client_id) & (IdempotentRequest.key == key))
        .first()
    )
    if row is None:
        return None
    if row["fingerprint"] not in (fingerprint, None):  # None: kept before fingerprints were
        raise IdempotencyKeyReused("send a new key for a new request")
    body = row["body"]
    decoded = msgspec.json.decode(body, type=kind) if isinstance(body, str | bytes) else msgspec.convert(body, kind)
    return row["status"], decoded


async def remember_answer(
    runtime: Runtime, client_id: UUID, key: str, fingerprint: str, status: int, body: T
) -> tuple[int, T]:
    """Keep the first answer to a key; when a concurrent repeat kept one first, that one is the answer."""
    await IdempotentRequest.raw(
        "INSERT INTO idempotent_request (id, client, key, fingerprint, status, body, created_at) "
        "VALUES ({}, {}, {}, {}, {}, {}::jsonb, {}) ON CONFLICT (client, key) DO NOTHING",
        uuid4(),
        client_id,
        key,
        fingerprint,
        status,
        msgspec.json.encode(body).decode(),
        runtime.clock.now(),
    )
    earlier = await earlier_answer(client_id, key, fingerprint, type(body))
    return earlier if earlier is not None else (status, body)


async def cancel(runtime: Runtime, principal: Principal, booking_id: UUID, reason: str) -> BookingOut:
    """Either side may cancel an active booking; the client's refund follows the offering's policy."""
    row = await _own_booking(principal, booking_id)
    offering = await professionals.offering_by_id(row["offering"])
    now = runtime.clock.now()
    by_professional = principal.user_id == row["professional"]
    if by_professional or row["status"] != "confirmed" or now <= _free_cancel_until(row, offering):
        refund = 100
    else:
        refund = offering.late_cancellation_refund_percent
    async with runtime.engine.transaction():
        updated = (
            await Booking.update(
                {
                    Booking.status: "cancelled",
                    Booking.cancelled_by: principal.user_id,
                    Booking.cancel_reason: reason,
                    Booking.refund_percent: refund,
                    Booking.updated_at: now,
                }
            )
            .where((Booking.id == booking_id) & Booking.status.is_in(list(ACTIVE)))
            .returning(*_COLUMNS)
        )
        if not updated:
            raise NotActive()
        await events.publish("booking.cancelled", {"booking_id": str(booking_id), "refund_percent": refund})
    return _out(updated[0])


async def confirm(runtime: Runtime, principal: Principal, booking_id: UUID) -> BookingOut:
    """The professional approves a booking that waited for approval (held)."""
    return await _professional_moves(
        runtime, principal, booking_id, from_status="held", to_status="confirmed", when_allowed=None
    )


async def complete(runtime: Runtime, principal: Principal, booking_id: UUID, *, no_show: bool) -> BookingOut:
    """After it has ended, the professional marks a confirmed booking completed, or the client a no-show."""
    return await _professional_moves(
        runtime,
        principal,
        booking_id,
        from_status="confirmed",
        to_status="no_show" if no_show else "completed",
        when_allowed="ended",
    )


async def _professional_moves(
    runtime: Runtime,
    principal: Principal,
    booking_id: UUID,
    *,
    from_status: str,
    to_status: str,
    when_allowed: str | None,
) -> BookingOut:
    row = await _own_booking(principal, booking_id)
    if row["professional"] != principal.user_id:
        raise Forbidden("only the professional can do this")
    now = runtime.clock.now()
    condition = (Booking.id == booking_id) & (Booking.status == from_status)
    if when_allowed == "ended":
        condition &= Booking.ends_at <= now
    async with runtime.engine.transaction():
        updated = (
            await Booking.update({Booking.status: to_status, Booking.hold_expires_at: None, Booking.updated_at: now})
            .where(condition)
            .returning(*_COLUMNS)
        )
        if not updated:
            raise NotActive(
                f"only a {from_status} booking{' that has ended' if when_allowed else ''} can be marked {to_status}"
            )
        await events.publish(f"booking.{to_status}", {"booking_id": str(booking_id)})
    return _out(updated[0])


async def reschedule(runtime: Runtime, principal: Principal, booking_id: UUID, starts_at: datetime) -> BookingOut:
    """Move an active booking to another free slot: one UPDATE, so the old time is released if and only if the new
    one is taken (the exclusion constraint checks the moved row against the others)."""
    _check_year("starts_at", starts_at.year)
    row = await _own_booking(principal, booking_id)
    now = runtime.clock.now()
    if row["starts_at"] <= now:
        raise BookingStarted()
    new_start = starts_at.astimezone(UTC)
    context = await _context(runtime, row["offering"], new_start, new_start + timedelta(seconds=1))
    _check_bookable(runtime, context, new_start, ignoring=booking_id)
    moved = _new_booking(runtime, principal, context.offering, new_start)
    terms = _free_cancel_until(row, context.offering)
    try:
        async with runtime.engine.transaction() as transaction:
            await _claim_day(transaction.connection, context, new_start, ignoring=booking_id)
            updated = (
                await Booking.update(
                    {
                        Booking.starts_at: moved.starts_at,
                        Booking.ends_at: moved.ends_at,
                        Booking.blocked_from: moved.blocked_from,
                        Booking.blocked_until: moved.blocked_until,
                        # Inside the late window already, the late terms go with the booking wherever it moves.
                        Booking.free_cancel_until: terms if now > terms else moved.free_cancel_until,
                        Booking.updated_at: now,
                    }
                )
                .where((Booking.id == booking_id) & Booking.status.is_in(list(ACTIVE)) & (Booking.starts_at > now))
                .returning(*_COLUMNS)
            )
            if not updated:
                raise NotActive("only an active booking that has not started can be moved")
            await events.publish("booking.rescheduled", {"booking_id": str(booking_id)})
    except Exception as exc:
        if is_violation(exc, EXCLUSION_VIOLATION):
            raise SlotUnavailable(f"{new_start.isoformat()} is taken") from None
        raise
    return _out(updated[0])


async def list_bookings(
    runtime: Runtime,
    principal: Principal,
    *,
    as_professional: bool,
    upcoming: bool,
    cursor: str | None,
    status: str | None = None,
) -> BookingPage:
    """The caller's bookings, upcoming (soonest first) or past (latest first), a page at a time."""
    column = Booking.professional if as_professional else Booking.client
    query = Booking.select(*_COLUMNS).where((column == principal.user_id) & _NOT_A_BLOCK)
    now = runtime.clock.now()
    query = query.where(Booking.ends_at > now) if upcoming else query.where(Booking.ends_at <= now)
    if status is not None:
        query = query.where(Booking.status == status)
    if cursor:
        after_start, after_id = decode_cursor(cursor)
        if upcoming:
            query = query.where(
                (Booking.starts_at > after_start) | ((Booking.starts_at == after_start) & (Booking.id > after_id))
            )
        else:
            query = query.where(
                (Booking.starts_at < after_start) | ((Booking.starts_at == after_start) & (Booking.id < after_id))
            )
    rows = await query.order_by(Booking.starts_at, Booking.id, ascending=upcoming).limit(PAGE_SIZE + 1)
    items = await _named([_out(row) for row in rows[:PAGE_SIZE]])
    next_cursor = encode_cursor(items[-1].starts_at, items[-1].id) if len(rows) > PAGE_SIZE else None
    return BookingPage(items=items, next_cursor=next_cursor)


async def _named(bookings: list[BookingOut]) -> list[BookingOut]:
    names = await accounts.names_of(booking.client_id for booking in bookings)
    return [msgspec.structs.replace(booking, client_name=names.get(booking.client_id)) for booking in bookings]


async def release_expired_holds(ctx: dict[str, Any]) -> int:
    """saq cron job: holds and unpaid bookings past their expiry are cancelled, freeing their slots."""
    runtime: Runtime = ctx["runtime"]
    async with runtime.engine.transaction():
        released = (
            await Booking.update(
                {
                    Booking.status: "cancelled",
                    Booking.cancel_reason: "hold expired",
                    Booking.updated_at: runtime.clock.now(),
                }
            )
            .where(Booking.status.is_in(["held", "pending_payment"]) & (Booking.hold_expires_at < runtime.clock.now()))
            .returning(Booking.id)
        )
        for row in released:
            await events.publish("booking.expired", {"booking_id": str(row["id"])})
    return len(released)


_NOT_A_BLOCK = Booking.client != Booking.professional
"""A row whose client is the professional blocks their time for something else (a class session); it is managed by
whatever made it, never listed, cancelled or moved as a booking here."""

_COLUMNS = (
    Booking.id,
    Booking.offering,
    Booking.professional,
    Booking.client,
    Booking.starts_at,
    Booking.ends_at,
    Booking.status,
    Booking.hold_expires_at,
    Booking.refund_percent,
    Booking.cancel_reason,
    Booking.free_cancel_until,
    Booking.created_at,
)


def _free_cancel_until(row: dict[str, Any], offering: OfferingOut) -> datetime:
    """Until when the client may cancel for a full refund: fixed when booked, and kept by a move made late (rows
    from before it was recorded count from their start)."""
    until: datetime | None = row["free_cancel_until"]
    return until or row["starts_at"] - timedelta(hours=offering.cancellation_free_hours)


async def booking_by_id(booking_id: UUID) -> BookingOut | None:
    """Any booking, class blocks included: for reactions to booking events, never for answering a caller."""
    row: dict[str, Any] | None = await Booking.select(*_COLUMNS).where(Booking.id == booking_id).first()
    return None if row is None else _out(row)


async def _own_booking(principal: Principal, booking_id: UUID) -> dict[str, Any]:
    """A booking the caller is a party to; anyone else's is 'not found'."""
    row: dict[str, Any] | None = (
        await Booking.select(*_COLUMNS)
        .where(
            (Booking.id == booking_id)
            & _NOT_A_BLOCK
            & ((Booking.client == principal.user_id) | (Booking.professional == principal.user_id))
        )
        .first()
    )
    if row is None:
        raise NotFound("no such booking")
    return row


def _out(row: dict[str, Any]) -> BookingOut:
    return BookingOut(
        id=row["id"],
        offering_id=row["offering"],
        professional_id=row["professional"],
        client_id=row["client"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        status=row["status"],
        hold_expires_at=row["hold_expires_at"],
        refund_percent=row["refund_percent"],
        cancel_reason=row["cancel_reason"],
        created_at=row["created_at"],
    )


# --- for modules that act on bookings (video) -------------------------------------------------------------------------


async def booking_of(principal: Principal, booking_id: UUID) -> BookingOut:
    """A booking the caller is a party to; 'not found' for anyone else's and for class-block rows."""
    [booking] = await _named([_out(await _own_booking(principal, booking_id))])
    return booking


async def record_no_show(runtime: Runtime, booking_id: UUID) -> bool:
    """The client never came to a confirmed booking that has ended (video attendance says so): it becomes a no-show."""
    now = runtime.clock.now()
    async with runtime.engine.transaction():
        changed = (
            await Booking.update({Booking.status: "no_show", Booking.updated_at: now})
            .where(
                (Booking.id == booking_id) & (Booking.status == "confirmed") & (Booking.ends_at <= now) & _NOT_A_BLOCK
            )
            .returning(Booking.id)
        )
        if changed:
            await events.publish("booking.no_show", {"booking_id": str(booking_id), "by": "attendance"})
    return bool(changed)


async def settle_payment(runtime: Runtime, booking_id: UUID, *, paid: bool) -> bool:
    """The payment of a booking waiting for it came through (it is confirmed) or failed (its time is released).
    False when the booking no longer waits for payment (it expired, or this was done already)."""
    now = runtime.clock.now()
    changes: dict[Any, Any] = (
        {Booking.status: "confirmed", Booking.hold_expires_at: None, Booking.updated_at: now}
        if paid
        else {Booking.status: "cancelled", Booking.cancel_reason: "payment failed", Booking.updated_at: now}
    )
    async with runtime.engine.transaction():
        changed = (
            await Booking.update(changes)
            .where((Booking.id == booking_id) & (Booking.status == "pending_payment"))
            .returning(Booking.id)
        )
        if changed:
            await events.publish("booking.confirmed" if paid else "booking.expired", {"booking_id": str(booking_id)})
    return bool(changed)
