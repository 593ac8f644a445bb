"""Liveness, readiness and metrics (DESIGN §5): ``/healthz`` needs nothing, ``/readyz`` needs PostgreSQL and Redis,
``/metrics`` is Prometheus text, behind a bearer token when ``CONFER_METRICS_TOKEN`` is set."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable
from typing import Any

import msgspec
from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusController

from confer.core.errors import Unauthenticated
from confer.core.runtime import Runtime
from confer.core.tables import OutboxEvent

CHECK_TIMEOUT_SECONDS = 2.0


class Health(msgspec.Struct):
    status: str
    checks: dict[str, str] = {}


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> Health:
    return Health(status="ok")


@get("/readyz", include_in_schema=False)
async def readyz(runtime: NamedDependency[Runtime]) -> Response[Health]:
    checks = {
        "database": await _check(OutboxEvent.raw("SELECT 1").run()),
        "redis": await _check(runtime.redis.ping()),
    }
    ready = all(result == "ok" for result in checks.values())
    return Response(Health(status="ok" if ready else "unavailable", checks=checks), status_code=200 if ready else 503)


async def _check(probe: Awaitable[object]) -> str:
    try:
        await asyncio.wait_for(probe, timeout=CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the kind is enough for an operator
        return f"failed: {type(exc).__name__}"
    return "ok"


def metrics_token_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    expected = Runtime.of(connection.app).settings.metrics_token
    if expected is None:
        return
    given = connection.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthenticated("metrics need the bearer token from CONFER_METRICS_TOKEN")


class MetricsController(PrometheusController):
    guards = [metrics_token_guard]
    include_in_schema = False
