"""Conversations (one per booking, one per class session), their messages, read marks and the host's restrictions."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table


class Conversation(Table, tablename="chat_conversation"):
    """Its id is the booking's or the class session's: ``/conversations/{booking id}`` is that booking's chat."""

    id = UUID(primary_key=True)
    kind = Varchar(length=10)
    created_at = Timestamptz()


class ChatMessage(Table, tablename="chat_message"):
    id = UUID(primary_key=True)
    conversation = ForeignKey(Conversation, on_delete=OnDelete.cascade)
    author = UUID()
    body = Text()
    """Plain text, never markup: clients render it as text."""
    created_at = Timestamptz()
    edited_at = Timestamptz(null=True, default=None)
    deleted_at = Timestamptz(null=True, default=None)


class ReadMark(Table, tablename="chat_read_mark"):
    conversation = ForeignKey(Conversation, on_delete=OnDelete.cascade)
    reader = UUID()
    read_until = Timestamptz()
    """Everything created up to this instant has been read."""


class Restriction(Table, tablename="chat_restriction"):
    """A class host's decision about one attendee: muted until an instant, or removed from the chat."""

    conversation = ForeignKey(Conversation, on_delete=OnDelete.cascade)
    member = UUID()
    muted_until = Timestamptz(null=True, default=None)
    removed = Boolean(default=False)
