"""Bookings in real time: each booking has a channel its two parties follow; every change of it is published there."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import msgspec

from confer.core import realtime
from confer.core.events import EventEnvelope
from confer.core.runtime import Runtime
from confer.modules.booking.service import ACTIVE, booking_by_id
from confer.modules.booking.tables import Booking

FOLLOWED_AFTER_END = timedelta(days=1)
"""A booking's channel is followed until a day after it ended (chat after the session, its completion)."""


async def channels_of(runtime: Runtime, user_id: UUID) -> list[str]:
    since = runtime.clock.now() - FOLLOWED_AFTER_END
    rows = await Booking.select(Booking.id).where(
        ((Booking.client == user_id) | (Booking.professional == user_id))
        & (Booking.client != Booking.professional)
        & (Booking.ends_at > since)
        & Booking.status.is_in([*ACTIVE, "completed", "no_show"])
    )
    return [realtime.booking_channel(row["id"]) for row in rows]


async def publish_change(runtime: Runtime, event: EventEnvelope) -> None:
    """Both parties' open sockets follow the booking (from its first event on) and hear what changed."""
    booking = await booking_by_id(UUID(event.payload["booking_id"]))
    if booking is None or booking.client_id == booking.professional_id:
        return
    channel = realtime.booking_channel(booking.id)
    await realtime.join_channel(runtime, [booking.client_id, booking.professional_id], channel)
    await realtime.publish(
        runtime, [channel], "booking.updated", {"event": event.topic, "booking": msgspec.to_builtins(booking)}
    )
