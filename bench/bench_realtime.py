"""Benchmark real-time chat delivery: 1,000 WebSocket clients across 2 API processes, messages/s and p99 latency.

Target (the issue): p99 delivery <= 100 ms at 1,000 messages/s. Run from the repository root::

    .venv/bin/python bench/bench_realtime.py [--rate 1000] [--duration 15] [--steps 250,500,1000,1500,2000]
                                             [--step-seconds 8] [--receivers 2]

Two Confer API processes (uvicorn, 1 worker each, same database and Redis namespace) on two ports; 500 confirmed
bookings between 1,000 distinct people (real accounts, registered and signed in over HTTP); one WebSocket per person,
each booking's two parties on different processes, so every message crosses processes through Redis. The load is
chat messages POSTed by a booking's party (alternately to either process) on an open-loop schedule; the body carries
the CLOCK_MONOTONIC instant (system-wide on Linux) taken just before the POST, and the latency is its arrival at the
other party's socket minus that instant. Baselines in the same run: the same number of messages PUBLISHed straight to
Redis (redis-py publisher, redis-py subscriber), and published with Confer's own Lua script (``RealtimeHub.publish``)
to the chat channels, which the two processes fan out to the same sockets (no HTTP, no database).

Senders and receivers run in their own processes (one sender, ``--receivers`` receivers), beside the servers,
PostgreSQL and Redis, on the same cores; the table reports each party's CPU share. Everything created is removed at
the end, also on failure. Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import secrets
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import jwt
import msgspec
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from websockets.asyncio.client import connect

from bench_auth import (
    REDIS_URL,
    Server,
    create_database,
    delete_redis_namespace,
    drop_database,
    migrate,
    serve,
)
from bench_auth import confer_environment as auth_bench_environment

RESULTS = Path(__file__).parent / "results" / "bench_realtime.json"
PASSWORD = "a long quiet harbour passphrase"
TARGET_RATE = 1000.0
TARGET_P99_MS = 100.0
CHAT_LIMIT_PER_10_SECONDS = 1000  # the setting's maximum; at 2,000 msg/s each person sends 20 per 10 s
MAX_IN_FLIGHT = 512  # POSTs outstanding at once; beyond it the sender falls behind its schedule (reported as lag)
CONNECT_CONCURRENCY = 50
KEEP_ALIVE_SECONDS = 2.0  # reuse an idle HTTP connection only this long (uvicorn closes them after 5 s)
SETUP_CONCURRENCY = 16
DRAIN_SECONDS = 3.0  # after the last POST answered, how long a message may still arrive before it counts as lost
WARMUP_RATE, WARMUP_SECONDS = 200.0, 3.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- setup: accounts, bookings ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user_id: str
    token: str
    server: int  # the index of the API process its socket connects to


@dataclass(frozen=True)
class Pair:
    booking_id: str
    professional: Person
    client: Person


def bench_environment(database: str, namespace: str, data_dir: Path) -> dict[str, str]:
    return {
        **auth_bench_environment(database, namespace, data_dir),
        "CONFER_CHAT_MESSAGES_PER_10_SECONDS": str(CHAT_LIMIT_PER_10_SECONDS),
        # Sign-up and sign-in cost is not what this bench measures: the cheapest argon2 the settings allow keeps the
        # 1,000 accounts' setup short.
        "CONFER_PASSWORD_HASH_MEMORY_KIB": "8192",
        "CONFER_PASSWORD_HASH_TIME_COST": "1",
    }


async def sign_up(http: httpx.AsyncClient, email: str, role: str) -> tuple[str, str]:
    """Register and sign in; return (user id, access token)."""
    registered = await http.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Bench", "timezone": "UTC", "role": role},
    )
    registered.raise_for_status()
    login = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    login.raise_for_status()
    token: str = login.json()["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    return str(claims["sub"]), token


async def an_offering(http: httpx.AsyncClient, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    profile = {"display_name": "Pro", "timezone": "UTC", "country": "FR", "published": True}
    (await http.put("/api/v1/me/professional", headers=headers, json=profile)).raise_for_status()
    offering = {
        "kind": "consultation",
        "title": "Bench consultation",
        "duration_minutes": 30,
        "slot_step_minutes": 30,
        "price_minor": 0,
        "currency": "EUR",
    }
    created = await http.post("/api/v1/me/offerings", headers=headers, json=offering)
    created.raise_for_status()
    offering_id: str = created.json()["id"]
    return offering_id


async def setup_pairs(servers: Sequence[Server], dsn: str, bookings: int) -> list[Pair]:
    """``bookings`` professionals and as many clients, signed up over HTTP (spread over both processes); one
    offering; then the confirmed bookings written straight to ``booking`` (tomorrow, each with its own professional,
    so the exclusion constraint allows them side by side). The booking's professional connects to process
    ``i % 2`` and its client to the other one."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)
    clients = [httpx.AsyncClient(base_url=s.base_url, timeout=60) for s in servers]
    try:

        async def person(n: int, role: str) -> tuple[str, str]:
            async with gate:
                return await sign_up(clients[n % len(clients)], f"{role[:3]}{n:04d}@bench.example", role)

        pros = await asyncio.gather(*(person(n, "professional") for n in range(bookings)))
        customers = await asyncio.gather(*(person(n, "client") for n in range(bookings)))
        offering = await an_offering(clients[0], pros[0][1])
    finally:
        for client in clients:
            await client.aclose()
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    ends = starts + timedelta(minutes=30)
    rows = [(uuid4(), UUID(offering), UUID(pros[i][0]), UUID(customers[i][0]), starts, ends) for i in range(bookings)]
    connection = await asyncpg.connect(dsn)
    try:
        await connection.executemany(
            "INSERT INTO booking (id, offering, professional, client, starts_at, ends_at, blocked_from, "
            "blocked_until, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $5, $6, 'confirmed', "
            "now(), now())",
            rows,
        )
    finally:
        await connection.close()
    return [
        Pair(str(rows[i][0]), Person(*pros[i], server=i % 2), Person(*customers[i], server=(i + 1) % 2))
        for i in range(bookings)
    ]


