"""What each process keeps in memory for the hot path stays true across processes (Redis pub/sub, real Redis):
ended sessions, changed accounts and rate-limit counts reach a second process as they would another API replica."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from uuid import UUID

import httpx
import pytest
from redis.asyncio import Redis

from confer.core.rate_limit import RateCounter
from confer.core.runtime import Runtime
from confer.modules.accounts.account_cache import AccountCache
from confer.modules.accounts.schemas import AccountOut
from tests.core.test_realtime import _api_process
from tests.support import bearer, signed_in


class OtherProcess:
    """The Redis connection another replica would have."""

    def __init__(self, runtime: Runtime) -> None:
        assert runtime.settings.redis_url is not None
        self.redis: Redis = Redis.from_url(runtime.settings.redis_url)


@pytest.fixture
async def other_process(runtime: Runtime) -> AsyncIterator[OtherProcess]:
    other = OtherProcess(runtime)
    yield other
    await other.redis.aclose()


@contextlib.asynccontextmanager
async def replica(environ: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a second app process: its own runtime, Redis connections, broadcast subscription and memory, as
    another API replica would have."""
    with _api_process(environ) as socket_base:
        async with httpx.AsyncClient(base_url=socket_base.replace("ws://", "http://"), timeout=30) as http:
            yield http


async def _until(condition: Callable[[], Awaitable[bool]]) -> None:
    """The message crosses Redis pub/sub to another process; what it corrects would stay wrong far longer (a cached
    account for a minute, an ended session until its token expires)."""
    async with asyncio.timeout(5):
        while not await condition():  # noqa: ASYNC110 - another process changes
            await asyncio.sleep(0.02)


async def test_a_session_ended_here_is_refused_by_another_app_process(
    client: httpx.AsyncClient, test_environ: dict[str, str]
) -> None:
    tokens = await signed_in(client, "roaming@example.org")
    async with replica(test_environ) as there:
        assert (await there.get("/api/v1/me", headers=bearer(tokens))).status_code == 200
        assert (await client.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
        await _until(lambda: _refused(there, tokens))


async def test_a_process_starting_later_learns_earlier_revocations_from_redis(
    client: httpx.AsyncClient, test_environ: dict[str, str]
) -> None:
    tokens = await signed_in(client, "earlier@example.org")
    assert (await client.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    async with replica(test_environ) as latecomer:
        assert await _refused(latecomer, tokens)


async def _refused(there: httpx.AsyncClient, tokens: dict[str, str]) -> bool:
    answer = await there.get("/api/v1/me", headers=bearer(tokens))
    assert answer.status_code in (200, 401), answer.text
    return answer.status_code == 401


async def test_a_profile_change_here_reaches_the_account_another_app_process_has_cached(
    client: httpx.AsyncClient, test_environ: dict[str, str]
) -> None:
    """The cache as the app wires it: a second app process (its own runtime, cache and broadcast subscription) has
    read the account for ``GET /me``; a change made here must reach it, or it answers the old row for a minute."""
    tokens = await signed_in(client, "cached@example.org", name="Before")
    async with replica(test_environ) as there:
        assert await _name_seen(there, tokens) == "Before"  # read there, so kept in its memory
        renamed = await client.patch("/api/v1/me", headers=bearer(tokens), json={"name": "Renamed"})
        assert renamed.status_code == 200, renamed.text
        await _until(lambda: _renamed(there, tokens))


async def _renamed(there: httpx.AsyncClient, tokens: dict[str, str]) -> bool:
    return await _name_seen(there, tokens) == "Renamed"


async def _name_seen(there: httpx.AsyncClient, tokens: dict[str, str]) -> str:
    me = await there.get("/api/v1/me", headers=bearer(tokens))
    assert me.status_code == 200, me.text
    name: str = me.json()["name"]
    return name


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
