"""Sign-in, throttling, refresh-token rotation and reuse, sessions and sign-out."""

from __future__ import annotations

from datetime import timedelta

import httpx

from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from tests.support import PASSWORD, assert_problem, bearer, login, register, signed_in


async def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client: httpx.AsyncClient) -> None:
    await register(client, "known@example.org")
    wrong = await client.post("/api/v1/auth/login", json={"email": "known@example.org", "password": "not it at all"})
    unknown = await client.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": "not it"})
    assert wrong.status_code == unknown.status_code == 401
    strip = {"instance"}
    assert {k: v for k, v in wrong.json().items() if k not in strip} == {
        k: v for k, v in unknown.json().items() if k not in strip
    }
    assert wrong.headers["content-type"] == unknown.headers["content-type"]


async def test_repeated_failures_lock_the_account_even_for_the_right_password(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await register(client, "target@example.org")
    limit = runtime.settings.login_failures_per_account_and_address
    for _ in range(limit):
        bad = await client.post("/api/v1/auth/login", json={"email": "target@example.org", "password": "guess guess"})
        assert bad.status_code == 401
    locked = await client.post("/api/v1/auth/login", json={"email": "target@example.org", "password": PASSWORD})
    assert_problem(locked, 429, "too-many-requests")
    assert 0 < int(locked.headers["retry-after"]) <= runtime.settings.login_failure_window_seconds
    # An unknown address is throttled the same way, so throttling does not reveal which addresses exist.
    for _ in range(limit):
        await client.post("/api/v1/auth/login", json={"email": "ghost@example.org", "password": "guess guess"})
    ghost = await client.post("/api/v1/auth/login", json={"email": "ghost@example.org", "password": "guess guess"})
    assert_problem(ghost, 429, "too-many-requests")


async def test_a_successful_sign_in_resets_the_account_counter(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client, "forgetful@example.org")
    for _ in range(runtime.settings.login_failures_per_account_and_address - 1):
        await client.post("/api/v1/auth/login", json={"email": "forgetful@example.org", "password": "oops oops"})
    await login(client, "forgetful@example.org")
    for _ in range(runtime.settings.login_failures_per_account_and_address - 1):
        await client.post("/api/v1/auth/login", json={"email": "forgetful@example.org", "password": "oops oops"})
    await login(client, "forgetful@example.org")


async def test_refresh_rotates_the_pair_and_the_new_access_token_works(client: httpx.AsyncClient) -> None:
    first = await signed_in(client, "rotate@example.org")
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["expires_in"] > 0
    assert (await client.get("/api/v1/me", headers=bearer(second))).status_code == 200


async def test_a_refresh_token_expires_and_a_session_has_an_absolute_end(
    client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    tokens = await signed_in(client, "ageing@example.org")
    clock.advance(timedelta(seconds=runtime.settings.refresh_token_seconds + 1))
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)

    clock.reset()
    tokens = await login(client, "ageing@example.org")
    step = timedelta(seconds=runtime.settings.refresh_token_seconds - 60)
    refreshed = tokens
    # Refreshing often keeps a session alive, but never past its absolute lifetime.
    while clock.offset + step < timedelta(seconds=runtime.settings.session_max_seconds):
        clock.advance(step)
        response = await client.post("/api/v1/auth/refresh", json={"refresh_token": refreshed["refresh_token"]})
        assert response.status_code == 200, response.text
        refreshed = response.json()
    clock.advance(step)
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": refreshed["refresh_token"]}), 401)


async def test_sessions_are_listed_and_one_can_be_ended_from_another(client: httpx.AsyncClient) -> None:
    await register(client, "devices@example.org")
    laptop = await login(client, "devices@example.org", user_agent="Laptop")
    phone = await login(client, "devices@example.org", user_agent="Phone")
    listed = (await client.get("/api/v1/auth/sessions", headers=bearer(laptop))).json()
    assert {s["user_agent"]: s["current"] for s in listed} == {"Laptop": True, "Phone": False}

    phone_session = next(s["id"] for s in listed if s["user_agent"] == "Phone")
    ended = await client.delete(f"/api/v1/auth/sessions/{phone_session}", headers=bearer(laptop))
    assert ended.status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=bearer(phone)), 401)
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}), 401)
    assert [s["user_agent"] for s in (await client.get("/api/v1/auth/sessions", headers=bearer(laptop))).json()] == [
        "Laptop"
    ]


async def test_ending_another_persons_session_is_not_found_and_changes_nothing(client: httpx.AsyncClient) -> None:
    alice = await signed_in(client, "alice@example.org")
    mallory = await signed_in(client, "mallory@example.org")
    alice_session = (await client.get("/api/v1/auth/sessions", headers=bearer(alice))).json()[0]["id"]
    attempt = await client.delete(f"/api/v1/auth/sessions/{alice_session}", headers=bearer(mallory))
    assert_problem(attempt, 404, "not-found")
    assert (await client.get("/api/v1/me", headers=bearer(alice))).status_code == 200
    unknown = await client.delete("/api/v1/auth/sessions/00000000-0000-0000-0000-000000000000", headers=bearer(alice))
    assert_problem(unknown, 404)


async def test_sign_out_ends_the_access_and_the_refresh_token(client: httpx.AsyncClient) -> None:
    tokens = await signed_in(client, "leaving@example.org")
    assert (await client.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=bearer(tokens)), 401)
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)
