"""What to tell whom when something happens: each event becomes notices, one per person concerned, in that
person's time zone. The wording lives here and in the mail templates, in one place, ready for translation."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from confer.core.events import EventEnvelope
from confer.modules.accounts import service as accounts
from confer.modules.accounts.schemas import AccountOut
from confer.modules.booking import service as bookings
from confer.modules.booking.schemas import BookingOut
from confer.modules.classes.tables import ClassSession
from confer.modules.professionals import service as professionals

INVITATION_KINDS = frozenset({"booking.confirmed", "booking.rescheduled", "booking.cancelled"})
"""Kinds whose mail carries the booking as a calendar invitation (or its cancellation)."""

KINDS = (
    "booking.confirmed",
    "booking.held",
    "booking.cancelled",
    "booking.rescheduled",
    "booking.expired",
    "booking.reminder",
    "classes.enrolled",
    "classes.waitlisted",
    "classes.seat_offered",
    "classes.session_cancelled",
)
CHANNELS = ("in_app", "email", "push")


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    recipient: UUID
    kind: str
    title: str
    body: str
    data: dict[str, str]
    link: str | None = None


async def for_event(event: EventEnvelope, public_url: str) -> list[Notice]:
    """The notices an event causes; none for events nobody needs to hear about."""
    if event.topic.startswith("booking."):
        return await _booking_notices(event, public_url)
    if event.topic == "notifications.reminder_due":
        return await _reminder_notices(event, public_url)
    if event.topic.startswith("classes."):
        return await _class_notices(event, public_url)
    return []


async def _booking_notices(event: EventEnvelope, public_url: str) -> list[Notice]:
    booking = await bookings.booking_by_id(UUID(event.payload["booking_id"]))
    if booking is None or booking.client_id == booking.professional_id:
        return []
    kind = event.topic
    title_of = {
        "booking.confirmed": "Booking confirmed",
        "booking.held": "A booking waits for approval",
        "booking.cancelled": "Booking cancelled",
        "booking.rescheduled": "Booking moved",
        "booking.expired": "Your hold expired",
    }
    if kind not in title_of:
        return []
    client, pro = await _names(booking)
    offering = (await professionals.offering_by_id(booking.offering_id)).title
    link = f"{public_url}/bookings/{booking.id}"
    notices = []
    parties = ((booking.client_id, pro.name, client.timezone), (booking.professional_id, client.name, pro.timezone))
    for person, other, zone in parties:
        when = _when(booking.starts_at, zone)
        body = _booking_body(kind, offering, other, when, event.payload)
        if body is None or (kind == "booking.expired" and person != booking.client_id):
            continue
        notices.append(_notice(person, kind, title_of[kind], body, booking, link))
    return notices


def _booking_body(kind: str, offering: str, other: str, when: str, payload: dict[str, Any]) -> str | None:
    if kind == "booking.confirmed":
        return f"{offering} with {other} on {when} is confirmed."
    if kind == "booking.held":
        return f"{offering} with {other} on {when} is waiting for the professional's approval."
    if kind == "booking.cancelled":
        refund = payload.get("refund_percent")
        refunded = f" {refund} % of the price is refunded." if refund is not None else ""
        return f"{offering} with {other} on {when} was cancelled.{refunded}"
    if kind == "booking.rescheduled":
        return f"{offering} with {other} now takes place on {when}."
    if kind == "booking.expired":
        return f"Your hold on {offering} with {other} on {when} expired: the time is free again."
    return None


async def _reminder_notices(event: EventEnvelope, public_url: str) -> list[Notice]:
    booking = await bookings.booking_by_id(UUID(event.payload["booking_id"]))
    if booking is None or booking.status != "confirmed":
        return []
    client, pro = await _names(booking)
    offering = (await professionals.offering_by_id(booking.offering_id)).title
    hours = int(event.payload["hours_before"])
    soon = "in one hour" if hours == 1 else f"in {hours} hours"
    link = f"{public_url}/bookings/{booking.id}"
    return [
        _notice(
            person,
            "booking.reminder",
            f"Reminder: {offering} {soon}",
            f"{offering} with {other} starts {soon}, on {_when(booking.starts_at, zone)}.",
            booking,
            link,
        )
        for person, other, zone in (
            (booking.client_id, pro.name, client.timezone),
            (booking.professional_id, client.name, pro.timezone),
        )
    ]


async def _class_notices(event: EventEnvelope, public_url: str) -> list[Notice]:
    kind = event.topic
    session = (
        await ClassSession.select(ClassSession.id, ClassSession.offering, ClassSession.starts_at)
        .where(ClassSession.id == UUID(event.payload["session_id"]))
        .first()
    )
    if session is None:
        return []
    title = (await professionals.offering_by_id(session["offering"])).title
    recipients = (
        [UUID(c) for c in event.payload.get("client_ids", [])]
        if kind == "classes.session_cancelled"
        else [UUID(event.payload["client_id"])]
    )
    texts = {
        "classes.enrolled": ("You have a seat", "You have a seat in {title} on {when}."),
        "classes.waitlisted": (
            "You are on the waiting list",
            "{title} on {when} is full: you are on its waiting list.",
        ),
        "classes.seat_offered": ("A seat is free for you", "A seat in {title} on {when} is free: accept it in time."),
        "classes.session_cancelled": ("Class cancelled", "{title} on {when} is cancelled."),
    }
    if kind not in texts:
        return []
    heading, text = texts[kind]
    data = {"kind": kind, "session_id": str(session["id"])}
    notices = []
    for person in recipients:
        zone = (await accounts.get_account(person)).timezone
        body = text.format(title=title, when=_when(session["starts_at"], zone))
        notices.append(
            Notice(recipient=person, kind=kind, title=heading, body=body, data=data, link=f"{public_url}/classes")
        )
    return notices


async def _names(booking: BookingOut) -> tuple[AccountOut, AccountOut]:
    return await accounts.get_account(booking.client_id), await accounts.get_account(booking.professional_id)


def _notice(person: UUID, kind: str, title: str, body: str, booking: BookingOut, link: str) -> Notice:
    return Notice(
        recipient=person,
        kind=kind,
        title=title,
        body=body,
        data={"kind": kind, "booking_id": str(booking.id)},
        link=link,
    )


def _when(instant: datetime, zone: str) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %Y, %H:%M} ({zone})"
