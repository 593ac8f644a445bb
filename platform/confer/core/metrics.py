"""Request metrics for Prometheus (prometheus_client), labelled by route template, not raw path.

Litestar's Prometheus middleware labels by raw path unless told otherwise (one series per booking id), looks up four
labelled metrics per request and adds a middleware layer; we keep a series per (method, route, status), cache the
children and record from the observability middleware, which matters on the hot path (the /me benchmark).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path

from prometheus_client import Counter, Histogram

REQUESTS = Counter("confer_requests_total", "HTTP requests answered", ["method", "route", "status"])
DURATION = Histogram("confer_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"])
UNMATCHED_ROUTE = "unmatched"
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


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


@contextlib.contextmanager
def shared_by_workers(environ: MutableMapping[str, str] = os.environ) -> Iterator[Path]:
    """Metrics summed over the worker processes of ``confer serve``, whichever one a scrape reaches.

    prometheus_client's multiprocess mode: each process writes its samples to files in ``PROMETHEUS_MULTIPROC_DIR``
    (it reads the variable when first imported, so the workers must start after this is set) and ``/metrics`` reads
    them all (Litestar's controller does when the variable is set). The directory must start empty, or the files of
    an earlier run would be counted again: an operator's directory is emptied of them, otherwise a new temporary one
    is made and removed at the end.
    """
    given = environ.get(MULTIPROCESS_DIR)
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix="confer-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    environ[MULTIPROCESS_DIR] = str(directory)
    try:
        yield directory
    finally:
        if not given:
            shutil.rmtree(directory, ignore_errors=True)
