"""What each process keeps in memory for the hot path stays true across processes (Redis pub/sub, real Redis):
ended sessions, changed accounts and rate-limit counts reach a second process as they would another API replica."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from uuid import UUID

import httpx
import jwt
import msgspec
import pytest
from redis.asyncio import Redis

from confer.core.auth import RevokedSessions
from confer.core.broadcast import Broadcast
from confer.core.rate_limit import RateCounter
from confer.core.runtime import Runtime
from confer.modules.accounts.account_cache import CHANGED_TOPIC, AccountCache
from confer.modules.accounts.schemas import AccountOut
from tests.support import bearer, signed_in


class OtherProcess:
    """The memory another replica would have: its own Redis connections and subscription."""

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        assert settings.redis_url is not None
        self.redis: Redis = Redis.from_url(settings.redis_url)
        self.broadcast = Broadcast(settings.redis_url, f"{settings.redis_namespace}:broadcast")
        self.revoked = RevokedSessions(
            self.redis, settings.redis_namespace, self.broadcast, runtime.clock, settings.access_token_seconds
        )

    async def close(self) -> None:
        await self.broadcast.stop()
        await self.redis.aclose()


@pytest.fixture
async def other_process(runtime: Runtime) -> AsyncIterator[OtherProcess]:
    other = OtherProcess(runtime)
    await other.broadcast.start()
    yield other
    await other.close()


async def _eventually(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the other process never learnt of the change"
        await asyncio.sleep(0.01)


def _session_id(tokens: dict[str, str]) -> UUID:
    return UUID(jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"])


async def test_a_session_ended_here_is_refused_by_another_process(
    client: httpx.AsyncClient, other_process: OtherProcess
) -> None:
    tokens = await signed_in(client, "roaming@example.org")
    session = _session_id(tokens)
    assert not other_process.revoked.is_revoked(session)
    assert (await client.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    await _eventually(lambda: other_process.revoked.is_revoked(session))


async def test_a_process_starting_later_learns_earlier_revocations_from_redis(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    tokens = await signed_in(client, "earlier@example.org")
    await client.post("/api/v1/auth/logout", headers=bearer(tokens))
    latecomer = OtherProcess(runtime)
    await latecomer.broadcast.start()
    try:
        assert latecomer.revoked.is_revoked(_session_id(tokens))
    finally:
        await latecomer.close()


async def test_a_profile_change_here_empties_another_process_cache(
    client: httpx.AsyncClient, other_process: OtherProcess
) -> None:
    tokens = await signed_in(client, "cached@example.org")
    me = msgspec.convert((await client.get("/api/v1/me", headers=bearer(tokens))).json(), AccountOut)
    cache = AccountCache()
    other_process.broadcast.on(CHANGED_TOPIC, lambda payload: cache.forget(UUID(payload["id"])))
    cache.put(me, cache.generation)
    assert cache.get(me.id) == me
    await client.patch("/api/v1/me", headers=bearer(tokens), json={"name": "Renamed"})
    await _eventually(lambda: cache.get(me.id) is None)
    assert (await client.get("/api/v1/me", headers=bearer(tokens))).json()["name"] == "Renamed"


async def test_a_read_that_began_before_a_change_does_not_cache_the_old_row() -> None:
    cache = AccountCache()
    stale = AccountOut(
        id=UUID(int=1),
        email="a@example.org",
        name="Old",
        role="client",
        timezone="UTC",
        locale="en",
        avatar_url=None,
        email_verified=False,
        created_at=datetime.now(UTC),
    )
    began = cache.generation
    cache.forget(stale.id)  # the change lands while the read is in flight
    cache.put(stale, began)
    assert cache.get(stale.id) is None


async def test_rate_counts_add_up_across_processes(runtime: Runtime, other_process: OtherProcess) -> None:
    here = RateCounter(runtime.redis, runtime.settings.redis_namespace)
    there = RateCounter(other_process.redis, runtime.settings.redis_namespace)
    now = time.time()
    assert [here.hit("198.51.100.7", now) for _ in range(3)] == [1, 2, 3]
    await here.flush()
    assert there.hit("198.51.100.7", now) == 1  # not flushed yet: it only knows its own
    await there.flush()
    assert there.hit("198.51.100.7", now) == 5  # 3 from here + 1 flushed + this one
    assert here.hit("198.51.100.8", now) == 1  # another address has its own count
