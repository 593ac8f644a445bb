"""Chat: one conversation per booking (client and professional) and per class session (host and enrolled attendees,
the host moderating). Who is in a conversation is read from the booking or the enrolments each time, never copied.
New messages, edits, deletions, read receipts and typing go to the conversation's real-time channel, which only its
members follow (``chat:<id>``: a removed attendee stops following it while still following the class)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec

from confer.core import realtime
from confer.core.auth import Principal
from confer.core.errors import Conflict, Forbidden, NotFound, TooManyRequests
from confer.core.events import EventEnvelope
from confer.core.pagination import decode_cursor, encode_cursor
from confer.core.runtime import Runtime
from confer.core.text import plain_text
from confer.modules.booking.tables import Booking
from confer.modules.chat.schemas import ConversationOut, ConversationPage, MessageOut, MessagePage
from confer.modules.chat.settings import ChatSettings
from confer.modules.chat.tables import ChatMessage, Conversation, ReadMark, Restriction
from confer.modules.classes.tables import ClassSession, Enrolment

PAGE_SIZE = 50
WRITABLE_BOOKING = ("held", "pending_payment", "confirmed", "completed", "no_show")


class Muted(Forbidden):
    type = "chat-muted"
    title = "The host has muted you in this chat"


class ChatClosed(Conflict):
    type = "chat-closed"
    title = "This conversation no longer takes messages"


@dataclass(frozen=True)
class Membership:
    conversation_id: UUID
    kind: str
    host: UUID
    writable: bool
    muted_until: datetime | None


def chat_channel(conversation_id: UUID | str) -> str:
    return f"chat:{conversation_id}"


def _settings(runtime: Runtime) -> ChatSettings:
    return runtime.section("chat", ChatSettings)


# --- membership -------------------------------------------------------------------------------------------------------


async def membership(runtime: Runtime, user_id: UUID, conversation_id: UUID) -> Membership:
    """The caller's place in the conversation; 404 when they have none (strangers, removed attendees)."""
    since = runtime.clock.now() - timedelta(days=_settings(runtime).history_days)
    booking = (
        await Booking.select(Booking.client, Booking.professional, Booking.status, Booking.ends_at)
        .where((Booking.id == conversation_id) & (Booking.client != Booking.professional))
        .first()
    )
    if booking is not None:
        if user_id not in (booking["client"], booking["professional"]):
            raise NotFound("no such conversation")
        writable = booking["status"] in WRITABLE_BOOKING and booking["ends_at"] > since
        return Membership(conversation_id, "booking", booking["professional"], writable, None)
    session = (
        await ClassSession.select(ClassSession.professional, ClassSession.status, ClassSession.ends_at)
        .where(ClassSession.id == conversation_id)
        .first()
    )
    if session is None:
        raise NotFound("no such conversation")
    restriction = await _restriction(conversation_id, user_id)
    if user_id != session["professional"] and (
        (restriction is not None and restriction["removed"]) or not await _enrolled(conversation_id, user_id)
    ):
        raise NotFound("no such conversation")
    writable = session["status"] == "scheduled" and session["ends_at"] > since
    muted = restriction["muted_until"] if restriction else None
    return Membership(conversation_id, "class", session["professional"], writable, muted)


async def _enrolled(session_id: UUID, user_id: UUID) -> bool:
    return await Enrolment.exists().where(
        (Enrolment.session == session_id) & (Enrolment.client == user_id) & (Enrolment.status == "enrolled")
    )


async def _restriction(conversation_id: UUID, user_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Restriction.select(Restriction.muted_until, Restriction.removed)
        .where((Restriction.conversation == conversation_id) & (Restriction.member == user_id))
        .first()
    )
    return row


async def channels_of(runtime: Runtime, user_id: UUID) -> list[str]:
    """The chats of the person's bookings and class sessions, except those a host removed them from."""
    return [chat_channel(row["id"]) for row in await _conversations(runtime, user_id, None, 1000)]


# --- conversations and messages ---------------------------------------------------------------------------------------


async def conversations(runtime: Runtime, principal: Principal, cursor: str | None) -> ConversationPage:
    rows = await _conversations(runtime, principal.user_id, cursor, PAGE_SIZE + 1)
    items = [
        ConversationOut(
            id=row["id"],
            kind=row["kind"],
            title=row["title"],
            starts_at=row["starts_at"],
            last_message_at=row["last_at"],
            last_message=row["last_body"],
            unread=row["unread"],
        )
        for row in rows[:PAGE_SIZE]
    ]
    last = rows[PAGE_SIZE - 1] if len(rows) > PAGE_SIZE else None
    return ConversationPage(items, encode_cursor(last["sort_at"], last["id"]) if last else None)


