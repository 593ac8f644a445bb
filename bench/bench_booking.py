"""Benchmark booking creation over HTTP on real PostgreSQL, beside raw asyncpg INSERTs into the same table.

Target (issue 3 b): >= 1,000 bookings/s with p99 <= 50 ms on this 2-core machine. Each request books a distinct free
slot (wrk's Lua script walks the calendar), so every request does the whole job: token, offering, availability and
busy times, the slot engine, the insert under the exclusion constraint, the outbox event. The baseline, in the same
run: single-row INSERTs into ``booking`` with asyncpg from as many concurrent connections (constraint included).

    .venv/bin/python bench/bench_booking.py [--duration 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench_auth import (
    Measurement,
    create_database,
    delete_redis_namespace,
    drop_database,
    lua_string,
    migrate,
    parse_wrk,
    serve,
)
from bench_auth import confer_environment as auth_bench_environment

RESULTS = Path(__file__).parent / "results" / "bench_booking.json"
PROFESSIONALS = 5
CLIENTS = 16
"""As many clients as connections: one client's bookings with one professional are counted under a lock (the cap on
open bookings), which real clients do not contend for; a single client booking from 16 connections would."""
PASSWORD = "a long quiet harbour passphrase"
TARGET_PER_S = 1000.0
TARGET_P99_MS = 50.0


def setup_practices(base_url: str, dsn: str) -> tuple[list[str], list[str], datetime]:
    """Professionals open around the clock with 30-minute consultations, and clients. Returns the clients' tokens,
    the offering ids and the first bookable instant."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        offerings = []
        for n in range(PROFESSIONALS):
            token = sign_up(http, f"pro{n}@bench.example", "professional", dsn)
            headers = {"Authorization": f"Bearer {token}"}
            http.put(
                "/api/v1/me/professional",
                headers=headers,
                json={"display_name": f"Pro {n}", "timezone": "UTC", "country": "FR", "published": True},
            ).raise_for_status()
            created = http.post(
                "/api/v1/me/offerings",
                headers=headers,
                json={
                    "kind": "consultation",
                    "title": "Bench",
                    "duration_minutes": 30,
                    "slot_step_minutes": 30,
                    "price_minor": 0,
                    "currency": "EUR",
                    "horizon_days": 365,
                },
            )
            created.raise_for_status()
            offerings.append(created.json()["id"])
            http.put(
                "/api/v1/me/availability/rules",
                headers=headers,
                json=[{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)],
            ).raise_for_status()
        clients = [sign_up(http, f"client{n}@bench.example", "client", dsn) for n in range(CLIENTS)]
    first = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return clients, offerings, first


def sign_up(http: httpx.Client, email: str, role: str, dsn: str) -> str:
    """Register and sign in; the address is confirmed straight in the bench's own database (booking and publishing
    need a confirmed address, and the bench has no mailbox to open the link from)."""
    http.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Bench", "timezone": "UTC", "role": role},
    ).raise_for_status()
    asyncio.run(confirm_address(dsn, email))
    login = http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    login.raise_for_status()
    token: str = login.json()["access_token"]
    return token


async def confirm_address(dsn: str, email: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("UPDATE account SET email_verified_at = now() WHERE email = $1", email)
    finally:
        await connection.close()


def booking_script(tokens: list[str], offerings: list[str], first: datetime, start_index: int) -> str:
    """wrk Lua: request i books offering i mod n at slot i div n (30-minute steps from ``first``), as client i mod m."""
    ids = ", ".join(lua_string(o) for o in offerings)
    authorizations = ", ".join(lua_string("Bearer " + token) for token in tokens)
    return f"""
local offerings = {{ {ids} }}
local authorizations = {{ {authorizations} }}
local first = {int(first.timestamp())}
local i = {start_index}
wrk.method = "POST"
request = function()
  local offering = offerings[(i % #offerings) + 1]
  local starts = os.date("!%Y-%m-%dT%H:%M:%SZ", first + math.floor(i / #offerings) * 1800)
  local headers = {{ ["Content-Type"] = "application/json",
                     ["Authorization"] = authorizations[(i % #authorizations) + 1] }}
  i = i + 1
  return wrk.format(nil, "/api/v1/bookings", headers,
    '{{"offering_id": "' .. offering .. '", "starts_at": "' .. starts .. '"}}')
end
"""


def run_wrk(base_url: str, script: str, seconds: float, connections: int) -> Measurement:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        result = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds:g}s",
                "--timeout=30s",
                "--latency",
                "-s",
                handle.name,
                f"{base_url}/api/v1/bookings",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 120,
        )
    finally:
        Path(handle.name).unlink(missing_ok=True)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stdout}{result.stderr}")
    return parse_wrk("confer POST /api/v1/bookings", result.stdout)


