"""Password-reset links die when the password changes: by one of them, or by the signed-in person."""

from __future__ import annotations

import re

import httpx

from confer.core.events import EventEnvelope
from confer.core.jobs import run_subscriber
from confer.core.runtime import Runtime
from confer.modules.accounts import service as accounts
from tests.support import PASSWORD, Mailbox, assert_problem, bearer, login, register

NEW_PASSWORD = "a brand new secret phrase"


async def _two_reset_links(client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox, email: str) -> list[str]:
    """Two reset mails for ``email`` (as if asked for twice, a while apart), returning their tokens in order."""
    account_id = (await client.get("/api/v1/me", headers=bearer(await login(client, email)))).json()["id"]
    for attempt in range(2):  # as the worker delivers each request: token committed, then the mail sent
        envelope = EventEnvelope(0, "accounts.password_reset_requested", {"account_id": account_id}, f"0:{attempt}")
        assert await run_subscriber(runtime, accounts.send_password_reset_mail, envelope)
    mails = [m for m in mailbox.to(email) if "reset your" in str(m["Subject"]).lower()]
    tokens = []
    for mail in mails:
        body = mail.get_body(preferencelist=("plain",))
        assert body is not None
        match = re.search(r"token=([A-Za-z0-9_\-]+)", body.get_content())
        assert match
        tokens.append(match.group(1))
    assert len(set(tokens)) == 2
    return tokens


async def test_a_reset_through_one_link_kills_the_other_links(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    await register(client, "twice@example.org")
    older, newer = await _two_reset_links(client, runtime, mailbox, "twice@example.org")
    done = await client.post("/api/v1/auth/password/reset", json={"token": newer, "new_password": NEW_PASSWORD})
    assert done.status_code == 204, done.text

    stale = await client.post("/api/v1/auth/password/reset", json={"token": older, "new_password": "someone else's"})
    assert_problem(stale, 400, "invalid-token")
    await login(client, "twice@example.org", NEW_PASSWORD)


async def test_changing_the_password_kills_the_reset_links_still_out(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    await register(client, "changer@example.org")
    links = await _two_reset_links(client, runtime, mailbox, "changer@example.org")
    session = await login(client, "changer@example.org")
    changed = await client.post(
        "/api/v1/auth/password/change",
        headers=bearer(session),
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 204, changed.text

    for token in links:
        stale = await client.post("/api/v1/auth/password/reset", json={"token": token, "new_password": "an old link's"})
        assert_problem(stale, 400, "invalid-token")
    await login(client, "changer@example.org", NEW_PASSWORD)
