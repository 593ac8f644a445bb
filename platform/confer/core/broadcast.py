"""Keeping per-process memory true across processes, through Redis pub/sub.

The hot path of an authenticated request must not wait on the network (the /me benchmark). So each process keeps
what it must check on every request in memory — sessions that ended, accounts it has read — and every process
publishes what it changes. A subscriber that (re)connects first runs its resync hooks (reload from Redis, or forget
everything), so a message missed while disconnected can never leave a stale entry behind.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import structlog
from redis.asyncio import Redis

log = structlog.get_logger("confer.broadcast")

Handler = Callable[[dict[str, Any]], None]
Resync = Callable[[], Awaitable[None] | None]
RECONNECT_SECONDS = 1.0
START_SECONDS = 10.0


class Message(msgspec.Struct, frozen=True):
    topic: str
    payload: dict[str, Any]


class Broadcast:
    """One pub/sub channel per deployment; handlers by topic; resync hooks on every (re)subscription."""

    def __init__(self, redis_url: str, channel: str) -> None:
        self._redis_url = redis_url
        self._channel = channel
        self._handlers: dict[str, list[Handler]] = {}
        self._resyncs: list[Resync] = []
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    def on(self, topic: str, handler: Handler) -> None:
        self._handlers.setdefault(topic, []).append(handler)

    def on_resync(self, hook: Resync) -> None:
        self._resyncs.append(hook)

    async def publish(self, redis: Redis, topic: str, payload: dict[str, Any]) -> None:
        await redis.publish(self._channel, msgspec.json.encode(Message(topic=topic, payload=payload)))

    async def start(self) -> None:
        """Subscribe (and resync) before returning, so nothing published from now on is missed."""
        self._task = asyncio.create_task(self._listen(), name=f"broadcast:{self._channel}")
        await asyncio.wait_for(self._subscribed.wait(), START_SECONDS)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
            self._subscribed.clear()

    async def _listen(self) -> None:
        while True:
            client: Redis = Redis.from_url(self._redis_url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    await self._resync()
                    self._subscribed.set()
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            self._dispatch(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broadcast_disconnected", channel=self._channel)
                await asyncio.sleep(RECONNECT_SECONDS)
            finally:
                await client.aclose()

    async def _resync(self) -> None:
        for hook in self._resyncs:
            result = hook()
            if inspect.isawaitable(result):
                await result

    def _dispatch(self, data: bytes) -> None:
        try:
            message = msgspec.json.decode(data, type=Message)
        except msgspec.DecodeError:
            log.warning("broadcast_malformed", channel=self._channel)
            return
        for handler in self._handlers.get(message.topic, ()):
            handler(message.payload)
