"""Domain events through the transactional outbox (DESIGN §7).

``publish`` writes the event in the caller's transaction, so it exists if and only if the change does. The worker's
relay (:mod:`confer.core.jobs`) later hands each event to the job queue once per subscriber.
"""

from __future__ import annotations

from typing import Any

import msgspec

from confer.core.tables import OutboxEvent


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
