"""Class sessions in real time: the host and the enrolled attendees follow the session's channel."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from confer.core import realtime
from confer.core.events import EventEnvelope
from confer.core.runtime import Runtime
from confer.modules.classes.tables import ClassSession, Enrolment

FOLLOWED_AFTER_END = timedelta(days=1)


async def channels_of(runtime: Runtime, user_id: UUID) -> list[str]:
    since = runtime.clock.now() - FOLLOWED_AFTER_END
    hosted = await ClassSession.select(ClassSession.id).where(
        (ClassSession.professional == user_id) & (ClassSession.status == "scheduled") & (ClassSession.ends_at > since)
    )
    attended = await Enrolment.select(Enrolment.session).where(
        (Enrolment.client == user_id)
        & (Enrolment.status == "enrolled")
        & (Enrolment.session.status == "scheduled")
        & (Enrolment.session.ends_at > since)
    )
    return [realtime.class_channel(row["id"]) for row in hosted] + [
        realtime.class_channel(row["session"]) for row in attended
    ]


async def follow_enrolment(runtime: Runtime, event: EventEnvelope) -> None:
    """An attendee enrolled follows the session; one who left or lost the seat stops following it."""
    channel = realtime.class_channel(event.payload["session_id"])
    client = event.payload["client_id"]
    if event.topic == "classes.enrolled":
        await realtime.join_channel(runtime, [client], channel)
    else:
        await realtime.leave_channel(runtime, [client], channel)
    await realtime.notify_users(runtime, [client], "class.enrolment", {"event": event.topic, **event.payload})


async def publish_cancellation(runtime: Runtime, event: EventEnvelope) -> None:
    await realtime.publish(
        runtime, [realtime.class_channel(event.payload["session_id"])], "class.cancelled", dict(event.payload)
    )
