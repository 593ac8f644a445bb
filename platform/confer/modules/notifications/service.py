"""Notifications: the in-app list and its unread count, preferences per kind and channel, the devices and browsers
to push to, reminders before bookings, and the subscribers that turn events into notices."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import msgspec
import structlog
from piccolo.columns.combination import Where

from confer.core import events, realtime
from confer.core.auth import Principal
from confer.core.db import UNIQUE_VIOLATION, is_violation
from confer.core.errors import Conflict, InvalidInput
from confer.core.events import EventEnvelope
from confer.core.pagination import decode_cursor, encode_cursor
from confer.core.runtime import Runtime
from confer.modules.booking import service as bookings
from confer.modules.notifications import delivery, notices
from confer.modules.notifications.schemas import (
    DeviceIn,
    NotificationOut,
    NotificationPage,
    PreferenceOut,
    Preferences,
    PushOutcome,
    PushTargetOut,
    ReadRequest,
    WebPushKey,
    WebPushSubscriptionIn,
)
from confer.modules.notifications.settings import NotificationsSettings
from confer.modules.notifications.tables import Device, Notification, Preference, Reminder, WebPushSubscription

log = structlog.get_logger("confer.notifications")

PAGE_SIZE = 30


# --- the in-app list --------------------------------------------------------------------------------------------------


async def notifications(runtime: Runtime, principal: Principal, cursor: str | None, unread: bool) -> NotificationPage:
    which: Any = (Notification.recipient == principal.user_id) & Notification.listed.eq(True)
    if unread:
        which &= Notification.read_at.is_null()
    if cursor:
        at, after = decode_cursor(cursor)
        which &= (Notification.created_at < at) | ((Notification.created_at == at) & (Notification.id < after))
    rows = (
        await Notification.select()
        .where(which)
        .order_by(Notification.created_at, ascending=False)
        .order_by(Notification.id, ascending=False)
        .limit(PAGE_SIZE + 1)
        .output(load_json=True)
    )
    items = [_out(row) for row in rows[:PAGE_SIZE]]
    more = len(rows) > PAGE_SIZE
    return NotificationPage(
        items=items,
        next_cursor=encode_cursor(items[-1].created_at, items[-1].id) if more else None,
        unread=await _unread(principal.user_id),
    )


async def mark_read(runtime: Runtime, principal: Principal, data: ReadRequest) -> int:
    """Mark the given notifications (or all) read; returns the unread count left, also sent to the person's
    other devices in real time."""
    which: Any = (Notification.recipient == principal.user_id) & Notification.read_at.is_null()
    if not data.all:
        if not data.ids:
            raise InvalidInput("ids", "name notifications, or send all: true")
        which &= Notification.id.is_in(list(data.ids))
    await Notification.update({Notification.read_at: runtime.clock.now()}).where(which)
    left = await _unread(principal.user_id)
    await realtime.notify_users(runtime, [principal.user_id], "notifications.read", {"unread": left})
    return left


async def _unread(person: UUID) -> int:
    count: int = await Notification.count().where(
        (Notification.recipient == person) & Notification.read_at.is_null() & Notification.listed.eq(True)
    )
    return count


def _out(row: dict[str, Any]) -> NotificationOut:
    data = dict(row["data"] or {})
    return NotificationOut(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        body=row["body"],
        link=data.pop("link", None),
        data=data,
        created_at=row["created_at"],
        read_at=row["read_at"],
    )


# --- preferences ------------------------------------------------------------------------------------------------------


async def preferences(principal: Principal) -> Preferences:
    off = {
        (row["kind"], row["channel"])
        for row in await Preference.select(Preference.kind, Preference.channel).where(
            (Preference.person == principal.user_id) & Preference.enabled.eq(False)
        )
    }
    return Preferences(
        kinds=list(notices.KINDS),
        channels=list(notices.CHANNELS),
        preferences=[
            PreferenceOut(kind=kind, channel=channel, enabled=(kind, channel) not in off)
            for kind in notices.KINDS
            for channel in notices.CHANNELS
        ],
    )


async def set_preferences(runtime: Runtime, principal: Principal, changes: list[PreferenceOut]) -> Preferences:
    for index, change in enumerate(changes):
        if change.kind not in notices.KINDS:
            raise InvalidInput(f"[{index}].kind", f"is not one of {', '.join(notices.KINDS)}")
        if change.channel not in notices.CHANNELS:
            raise InvalidInput(f"[{index}].channel", f"is not one of {', '.join(notices.CHANNELS)}")
    async with runtime.engine.transaction():
        for change in changes:
            await Preference.raw(
                "INSERT INTO notification_preference (person, kind, channel, enabled) VALUES ({}, {}, {}, {}) "
                "ON CONFLICT (person, kind, channel) DO UPDATE SET enabled = EXCLUDED.enabled",
                principal.user_id,
                change.kind,
                change.channel,
                change.enabled,
            )
    return await preferences(principal)


# --- devices and browsers ---------------------------------------------------------------------------------------------


class PushTargetTaken(Conflict):
    type = "push-target-taken"
    title = "This push subscription belongs to another account"


async def add_device(runtime: Runtime, principal: Principal, data: DeviceIn) -> PushTargetOut:
    """Register a phone's push token. A token is never shared by two accounts: registered by another account, it
    moves, and the answer says so. The token is the proof of possession: only the app on that phone and the push
    service hand it out, and this API never shows it; a phone whose app signs in to another account is the usual
    case. The row is made anew, so pushes still queued for the previous owner find no target and are dropped."""
    async with _registering(runtime):
        outcome = await _take_over(Device, Device.token == data.token, principal.user_id)
        if outcome == "renewed":
            await Device.update({Device.platform: data.platform}).where(Device.token == data.token)
        else:
            await Device.insert(
                Device(
                    id=uuid4(),
                    owner=principal.user_id,
                    platform=data.platform,
                    token=data.token,
                    created_at=runtime.clock.now(),
                )
            ).run()
    return PushTargetOut(outcome=outcome)


async def remove_device(principal: Principal, token: str) -> None:
    await Device.delete().where((Device.owner == principal.user_id) & (Device.token == token))


async def add_web_push(runtime: Runtime, principal: Principal, data: WebPushSubscriptionIn) -> PushTargetOut:
    """Register a browser's push subscription. An endpoint is never shared by two accounts. Another account's
    endpoint moves only with the same keys: the ``auth`` secret is the browser's and this API never shows it, so
    presenting it proves the request comes from that browser (now signed in to another account); an endpoint alone
    is refused (409) and nothing changes. A moved subscription is a new row, so pushes still queued for the previous
    owner are dropped."""
    host = (urlsplit(data.endpoint).hostname or "").lower()
    allowed = runtime.section("notifications", NotificationsSettings).web_push_hosts
    if not any(host == known or host.endswith(f".{known}") for known in allowed):
        raise InvalidInput("endpoint", f"is not at a known push service ({', '.join(allowed)})")
    subscription = msgspec.json.encode(data).decode()
    async with _registering(runtime):
        outcome = await _take_over(
            WebPushSubscription,
            WebPushSubscription.endpoint == data.endpoint,
            principal.user_id,
            proof=lambda stored: (
                msgspec.json.decode(stored["subscription"], type=WebPushSubscriptionIn).keys == data.keys
            ),
        )
        if outcome == "renewed":
            await WebPushSubscription.update({WebPushSubscription.subscription: subscription}).where(
                WebPushSubscription.endpoint == data.endpoint
            )
        else:
            await WebPushSubscription.insert(
                WebPushSubscription(
                    id=uuid4(),
                    owner=principal.user_id,
                    endpoint=data.endpoint,
                    subscription=subscription,
                    created_at=runtime.clock.now(),
                )
            ).run()
    return PushTargetOut(outcome=outcome)


async def remove_web_push(principal: Principal, endpoint: str) -> None:
    await WebPushSubscription.delete().where(
        (WebPushSubscription.owner == principal.user_id) & (WebPushSubscription.endpoint == endpoint)
    )


async def _take_over(
    table: type[Device] | type[WebPushSubscription],
    which: Where,
    owner: UUID,
    *,
    proof: Callable[[dict[str, Any]], bool] | None = None,
) -> PushOutcome:
    """Decide who a push target registered by ``owner`` belongs to, with its row locked; another account's row goes
    (``proof`` must accept it first, if given)."""
    held = await table.select(*table._meta.columns).where(which).lock_rows().first()
    if held is None:
        return "added"
    if held["owner"] == owner:
        return "renewed"
    if proof is not None and not proof(held):
        raise PushTargetTaken("another account registered this subscription; subscribe again in this browser")
    await table.delete().where(which)
    log.info("notifications.push_target_moved", kind=table._meta.tablename)
    return "moved"


@contextlib.asynccontextmanager
async def _registering(runtime: Runtime) -> AsyncIterator[None]:
    """One transaction; two accounts registering one new target at the same moment: the second gets a 409."""
    try:
        async with runtime.engine.transaction():
            yield
    except Exception as exc:
        if is_violation(exc, UNIQUE_VIOLATION):
            raise PushTargetTaken("this push target was just registered by another account") from None
        raise


def web_push_key(runtime: Runtime) -> WebPushKey:
    """The VAPID public key browsers subscribe with (``applicationServerKey``); none when Web Push is off."""
    sender = delivery.push_senders(runtime).get("webpush")
    return WebPushKey(public_key=getattr(sender, "application_server_key", None))


# --- reminders --------------------------------------------------------------------------------------------------------


async def schedule_reminders(runtime: Runtime, event: EventEnvelope) -> None:
    """A confirmed (or moved) booking gets its reminders, due a fixed number of hours before the start instant (so
    exactly 24 h, also across a DST change); a booking that is no longer confirmed loses its unsent ones."""
    booking = await bookings.booking_by_id(UUID(event.payload["booking_id"]))
    if booking is None or booking.client_id == booking.professional_id:
        return
    if booking.status != "confirmed":
        await Reminder.delete().where((Reminder.booking == booking.id) & Reminder.sent_at.is_null())
        return
    now = runtime.clock.now()
    for hours in runtime.section("notifications", NotificationsSettings).reminder_hours:
        due = booking.starts_at - timedelta(hours=hours)
        if due <= now:
            continue
        await Reminder.raw(
            "INSERT INTO booking_reminder (id, booking, hours_before, starts_at, due_at) VALUES ({}, {}, {}, {}, {}) "
            "ON CONFLICT (booking, hours_before) DO UPDATE SET starts_at = EXCLUDED.starts_at, "
            "due_at = EXCLUDED.due_at, sent_at = CASE WHEN booking_reminder.starts_at = EXCLUDED.starts_at "
            "THEN booking_reminder.sent_at END",
            uuid4(),
            booking.id,
            hours,
            booking.starts_at,
            due,
        )


async def send_due_reminders(ctx: dict[str, Any]) -> int:
    """saq cron: reminders that are due become events (once: the row is marked in the same transaction). One that
    is stale — less than half its lead time left, e.g. a 24-hour reminder of a booking moved to an hour from now —
    is marked and dropped: the shorter reminder speaks for it."""
    runtime: Runtime = ctx["runtime"]
    now = runtime.clock.now()
    sent = 0
    async with runtime.engine.transaction():
        due = await Reminder.raw(
            "SELECT r.id, r.booking, r.hours_before, r.starts_at FROM booking_reminder r "
            "JOIN booking b ON b.id = r.booking AND b.status = 'confirmed' AND b.starts_at = r.starts_at "
            "WHERE r.sent_at IS NULL AND r.due_at <= {} ORDER BY r.due_at LIMIT 500 FOR UPDATE OF r SKIP LOCKED",
            now,
        )
        for row in due:
            await Reminder.update({Reminder.sent_at: now}).where(Reminder.id == row["id"])
            if row["starts_at"] - now < timedelta(hours=row["hours_before"]) / 2:
                continue
            sent += 1
            await events.publish(
                "notifications.reminder_due",
                {
                    "reminder_id": str(row["id"]),
                    "booking_id": str(row["booking"]),
                    "hours_before": row["hours_before"],
                    "starts_at": row["starts_at"].isoformat(),
                },
            )
    return sent


# --- events become notices --------------------------------------------------------------------------------------------


async def notify(runtime: Runtime, event: EventEnvelope) -> None:
    """Subscriber of every event someone should hear about."""
    found = await notices.for_event(event, runtime.settings.public_url)
    await delivery.record(runtime, f"event:{event.event_id}", found)
