"""Stopping never hangs on the database pool."""

from __future__ import annotations

import asyncio

from confer.core import db


async def test_closing_the_pool_ends_even_with_a_connection_never_given_back(database_url: str) -> None:
    engine = db.create_engine(database_url)
    await db.open_pool(engine, min_size=1, max_size=2)
    pool = engine.pool
    await pool.acquire()  # as a job cancelled at shutdown leaves it: acquired, never released
    async with asyncio.timeout(10):
        await db.close_pool(engine, grace_seconds=0.5)
    assert engine.pool is None
    assert pool.is_closing()
