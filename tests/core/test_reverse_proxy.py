"""Confer behind a real reverse proxy (Debian's nginx, as DESIGN §9 has it), with clients on distinct loopback
addresses: each client keeps its own rate-limit and sign-in counters, a forged ``X-Forwarded-For`` from anyone but
the proxy is ignored, and the WebSocket upgrade goes through."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from litestar import Litestar

from confer.app import create_app
from confer.core import realtime
from confer.core.runtime import Runtime
from confer.settings import load_settings
from tests.support import PASSWORD, assert_problem, bearer, login, register, serving

RATE_LIMIT = 20
"""Requests per minute per address for the app behind the proxy: above what one test's sign-in needs."""

NGINX_CONF = """
daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    map $http_forwarded $forwarded_chain {{
        '' "for=\\"$remote_addr\\"";
        default "$http_forwarded, for=\\"$remote_addr\\"";
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header {forwarding};
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


X_FORWARDED_FOR = "X-Forwarded-For $proxy_add_x_forwarded_for"
FORWARDED = "Forwarded $forwarded_chain"
"""What nginx adds to a request it forwards: the address it saw, after what the client sent."""


def app_behind_proxy(runtime: Runtime, test_environ: dict[str, str], **environ: str) -> Litestar:
    """The app trusting ``127.0.0.1/32`` (where nginx connects from)."""
    settings = load_settings({**test_environ, "CONFER_TRUSTED_PROXIES": "127.0.0.1/32", **environ})
    return create_app(settings, runtime=runtime)


@pytest.fixture
async def behind_proxy(runtime: Runtime, test_environ: dict[str, str]) -> AsyncIterator[str]:
    """The app, reading ``X-Forwarded-For``, served on loopback."""
    app = app_behind_proxy(runtime, test_environ, CONFER_RATE_LIMIT_PER_MINUTE=str(RATE_LIMIT))
    async with serving(app) as base_url:
        yield base_url


@pytest.fixture
def nginx(behind_proxy: str, tmp_path: Path) -> Iterator[str]:
    """nginx with its own configuration in front of ``behind_proxy``; yields its base URL."""
    with running_nginx(behind_proxy, tmp_path, X_FORWARDED_FOR) as base_url:
        yield base_url


@contextlib.contextmanager
def running_nginx(upstream: str, directory: Path, forwarding: str) -> Iterator[str]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.fail("nginx not found: install Debian's nginx (apt-get install nginx; scripts/test does it)")
    port = _free_port()
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=directory, port=port, upstream=upstream, forwarding=forwarding))
    process = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(directory), "-e", str(directory / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def client_at(address: str, base_url: str) -> httpx.AsyncClient:
    """A client whose connections leave from ``address`` (any of 127.0.0.0/8 is this machine's loopback)."""
    return httpx.AsyncClient(base_url=base_url, timeout=30, transport=httpx.AsyncHTTPTransport(local_address=address))


async def rate_limited(client: httpx.AsyncClient, headers: list[dict[str, str]] | None = None) -> int:
    """How many of ``2 * RATE_LIMIT + 1`` requests were refused with 429. Sending twice the limit and one makes at
    least one window of the minute-based limiter overflow even if a minute turns during the burst."""
    answers = []
    for i in range(2 * RATE_LIMIT + 1):
        answers.append(await client.get("/api/v1/me", headers=headers[i] if headers else None))
    assert {a.status_code for a in answers} <= {401, 429}
    return sum(a.status_code == 429 for a in answers)


async def test_clients_behind_the_proxy_have_rate_limits_of_their_own(nginx: str) -> None:
    async with client_at("127.0.0.2", nginx) as first, client_at("127.0.0.3", nginx) as second:
        assert await rate_limited(first) > 0
        # the proxy appends the address it saw: what 127.0.0.2 writes itself changes nothing
        spoofed = await first.get("/api/v1/me", headers={"X-Forwarded-For": "127.0.0.9"})
        assert_problem(spoofed, 429, "too-many-requests")
        # another client through the same proxy is not affected
        assert (await second.get("/api/v1/me")).status_code == 401


async def test_a_forged_header_sent_straight_to_the_app_is_ignored(behind_proxy: str, nginx: str) -> None:
    """127.0.0.4 is not a trusted proxy: however many addresses it claims to forward for, it is counted as itself."""
    forged = [{"X-Forwarded-For": f"127.0.1.{i}"} for i in range(2 * RATE_LIMIT + 1)]
    async with client_at("127.0.0.4", behind_proxy) as direct:
        assert await rate_limited(direct, forged) > 0
    async with client_at("127.0.1.1", nginx) as claimed:  # one of the addresses it claimed is untouched
        assert (await claimed.get("/api/v1/me")).status_code == 401


async def test_sign_in_counters_are_per_client_behind_the_proxy(nginx: str, runtime: Runtime) -> None:
    limit = runtime.settings.login_failures_per_account_and_address
    async with client_at("127.0.0.2", nginx) as attacker, client_at("127.0.0.3", nginx) as owner:
        await register(owner, "owner@example.org", verified=False)
        guesses = [
            await attacker.post("/api/v1/auth/login", json={"email": "owner@example.org", "password": f"guess {i}"})
            for i in range(limit + 1)
        ]
        assert [g.status_code for g in guesses] == [401] * limit + [429]
        refused = await attacker.post("/api/v1/auth/login", json={"email": "owner@example.org", "password": PASSWORD})
        assert_problem(refused, 429, "too-many-requests")

        tokens = await login(owner, "owner@example.org")
        sessions = (await owner.get("/api/v1/auth/sessions", headers=bearer(tokens))).json()
        assert [s["ip"] for s in sessions] == ["127.0.0.3"]


@pytest.mark.parametrize(
    "value",
    ["", "garbage", "127.0.0.9, , [::1]:80", "999.0.0.1", "unknown, 1.2.3.4:5", ",, ,", "a" * 4000],
)
async def test_malformed_forwarding_headers_from_the_proxy_are_never_a_500(behind_proxy: str, value: str) -> None:
    async with client_at("127.0.0.1", behind_proxy) as from_the_proxy_address:
        answer = await from_the_proxy_address.post(
            "/api/v1/auth/login", json={"email": "x@example.org", "password": "y"}, headers={"X-Forwarded-For": value}
        )
    assert_problem(answer, 401, "invalid-credentials")


async def test_a_proxy_writing_rfc_7239_forwarded_names_the_client(
    runtime: Runtime, test_environ: dict[str, str], tmp_path: Path
) -> None:
    app = app_behind_proxy(runtime, test_environ, CONFER_FORWARDED_HEADER="forwarded")
    async with serving(app) as upstream:
        with running_nginx(upstream, tmp_path, FORWARDED) as proxy:
            async with client_at("127.0.0.5", proxy) as http:
                await register(http, "rfc@example.org", verified=False)
                forged = {"Forwarded": "for=127.0.0.9", "X-Forwarded-For": "127.0.0.8"}
                signed = await http.post(
                    "/api/v1/auth/login", json={"email": "rfc@example.org", "password": PASSWORD}, headers=forged
                )
                tokens = signed.json()
                sessions = (await http.get("/api/v1/auth/sessions", headers=bearer(tokens))).json()
    assert [s["ip"] for s in sessions] == ["127.0.0.5"]


async def test_the_websocket_upgrades_through_the_proxy(nginx: str, runtime: Runtime) -> None:
    async with client_at("127.0.0.2", nginx) as http:
        account = await register(http, "socket@example.org", verified=False)
        tokens = await login(http, "socket@example.org")
    async with websockets.connect(nginx.replace("http://", "ws://") + "/api/v1/ws", local_addr=("127.0.0.2", 0)) as ws:
        await ws.send(json.dumps({"type": "auth", "token": tokens["access_token"]}))
        marker = secrets.token_hex(8)
        async with asyncio.timeout(20):
            while True:  # the socket subscribes after auth: publish until the marker comes back through nginx
                await realtime.notify_users(runtime, [account["id"]], "test.marker", {"marker": marker})
                try:
                    async with asyncio.timeout(0.5):
                        message: dict[str, Any] = json.loads(await ws.recv())
                except TimeoutError:
                    continue
                if message["type"] == "test.marker":
                    assert message["data"] == {"marker": marker}
                    break


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"nginx exited: {error}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nginx did not start listening")
