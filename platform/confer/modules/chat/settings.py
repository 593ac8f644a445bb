"""The chat module's settings section, read from ``CONFER_CHAT_*``."""

from __future__ import annotations

from typing import Annotated

import msgspec


class ChatSettings(msgspec.Struct, frozen=True, kw_only=True):
    max_length: Annotated[int, msgspec.Meta(ge=1, le=4000)] = 4000
    """Characters in one message."""
    edit_minutes: Annotated[int, msgspec.Meta(ge=0, le=24 * 60)] = 15
    """How long after sending one may edit or delete one's message."""
    messages_per_10_seconds: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 10
    history_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 30
    """Conversations are listed (and writable) until this long after their session ended."""
