"""Benchmark Confer's authenticated ``GET /api/v1/me`` against a bare Litestar app, and sign-in throughput.

Run from the repository root::

    .venv/bin/python bench/bench_auth.py [--duration 10] [--connections 32] [--quick] [--tool auto|wrk|httpx]

It creates a throw-away PostgreSQL database and Redis namespace, migrates, serves Confer with uvicorn (one worker),
registers and signs in a bench user, then loads one target at a time:

* ``bare litestar /me``: ``bench/bare_app.py`` serving the exact body Confer's ``/me`` returned;
* ``confer GET /api/v1/me``: the real endpoint with a bearer token;
* ``confer POST auth/login``: sign-in with the correct password (argon2id, default cost and concurrency).

It prints a table and writes ``bench/results/bench_auth.json``. Everything it started or created is removed at the
end, also on failure. The target is ``/me`` at >= 50 % of the bare app's requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python")
DEFAULT_OUTPUT = BENCH_DIR / "results" / "bench_auth.json"

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"
HOST = "127.0.0.1"
RATE_LIMIT_PER_MINUTE = 100_000_000
TARGET_PERCENT = 50.0
WARMUP_SECONDS = 1.0
REQUEST_TIMEOUT_SECONDS = 30  # login queues behind 2 argon2 slots; wrk's default 2 s would drop slow answers
SERVER_START_TIMEOUT_SECONDS = 30.0

BENCH_EMAIL = "bench@example.org"
BENCH_PASSWORD = "a long quiet harbour passphrase"
# Not the brief's "a long bench passphrase": Confer refuses passwords holding the e-mail local part ("bench").
BENCH_USER = {
    "email": BENCH_EMAIL,
    "password": BENCH_PASSWORD,
    "name": "Bench User",
    "timezone": "Europe/Paris",
    "role": "client",
}
LOGIN_BODY = {"email": BENCH_EMAIL, "password": BENCH_PASSWORD}

UVICORN_FLAGS = ["--host", HOST, "--workers", "1", "--no-access-log", "--log-level", "warning"]
LOG_PROBLEM = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|Exception", re.IGNORECASE)


# --- configuration and results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchConfig:
    duration_s: float
    connections: int
    tool: str
    output: Path
    warmup_s: float = WARMUP_SECONDS
    wrk_threads: int = 1


@dataclass(frozen=True)
class Load:
    """One load to generate: a method, a URL, headers and an optional JSON body."""

    name: str
    url: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(frozen=True)
class Measurement:
    target: str
    tool: str
    requests: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


def parse_args(argv: list[str] | None = None) -> BenchConfig:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of measured load per target (10)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (32)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 s per target")
    parser.add_argument(
        "--tool",
        choices=["auto", "wrk", "httpx"],
        default="auto",
        help="load generator: wrk if installed (auto), or the asyncio+httpx fallback",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON results")
    args = parser.parse_args(argv)
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "httpx"
    if tool == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install -y wrk), or use --tool httpx")
    return BenchConfig(
        duration_s=3.0 if args.quick else args.duration, connections=args.connections, tool=tool, output=args.output
    )


# --- database, redis, environment -------------------------------------------------------------------------------------


async def create_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def delete_redis_namespace(namespace: str) -> int:
    """Delete every key holding the (random, unique) namespace: Confer's ``ns:*`` and SAQ's ``saq:ns:*``."""
    client = aioredis.from_url(REDIS_URL)
    deleted = 0
    try:
        async for key in client.scan_iter(match=f"*{namespace}*", count=1000):
            deleted += await client.delete(key)
    finally:
        await client.aclose()
    return deleted


def confer_environment(database: str, namespace: str, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CONFER_ENV": "test",
        "CONFER_DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "CONFER_REDIS_URL": REDIS_URL,
        "CONFER_REDIS_NAMESPACE": namespace,
        "CONFER_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE),
        # one client signs one account in from one address, many at once: the guess counters (counted before the
        # password check) stay on and are measured, but they must not refuse right passwords in flight
        "CONFER_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS": str(RATE_LIMIT_PER_MINUTE),
        "CONFER_LOGIN_FAILURES_PER_IP": str(RATE_LIMIT_PER_MINUTE),
        "CONFER_LOG_LEVEL": "WARNING",
        "CONFER_DATA_DIR": str(data_dir),
    }


def effective_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings Confer reads from the bench environment that matter for these numbers."""
    from confer.settings import load_settings

    settings = load_settings(environ)
    return {
        "password_hash_concurrency": settings.password_hash_concurrency,
        "password_hash_memory_kib": settings.password_hash_memory_kib,
        "password_hash_time_cost": settings.password_hash_time_cost,
        "rate_limit_per_minute": settings.rate_limit_per_minute,
        "login_failures_per_account": settings.login_failures_per_account,
        "log_level": settings.log_level,
        "env": settings.env,
    }


