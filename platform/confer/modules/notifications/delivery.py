"""Getting each notice to its person once per channel (DESIGN §7).

An event's subscriber records, in its own transaction, the in-app notification and one delivery row per channel
and target (dedupe key: cause x person x channel x target), and queues a job per delivery. The job claims its row,
sends, and marks it sent: a retry, a replay of the event or a second worker finds it sent and does nothing. A job
lost with a worker or with Redis is queued again by the sweeper, from the rows. What cannot be made atomic is the
send itself and the mark after it; so every mail carries a Message-ID and every push a collapse id derived from the
delivery, and a send repeated after a crash at that exact point is the same message to the receiving side.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import jinja2
import msgspec
import structlog
from saq import Job

from confer.core import realtime
from confer.core.mail import Attachment, Mail
from confer.core.runtime import Runtime
from confer.modules.accounts import service as accounts
from confer.modules.booking import ics
from confer.modules.notifications.notices import INVITATION_KINDS, Notice
from confer.modules.notifications.push import PushMessage, PushOutcome, PushRejected, PushSender
from confer.modules.notifications.push.senders import senders
from confer.modules.notifications.settings import NotificationsSettings
from confer.modules.notifications.tables import Delivery, Device, Notification, Preference, WebPushSubscription

log = structlog.get_logger("confer.notifications")

DELIVERY_RETRIES = 8
LEASE = timedelta(minutes=2)
"""A delivery being sent belongs to its sender this long; after that (the sender died) another may take it."""


class DeliveryNotReady(Exception):
    """The delivery's row is not visible yet: the job runs again (saq's retry with backoff)."""


PUSH_CHANNELS = ("apns", "fcm", "webpush")


async def record(runtime: Runtime, cause: str, notices: list[Notice]) -> int:
    """Store and queue the notices of one cause (inside the caller's transaction); a cause seen before adds nothing.
    Returns how many notifications were new."""
    made = 0
    for notice in notices:
        enabled = await _enabled_channels(notice.recipient, notice.kind)
        inserted = await Notification.raw(
            "INSERT INTO notification (id, recipient, kind, title, body, data, event_key, listed, created_at) "
            "VALUES ({}, {}, {}, {}, {}, {}::jsonb, {}, {}, {}) "
            "ON CONFLICT (recipient, event_key) DO NOTHING RETURNING id",
            uuid4(),
            notice.recipient,
            notice.kind,
            notice.title,
            notice.body,
            msgspec.json.encode({**notice.data, **({"link": notice.link} if notice.link else {})}).decode(),
            cause,
            "in_app" in enabled,
            runtime.clock.now(),
        )
        if not inserted:
            continue
        made += 1
        notification_id: UUID = inserted[0]["id"]
        for delivery_id in await _deliveries(runtime, notification_id, cause, notice, enabled):
            await queue(runtime, delivery_id)
        if "in_app" in enabled:
            await realtime.notify_users(
                runtime,
                [notice.recipient],
                "notification",
                {"id": str(notification_id), "kind": notice.kind, "title": notice.title, "body": notice.body},
            )
    return made


async def _enabled_channels(person: UUID, kind: str) -> set[str]:
    """Every channel unless the person turned it off for this kind."""
    off = await Preference.select(Preference.channel).where(
        (Preference.person == person) & (Preference.kind == kind) & Preference.enabled.eq(False)
    )
    return {"in_app", "email", "push"} - {row["channel"] for row in off}


async def _deliveries(
    runtime: Runtime, notification_id: UUID, cause: str, notice: Notice, enabled: set[str]
) -> list[UUID]:
    targets: list[tuple[str, UUID | None]] = []
    if "email" in enabled:
        targets.append(("email", None))
    if "push" in enabled:
        devices = await Device.select(Device.id, Device.platform).where(Device.owner == notice.recipient)
        targets += [(row["platform"], row["id"]) for row in devices]
        browsers = await WebPushSubscription.select(WebPushSubscription.id).where(
            WebPushSubscription.owner == notice.recipient
        )
        targets += [("webpush", row["id"]) for row in browsers]
    now = runtime.clock.now()
    made = []
    for channel, target in targets:
        rows = await Delivery.raw(
            "INSERT INTO notification_delivery "
            "(id, dedupe_key, recipient, channel, target, notification, status, attempts, created_at, updated_at) "
            "VALUES ({}, {}, {}, {}, {}, {}, 'pending', 0, {}, {}) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            uuid4(),
            f"{cause}:{notice.recipient}:{channel}:{target or '-'}",
            notice.recipient,
            channel,
            target,
            notification_id,
            now,
            now,
        )
        made += [row["id"] for row in rows]
    return made


async def queue(runtime: Runtime, delivery_id: UUID, *, attempt: int = 0) -> None:
    await runtime.queue.enqueue(
        Job(
            function="send_delivery",
            kwargs={"delivery_id": str(delivery_id)},
            key=f"delivery-{delivery_id}-{attempt}",
            retries=DELIVERY_RETRIES,
            retry_delay=1.0,
            retry_backoff=True,
            timeout=60,
        )
    )


async def send_delivery(ctx: dict[str, Any], *, delivery_id: str) -> str:
    """saq job: send one delivery unless it is already sent; transient failures raise (saq retries with backoff)."""
    runtime: Runtime = ctx["runtime"]
    now = runtime.clock.now()
    claimed = await Delivery.raw(
        "UPDATE notification_delivery SET status = 'sending', attempts = attempts + 1, updated_at = {} "
        "WHERE id = {} AND (status = 'pending' OR (status = 'sending' AND updated_at < {})) "
        "RETURNING id, recipient, channel, target, notification",
        now,
        UUID(delivery_id),
        now - LEASE,
    )
    if not claimed:
        state = await Delivery.select(Delivery.status).where(Delivery.id == UUID(delivery_id)).first()
        if state is None or state["status"] == "pending":
            # queued by a transaction that had not committed when we looked (or never will): look again later
            raise DeliveryNotReady(delivery_id)
        return "done already" if state["status"] in ("sent", "dropped") else "another sender has it"
    try:
        return await _send(runtime, claimed[0])
    except BaseException:
        await Delivery.update({Delivery.status: "pending", Delivery.updated_at: runtime.clock.now()}).where(
            Delivery.id == claimed[0]["id"]
        )
        raise


async def _send(runtime: Runtime, delivery: dict[str, Any]) -> str:
    notification = await Notification.select().where(Notification.id == delivery["notification"]).first()
    if notification is None:
        return await _finish(runtime, delivery["id"], "dropped")
    if delivery["channel"] == "email":
        await _mail(runtime, delivery["id"], notification)
        return await _finish(runtime, delivery["id"], "sent")
    return await _push(runtime, delivery, notification)


async def _finish(runtime: Runtime, delivery_id: UUID, status: str) -> str:
    now = runtime.clock.now()
    await Delivery.update(
        {Delivery.status: status, Delivery.updated_at: now, Delivery.sent_at: now if status == "sent" else None}
    ).where(Delivery.id == delivery_id)
    return status


async def _mail(runtime: Runtime, delivery_id: UUID, notification: dict[str, Any]) -> None:
    account = await accounts.get_account(notification["recipient"])
    data = notification["data"] if isinstance(notification["data"], dict) else msgspec.json.decode(notification["data"])
    values = {
        "name": account.name,
        "title": notification["title"],
        "body": notification["body"],
        "link": data.get("link"),
        "preferences_link": f"{runtime.settings.public_url}/account/notifications",
    }
    attachments = []
    if notification["kind"] in INVITATION_KINDS and data.get("booking_id"):
        invitation = await ics.invitation(UUID(data["booking_id"]), account.id, runtime.clock.now())
        if invitation is not None:
            method = "CANCEL" if notification["kind"] == "booking.cancelled" else "REQUEST"
            attachments.append(
                Attachment(filename="booking.ics", content_type=f"text/calendar; method={method}", data=invitation)
            )
    await runtime.mailer.send(
        Mail(
            to=account.email,
            subject=notification["title"],
            text=_templates().get_template("email.txt.j2").render(values),
            html=_templates().get_template("email.html.j2").render(values),
            attachments=attachments,
            message_id=f"<{delivery_id}@confer>",
        )
    )


async def _push(runtime: Runtime, delivery: dict[str, Any], notification: dict[str, Any]) -> str:
    target = await _push_target(delivery["channel"], delivery["target"])
    sender = push_senders(runtime).get(delivery["channel"])
    if target is None or sender is None:
        return await _finish(runtime, delivery["id"], "dropped")  # device gone, or this channel is not configured
    data = notification["data"] if isinstance(notification["data"], dict) else msgspec.json.decode(notification["data"])
    message = PushMessage(
        title=notification["title"],
        body=notification["body"],
        data={key: str(value) for key, value in data.items()},
        collapse_key=str(delivery["id"]),
    )
    try:
        outcome = await sender.send(target, message)
    except PushRejected as exc:
        log.error("notifications.push_rejected", channel=delivery["channel"], error=str(exc))
        return await _finish(runtime, delivery["id"], "dropped")
    if outcome is PushOutcome.INVALID_TOKEN:
        await _forget_target(delivery["channel"], delivery["target"])
        return await _finish(runtime, delivery["id"], "dropped")
    return await _finish(runtime, delivery["id"], "sent")


async def _push_target(channel: str, target: UUID | None) -> str | None:
    if target is None:
        return None
    if channel == "webpush":
        row = (
            await WebPushSubscription.select(WebPushSubscription.subscription)
            .where(WebPushSubscription.id == target)
            .first()
        )
        return None if row is None else str(row["subscription"])
    device = await Device.select(Device.token).where(Device.id == target).first()
    return None if device is None else str(device["token"])


async def _forget_target(channel: str, target: UUID) -> None:
    """The push service says this device or browser is gone for good (APNs 410, FCM UNREGISTERED, 404/410)."""
    if channel == "webpush":
        await WebPushSubscription.delete().where(WebPushSubscription.id == target)
    else:
        await Device.delete().where(Device.id == target)
    log.info("notifications.target_removed", channel=channel)


def push_senders(runtime: Runtime) -> dict[str, PushSender]:
    """The configured push channels, made once per process and closed with the runtime."""
    made: dict[str, PushSender] | None = runtime.extras.get("push_senders")
    if made is None:
        made = senders(runtime.section("notifications", NotificationsSettings))
        runtime.extras["push_senders"] = made
        for sender in made.values():
            runtime.on_stop(sender.close)
    return made


async def requeue_stuck(ctx: dict[str, Any]) -> int:
    """saq cron: deliveries not done within ``stuck_minutes`` (their job was lost) are queued again."""
    runtime: Runtime = ctx["runtime"]
    minutes = runtime.section("notifications", NotificationsSettings).stuck_minutes
    stuck = await Delivery.select(Delivery.id, Delivery.attempts).where(
        Delivery.status.is_in(["pending", "sending"])
        & (Delivery.updated_at < runtime.clock.now() - timedelta(minutes=minutes))
    )
    for row in stuck:  # the job key names the attempt: while that job exists, queueing it again is a no-op
        await queue(runtime, row["id"], attempt=row["attempts"] + 1)
    return len(stuck)


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
