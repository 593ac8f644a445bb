"""Events go out with the change that caused them, and a delivery happens at most once to completion."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from confer.core.jobs import deliver_event, prune_outbox, relay_outbox
from confer.core.runtime import Runtime
from confer.core.tables import HandledEvent, OutboxEvent
from tests.support import PASSWORD, Mailbox, register


async def test_a_refused_change_publishes_no_event(client: httpx.AsyncClient) -> None:
    await register(client, "first@example.org", verified=False)
    duplicate = await client.post(
        "/api/v1/auth/register",
        json={"email": "first@example.org", "password": PASSWORD, "name": "Again", "timezone": "UTC"},
    )
    assert duplicate.status_code == 409
    assert await OutboxEvent.count().where(OutboxEvent.topic == "accounts.registered") == 1


async def test_the_relay_hands_every_event_on_and_marks_it(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    await asyncio.gather(*(register(client, f"batch{i}@example.org", verified=False) for i in range(5)))
    for i in range(5):
        await mailbox.wait_for(f"batch{i}@example.org", "confirm")
    assert await OutboxEvent.count().where(OutboxEvent.relayed_at.is_null()) == 0
    assert await HandledEvent.count() == 5


async def test_a_repeated_delivery_does_not_send_twice(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    account = await register(client, "twice@example.org", verified=False)
    await mailbox.wait_for("twice@example.org", "confirm")
    event = await OutboxEvent.select().where(OutboxEvent.topic == "accounts.registered").first()
    assert event is not None
    for _ in range(3):
        await deliver_event(
            {"runtime": runtime},
            event_id=event["id"],
            topic="accounts.registered",
            subscriber="accounts.send_verification_mail",
            payload={"account_id": account["id"]},
        )
    assert len(mailbox.to("twice@example.org")) == 1
    assert await relay_outbox(runtime) == 0


async def test_pruning_removes_old_relayed_events_and_keys_and_keeps_the_rest(runtime: Runtime) -> None:
    now = runtime.clock.now()
    retention = timedelta(days=runtime.settings.outbox_retention_days)
    old, recent = now - retention - timedelta(hours=1), now - retention + timedelta(hours=1)
    for name, created, relayed in (
        ("old relayed", old, old),
        ("recently relayed", old, recent),
        ("old, never relayed", old, None),
    ):
        await OutboxEvent.raw(
            "INSERT INTO outbox_event (topic, payload, created_at, relayed_at) "
            "VALUES ('tests.nobody', {}::jsonb, {}, {})",
            f'{{"name": "{name}"}}',
            created,
            relayed,
        )
    for key, handled in (("1:old", old), ("2:recent", recent)):
        await HandledEvent.raw("INSERT INTO handled_event (key, handled_at) VALUES ({}, {})", key, handled)

    assert await prune_outbox({"runtime": runtime}) == 2

    kept = await OutboxEvent.raw("SELECT payload->>'name' AS name FROM outbox_event WHERE topic = 'tests.nobody'")
    assert sorted(row["name"] for row in kept) == ["old, never relayed", "recently relayed"]
    assert [row["key"] for row in await HandledEvent.select(HandledEvent.key)] == ["2:recent"]