def migrate(environ: Mapping[str, str]) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "confer"), "migrate"], env=dict(environ), capture_output=True, text=True, check=False, cwd=ROOT
    )
    if result.returncode != 0:
        raise BenchError(f"confer migrate failed ({result.returncode}):\n{result.stdout}{result.stderr}")


class BenchError(Exception):
    """A step failed; the message says which and why."""


# --- servers ----------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_problems(self) -> list[str]:
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [f"{self.name}: {line.strip()}" for line in lines if LOG_PROBLEM.search(line)]

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def serve(
    name: str, app: list[str], environ: Mapping[str, str], log_dir: Path, health_path: str, problems: list[str]
) -> Iterator[Server]:
    """Run ``uvicorn <app>`` until the block ends; wait for ``health_path`` to answer 200 first."""
    port = free_port()
    log_path = log_dir / f"{name}.log"
    command = [PYTHON, "-m", "uvicorn", *app, "--port", str(port), *UVICORN_FLAGS]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=dict(environ), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    server = Server(name=name, base_url=f"http://{HOST}:{port}", process=process, log_path=log_path)
    try:
        wait_until_healthy(server, health_path)
        yield server
    finally:
        stop(process)
        problems.extend(server.log_problems())


def wait_until_healthy(server: Server, health_path: str) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            response = httpx.get(server.base_url + health_path, timeout=2.0)
        except httpx.TransportError as exc:
            last_error = repr(exc)
        else:
            if response.status_code == 200:
                return
            last_error = f"{response.status_code} {response.text[:200]}"
        time.sleep(0.2)
    raise BenchError(f"{server.name} did not answer {health_path} with 200 ({last_error}):\n{server.log_tail()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


# --- the bench user ---------------------------------------------------------------------------------------------------


def sign_up_and_in(base_url: str) -> str:
    """Register the bench user and sign in; return the access token."""
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        registered = client.post("/api/v1/auth/register", json=BENCH_USER)
        expect(registered, 201, "POST /api/v1/auth/register")
        signed_in = client.post("/api/v1/auth/login", json=LOGIN_BODY)
        expect(signed_in, 200, "POST /api/v1/auth/login")
        token: str = signed_in.json()["access_token"]
        return token


def fetch_me(base_url: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.get(base_url + "/api/v1/me", headers=headers, timeout=10.0)
    expect(response, 200, f"GET {base_url}/api/v1/me")
    return response


def expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise BenchError(f"{what} answered {response.status_code} (expected {status}): {response.text[:2000]}")


# --- load generators --------------------------------------------------------------------------------------------------


def measure(load: Load, config: BenchConfig) -> Measurement:
    """Warm up, let the server drain what the warm-up left queued, then measure."""
    run(load, config, config.warmup_s)
    settle(load)
    return run(load, config, config.duration_s)


def settle(load: Load) -> None:
    """One request of the same kind, which must succeed; it queues behind any warm-up work still running (argon2
    slots are FIFO), so the measured window starts with an idle server."""
    response = httpx.request(load.method, load.url, headers=dict(load.headers), content=load.body, timeout=120.0)
    if not response.is_success:
        raise BenchError(f"{load.name} answered {response.status_code} after warm-up: {response.text[:2000]}")


def run(load: Load, config: BenchConfig, seconds: float) -> Measurement:
    if config.tool == "wrk":
        return run_wrk(load, config, seconds)
    return asyncio.run(run_httpx(load, config.connections, seconds))


def run_wrk(load: Load, config: BenchConfig, seconds: float) -> Measurement:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(load))
    try:
        command = [
            "wrk",
            f"-t{config.wrk_threads}",
            f"-c{config.connections}",
            f"-d{seconds:g}s",
            f"--timeout={REQUEST_TIMEOUT_SECONDS}s",
            "--latency",
            "-s",
            script.name,
            load.url,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 120)
    finally:
        Path(script.name).unlink(missing_ok=True)
    if result.returncode != 0 or result.stderr.strip():
        raise BenchError(f"wrk failed ({result.returncode}) on {load.name}:\n{result.stdout}{result.stderr}")
    return parse_wrk(load.name, result.stdout)


def wrk_script(load: Load) -> str:
    lines = [f"wrk.method = {lua_string(load.method)}"]
    lines += [f"wrk.headers[ {lua_string(name)} ] = {lua_string(value)}" for name, value in load.headers.items()]
    if load.body is not None:
        lines.append(f"wrk.body = {lua_string(load.body.decode())}")
    return "\n".join(lines) + "\n"


def lua_string(text: str) -> str:
    """A Lua long-bracket string: taken verbatim, whatever characters ``text`` holds."""
    level = "="
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(target: str, output: str) -> Measurement:
    def number(pattern: str, default: str | None = None) -> str:
        match = re.search(pattern, output, re.MULTILINE)
        if match:
            return match.group(1)
        if default is not None:
            return default
        raise BenchError(f"could not read {pattern!r} in wrk's output:\n{output}")

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    requests_match = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)", output, re.MULTILINE)
    if requests_match is None:
        raise BenchError(f"could not read the request count in wrk's output:\n{output}")
    return Measurement(
        target=target,
        tool="wrk",
        requests=int(requests_match.group(1)),
        seconds=float(requests_match.group(2)) * UNIT_MS[requests_match.group(3)] / 1000.0,
        requests_per_s=float(number(r"^Requests/sec:\s+([\d.]+)")),
        p50_ms=wrk_latency_ms(number(r"^\s+50%\s+(\S+)")),
        p99_ms=wrk_latency_ms(number(r"^\s+99%\s+(\S+)")),
        non_2xx=int(number(r"Non-2xx or 3xx responses: (\d+)", "0")),
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )


