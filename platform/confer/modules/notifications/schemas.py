"""The notifications API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec


class NotificationOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    kind: str
    title: str
    body: str
    link: str | None
    data: dict[str, str]
    created_at: datetime
    read_at: datetime | None


class NotificationPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class ReadRequest(msgspec.Struct, frozen=True):
    ids: Annotated[list[UUID], msgspec.Meta(max_length=500)] = []
    all: bool = False


class UnreadCount(msgspec.Struct, frozen=True):
    unread: int


class PreferenceOut(msgspec.Struct, frozen=True):
    kind: str
    channel: str
    """``in_app``, ``email`` or ``push`` (phones and browsers)."""
    enabled: bool


class Preferences(msgspec.Struct, frozen=True):
    kinds: list[str]
    channels: list[str]
    preferences: list[PreferenceOut]


class DeviceIn(msgspec.Struct, frozen=True):
    platform: Literal["apns", "fcm"]
    token: Annotated[str, msgspec.Meta(min_length=8, max_length=4096, pattern=r"^[A-Za-z0-9:_\-.]+$")]


class DeviceRef(msgspec.Struct, frozen=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class SubscriptionKeys(msgspec.Struct, frozen=True):
    p256dh: Annotated[str, msgspec.Meta(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_\-=]+$")]
    auth: Annotated[str, msgspec.Meta(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_\-=]+$")]


class WebPushSubscriptionIn(msgspec.Struct, frozen=True):
    """What the browser's ``PushSubscription.toJSON()`` gives."""

    endpoint: Annotated[str, msgspec.Meta(pattern=r"^https://", max_length=2048)]
    keys: SubscriptionKeys


class WebPushRef(msgspec.Struct, frozen=True):
    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]


PushOutcome = Literal["added", "renewed", "moved"]


class PushTargetOut(msgspec.Struct, frozen=True):
    """What registering a phone or a browser for push did."""

    outcome: PushOutcome
    """``added``: new; ``renewed``: it was already yours; ``moved``: it was another account's (that phone or browser
    is now signed in to yours), which no longer gets pushes on it."""


class WebPushKey(msgspec.Struct, frozen=True):
    public_key: str | None
    """The VAPID public key for ``pushManager.subscribe({applicationServerKey})``; null when Web Push is off."""
