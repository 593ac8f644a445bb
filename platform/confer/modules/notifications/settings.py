"""The notifications module's settings section, read from ``CONFER_NOTIFICATIONS_*`` (push channels included)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from confer.modules.notifications.push.settings import PushSettings


class NotificationsSettings(PushSettings, frozen=True, kw_only=True):
    reminder_hours: Annotated[list[int], msgspec.Meta(examples=[[24, 1]])] = msgspec.field(
        default_factory=lambda: [24, 1]
    )
    """Reminders go this many hours before a confirmed booking."""
    web_push_hosts: Annotated[
        list[str], msgspec.Meta(examples=[["fcm.googleapis.com", "push.services.mozilla.com"]])
    ] = msgspec.field(
        default_factory=lambda: [
            "fcm.googleapis.com",
            "push.services.mozilla.com",
            "notify.windows.com",
            "push.apple.com",
        ]
    )
    """Push services a browser subscription may point at (a host or a parent domain): Confer POSTs to that URL, so
    a subscription naming anything else (an internal address) is refused."""
    stuck_minutes: Annotated[int, msgspec.Meta(ge=1, le=24 * 60)] = 5
    """A delivery not done after this long (its job lost with a worker or with Redis) is queued again."""
