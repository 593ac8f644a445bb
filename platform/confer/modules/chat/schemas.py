"""The chat API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Body = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class MessageCreate(msgspec.Struct, frozen=True):
    body: Body


class MessageUpdate(msgspec.Struct, frozen=True):
    body: Body


class MessageOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    conversation_id: UUID
    author_id: UUID
    body: str
    """Plain text; empty once deleted."""
    created_at: datetime
    edited_at: datetime | None
    deleted: bool


class MessagePage(msgspec.Struct, frozen=True):
    items: list[MessageOut]
    """Newest first."""
    next_cursor: str | None


class ConversationOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    """The booking's or the class session's id."""
    kind: Literal["booking", "class"]
    title: str
    starts_at: datetime
    last_message_at: datetime | None
    last_message: str | None
    unread: int


class ConversationPage(msgspec.Struct, frozen=True):
    items: list[ConversationOut]
    next_cursor: str | None


class ReadUpTo(msgspec.Struct, frozen=True):
    message_id: UUID | None = None
    """Everything up to this message is read (default: everything so far)."""


class Mute(msgspec.Struct, frozen=True):
    minutes: Annotated[int, msgspec.Meta(ge=1, le=7 * 24 * 60)] = 60
