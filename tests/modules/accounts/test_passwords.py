"""Changing and resetting passwords: links by mail, other sessions ended, throttled guesses."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
from argon2 import PasswordHasher

from confer.core.events import EventEnvelope
from confer.core.jobs import run_subscriber
from confer.core.runtime import Runtime
from confer.modules.accounts import service as accounts
from confer.modules.accounts.passwords import Passwords
from tests.support import PASSWORD, Mailbox, assert_problem, bearer, login, register, signed_in

NEW_PASSWORD = "a brand new secret phrase"


async def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await register(client, "mover@example.org")
    here = await login(client, "mover@example.org", user_agent="here")
    elsewhere = await login(client, "mover@example.org", user_agent="elsewhere")

    changed = await client.post(
        "/api/v1/auth/password/change",
        headers=bearer(here),
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(here))).status_code == 200
    assert_problem(await client.get("/api/v1/me", headers=bearer(elsewhere)), 401)
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]}), 401)
    assert (await client.post("/api/v1/auth/refresh", json={"refresh_token": here["refresh_token"]})).status_code == 200

    failed = await client.post("/api/v1/auth/login", json={"email": "mover@example.org", "password": PASSWORD})
    assert_problem(failed, 401, "invalid-credentials")
    await login(client, "mover@example.org", NEW_PASSWORD)
    await mailbox.wait_for("mover@example.org", "password was changed")


async def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(client: httpx.AsyncClient) -> None:
    tokens = await signed_in(client, "careful@example.org")
    wrong = await client.post(
        "/api/v1/auth/password/change",
        headers=bearer(tokens),
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
    )
    assert assert_problem(wrong, 422, "validation")["errors"][0]["field"] == "current_password"
    weak = await client.post(
        "/api/v1/auth/password/change",
        headers=bearer(tokens),
        json={"current_password": PASSWORD, "new_password": "password123"},
    )
    assert assert_problem(weak, 422, "validation")["errors"][0]["field"] == "new_password"
    await login(client, "careful@example.org", PASSWORD)


async def test_a_forgotten_password_is_reset_through_a_mailed_link_once(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await register(client, "forgot@example.org")
    session = await login(client, "forgot@example.org")
    asked = await client.post("/api/v1/auth/password/forgot", json={"email": "Forgot@Example.org"})
    unknown = await client.post("/api/v1/auth/password/forgot", json={"email": "stranger@example.org"})
    assert asked.status_code == unknown.status_code == 202
    assert asked.json() == unknown.json()

    token = await mailbox.link_token("forgot@example.org", "reset your")
    reset = await client.post("/api/v1/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert reset.status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=bearer(session)), 401)
    await login(client, "forgot@example.org", NEW_PASSWORD)
    again = await client.post("/api/v1/auth/password/reset", json={"token": token, "new_password": "another fine one"})
    assert_problem(again, 400, "invalid-token")
    assert mailbox.to("stranger@example.org") == []


async def test_a_reset_with_a_weak_password_keeps_the_link_usable(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    await register(client, "retry@example.org")
    await client.post("/api/v1/auth/password/forgot", json={"email": "retry@example.org"})
    token = await mailbox.link_token("retry@example.org", "reset your")
    weak = await client.post("/api/v1/auth/password/reset", json={"token": token, "new_password": "1234567890"})
    assert_problem(weak, 422, "validation")
    good = await client.post("/api/v1/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert good.status_code == 204


async def test_password_hashing_never_runs_more_than_its_bound_at_once() -> None:
    passwords = Passwords(concurrency=2, memory_kib=8192, time_cost=1)
    running = peak = 0
    lock = threading.Lock()

    class TrackedHasher(PasswordHasher):
        def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            try:
                time.sleep(0.02)  # widen the window in which an unbounded hasher would overlap
                return super().hash(password, salt=salt)
            finally:
                with lock:
                    running -= 1

    passwords._hasher = TrackedHasher(time_cost=1, memory_cost=8192, parallelism=1)
    hashes = await asyncio.gather(*(passwords.hash(f"password number {i}") for i in range(12)))
    assert peak == 2
    assert len(set(hashes)) == 12
    assert all(h.startswith("$argon2id$") for h in hashes)


async def test_a_mailed_link_works_the_moment_it_arrives(
    client: httpx.AsyncClient, mailbox: Mailbox, runtime: Runtime
) -> None:
    """A mail subscriber writes the link's token in its delivery's transaction and the mail leaves after the commit,
    so a quick click (or the mail client's link preview) finds the token."""
    await register(client, "quick@example.org")
    me = (await client.get("/api/v1/me", headers=bearer(await login(client, "quick@example.org")))).json()
    envelope = EventEnvelope(0, "accounts.password_reset_requested", {"account_id": me["id"]}, "0:test")
    assert await run_subscriber(runtime, accounts.send_password_reset_mail, envelope)  # as deliver_event does
    token = await mailbox.link_token("quick@example.org", "reset your")
    reset = await client.post("/api/v1/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert reset.status_code == 204, reset.text
