"""Push channels: one small sender per push service (APNs, FCM HTTP v1, Web Push), all with the same verdicts.

A sender answers DELIVERED when the service took the message, INVALID_TOKEN when the device or subscription is
gone for good (the caller deletes it), raises PushUnavailable for what a retry with backoff may cure, and
PushRejected for a message the service will never take as it stands (no retry helps; fix the code or settings).
"""

from __future__ import annotations

import enum
from typing import Protocol

import msgspec


class PushMessage(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    body: str
    data: dict[str, str] = {}
    """Small key/values for the app, e.g. ``{"kind": "booking.confirmed", "booking_id": "..."}``."""
    collapse_key: str | None = None
    """A later message with the same key replaces an undelivered earlier one."""
    ttl_seconds: int = 86400


class PushOutcome(enum.Enum):
    DELIVERED = "delivered"
    INVALID_TOKEN = "invalid_token"


class PushUnavailable(Exception):
    """Transient failure (network, 5xx, 429, auth token fetch): the job retries with backoff."""


class PushRejected(Exception):
    """The service refused this message for a reason retrying cannot cure (malformed request, a topic or project the
    credentials do not cover): the job should fail visibly rather than retry."""


class PushSender(Protocol):
    async def send(self, target: str, message: PushMessage) -> PushOutcome: ...

    async def close(self) -> None: ...
