"""The application factory: core plugins and middleware, plus one Litestar plugin per enabled module.

No module is named here: modules arrive through :func:`confer.core.modules.resolve_modules` (DESIGN §2).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ASGIApp

from confer.core.api_docs import ApiDocsPage
from confer.core.client_address import TrustedProxies, client_address_middleware
from confer.core.dependencies import DEPENDENCIES
from confer.core.errors import EXCEPTION_HANDLERS
from confer.core.health import MetricsController, healthz, readyz
from confer.core.input_guard import CheckedRequest, input_guard_middleware
from confer.core.jobs import run_worker
from confer.core.modules import ModulePlugin
from confer.core.observability import configure_logging, observability_middleware
from confer.core.rate_limit import rate_limit_middleware
from confer.core.realtime import channels_plugin, realtime_socket
from confer.core.runtime import Runtime
from confer.core.security_headers import SecurityHeaders
from confer.settings import Settings, load_settings
from confer.web import web_client_handlers

REPOSITORY_WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


def web_dist(settings: Settings) -> Path:
    return Path(settings.web_dist) if settings.web_dist else REPOSITORY_WEB_DIST


def app_from_environment() -> Litestar:
    """The factory ``confer serve`` hands to uvicorn (each worker process builds its own app)."""
    return create_app(load_settings())


def create_app(settings: Settings, *, runtime: Runtime | None = None, run_worker_in_process: bool = False) -> Litestar:
    """Build the ASGI app. Pass ``runtime`` to share clients (tests, ``confer dev``); otherwise one is built here.
    ``run_worker_in_process`` runs the job worker and outbox relay inside the app (``confer dev``: one process)."""
    configure_logging(settings)
    runtime = runtime or Runtime.build(settings, environ=dict(os.environ))

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await runtime.start()
        stopping = asyncio.Event()
        worker = asyncio.create_task(run_worker(runtime, stopping)) if run_worker_in_process else None
        try:
            yield
        finally:
            stopping.set()
            if worker is not None:
                await worker
            await runtime.stop()

    app = Litestar(
        route_handlers=[healthz, readyz, MetricsController, realtime_socket, *web_client_handlers(web_dist(settings))],
        plugins=[channels_plugin(runtime), *(ModulePlugin(module) for module in runtime.modules)],
        dependencies=DEPENDENCIES,
        exception_handlers=dict(EXCEPTION_HANDLERS),
        middleware=[
            DefineMiddleware(
                client_address_middleware,
                trusted=TrustedProxies(settings.trusted_proxies),
                header=settings.forwarded_header,
            ),
            DefineMiddleware(rate_limit_middleware, limit=settings.rate_limit_per_minute, counter=runtime.rate_counter),
        ],
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins)) if settings.cors_origins else None,
        request_max_body_size=settings.max_request_bytes,
        request_class=CheckedRequest,
        openapi_config=_openapi(),
        state=State({"runtime": runtime}),
        lifespan=[lifespan],
        debug=False,
    )
    app.asgi_handler = _edge(app.asgi_handler, settings)
    return app


def _edge(handler: ASGIApp, settings: Settings) -> ASGIApp:
    """The layers every request passes, routed or not (Litestar's own middleware runs only for a matched route): a
    request id, the access log, metrics and the security headers outside; refusing a NUL in the path or query
    before any routing inside."""
    return observability_middleware(input_guard_middleware(handler), headers_for=SecurityHeaders(settings).for_path)


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Confer API",
        version="1",
        description="Consultations and classes by video. Errors are RFC 9457 application/problem+json.",
        path="/api/docs",
        render_plugins=[ApiDocsPage()],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
    )
