"""Accounts each process has read for ``GET /me``, kept true by broadcasting every change (see core.broadcast).

A change forgets the entry here at once and in the other processes as soon as the message arrives; a reconnection
forgets everything. A read that started before a change never stores its (possibly older) row: each change bumps a
generation, and a read stores only if the generation it started with is still current. Entries also age out.
"""

from __future__ import annotations

import time
from uuid import UUID

from confer.core.runtime import Runtime
from confer.modules.accounts.schemas import AccountOut

CHANGED_TOPIC = "accounts.changed"
ENTRY_SECONDS = 60.0
MAX_ENTRIES = 50_000


class AccountCache:
    def __init__(self) -> None:
        self._entries: dict[UUID, tuple[AccountOut, float]] = {}
        self.generation = 0

    def get(self, account_id: UUID) -> AccountOut | None:
        entry = self._entries.get(account_id)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, account: AccountOut, read_in_generation: int) -> None:
        if read_in_generation != self.generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[account.id] = (account, time.monotonic() + ENTRY_SECONDS)

    def forget(self, account_id: UUID) -> None:
        self.generation += 1
        self._entries.pop(account_id, None)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()


def account_cache(runtime: Runtime) -> AccountCache:
    """This process's cache, created (and subscribed to changes) on first use."""
    cache = runtime.extras.get("accounts.cache")
    if not isinstance(cache, AccountCache):
        cache = AccountCache()
        runtime.broadcast.on(CHANGED_TOPIC, lambda payload: cache.forget(UUID(payload["id"])))
        runtime.broadcast.on_resync(cache.clear)
        runtime.extras["accounts.cache"] = cache
    return cache


async def announce_change(runtime: Runtime, account_id: UUID) -> None:
    """Call after the change is committed."""
    account_cache(runtime).forget(account_id)
    await runtime.broadcast.publish(runtime.redis, CHANGED_TOPIC, {"id": str(account_id)})
