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

REQUESTS = 40
SCRAPES = 12
HEALTHZ_COUNT = re.compile(r'^confer_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$', re.M)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def served(test_environ: dict[str, str], runtime: Runtime, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """``confer serve`` with two workers; yields its URL, its log file and its metrics directory. The directory
    holds a file of an earlier run, which serve must clear (else it would be counted again, or fail to parse)."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_4242.db").write_bytes(b"left by an earlier run")
    port = _free_port()
    environ = {
        **os.environ,
        **test_environ,
        "CONFER_WORKERS": "2",
        "CONFER_HOST": "127.0.0.1",
        "CONFER_PORT": str(port),
        "CONFER_LOG_LEVEL": "INFO",
        "CONFER_LOG_JSON": "true",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
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
    served: tuple[str, Path, Path],
) -> None:
    base_url, log, metrics_dir = served
    await _until_ready(base_url, log)
    assert not (metrics_dir / "counter_4242.db").exists()

    async with httpx.AsyncClient(base_url=base_url) as http:
        # No job worker runs beside this server, so no verification mail: the feed does not need one.
        await register(http, "feed-owner@example.org", verified=False)
        tokens = await login(http, "feed-owner@example.org")
        feed_url = (await http.post("/api/v1/me/calendar-feed", headers=bearer(tokens))).json()["url"]
        secret = urlsplit(feed_url).path.rsplit("/", 1)[1].removesuffix(".ics")
        assert (await http.get(urlsplit(feed_url).path)).status_code == 200

    answers = await asyncio.gather(*(_get_on_a_new_connection(f"{base_url}/healthz") for _ in range(REQUESTS)))
    assert {answer.status_code for answer in answers} == {200}

    scrapes = [await _get_on_a_new_connection(f"{base_url}/metrics") for _ in range(SCRAPES)]
    counts = [float(HEALTHZ_COUNT.findall(scrape.text)[0]) for scrape in scrapes]
    assert counts == [REQUESTS] * SCRAPES
    assert all(secret not in scrape.text for scrape in scrapes)
    assert all('route="/api/v1/calendar-feeds/{token}"' in scrape.text for scrape in scrapes)

    output = await _log_with(log, '"path": "/api/v1/calendar-feeds/<redacted>"')
    assert secret not in output
    assert output.count('"path": "/healthz"') == REQUESTS
    # Request ids start with a random prefix per process (and route): two prefixes for /healthz, two workers.
    healthz_lines = [line for line in output.splitlines() if '"path": "/healthz"' in line]
    assert len({re.findall(r'"request_id": "([0-9a-f]{16})', line)[0] for line in healthz_lines}) == 2


async def _log_with(log: Path, wanted: str) -> str:
    """The server's output once it holds ``wanted`` (log lines are written as requests end)."""
    for _ in range(200):
        output = log.read_text()
        if wanted in output:
            return output
        await asyncio.sleep(0.05)
    raise AssertionError(f"{wanted!r} never appeared in the log:\n{log.read_text()[-5000:]}")