def wrk_latency_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise BenchError(f"unknown wrk latency {text!r}")
    return float(match.group(1)) * UNIT_MS[match.group(2)]


async def run_httpx(load: Load, connections: int, seconds: float) -> Measurement:
    """Closed loop: ``connections`` tasks each send one request, wait for the answer, and send the next."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    statuses: list[int] = []
    errors = 0
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def loop() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    response = await client.request(
                        load.method, load.url, headers=dict(load.headers), content=load.body
                    )
                except httpx.TransportError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                statuses.append(response.status_code)

        await asyncio.gather(*(loop() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return Measurement(
        target=load.name,
        tool="httpx",
        requests=len(latencies),
        seconds=elapsed,
        requests_per_s=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 50) * 1000.0,
        p99_ms=percentile(latencies, 99) * 1000.0,
        non_2xx=sum(1 for status in statuses if not 200 <= status < 400),
        socket_errors=errors,
    )


def percentile(values: list[float], percent: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100.0 * len(ordered)) - 1))
    return ordered[index]


# --- report -----------------------------------------------------------------------------------------------------------


def ratio_percent(confer_me: Measurement, bare_me: Measurement) -> float:
    return 100.0 * confer_me.requests_per_s / bare_me.requests_per_s if bare_me.requests_per_s else float("nan")


def render_table(measurements: list[Measurement], ratio: float, config: BenchConfig) -> str:
    lines = [f"{'target':<26} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'non-2xx':>8} {'sock err':>8}"]
    lines += [
        f"{m.target:<26} {m.requests_per_s:>10.1f} {m.p50_ms:>9.2f} {m.p99_ms:>9.2f} {m.non_2xx:>8} "
        f"{m.socket_errors:>8}"
        for m in measurements
    ]
    verdict = "met" if ratio >= TARGET_PERCENT else "NOT met"
    lines.append(f"/me vs bare: {ratio:.1f} % (target >= {TARGET_PERCENT:g} %, {verdict})")
    lines.append(
        f"tool={config.tool} duration={config.duration_s:g}s connections={config.connections} "
        f"warmup={config.warmup_s:g}s"
    )
    return "\n".join(lines)


HTTPX_NOTE = (
    "the asyncio+httpx fallback saturates at a few hundred to ~1000 req/s in one process, so its /me numbers "
    "measure the generator, not the servers; install wrk for a meaningful ratio"
)


def tool_version(tool: str) -> str:
    if tool == "httpx":
        return f"httpx {httpx.__version__}"
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (result.stdout + result.stderr).splitlines()[0].strip() if (result.stdout + result.stderr) else "wrk"


def report(config: BenchConfig, measurements: dict[str, Measurement], extra: dict[str, Any]) -> dict[str, Any]:
    ratio = ratio_percent(measurements["confer_me"], measurements["bare_me"])
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "duration_s": config.duration_s,
            "warmup_s": config.warmup_s,
            "connections": config.connections,
            "tool": config.tool,
            "tool_version": tool_version(config.tool),
            "wrk_threads": config.wrk_threads if config.tool == "wrk" else None,
            "request_timeout_s": REQUEST_TIMEOUT_SECONDS,
            "uvicorn_flags": UVICORN_FLAGS,
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            **extra.pop("confer_settings"),
        },
        "results": {key: asdict(m) for key, m in measurements.items()},
        "note": HTTPX_NOTE if config.tool == "httpx" else None,
        "me_vs_bare_percent": round(ratio, 1),
        "target_percent": TARGET_PERCENT,
        "meets_target": ratio >= TARGET_PERCENT,
        **extra,
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


# --- the run ----------------------------------------------------------------------------------------------------------


def bench_confer(
    environ: Mapping[str, str], work_dir: Path, config: BenchConfig, problems: list[str]
) -> tuple[bytes, dict[str, Measurement]]:
    """Serve Confer, create the bench user, load /me then login. Returns the /me body and both measurements."""
    app = ["confer.app:app_from_environment", "--factory"]
    with serve("confer", app, environ, work_dir, "/healthz", problems) as server:
        token = sign_up_and_in(server.base_url)
        me_body = fetch_me(server.base_url, token).content
        auth = {"Authorization": f"Bearer {token}"}
        me = measure(Load("confer GET /api/v1/me", server.base_url + "/api/v1/me", headers=auth), config)
        login = Load(
            "confer POST auth/login",
            server.base_url + "/api/v1/auth/login",
            method="POST",
            headers={"Content-Type": "application/json"},
            body=json.dumps(LOGIN_BODY).encode(),
        )
        signed_in = measure(login, config)
        fetch_me(server.base_url, token)  # still answering after the login load
    return me_body, {"confer_me": me, "confer_login": signed_in}


def bench_bare(me_body: bytes, work_dir: Path, config: BenchConfig, problems: list[str]) -> tuple[Measurement, bool]:
    body_file = work_dir / "me.json"
    body_file.write_bytes(me_body)
    environ = {**os.environ, "BENCH_ME_BODY_FILE": str(body_file)}
    app = ["--app-dir", str(BENCH_DIR), "bare_app:app"]
    with serve("bare", app, environ, work_dir, "/api/v1/me", problems) as server:
        identical = fetch_me(server.base_url).content == me_body
        measurement = measure(Load("bare litestar /me", server.base_url + "/api/v1/me"), config)
    return measurement, identical


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    suffix = secrets.token_hex(6)
    database, namespace = f"confer_bench_{suffix}", f"bench{suffix}"
    problems: list[str] = []
    work_dir = Path(tempfile.mkdtemp(prefix="confer-bench-"))
    database_created = False
    try:
        asyncio.run(create_database(database))
        database_created = True
        environ = confer_environment(database, namespace, work_dir / "data")
        confer_settings = effective_settings(environ)
        print(f"database {database}, redis namespace {namespace}, tool {config.tool}; migrating...", flush=True)
        migrate(environ)
        print(
            f"benchmarking confer ({config.duration_s:g}s per target, {config.connections} connections)...", flush=True
        )
        me_body, measurements = bench_confer(environ, work_dir, config, problems)
        print("benchmarking the bare litestar app...", flush=True)
        measurements["bare_me"], identical = bench_bare(me_body, work_dir, config, problems)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        for line in problems:
            print(f"  server log: {line}", file=sys.stderr)
        return 1
    finally:
        if database_created:
            asyncio.run(drop_database(database))
        asyncio.run(delete_redis_namespace(namespace))
        shutil.rmtree(work_dir, ignore_errors=True)

    ordered = [measurements[key] for key in ("bare_me", "confer_me", "confer_login")]
    ratio = ratio_percent(measurements["confer_me"], measurements["bare_me"])
    print()
    print(render_table(ordered, ratio, config))
    if config.tool == "httpx":
        print(f"note: {HTTPX_NOTE}")
    if not identical:
        print("warning: the bare app's body differs from Confer's /me body")
    for line in problems:
        print(f"warning: server log: {line}")
    extra = {
        "confer_settings": confer_settings,
        "me_body_bytes": len(me_body),
        "bare_body_identical": identical,
        "server_log_problems": problems,
    }
    write_json(config.output, report(config, measurements, extra))
    print(f"results written to {config.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
