"""Events go out with the change that caused them, and a delivery happens at most once to completion."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

import httpx
import pytest

from confer.core.events import EventEnvelope
from confer.core.jobs import deliver_event, prune_outbox, relay_outbox, run_subscriber
from confer.core.mail import SmtpMailer
from confer.core.runtime import Runtime
from confer.core.tables import HandledEvent, OutboxEvent
from confer.modules.accounts import service as accounts
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
    registered = await OutboxEvent.select(OutboxEvent.id, OutboxEvent.relayed_at).where(
        OutboxEvent.topic == "accounts.registered"
    )
    assert len(registered) == 5
    assert all(row["relayed_at"] is not None for row in registered)
    # counted by key: a delivery left over from the previous test may still land in handled_event
    keys = [f"{row['id']}:accounts.send_verification_mail" for row in registered]
    assert await HandledEvent.count().where(HandledEvent.key.is_in(keys)) == 5


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


async def test_pruning_removes_old_handled_events_and_their_keys_and_keeps_the_rest(runtime: Runtime) -> None:
    now = runtime.clock.now()
    retention = timedelta(days=runtime.settings.outbox_retention_days)
    old, recent = now - retention - timedelta(hours=1), now - retention + timedelta(hours=1)
    events = {}
    for name, topic, relayed in (
        ("old, handled", "accounts.registered", old),
        ("old, never handled", "accounts.registered", old),  # a dead letter: kept for whoever looks into it
        ("old, nobody listens", "tests.nobody", old),
        ("recently relayed", "tests.nobody", recent),
        ("old, never relayed", "tests.nobody", None),
    ):
        rows = await OutboxEvent.raw(
            "INSERT INTO outbox_event (topic, payload, created_at, relayed_at) VALUES ({}, {}::jsonb, {}, {}) "
            "RETURNING id",
            topic,
            f'{{"name": "{name}"}}',
            old,
            relayed,
        )
        events[name] = rows[0]["id"]
    handled = {
        "gone": f"{events['old, handled']}:accounts.send_verification_mail",
        "of a dead letter": f"{events['old, never handled']}:accounts.something_else",
        "recent": "0:recent",
    }
    for key in handled.values():
        await HandledEvent.raw(
            "INSERT INTO handled_event (key, handled_at) VALUES ({}, {})", key, recent if key == "0:recent" else old
        )

    assert await prune_outbox({"runtime": runtime}) == 3

    kept = await OutboxEvent.raw(
        "SELECT payload->>'name' AS name FROM outbox_event WHERE id = ANY({})", list(events.values())
    )
    assert sorted(row["name"] for row in kept) == ["old, never handled", "old, never relayed", "recently relayed"]
    keys = await HandledEvent.select(HandledEvent.key).where(HandledEvent.key.is_in(list(handled.values())))
    assert sorted(row["key"] for row in keys) == sorted([handled["of a dead letter"], handled["recent"]])


async def test_a_mail_that_cannot_leave_gives_its_delivery_back_to_be_retried_whole(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    """The mail leaves after the delivery's commit; when the relay refuses it, the dedupe key is given back, so the
    retry runs the subscriber again (a fresh link) instead of finding the delivery done."""
    account = await register(client, "retry@example.org")
    await mailbox.wait_for("retry@example.org", "confirm")
    before = len(mailbox.to("retry@example.org"))
    envelope = EventEnvelope(0, "accounts.password_reset_requested", {"account_id": account["id"]}, "0:retry-test")
    with socket.socket() as probe:  # a port nobody listens on: the mail relay is down
        probe.bind(("127.0.0.1", 0))
        down = f"smtp://127.0.0.1:{probe.getsockname()[1]}"
    relay, runtime.mailer = runtime.mailer, SmtpMailer(down, "Confer <tests@confer.test>", timeout=2)
    try:
        with pytest.raises(ConnectionError):
            await run_subscriber(runtime, accounts.send_password_reset_mail, envelope)
    finally:
        runtime.mailer = relay
    assert await HandledEvent.count().where(HandledEvent.key == envelope.dedupe_key) == 0

    assert await run_subscriber(runtime, accounts.send_password_reset_mail, envelope)
    await mailbox.wait_for("retry@example.org", "reset your")
    assert len(mailbox.to("retry@example.org")) == before + 1
    assert not await run_subscriber(runtime, accounts.send_password_reset_mail, envelope)
