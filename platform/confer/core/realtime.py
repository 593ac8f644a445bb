"""Real-time messages to people: published on a Redis channel per user, which every API replica's WebSocket
connections of that user listen to (DESIGN §7)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec

if TYPE_CHECKING:
    from confer.core.runtime import Runtime


def user_channel(runtime: Runtime, user_id: UUID | str) -> str:
    return runtime.key("user", user_id)


async def notify_users(runtime: Runtime, user_ids: Iterable[UUID | str], kind: str, data: dict[str, Any]) -> None:
    message = msgspec.json.encode({"type": kind, "data": data})
    async with runtime.redis.pipeline(transaction=False) as pipe:
        for user_id in dict.fromkeys(map(str, user_ids)):
            pipe.publish(user_channel(runtime, user_id), message)
        await pipe.execute()