async def _conversations(runtime: Runtime, user_id: UUID, cursor: str | None, limit: int) -> list[dict[str, Any]]:
    """Newest activity first: the person's bookings and class sessions of the last ``history_days``, each with its
    last message and how many messages of others arrived since the person's read mark."""
    since = runtime.clock.now() - timedelta(days=_settings(runtime).history_days)
    after_at, after_id = decode_cursor(cursor) if cursor else (None, None)
    rows: list[dict[str, Any]] = await Conversation.raw(
        """
        WITH p AS (
            SELECT {}::uuid AS me, {}::text[] AS statuses, {}::timestamptz AS since,
                   {}::timestamptz AS after_at, {}::uuid AS after_id
        ), mine AS (
            SELECT b.id, 'booking' AS kind, o.title, b.starts_at
              FROM p, booking b JOIN offering o ON o.id = b.offering
             WHERE (b.client = p.me OR b.professional = p.me) AND b.client <> b.professional
               AND b.status = ANY(p.statuses) AND b.ends_at > p.since
            UNION ALL
            SELECT s.id, 'class', o.title, s.starts_at
              FROM p, class_session s JOIN offering o ON o.id = s.offering
             WHERE s.status = 'scheduled' AND s.ends_at > p.since
               AND (s.professional = p.me OR EXISTS (
                    SELECT 1 FROM enrolment e WHERE e.session = s.id AND e.client = p.me AND e.status = 'enrolled'))
               AND NOT EXISTS (
                    SELECT 1 FROM chat_restriction r WHERE r.conversation = s.id AND r.member = p.me AND r.removed)
        ), listed AS (
            SELECT m.*, last.created_at AS last_at, last.body AS last_body,
                   coalesce(last.created_at, m.starts_at) AS sort_at,
                   (SELECT count(*) FROM chat_message c
                     WHERE c.conversation = m.id AND c.deleted_at IS NULL AND c.author <> p.me
                       AND c.created_at > coalesce(
                           (SELECT read_until FROM chat_read_mark r WHERE r.conversation = m.id AND r.reader = p.me),
                           '-infinity'))::int AS unread
              FROM p, mine m
              LEFT JOIN LATERAL (
                   SELECT created_at, body FROM chat_message c
                    WHERE c.conversation = m.id AND c.deleted_at IS NULL
                    ORDER BY created_at DESC LIMIT 1) last ON true
        )
        SELECT listed.* FROM listed, p
         WHERE p.after_at IS NULL OR (listed.sort_at, listed.id) < (p.after_at, p.after_id)
         ORDER BY listed.sort_at DESC, listed.id DESC
         LIMIT {}
        """,
        user_id,
        list(WRITABLE_BOOKING),
        since,
        after_at,
        after_id,
        limit,
    )
    return rows


async def messages(runtime: Runtime, principal: Principal, conversation_id: UUID, cursor: str | None) -> MessagePage:
    await membership(runtime, principal.user_id, conversation_id)
    which: Any = ChatMessage.conversation == conversation_id
    if cursor:
        before_at, before_id = decode_cursor(cursor)
        which &= (ChatMessage.created_at < before_at) | (
            (ChatMessage.created_at == before_at) & (ChatMessage.id < before_id)
        )
    rows = (
        await ChatMessage.select(*_MESSAGE_COLUMNS)
        .where(which)
        .order_by(ChatMessage.created_at, ascending=False)
        .order_by(ChatMessage.id, ascending=False)
        .limit(PAGE_SIZE + 1)
    )
    items = [_message_out(row) for row in rows[:PAGE_SIZE]]
    more = len(rows) > PAGE_SIZE
    return MessagePage(items, encode_cursor(items[-1].created_at, items[-1].id) if more else None)


async def post(runtime: Runtime, principal: Principal, conversation_id: UUID, body: str) -> MessageOut:
    member = await membership(runtime, principal.user_id, conversation_id)
    now = runtime.clock.now()
    _check_may_write(member, now)
    text = _checked_body(runtime, body)
    await _throttle(runtime, principal.user_id)
    message_id = uuid4()
    # one statement, so one short commit: the hot path of a busy chat holds no transaction open across round trips
    await ChatMessage.raw(
        "WITH conversation AS (INSERT INTO chat_conversation (id, kind, created_at) VALUES ({}, {}, {}) "
        "ON CONFLICT (id) DO NOTHING) "
        "INSERT INTO chat_message (id, conversation, author, body, created_at) VALUES ({}, {}, {}, {}, {})",
        conversation_id,
        member.kind,
        now,
        message_id,
        conversation_id,
        principal.user_id,
        text,
        now,
    )
    message = MessageOut(
        id=message_id,
        conversation_id=conversation_id,
        author_id=principal.user_id,
        body=text,
        created_at=now,
        edited_at=None,
        deleted=False,
    )
    await _announce(runtime, conversation_id, "chat.message", message)
    return message


