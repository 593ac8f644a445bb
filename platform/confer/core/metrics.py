"""Request metrics for Prometheus (prometheus_client), labelled by route template, not raw path.

Litestar's Prometheus middleware labels by raw path unless told otherwise (one series per booking id), looks up four
labelled metrics per request and adds a middleware layer; we keep a series per (method, route, status), cache the
children and record from the observability middleware, which matters on the hot path (the /me benchmark).
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import Counter, Histogram

REQUESTS = Counter("confer_requests_total", "HTTP requests answered", ["method", "route", "status"])
DURATION = Histogram("confer_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"])
UNMATCHED_ROUTE = "unmatched"


def request_recorder() -> Callable[[str, str | None, int, float], None]:
    """A function recording one answered request, with the labelled series cached (children are looked up once)."""
    children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def record(method: str, route: str | None, status: int, seconds: float) -> None:
        key = (method, route or UNMATCHED_ROUTE, status)
        found = children.get(key)
        if found is None:
            found = children[key] = (REQUESTS.labels(key[0], key[1], str(status)), DURATION.labels(key[0], key[1]))
        found[0].inc()
        found[1].observe(seconds)

    return record
