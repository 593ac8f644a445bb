"""Request metrics for Prometheus (prometheus_client), labelled by route template, not raw path.

Litestar's Prometheus middleware labels by raw path unless told otherwise (one series per booking id) and looks up
four labelled metrics per request; this one keeps a series per (method, route, status) and caches the children,
which matters on the hot path (the /me benchmark).
"""

from __future__ import annotations

import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Counter, Histogram

REQUESTS = Counter("confer_requests_total", "HTTP requests answered", ["method", "route", "status"])
DURATION = Histogram("confer_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"])
UNMATCHED_ROUTE = "unmatched"


def metrics_middleware(app: ASGIApp) -> ASGIApp:
    children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def series(method: str, route: str, status: int) -> tuple[Counter, Histogram]:
        key = (method, route, status)
        found = children.get(key)
        if found is None:
            found = children[key] = (REQUESTS.labels(method, route, str(status)), DURATION.labels(method, route))
        return found

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_recording_status)
        finally:
            requests, duration = series(scope["method"], scope.get("path_template") or UNMATCHED_ROUTE, status)
            requests.inc()
            duration.observe(time.perf_counter() - started)

    return middleware