async def edit(
    runtime: Runtime, principal: Principal, conversation_id: UUID, message_id: UUID, body: str
) -> MessageOut:
    member = await membership(runtime, principal.user_id, conversation_id)
    now = runtime.clock.now()
    _check_may_write(member, now)
    text = _checked_body(runtime, body)
    changed = await _change_own(
        runtime, principal, conversation_id, message_id, {ChatMessage.body: text, ChatMessage.edited_at: now}
    )
    message = _message_out(changed)
    await _announce(runtime, conversation_id, "chat.edited", message)
    return message


async def delete(runtime: Runtime, principal: Principal, conversation_id: UUID, message_id: UUID) -> None:
    """One's own message within the edit window; a class host may delete any message of their class's chat."""
    member = await membership(runtime, principal.user_id, conversation_id)
    now = runtime.clock.now()
    erased: dict[Any, Any] = {ChatMessage.body: "", ChatMessage.deleted_at: now}
    if member.kind == "class" and member.host == principal.user_id:
        rows = (
            await ChatMessage.update(erased)
            .where(
                (ChatMessage.id == message_id)
                & (ChatMessage.conversation == conversation_id)
                & ChatMessage.deleted_at.is_null()
            )
            .returning(*_MESSAGE_COLUMNS)
        )
        if not rows:
            raise NotFound("no such message")
        changed = rows[0]
    else:
        changed = await _change_own(runtime, principal, conversation_id, message_id, erased)
    await _announce(runtime, conversation_id, "chat.deleted", _message_out(changed))


async def _change_own(
    runtime: Runtime, principal: Principal, conversation_id: UUID, message_id: UUID, values: dict[Any, Any]
) -> dict[str, Any]:
    """Change one's own live message still within the edit window; else say why not (gone, someone else's, late)."""
    now = runtime.clock.now()
    minutes = _settings(runtime).edit_minutes
    rows = (
        await ChatMessage.update(values)
        .where(
            (ChatMessage.id == message_id)
            & (ChatMessage.conversation == conversation_id)
            & (ChatMessage.author == principal.user_id)
            & ChatMessage.deleted_at.is_null()
            & (ChatMessage.created_at > now - timedelta(minutes=minutes))
        )
        .returning(*_MESSAGE_COLUMNS)
    )
    if rows:
        changed: dict[str, Any] = rows[0]
        return changed
    mine = (
        await ChatMessage.select(ChatMessage.author, ChatMessage.deleted_at)
        .where((ChatMessage.id == message_id) & (ChatMessage.conversation == conversation_id))
        .first()
    )
    if mine is None or mine["deleted_at"] is not None or mine["author"] != principal.user_id:
        raise NotFound("no such message of yours")
    raise Conflict(f"a message can be changed only in the {minutes} minutes after sending")


async def mark_read(runtime: Runtime, principal: Principal, conversation_id: UUID, message_id: UUID | None) -> None:
    """Everything up to the message (or now) is read; the others see a read receipt."""
    await membership(runtime, principal.user_id, conversation_id)
    until = runtime.clock.now()
    if message_id is not None:
        row = (
            await ChatMessage.select(ChatMessage.created_at)
            .where((ChatMessage.id == message_id) & (ChatMessage.conversation == conversation_id))
            .first()
        )
        if row is None:
            raise NotFound("no such message")
        until = row["created_at"]
    await ReadMark.raw(
        "INSERT INTO chat_read_mark (conversation, reader, read_until) "
        "SELECT id, {}, {} FROM chat_conversation WHERE id = {} "
        "ON CONFLICT (conversation, reader) DO UPDATE SET read_until = "
        "greatest(chat_read_mark.read_until, EXCLUDED.read_until)",
        principal.user_id,
        until,
        conversation_id,
    )
    receipt = {"conversation_id": str(conversation_id), "user_id": str(principal.user_id), "read_until": until}
    await realtime.publish(runtime, [chat_channel(conversation_id)], "chat.read", msgspec.to_builtins(receipt))


async def typing(runtime: Runtime, principal: Principal, conversation_id: UUID) -> None:
    member = await membership(runtime, principal.user_id, conversation_id)
    _check_may_write(member, runtime.clock.now())
    await realtime.publish(
        runtime,
        [chat_channel(conversation_id)],
        "chat.typing",
        {"conversation_id": str(conversation_id), "user_id": str(principal.user_id)},
    )


# --- the class host's moderation --------------------------------------------------------------------------------------


