"""Domain events through the transactional outbox (DESIGN §7).

``publish`` writes the event in the caller's transaction, so it exists if and only if the change does. The worker's
relay (:mod:`confer.core.jobs`) later hands each event to the job queue once per subscriber.

A subscriber runs inside its delivery's transaction and holds that one pool connection: it never takes a second one
(with every job of a busy worker doing the same, the pool would run dry and the worker wedge), and it never talks to
the outside world from inside the transaction. What must happen after the commit — a mail, a push, a call to another
service — it returns as an :data:`AfterCommit` action, which the worker runs once the connection is back in the pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from confer.core.tables import OutboxEvent

AfterCommit = Callable[[], Awaitable[None]]
"""A subscriber's side effect, run after its delivery committed; if it fails, the delivery is retried whole."""


class EventEnvelope(msgspec.Struct, frozen=True):
    """One delivery of one event to one subscriber; ``dedupe_key`` is unique to that pair."""

    event_id: int
    topic: str
    payload: dict[str, Any]
    dedupe_key: str


async def publish(topic: str, payload: msgspec.Struct | dict[str, Any]) -> None:
    """Record an event; call inside the transaction that makes the change it reports."""
    body = msgspec.to_builtins(payload)
    await OutboxEvent.insert(OutboxEvent(topic=topic, payload=msgspec.json.encode(body).decode())).run()


async def publish_on(connection: Any, topic: str, payload: msgspec.Struct | dict[str, Any]) -> None:
    """``publish`` for code that runs its transaction on a raw asyncpg connection (hot paths)."""
    await connection.execute(
        "INSERT INTO outbox_event (topic, payload, created_at) VALUES ($1, $2::jsonb, now())",
        topic,
        msgspec.json.encode(msgspec.to_builtins(payload)).decode(),
    )