# --- receivers: one process holding a share of the sockets ------------------------------------------------------------


class Frame(msgspec.Struct):
    type: str
    data: dict[str, Any] = {}


def body_of(tag: str) -> str:
    """A message body: its tag and the instant just before its POST (or PUBLISH)."""
    return f"{tag} {time.monotonic_ns()}"


def latency_of(body: str, received_ns: int) -> tuple[str, int]:
    tag, sent = body.split(" ")
    return tag, received_ns - int(sent)


def receiver_main(conn: Connection, people: list[tuple[str, str, str]]) -> None:
    """Hold one socket per (user id, token, ws url); record the latency of every chat message written by someone
    else; answer the orchestrator's commands on ``conn``."""
    asyncio.run(Receiver(conn, people).run())


class Receiver:
    def __init__(self, conn: Connection, people: list[tuple[str, str, str]]) -> None:
        self.conn = conn
        self.people = people
        self.latencies: dict[str, int] = {}
        self.foreign = 0  # frames that are neither ours to measure nor the author's echo
        self.sockets: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []
        self.redis: aioredis.Redis | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                command, argument = await loop.run_in_executor(None, self.conn.recv)
                if command == "stop":
                    break
                self.conn.send(await self.handle(command, argument))
        finally:
            for reader in self.readers:
                reader.cancel()
            for socket in self.sockets:
                with contextlib.suppress(Exception):
                    await socket.close()
            if self.redis is not None:
                await self.redis.aclose()

    async def handle(self, command: str, argument: Any) -> Any:
        if command == "connect":
            gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
            channels = await asyncio.gather(*(self.open(person, gate) for person in self.people))
            return {"sockets": len(self.sockets), "channels_per_socket": sorted(set(channels))}
        if command == "subscribe_redis":
            self.redis = aioredis.from_url(REDIS_URL)
            pubsub = self.redis.pubsub()
            await pubsub.subscribe(argument)
            self.readers.append(asyncio.create_task(self.read_redis(pubsub)))
            return "subscribed"
        if command == "collect":
            found, self.latencies = self.latencies, {}
            return found
        raise ValueError(command)

    async def open(self, person: tuple[str, str, str], gate: asyncio.Semaphore) -> int:
        user_id, token, url = person
        async with gate:
            socket = await connect(url, ping_interval=None, open_timeout=60, max_size=2**20)
            await socket.send(json.dumps({"type": "auth", "token": token}))
            ready = json.loads(await socket.recv())
        if ready.get("type") != "ready":
            raise RuntimeError(f"socket of {user_id} answered {ready}")
        self.sockets.append(socket)
        self.readers.append(asyncio.create_task(self.read(socket, user_id)))
        return len(ready["channels"])

    async def read(self, socket: Any, user_id: str) -> None:
        decoder = msgspec.json.Decoder(Frame)
        with contextlib.suppress(Exception):
            async for raw in socket:
                received = time.monotonic_ns()
                frame = decoder.decode(raw)
                if frame.type != "chat.message":
                    self.foreign += 1
                elif frame.data.get("author_id") != user_id:
                    tag, latency = latency_of(frame.data["body"], received)
                    self.latencies[tag] = latency

    async def read_redis(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            received = time.monotonic_ns()
            if message["type"] == "message":
                tag, latency = latency_of(message["data"].decode(), received)
                self.latencies[tag] = latency


# --- the sender: an open-loop schedule of POSTs (or publishes) --------------------------------------------------------


class HttpPool:
    """Keep-alive HTTP/1.1 connections to one server, just enough client to POST JSON and read the answer: far less
    CPU per request than a general client, which matters with the servers on the same two cores."""

    def __init__(self, base_url: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []

    async def connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The most recently used idle connection, unless uvicorn may have closed it (keep-alive timeout: 5 s)."""
        while self.idle:
            reader, writer, since = self.idle.pop()
            if time.monotonic() - since < KEEP_ALIVE_SECONDS:
                return reader, writer
            writer.close()
        return await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, token: str, body: bytes) -> int:
        reader, writer = await self.connection()
        try:
            writer.write(
                f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer, time.monotonic()))
        return status

    def close(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()


def sender_main(conn: Connection, base_urls: list[str], plan: list[tuple[str, str, str]], namespace: str) -> None:
    asyncio.run(Sender(conn, base_urls, plan, namespace).run())


class Sender:
    """``plan``: (booking id, author id, author token); message k is written by plan[k % len(plan)] and POSTed to
    process k % 2."""

    def __init__(self, conn: Connection, base_urls: list[str], plan: list[tuple[str, str, str]], namespace: str):
        self.conn = conn
        self.pools = [HttpPool(url) for url in base_urls]
        self.plan = plan
        self.namespace = namespace

    async def run(self) -> None:
        from confer.core.realtime import RealtimeHub

        redis = aioredis.from_url(REDIS_URL, max_connections=MAX_IN_FLIGHT)
        self.hub = RealtimeHub(redis, self.namespace)
        self.redis = redis
        loop = asyncio.get_running_loop()
        try:
            while True:
                command, argument = await loop.run_in_executor(None, self.conn.recv)
                if command == "stop":
                    break
                self.conn.send(await self.schedule(command, *argument))
        finally:
            for pool in self.pools:
                pool.close()
            await redis.aclose()

    async def schedule(self, how: str, prefix: str, rate: float, seconds: float) -> dict[str, Any]:
        """Start message k at ``start + k / rate`` (at most MAX_IN_FLIGHT outstanding); wait for every answer.
        Returns per message: tag, lag behind schedule, POST (or publish) duration, status."""
        count = int(rate * seconds)
        gate = asyncio.Semaphore(MAX_IN_FLIGHT)
        rows: list[tuple[str, int, int, int]] = []
        operation = {"post": self.post, "hub": self.publish_hub, "redis": self.publish_redis}[how]

        async def one(k: int, due: int) -> None:
            tag = f"{prefix}{k}"
            started = time.monotonic_ns()
            try:
                status = await operation(k, tag)
            except (OSError, EOFError, asyncio.LimitOverrunError, ValueError, RedisError):
                status = 0  # the connection failed or the answer was not HTTP: counted as not accepted
            finally:
                gate.release()
            rows.append((tag, started - due, time.monotonic_ns() - started, status))

        tasks = []
        start = time.monotonic_ns() + 50_000_000
        interval = 1e9 / rate
        for k in range(count):
            due = start + int(k * interval)
            delay = (due - time.monotonic_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            await gate.acquire()
            tasks.append(asyncio.create_task(one(k, due)))
        await asyncio.gather(*tasks)
        elapsed = (time.monotonic_ns() - start) / 1e9
        return {"rows": rows, "elapsed_s": elapsed}

    async def post(self, k: int, tag: str) -> int:
        booking, _, token = self.plan[k % len(self.plan)]
        body = msgspec.json.encode({"body": body_of(tag)})
        return await self.pools[k % len(self.pools)].post(f"/api/v1/conversations/{booking}/messages", token, body)

    async def publish_hub(self, k: int, tag: str) -> int:
        booking, author, _ = self.plan[k % len(self.plan)]
        data = {"conversation_id": booking, "author_id": author, "body": body_of(tag)}
        await self.hub.publish([f"chat:{booking}"], "chat.message", data)
        return 200

    async def publish_redis(self, k: int, tag: str) -> int:
        await self.redis.publish(f"{self.namespace}:bench-baseline", body_of(tag))
        return 200


# --- CPU shares -------------------------------------------------------------------------------------------------------


def cpu_ticks(roles: dict[int, str]) -> dict[str, int]:
    """utime+stime per role: the given pids (and their children), PostgreSQL and Redis by process name."""
    ticks: dict[str, int] = {}
    parents: dict[int, int] = {}
    found: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        found[int(entry.name)] = (name, int(fields[11]) + int(fields[12]))
    for pid, (name, used) in found.items():
        role = None
        ancestor = pid
        while ancestor > 1 and role is None:
            role = roles.get(ancestor)
            ancestor = parents.get(ancestor, 1)
        if role is None and name.startswith("postgres"):
            role = "postgres"
        elif role is None and name.startswith("redis-server"):
            role = "redis"
        if role is not None:
            ticks[role] = ticks.get(role, 0) + used
    return ticks


def cpu_percent(before: dict[str, int], after: dict[str, int], seconds: float) -> dict[str, float]:
    return {
        role: round(100.0 * (after.get(role, 0) - before.get(role, 0)) / CLOCK_TICKS / seconds, 1) for role in after
    }


# --- the orchestrator -------------------------------------------------------------------------------------------------


@dataclass
class Row:
    run: str
    offered_per_s: float
    achieved_per_s: float
    sent: int
    accepted: int
    delivered: int
    lost: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    call_p50_ms: float
    call_p99_ms: float
    lag_p99_ms: float
    statuses: dict[str, int]
    cpu_percent: dict[str, float]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * fraction))]


class Bench:
    def __init__(self, sender: Connection, receivers: list[Connection], roles: dict[int, str]) -> None:
        self.sender = sender
        self.receivers = receivers
        self.roles = roles

    def ask(self, conn: Connection, command: str, argument: Any = None) -> Any:
        conn.send((command, argument))
        return conn.recv()

    def collect(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for conn in self.receivers:
            found.update(self.ask(conn, "collect"))
        return found

    def measure(self, run: str, how: str, rate: float, seconds: float) -> Row:
        prefix = f"{secrets.token_hex(3)}-"
        before, began = cpu_ticks(self.roles), time.monotonic()
        sent = self.ask(self.sender, how, (prefix, rate, seconds))
        cpu = cpu_percent(before, cpu_ticks(self.roles), time.monotonic() - began)
        time.sleep(DRAIN_SECONDS)
        arrived = self.collect()
        accepted = [r for r in sent["rows"] if 200 <= r[3] < 300]
        latencies = sorted(arrived[r[0]] / 1e6 for r in accepted if r[0] in arrived)
        calls = sorted(r[2] / 1e6 for r in sent["rows"])
        lags = sorted(max(r[1], 0) / 1e6 for r in sent["rows"])
        return Row(
            run=run,
            offered_per_s=rate,
            achieved_per_s=round(len(accepted) / sent["elapsed_s"], 1),
            sent=len(sent["rows"]),
            accepted=len(accepted),
            delivered=len(latencies),
            lost=len(accepted) - len(latencies),
            p50_ms=round(percentile(latencies, 0.50), 2),
            p95_ms=round(percentile(latencies, 0.95), 2),
            p99_ms=round(percentile(latencies, 0.99), 2),
            max_ms=round(latencies[-1], 2) if latencies else float("nan"),
            call_p50_ms=round(percentile(calls, 0.50), 2),
            call_p99_ms=round(percentile(calls, 0.99), 2),
            lag_p99_ms=round(percentile(lags, 0.99), 2),
            statuses=dict(Counter(str(r[3]) for r in sent["rows"])),
            cpu_percent=cpu,
        )


@contextlib.contextmanager
def worker_processes(
    pairs: list[Pair], servers: list[Server], namespace: str, receivers: int
) -> Iterator[tuple[Bench, list[multiprocessing.Process]]]:
    """Start the sender and the receivers (spawned: a clean interpreter each); stop exactly those at the end."""
    context = multiprocessing.get_context("spawn")
    ws_urls = [s.base_url.replace("http://", "ws://") + "/api/v1/ws" for s in servers]
    people = [p for pair in pairs for p in (pair.professional, pair.client)]
    shares: list[list[tuple[str, str, str]]] = [[] for _ in range(receivers)]
    for n, person in enumerate(people):
        shares[n % receivers].append((person.user_id, person.token, ws_urls[person.server]))
    # Consecutive messages go to different bookings; each person writes one message in every len(plan).
    plan = [
        (pair.booking_id, author.user_id, author.token)
        for turn in range(2)
        for i, pair in enumerate(pairs)
        for author in [(pair.professional, pair.client)[(i + turn) % 2]]
    ]
    processes: list[multiprocessing.Process] = []
    ends: list[Connection] = []
    far_ends: list[Connection] = []
    sender_end, sender_far_end = context.Pipe()
    try:
        for share in shares:
            mine, theirs = context.Pipe()
            processes.append(context.Process(target=receiver_main, args=(theirs, share), name="receiver"))
            ends.append(mine)
            far_ends.append(theirs)
        base_urls = [s.base_url for s in servers]
        processes.append(
            context.Process(target=sender_main, args=(sender_far_end, base_urls, plan, namespace), name="sender")
        )
        for process in processes:
            process.start()
        for far_end in [sender_far_end, *far_ends]:
            far_end.close()  # so that a worker that dies reads as EOFError here instead of a hang
        roles = {s.process.pid: f"server {'AB'[n]}" for n, s in enumerate(servers)}
        roles |= {p.pid: "receivers" for p in processes[:-1] if p.pid is not None}
        if processes[-1].pid is not None:
            roles[processes[-1].pid] = "sender"
        roles[os.getpid()] = "orchestrator"
        yield Bench(sender_end, ends, roles), processes
    finally:
        for conn in [*ends, sender_end]:
            with contextlib.suppress(Exception):
                conn.send(("stop", None))
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'run':<30}{'offered':>8}{'achieved':>9}{'sent':>7}{'2xx':>7}{'deliv':>7}{'lost':>6}"
        f"{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'call50':>8}{'call99':>8}{'lag99':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.run:<30}{r.offered_per_s:>8.0f}{r.achieved_per_s:>9.1f}{r.sent:>7}{r.accepted:>7}{r.delivered:>7}"
            f"{r.lost:>6}{r.p50_ms:>8.1f}{r.p95_ms:>8.1f}{r.p99_ms:>8.1f}{r.max_ms:>8.1f}{r.call_p50_ms:>8.1f}"
            f"{r.call_p99_ms:>8.1f}{r.lag_p99_ms:>8.1f}"
        )
    print("(latencies in ms; call = POST answer or publish round trip; lag = sender behind its schedule)")
    for r in rows:
        if set(r.statuses) - {"200", "201"}:
            print(f"  {r.run} at {r.offered_per_s:g}/s answered: {r.statuses} (0 = connection failed)")
    print("\nCPU, % of one core (this machine has", os.cpu_count(), "cores; everything below shares them):")
    roles = sorted({role for r in rows for role in r.cpu_percent})
    print(f"{'run':<30}" + "".join(f"{role:>13}" for role in roles))
    for r in rows:
        print(f"{r.run:<30}" + "".join(f"{r.cpu_percent.get(role, 0.0):>13.1f}" for role in roles))


def verdict(rows: list[Row]) -> dict[str, Any]:
    chat = [r for r in rows if r.run.startswith("chat")]
    holding = [
        r for r in chat if r.p99_ms <= TARGET_P99_MS and r.lost == 0 and r.achieved_per_s >= 0.95 * r.offered_per_s
    ]
    at_target = [r for r in chat if r.offered_per_s == TARGET_RATE]
    redis_row = next((r for r in rows if r.run.startswith("redis")), None)
    steady = next((r for r in rows if r.run.startswith("chat steady")), None)
    return {
        "highest_rate_meeting_p99": max((r.achieved_per_s for r in holding), default=None),
        "p99_ms_at_target_rate": [r.p99_ms for r in at_target],
        "meets_target": bool(at_target) and all(r in holding for r in at_target),
        "p99_vs_raw_redis": round(steady.p99_ms / redis_row.p99_ms, 1) if steady and redis_row else None,
    }


def stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(f"signal {signum}")  # unwinds through the clean-up blocks, as Ctrl-C does


def main() -> None:
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="steady run, messages/s (1000)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of the steady run and baselines (15)")
    parser.add_argument("--steps", default="250,500,1000,1500,2000", help="step run rates, messages/s")
    parser.add_argument("--step-seconds", type=float, default=8.0)
    parser.add_argument("--bookings", type=int, default=500, help="bookings, i.e. half the sockets (500)")
    parser.add_argument("--receivers", type=int, default=2, help="receiver processes (2)")
    args = parser.parse_args()
    steps = [float(s) for s in args.steps.split(",") if s]
    suffix = secrets.token_hex(6)
    database, namespace = f"confer_bench_rt_{suffix}", f"benchrt{suffix}"
    problems: list[str] = []
    rows: list[Row] = []
    setup: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="confer-bench-") as work, contextlib.ExitStack() as stack:
        environ = bench_environment(database, namespace, Path(work))
        asyncio.run(create_database(database))
        try:
            migrate(environ)
            app = ["confer.app:app_from_environment", "--factory"]
            servers = [
                stack.enter_context(serve(f"confer-{name}", app, environ, Path(work), "/healthz", problems))
                for name in "AB"
            ]
            began = time.monotonic()
            pairs = asyncio.run(setup_pairs(servers, environ["CONFER_DATABASE_URL"], args.bookings))
            setup["accounts_and_bookings_s"] = round(time.monotonic() - began, 1)
            with worker_processes(pairs, servers, namespace, args.receivers) as (bench, _):
                began = time.monotonic()
                connected = [bench.ask(conn, "connect") for conn in bench.receivers]
                setup["sockets"] = sum(c["sockets"] for c in connected)
                setup["channels_per_socket"] = sorted({n for c in connected for n in c["channels_per_socket"]})
                setup["connect_s"] = round(time.monotonic() - began, 1)
                print(f"setup: {setup}", flush=True)
                bench.measure("warm-up", "post", WARMUP_RATE, WARMUP_SECONDS)
                rows.append(bench.measure(f"chat steady {args.duration:g} s", "post", args.rate, args.duration))
                print_table(rows[-1:])
                for rate in steps:
                    rows.append(bench.measure(f"chat step {args.step_seconds:g} s", "post", rate, args.step_seconds))
                    print_table(rows[-1:])
                rows.append(bench.measure("hub publish -> sockets", "hub", args.rate, args.duration))
                bench.ask(bench.receivers[0], "subscribe_redis", f"{namespace}:bench-baseline")
                rows.append(bench.measure("redis PUBLISH -> redis-py", "redis", args.rate, args.duration))
        finally:
            stack.close()
            with contextlib.suppress(Exception):
                asyncio.run(drop_database(database))
            with contextlib.suppress(Exception):
                asyncio.run(delete_redis_namespace(namespace))
    print()
    print_table(rows)
    summary = verdict(rows)
    print(
        f"\nhighest achieved rate with p99 <= {TARGET_P99_MS:g} ms and nothing lost: "
        f"{summary['highest_rate_meeting_p99']} msg/s; p99 at {TARGET_RATE:g} msg/s: "
        f"{summary['p99_ms_at_target_rate']} ms; target {'met' if summary['meets_target'] else 'NOT met'}; "
        f"steady p99 / raw Redis p99: {summary['p99_vs_raw_redis']}"
    )
    for problem in problems[:10]:
        print("server log:", problem)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "rows": [asdict(r) for r in rows],
        "summary": summary,
        "setup": setup,
        "settings": {
            "rate": args.rate,
            "duration_s": args.duration,
            "steps": steps,
            "step_seconds": args.step_seconds,
            "bookings": args.bookings,
            "receivers": args.receivers,
            "max_in_flight": MAX_IN_FLIGHT,
            "drain_s": DRAIN_SECONDS,
            "chat_messages_per_10_seconds": CHAT_LIMIT_PER_10_SECONDS,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "server_log_problems": problems,
    }
    RESULTS.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
