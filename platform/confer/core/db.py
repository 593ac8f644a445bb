"""The database: one Piccolo PostgreSQL engine per process, its pool, and migrations.

Piccolo finds its engine and apps through a ``piccolo_conf`` module; :mod:`confer.piccolo_conf` is ours, and
:func:`configure_piccolo` points it (and every table of the enabled modules) at the engine built from settings,
so the app, the worker, the migrations and Piccolo's own CLI all use one configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from collections.abc import Sequence
from importlib import import_module

import asyncpg
import structlog
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

from confer.core.modules import Module

log = structlog.get_logger("confer.db")

EXCLUSION_VIOLATION = "23P01"
UNIQUE_VIOLATION = "23505"
CORE_PICCOLO_APP = "confer.core.piccolo_app"


def create_engine(database_url: str) -> PostgresEngine:
    return PostgresEngine(config={"dsn": database_url}, log_queries=False)


def piccolo_apps(modules: Sequence[Module]) -> list[str]:
    """Import paths of the Piccolo apps: the core's first, then each enabled module's that has tables."""
    return [CORE_PICCOLO_APP, *(m.piccolo_app for m in modules if m.piccolo_app)]


def configure_piccolo(engine: PostgresEngine, modules: Sequence[Module]) -> AppRegistry:
    """Bind every table of the enabled apps (and Piccolo's migration table) to ``engine``."""
    registry = AppRegistry(apps=piccolo_apps(modules))
    conf = import_module("confer.piccolo_conf")
    conf.__dict__.update(DB=engine, APP_REGISTRY=registry)
    os.environ["PICCOLO_CONF"] = "confer.piccolo_conf"
    Migration._meta.db = engine
    for app in registry.app_configs.values():
        for table in app.table_classes:
            table._meta.db = engine
    return registry


async def open_pool(engine: PostgresEngine, *, min_size: int = 2, max_size: int = 10) -> None:
    await engine.start_connection_pool(min_size=min(min_size, max_size), max_size=max_size)


POOL_CLOSE_SECONDS = 10.0


async def close_pool(engine: PostgresEngine, *, grace_seconds: float = POOL_CLOSE_SECONDS) -> None:
    """Close the pool gracefully, but never wait past ``grace_seconds`` for connections still out: a task cancelled
    while it held one (a job cut off at shutdown) may never give it back, and a stop must end. Past that the pool's
    connections are closed at once."""
    pool = engine.pool
    if pool is None:
        return
    try:
        await asyncio.wait_for(asyncio.shield(pool.close()), grace_seconds)
    except TimeoutError:
        log.warning("database pool did not close in time; closing its connections at once", seconds=grace_seconds)
        pool.terminate()
    engine.pool = None


async def migrate(registry: AppRegistry) -> list[str]:
    """Apply every pending migration of every enabled app, dependencies first; return Piccolo's report lines."""
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{report.getvalue()}")
    return [line for line in report.getvalue().splitlines() if line.strip()]


def is_violation(exc: BaseException, sqlstate: str) -> bool:
    """True when ``exc`` is (or wraps) a PostgreSQL error with ``sqlstate``."""
    while exc is not None:
        if isinstance(exc, asyncpg.PostgresError) and exc.sqlstate == sqlstate:
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False
