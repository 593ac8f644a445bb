"""Structured logs with a request id, and the ASGI middleware that assigns it.

Logs are JSON in production (one object a line) and readable in a terminal in ``dev``. Request bodies, headers,
query strings and settings are never logged, and a path is logged with its credentials redacted
(:func:`loggable_path`), so tokens and secrets cannot reach a log.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from confer.core.metrics import request_recorder
from confer.settings import Settings

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
REQUEST_ID: ContextVar[str | None] = ContextVar("confer_request_id", default=None)

SECRET_PATH_PARAMETERS = frozenset({"token"})
"""Path parameters that are credentials wherever a route declares them (the calendar feed's
``/api/v1/calendar-feeds/{token}``, which calendar apps fetch without any other authentication)."""
REDACTED = "<redacted>"

access_log = structlog.get_logger("confer.access")

Headers = list[tuple[bytes, bytes]]


def loggable_path(scope: Scope) -> str:
    """The request path as logs may show it: the values of :data:`SECRET_PATH_PARAMETERS` replaced."""
    path: str = scope["path"]
    parameters = scope.get("path_params") or {}
    for name in SECRET_PATH_PARAMETERS.intersection(parameters):
        value = str(parameters[name])
        if value:
            path = path.replace(value, REDACTED)
    return path


def configure_logging(settings: Settings) -> None:
    # saq logs every job at INFO through the standard library; keep its chatter for DEBUG.
    logging.getLogger("saq").setLevel(logging.DEBUG if settings.log_level == "DEBUG" else logging.WARNING)
    renderer: Any = (
        structlog.processors.JSONRenderer() if settings.log_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _add_request_id,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, settings.log_level)),
        cache_logger_on_first_use=True,
    )


def _add_request_id(_: Any, __: str, event: structlog.typing.EventDict) -> structlog.typing.EventDict:
    request_id = REQUEST_ID.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def observability_middleware(app: ASGIApp, *, headers_for: Callable[[str], Headers] = lambda path: []) -> ASGIApp:
    """Give every request an id (the caller's ``X-Request-ID`` if sane), bind it to logs, echo it, add the headers
    ``headers_for`` gives the path (security headers), log the access and record its metrics.

    It runs on every request, so it is one layer, uses one context variable and appends its headers rather than
    rewriting the list.
    """
    record = request_recorder()

    # Ids need to be unique, not secret: a random per-app prefix and a counter cost less than randomness per request.
    prefix = secrets.token_hex(8)
    sequence = itertools.count(1)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        incoming = next((value for name, value in scope["headers"] if name == REQUEST_ID_HEADER), b"")
        sane = _VALID_REQUEST_ID.match(incoming)
        request_id = incoming.decode("latin-1") if sane else f"{prefix}{next(sequence):016x}"
        encoded = request_id.encode("latin-1")
        started = time.perf_counter()
        status = 500
        extra = headers_for(scope["path"])

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, encoded), *extra]
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
            elapsed = time.perf_counter() - started
            record(scope["method"], scope.get("path_template"), status, elapsed)
            access_log.info(
                "request",
                request_id=request_id,
                method=scope["method"],
                path=loggable_path(scope),
                status=status,
                ms=round(elapsed * 1000, 2),
            )

    return middleware
