"""The process's shared clients, built once from settings: the app, the worker and the CLI all use one ``Runtime``.

It lives in ``app.state.runtime`` and reaches handlers through dependency injection, and jobs through saq's context;
nothing here is module-level state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from litestar import Litestar
from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from saq.queue.redis import RedisQueue

from confer.core import db
from confer.core.auth import AccessTokens, RevokedSessions, TokenKeys
from confer.core.broadcast import Broadcast
from confer.core.clock import Clock, SystemClock
from confer.core.mail import Mailer, mailer_from_settings
from confer.core.modules import Module, resolve_modules
from confer.core.rate_limit import RateCounter
from confer.core.realtime import RealtimeHub
from confer.settings import Settings, SettingsError, load_section

S = TypeVar("S", bound=msgspec.Struct)


class Runtime:
    """Not a dataclass on purpose: Litestar would try to validate a dataclass injected as a dependency."""

    def __init__(
        self,
        *,
        settings: Settings,
        modules: list[Module],
        module_settings: dict[str, msgspec.Struct],
        engine: PostgresEngine,
        registry: AppRegistry,
        redis: Redis,
        queue: RedisQueue,
        clock: Clock,
        mailer: Mailer,
        access_tokens: AccessTokens,
    ) -> None:
        self.settings = settings
        self.modules = modules
        self.module_settings = module_settings
        self.engine = engine
        self.registry = registry
        self.redis = redis
        self.queue = queue
        self.clock = clock
        self.mailer = mailer
        self.access_tokens = access_tokens
        self.broadcast = Broadcast(settings.redis_url or "", f"{settings.redis_namespace}:broadcast")
        self.revoked_sessions = RevokedSessions(
            redis, settings.redis_namespace, self.broadcast, clock, settings.access_token_seconds
        )
        self.rate_counter = RateCounter(redis, settings.redis_namespace)
        self.realtime = RealtimeHub(redis, settings.redis_namespace)
        self._users = 0
        self._stop_hooks: list[Callable[[], Awaitable[None]]] = []
        self.extras: dict[str, Any] = {}
        """Per-process objects a module keeps for itself (e.g. its password hasher), keyed by name."""

    @classmethod
    def build(
        cls, settings: Settings, *, environ: dict[str, str], clock: Clock | None = None, mailer: Mailer | None = None
    ) -> Runtime:
        """Resolve the modules and read their settings sections; connect nothing yet (see :meth:`start`)."""
        if not settings.database_url or not settings.redis_url:
            raise SettingsError(["CONFER_DATABASE_URL and CONFER_REDIS_URL must be set (confer dev sets them itself)"])
        modules = resolve_modules(settings.modules)
        module_settings = _module_settings(modules, environ)
        clock = clock or SystemClock()
        engine = db.create_engine(settings.database_url)
        redis = redis_client(settings.redis_url)
        return cls(
            settings=settings,
            modules=modules,
            module_settings=module_settings,
            engine=engine,
            registry=db.configure_piccolo(engine, modules),
            redis=redis,
            queue=RedisQueue(redis_client(settings.redis_url), name=settings.redis_namespace),
            clock=clock,
            mailer=mailer or mailer_from_settings(settings),
            access_tokens=AccessTokens(TokenKeys.from_settings(settings), settings, clock),
        )

    @staticmethod
    def of(app: Litestar) -> Runtime:
        runtime: Runtime = app.state.runtime
        return runtime

    def section(self, module: str, kind: type[S]) -> S:
        value = self.module_settings[module]
        if not isinstance(value, kind):
            raise TypeError(f"module '{module}' settings are {type(value).__name__}, not {kind.__name__}")
        return value

    def key(self, *parts: object) -> str:
        """A Redis key in this deployment's namespace."""
        return ":".join([self.settings.redis_namespace, *map(str, parts)])

    async def start(self, *, pool_size: int = 10) -> None:
        """Connect; counted, so that an app and a test (or two apps) can share one runtime."""
        self._users += 1
        if self._users == 1:
            await db.open_pool(self.engine, max_size=pool_size)
            await self.queue.connect()
            await self.broadcast.start()
            await self.rate_counter.start()

    def on_stop(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run ``hook`` when the last user stops the runtime (e.g. a module closing its connections)."""
        self._stop_hooks.append(hook)

    async def stop(self) -> None:
        self._users -= 1
        if self._users == 0:
            hooks, self._stop_hooks = self._stop_hooks, []
            for hook in hooks:
                await hook()
            await self.rate_counter.stop()
            await self.broadcast.stop()
            await self.queue.disconnect()
            await self.redis.aclose()
            await db.close_pool(self.engine)


def redis_client(url: str) -> Redis:
    """A Redis client that rides out a Redis restart: a command on a connection the server closed is retried on a new
    one (with backoff) instead of failing the request or job that sent it."""
    return Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=5),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=30,
    )


def _module_settings(modules: list[Module], environ: dict[str, str]) -> dict[str, msgspec.Struct]:
    sections: dict[str, msgspec.Struct] = {}
    problems: list[str] = []
    for module in modules:
        if module.settings is None:
            continue
        try:
            sections[module.name] = load_section(module.settings, f"CONFER_{module.name.upper()}_", environ)
        except SettingsError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SettingsError(problems)
    return sections
