"""Rate limiting per client address, counted in Redis without a round trip on the request path.

The address is the scope's ``client``: the real client's behind trusted proxies, as the client-address middleware
(``confer.core.client_address``, ahead of this one) has set it, so clients behind one ingress are counted apart.

Each process counts hits in memory and adds them to Redis (``INCRBY`` in one pipeline) every ``FLUSH_SECONDS``,
learning the deployment-wide totals back. A request is refused when the last known total plus this process's unsent
hits passes the limit: exact within one process, and across processes at most one flush interval's worth of
requests per process over. Windows are fixed minutes. Refusals are 429 problem+json with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import msgspec
import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send
from redis.asyncio import Redis

from confer.core.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, Problem

WINDOW_SECONDS = 60
FLUSH_SECONDS = 0.1
UNMETERED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

log = structlog.get_logger("confer.rate_limit")


class RateCounter:
    """Hits per (address, minute) for this deployment, as well as this process knows them."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:rate:"
        self._unsent: dict[str, int] = {}
        self._known: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    def hit(self, address: str, now: float) -> int:
        """Count one request from ``address``; return the total for its current window, this one included."""
        key = f"{self._prefix}{address}:{int(now // WINDOW_SECONDS)}"
        unsent = self._unsent.get(key, 0) + 1
        self._unsent[key] = unsent
        return self._known.get(key, 0) + unsent

    def clear(self) -> None:
        """Forget every count held in this process (Redis keeps its own)."""
        self._unsent.clear()
        self._known.clear()

    async def flush(self) -> None:
        unsent, self._unsent = self._unsent, {}
        if not unsent:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, count in unsent.items():
                pipe.incrby(key, count)
                # not EXPIRE ... NX: that needs Redis 7, and the embedded Redis of `confer dev` is 6 (the key names
                # its window, so pushing its expiry on a little at each flush changes nothing)
                pipe.expire(key, WINDOW_SECONDS + 1)
            results = await pipe.execute()
        current = {key: int(total) for key, total in zip(unsent, results[::2], strict=True)}
        self._known = {
            key: total
            for key, total in {**self._known, **current}.items()
            if key in current or key.endswith(f":{int(time.time() // WINDOW_SECONDS)}")
        }

    async def start(self) -> None:
        self._task = asyncio.create_task(self._flush_forever(), name="rate-limit-flush")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        with contextlib.suppress(Exception):
            await self.flush()

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await self.flush()
            except Exception:
                log.exception("rate_limit_flush_failed")


def rate_limit_middleware(app: ASGIApp, *, limit: int, counter: RateCounter) -> ASGIApp:
    """Allow ``limit`` requests per client address per minute (use with ``DefineMiddleware``)."""
    limit_header = str(limit).encode()

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"] in UNMETERED_PATHS:
            await app(scope, receive, send)
            return
        now = time.time()
        client = scope.get("client")
        count = counter.hit(client[0] if client else "unknown", now)
        reset = max(1, int((now // WINDOW_SECONDS + 1) * WINDOW_SECONDS - now))
        if count > limit:
            await _too_many(scope, send, reset)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"ratelimit-limit", limit_header),
                    (b"ratelimit-remaining", str(max(0, limit - count)).encode()),
                    (b"ratelimit-reset", str(reset).encode()),
                ]
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


async def _too_many(scope: Scope, send: Send, retry_after: int) -> None:
    problem = Problem(
        type=PROBLEM_BASE + "too-many-requests",
        title="Too many requests",
        status=429,
        detail="this address sent too many requests; slow down",
        instance=scope["path"],
    )
    body = msgspec.json.encode(problem)
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 429,
        "headers": [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})
