"""Registration and e-mail verification, read from mail delivered to a real SMTP server."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from confer.core.runtime import Runtime
from confer.modules.accounts.tables import Account
from tests.support import PASSWORD, Mailbox, assert_problem, bearer, login, register


async def test_a_new_client_registers_verifies_by_mail_and_signs_in(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    account = await register(client, "Ada@Example.org", name="Ada Lovelace", timezone="Europe/London", verified=False)
    assert account["email"] == "ada@example.org"
    assert account["email_verified"] is False
    assert account["role"] == "client"

    token = await mailbox.link_token("ada@example.org", "confirm your e-mail")
    verified = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 200
    assert verified.json()["email_verified"] is True

    tokens = await login(client, "ADA@example.org")
    me = await client.get("/api/v1/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json() | {"created_at": None} == account | {"email_verified": True, "created_at": None}


async def test_a_verification_link_works_once(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    await register(client, "once@example.org", verified=False)
    token = await mailbox.link_token("once@example.org", "confirm")
    assert (await client.post("/api/v1/auth/verify-email", json={"token": token})).status_code == 200
    again = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert_problem(again, 400, "invalid-token")
    forged = await client.post("/api/v1/auth/verify-email", json={"token": "x" * 43})
    assert_problem(forged, 400, "invalid-token")


async def test_a_professional_can_ask_for_a_new_verification_link(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    await register(client, "pro@example.org", role="professional", verified=False)
    await mailbox.wait_for("pro@example.org", "confirm")
    tokens = await login(client, "pro@example.org")
    resend = await client.post("/api/v1/auth/verify-email/resend", headers=bearer(tokens))
    assert resend.status_code == 202
    for _ in range(100):
        if len(mailbox.to("pro@example.org")) == 2:
            break
        await asyncio.sleep(0.05)
    links = mailbox.to("pro@example.org")
    assert len(links) == 2
    token = await mailbox.link_token("pro@example.org", "confirm")
    assert (await client.post("/api/v1/auth/verify-email", json={"token": token})).json()["role"] == "professional"


async def test_a_taken_email_is_a_conflict_whatever_its_case(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client, "taken@example.org")
    again = await client.post(
        "/api/v1/auth/register",
        json={"email": "TAKEN@example.org", "password": PASSWORD, "name": "Other", "timezone": "UTC"},
    )
    assert_problem(again, 409, "email-taken")
    assert await Account.count() == 1


async def test_twenty_simultaneous_registrations_of_one_address_make_one_account(client: httpx.AsyncClient) -> None:
    body = {"email": "race@example.org", "password": PASSWORD, "name": "Racer", "timezone": "UTC"}
    responses = await asyncio.gather(*(client.post("/api/v1/auth/register", json=body) for _ in range(20)))
    assert Counter(r.status_code for r in responses) == {201: 1, 409: 19}
    assert await Account.count().where(Account.email == "race@example.org") == 1


async def test_weak_passwords_are_refused_with_the_field_named(client: httpx.AsyncClient) -> None:
    for password, fragment in [
        ("short1!", "length"),
        ("password123", "common"),
        ("aaaaaaaaaaaaaa", "different characters"),
        ("weakling-secret-99", "e-mail"),
    ]:
        response = await client.post(
            "/api/v1/auth/register",
            json={"email": "weakling@example.org", "password": password, "name": "W", "timezone": "UTC"},
        )
        problem = assert_problem(response, 422, "validation")
        assert problem["errors"][0]["field"] == "password"
        assert fragment in problem["errors"][0]["message"].lower()
    assert await Account.count() == 0


async def test_bad_registrations_are_refused_and_write_nothing(client: httpx.AsyncClient) -> None:
    good = {"email": "good@example.org", "password": PASSWORD, "name": "Good", "timezone": "UTC"}
    cases = [
        ({**good, "timezone": "Mars/Olympus"}, "timezone"),
        ({**good, "email": "not-an-address"}, "email"),
        ({**good, "role": "admin"}, "role"),
        ({**good, "name": ""}, "name"),
        ({**good, "is_admin": True}, "is_admin"),
        ({**good, "password": 1234567890}, "password"),
        ({k: v for k, v in good.items() if k != "email"}, "email"),
    ]
    for body, field in cases:
        problem = assert_problem(await client.post("/api/v1/auth/register", json=body), 422, "validation")
        assert field in " ".join(e["field"] + e["message"] for e in problem["errors"]), problem
    assert await Account.count() == 0
