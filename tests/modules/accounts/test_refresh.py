"""Refresh-token rotation: tabs racing with one token share one successor; real reuse ends the whole family."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.modules.accounts.tables import AuthSession, RefreshToken
from tests.support import assert_problem, bearer, signed_in

RACERS = 8


async def _refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})


async def test_parallel_refreshes_with_one_token_all_get_the_same_successor_and_the_family_lives(
    client: httpx.AsyncClient,
) -> None:
    tokens = await signed_in(client, "tabs@example.org")
    answers = await asyncio.gather(*(_refresh(client, tokens["refresh_token"]) for _ in range(RACERS)))

    assert [a.status_code for a in answers] == [200] * RACERS, [a.text for a in answers]
    successors = {a.json()["refresh_token"] for a in answers}
    assert len(successors) == 1
    assert tokens["refresh_token"] not in successors
    for answer in answers:  # every tab's access token works
        assert (await client.get("/api/v1/me", headers=bearer(answer.json()))).status_code == 200
    assert await AuthSession.count().where(AuthSession.revoked_at.is_not_null()) == 0
    assert await RefreshToken.count() == 2  # the spent token and one successor, not one per racer
    # the family goes on: the shared successor rotates as usual
    assert (await _refresh(client, successors.pop())).status_code == 200


async def test_a_spent_token_again_within_the_grace_window_gets_the_same_successor(
    client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    first = await signed_in(client, "retry@example.org")
    second = (await _refresh(client, first["refresh_token"])).json()
    clock.advance(timedelta(seconds=runtime.settings.refresh_grace_seconds - 1))
    again = await _refresh(client, first["refresh_token"])
    assert again.status_code == 200, again.text
    assert again.json()["refresh_token"] == second["refresh_token"]
    assert (await client.get("/api/v1/me", headers=bearer(second))).status_code == 200


async def test_reusing_a_spent_refresh_token_after_the_grace_window_ends_the_whole_family(
    client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    first = await signed_in(client, "leaky@example.org")
    second = (await _refresh(client, first["refresh_token"])).json()
    clock.advance(timedelta(seconds=runtime.settings.refresh_grace_seconds + 1))

    assert_problem(await _refresh(client, first["refresh_token"]), 401)
    # The thief's replay also ended the legitimate holder's newer tokens: the family is gone.
    assert_problem(await _refresh(client, second["refresh_token"]), 401)
    assert_problem(await client.get("/api/v1/me", headers=bearer(second)), 401)
    assert await AuthSession.count().where(AuthSession.revoked_reason == "refresh-token-reuse") == 1


async def test_the_sealed_successor_is_no_token_by_itself(client: httpx.AsyncClient) -> None:
    """What the database keeps of a successor opens nothing: neither its bytes nor their text is a refresh token."""
    first = await signed_in(client, "sealed@example.org")
    second = (await _refresh(client, first["refresh_token"])).json()
    sealed = (await RefreshToken.select(RefreshToken.successor_sealed).where(RefreshToken.used_at.is_not_null()))[0]
    assert second["refresh_token"].encode() not in sealed["successor_sealed"]
    assert_problem(await _refresh(client, sealed["successor_sealed"].hex()), 401)
    assert (await client.get("/api/v1/me", headers=bearer(second))).status_code == 200