async def raw_insert_rate(dsn: str, seconds: float, connections: int) -> dict[str, float]:
    """Single-row INSERTs of non-overlapping bookings from ``connections`` concurrent connections."""
    pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
    offering = await pool.fetchval("SELECT id FROM offering LIMIT 1")
    professional = uuid.uuid4()
    base = datetime(2030, 1, 1, tzinfo=UTC)
    counter = iter(range(10**9))
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        async with pool.acquire() as connection:
            while time.monotonic() < deadline:
                n = next(counter)
                start = base + timedelta(minutes=30 * n)
                began = time.perf_counter()
                await connection.execute(
                    "INSERT INTO booking (id, offering, professional, client, starts_at, ends_at, blocked_from, "
                    "blocked_until, status, created_at, updated_at) VALUES ($1, $2, $3, $3, $4, $5, $4, $5, "
                    "'confirmed', now(), now())",
                    uuid.uuid4(),
                    offering,
                    professional,
                    start,
                    start + timedelta(minutes=30),
                )
                latencies.append((time.perf_counter() - began) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    await pool.close()
    latencies.sort()
    return {
        "rows_per_s": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    suffix = secrets.token_hex(6)
    database, namespace = f"confer_bench_{suffix}", f"benchbook{suffix}"
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="confer-bench-") as work:
        environ = auth_bench_environment(database, namespace, Path(work))
        # Each client books hundreds of slots here: the per-client cap stays on (its lock is measured) but never bites.
        environ["CONFER_BOOKING_MAX_OPEN_PER_CLIENT"] = "1000000"
        asyncio.run(create_database(database))
        try:
            migrate(environ)
            app = ["confer.app:app_from_environment", "--factory"]
            with serve("confer", app, environ, Path(work), "/healthz", problems) as server:
                tokens, offerings, first = setup_practices(server.base_url, environ["CONFER_DATABASE_URL"])
                warm = run_wrk(server.base_url, booking_script(tokens, offerings, first, 0), 1, args.connections)
                # wrk may send a few more than it counts; leave a gap so no measured request hits a warm-up slot.
                next_free = warm.requests + warm.non_2xx + 1000
                script = booking_script(tokens, offerings, first, next_free)
                measured = run_wrk(server.base_url, script, args.duration, args.connections)
            raw = asyncio.run(raw_insert_rate(environ["CONFER_DATABASE_URL"], args.duration, args.connections))
        finally:
            with contextlib.suppress(Exception):
                asyncio.run(drop_database(database))
            with contextlib.suppress(Exception):
                asyncio.run(delete_redis_namespace(namespace))
    ok = measured.requests_per_s >= TARGET_PER_S and measured.p99_ms <= TARGET_P99_MS
    print(f"{'target':<34}{'per s':>10}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    print(
        f"{'confer POST /api/v1/bookings':<34}{measured.requests_per_s:>10.1f}{measured.p50_ms:>9.2f}"
        f"{measured.p99_ms:>9.2f}{measured.non_2xx:>9}"
    )
    print(f"{'raw asyncpg INSERT (baseline)':<34}{raw['rows_per_s']:>10.1f}{raw['p50_ms']:>9.2f}{raw['p99_ms']:>9.2f}")
    print(
        f"\nbookings/s vs raw inserts: {100 * measured.requests_per_s / raw['rows_per_s']:.1f} %; target >= "
        f"{TARGET_PER_S:g}/s with p99 <= {TARGET_P99_MS:g} ms: {'met' if ok else 'NOT met'}"
    )
    for problem in problems[:10]:
        print("server log:", problem)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "confer": measured.__dict__,
        "raw_insert": raw,
        "connections": args.connections,
        "duration_s": args.duration,
        "meets_target": ok,
        "server_log_problems": problems,
    }
    RESULTS.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
