"""``confer serve`` as an operator runs it: several uvicorn worker processes, real logs on its standard output.

/metrics must count every request whichever worker answered it and whichever worker a scrape reaches, and no log
line or metric may carry the calendar feed's secret token.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from confer.core.runtime import Runtime
from tests.support import bearer, login, register

BATCH = 20
SCRAPES = 12
HEALTHZ_COUNT = re.compile(r'^confer_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$', re.M)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(params=["operator's directory", "no directory"])
def served(
    request: pytest.FixtureRequest, test_environ: dict[str, str], runtime: Runtime, tmp_path: Path
) -> Iterator[tuple[str, Path, Path | None]]:
    """``confer serve`` with two workers; yields its URL, its log file and the metrics directory the operator gave,
    if any. That directory holds a file of an earlier run, which serve must clear (else it would be counted again, or
    fail to parse); without one, serve makes its own."""
    environ = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    metrics_dir = None
    if request.param == "operator's directory":
        metrics_dir = tmp_path / "metrics"
        metrics_dir.mkdir()
        (metrics_dir / "counter_4242.db").write_bytes(b"left by an earlier run")
        environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    port = _free_port()
    environ |= {
        **test_environ,
        "CONFER_WORKERS": "2",
        "CONFER_HOST": "127.0.0.1",
        "CONFER_PORT": str(port),
        "CONFER_LOG_LEVEL": "INFO",
        "CONFER_LOG_JSON": "true",
    }
    log = tmp_path / "serve.log"
    confer = Path(sys.executable).with_name("confer")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(confer), "serve"], env=environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield f"http://127.0.0.1:{port}", log, metrics_dir
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def _until_ready(base_url: str, log: Path) -> None:
    for _ in range(600):
        with contextlib.suppress(httpx.TransportError):
            async with httpx.AsyncClient(base_url=base_url) as http:
                if (await http.get("/readyz")).status_code == 200:
                    return
        await asyncio.sleep(0.05)
    raise AssertionError("confer serve did not become ready:\n" + log.read_text())


async def _get_on_a_new_connection(url: str) -> httpx.Response:
    """A request on its own connection, so that the kernel may hand it to either worker."""
    async with httpx.AsyncClient() as http:
        return await http.get(url)


async def test_metrics_sum_over_workers_and_no_log_or_metric_shows_the_feed_token(
    served: tuple[str, Path, Path | None],
) -> None:
    base_url, log, metrics_dir = served
    await _until_ready(base_url, log)
    if metrics_dir is not None:
        assert not (metrics_dir / "counter_4242.db").exists()

    async with httpx.AsyncClient(base_url=base_url) as http:
        # No job worker runs beside this server, so no verification mail: the feed does not need one.
        await register(http, "feed-owner@example.org", verified=False)
        tokens = await login(http, "feed-owner@example.org")
        feed_url = (await http.post("/api/v1/me/calendar-feed", headers=bearer(tokens))).json()["url"]
        secret = urlsplit(feed_url).path.rsplit("/", 1)[1].removesuffix(".ics")
        assert (await http.get(urlsplit(feed_url).path)).status_code == 200

    sent = await _healthz_answered_by_both_workers(base_url, log)

    # A worker records a request just after answering it: wait until some scrape has them all, then every one must.
    await _scrape_until(base_url, sent)
    scrapes = [await _get_on_a_new_connection(f"{base_url}/metrics") for _ in range(SCRAPES)]
    assert [_healthz_count(scrape.text) for scrape in scrapes] == [sent] * SCRAPES
    assert all(secret not in scrape.text for scrape in scrapes)
    assert all('route="/api/v1/calendar-feeds/{token}"' in scrape.text for scrape in scrapes)

    output = await _log_with(log, '"path": "/api/v1/calendar-feeds/<redacted>"')
    assert secret not in output


async def _healthz_answered_by_both_workers(base_url: str, log: Path) -> int:
    """Send batches of /healthz on new connections until the log shows both workers answered some; how many sent.
    Request ids start with a random prefix per process (and route): two prefixes for /healthz are two workers."""
    sent = 0
    for _ in range(10):
        answers = await asyncio.gather(*(_get_on_a_new_connection(f"{base_url}/healthz") for _ in range(BATCH)))
        assert {answer.status_code for answer in answers} == {200}
        sent += BATCH
        output = await _log_with(log, '"path": "/healthz"', count=sent)
        lines = [line for line in output.splitlines() if '"path": "/healthz"' in line]
        if len({re.findall(r'"request_id": "([0-9a-f]{16})', line)[0] for line in lines}) == 2:
            return sent
    raise AssertionError(f"one worker answered all {sent} requests")


async def _scrape_until(base_url: str, expected: int) -> None:
    for _ in range(100):
        if _healthz_count((await _get_on_a_new_connection(f"{base_url}/metrics")).text) == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no scrape counted the {expected} requests to /healthz")


def _healthz_count(metrics: str) -> int:
    found = HEALTHZ_COUNT.findall(metrics)
    return int(float(found[0])) if found else 0


async def _log_with(log: Path, wanted: str, *, count: int = 1) -> str:
    """The server's output once it holds ``wanted`` ``count`` times (log lines are written as requests end)."""
    for _ in range(200):
        output = log.read_text()
        if output.count(wanted) >= count:
            return output
        await asyncio.sleep(0.05)
    raise AssertionError(f"{wanted!r} never appeared in the log:\n{log.read_text()[-5000:]}")