async def mute(runtime: Runtime, principal: Principal, conversation_id: UUID, user_id: UUID, minutes: int) -> None:
    await _moderated(runtime, principal, conversation_id, user_id)
    until = runtime.clock.now() + timedelta(minutes=minutes)
    await _restrict(conversation_id, user_id, "muted_until", until)
    await realtime.publish(
        runtime,
        [chat_channel(conversation_id)],
        "chat.muted",
        msgspec.to_builtins({"conversation_id": str(conversation_id), "user_id": str(user_id), "until": until}),
    )


async def remove(runtime: Runtime, principal: Principal, conversation_id: UUID, user_id: UUID) -> None:
    """Out of the chat (not of the class): they no longer read or hear it."""
    await _moderated(runtime, principal, conversation_id, user_id)
    await _restrict(conversation_id, user_id, "removed", True)
    await realtime.leave_channel(runtime, [user_id], chat_channel(conversation_id))
    await realtime.notify_users(runtime, [user_id], "chat.removed", {"conversation_id": str(conversation_id)})


async def _moderated(runtime: Runtime, principal: Principal, conversation_id: UUID, user_id: UUID) -> None:
    member = await membership(runtime, principal.user_id, conversation_id)
    if member.kind != "class" or member.host != principal.user_id:
        raise NotFound("no such conversation you host")
    if user_id == principal.user_id or not await _enrolled(conversation_id, user_id):
        raise NotFound("no such attendee in this class")
    now = runtime.clock.now()
    await Conversation.insert(Conversation(id=conversation_id, kind="class", created_at=now)).on_conflict(
        target=Conversation.id, action="DO NOTHING"
    )


async def _restrict(conversation_id: UUID, user_id: UUID, column: str, value: Any) -> None:
    await Restriction.raw(
        f"INSERT INTO chat_restriction (conversation, member, {column}) VALUES ({{}}, {{}}, {{}}) "  # noqa: S608
        f"ON CONFLICT (conversation, member) DO UPDATE SET {column} = EXCLUDED.{column}",
        conversation_id,
        user_id,
        value,
    )


# --- reactions --------------------------------------------------------------------------------------------------------


async def follow_booking(runtime: Runtime, event: EventEnvelope) -> None:
    """A booking's two parties follow its chat from its first event on."""
    row = (
        await Booking.select(Booking.client, Booking.professional)
        .where(Booking.id == UUID(event.payload["booking_id"]))
        .first()
    )
    if row is not None and row["client"] != row["professional"]:
        await realtime.join_channel(
            runtime, [row["client"], row["professional"]], chat_channel(event.payload["booking_id"])
        )


async def follow_enrolment(runtime: Runtime, event: EventEnvelope) -> None:
    channel = chat_channel(event.payload["session_id"])
    if event.topic == "classes.enrolled":
        await realtime.join_channel(runtime, [event.payload["client_id"]], channel)
    else:
        await realtime.leave_channel(runtime, [event.payload["client_id"]], channel)


async def follow_hosting(runtime: Runtime, event: EventEnvelope) -> None:
    await realtime.join_channel(runtime, [event.payload["professional_id"]], chat_channel(event.payload["session_id"]))


# --- small rules ------------------------------------------------------------------------------------------------------


def _check_may_write(member: Membership, now: datetime) -> None:
    if not member.writable:
        raise ChatClosed("this booking or class is over or cancelled: its chat is read-only")
    if member.muted_until is not None and member.muted_until > now:
        raise Muted(f"muted until {member.muted_until.isoformat()}")


def _checked_body(runtime: Runtime, body: str) -> str:
    return plain_text("body", body, limit=_settings(runtime).max_length)


async def _throttle(runtime: Runtime, user_id: UUID) -> None:
    window = int(time.time() // 10)
    key = runtime.key("chat-rate", user_id, window)
    async with runtime.redis.pipeline(transaction=False) as pipe:
        pipe.incr(key)
        pipe.expire(key, 11)
        count, _ = await pipe.execute()
    if int(count) > _settings(runtime).messages_per_10_seconds:
        raise TooManyRequests(10 - int(time.time()) % 10, "too many messages; wait a few seconds")


async def _announce(runtime: Runtime, conversation_id: UUID, kind: str, message: MessageOut) -> None:
    await realtime.publish(runtime, [chat_channel(conversation_id)], kind, msgspec.to_builtins(message))


_MESSAGE_COLUMNS = (
    ChatMessage.id,
    ChatMessage.conversation,
    ChatMessage.author,
    ChatMessage.body,
    ChatMessage.created_at,
    ChatMessage.edited_at,
    ChatMessage.deleted_at,
)


def _message_out(row: dict[str, Any]) -> MessageOut:
    return MessageOut(
        id=row["id"],
        conversation_id=row["conversation"],
        author_id=row["author"],
        body=row["body"],
        created_at=row["created_at"],
        edited_at=row["edited_at"],
        deleted=row["deleted_at"] is not None,
    )
