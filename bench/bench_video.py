"""Benchmark the video control plane and one media node on a real fleet of three Janus nodes, in one run.

1. **join answer**: ``POST /api/v1/bookings/{id}/video/join`` over HTTP, first joins (room record, pass, placement
   with the room's creation on a node) and rejoins (same pass, sticky room), sequential and concurrent, beside
   ``GET /api/v1/me`` on the same server with the same client as the baseline;
2. **fan-out**: how many aiortc subscribers one node serves from one 640x480 ~30 fps VP8 publisher before the frame
   rate a subscriber decodes drops below 90 % of the publisher's, with Janus's CPU and this process's CPU per step;
3. **placement**: ``rooms.room_for`` + ``rooms.place`` for distinct subjects (rooms/s, sequential and concurrent),
   beside raw VideoRoom ``create`` requests to one node through ``JanusBackend.ensure_room``.

Run as root from the repository root (the nodes live in network namespaces)::

    .venv/bin/python bench/bench_video.py [--joins 500] [--concurrency 8] [--rooms 300] [--window 10]

Confer runs in this process (uvicorn, as the tests serve it) and so do the HTTP client, the node agents, the events
endpoint and the aiortc peers: every figure shares one event loop, its baseline included. A throw-away database and
Redis namespace are removed at the end, also on failure; the Janus nodes and their namespaces too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from aiortc import VideoStreamTrack
from av import VideoFrame

from bench_auth import ROOT, confer_environment, create_database, delete_redis_namespace, drop_database

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the Janus fleet and aiortc peers are the media tests' kit (tests/media)

from tests.media import peers
from tests.media.control_plane import MediaPlane, StartFleet, media_plane
from tests.media.janus_nodes import FleetSecrets, JanusFleet, JanusNode, janus_fleet
from tests.support import serving

from confer.app import create_app
from confer.core import db
from confer.core.clock import OffsetClock
from confer.core.media.backend import RoomSpec
from confer.core.media.janus_auth import signed_token
from confer.core.runtime import Runtime
from confer.modules.video import rooms
from confer.modules.video.rooms import Subject
from confer.modules.video.settings import VideoSettings
from confer.settings import load_settings

RESULTS = Path(__file__).parent / "results" / "bench_video.json"
NODES = 3
NODE_CAPACITY = 100_000  # participants per node: the bench places thousands of 2-person rooms, never the limit here
PASSWORD = "a long quiet harbour passphrase"
WARMUP_JOINS = 20
WIDTH, HEIGHT, FPS = 640, 480, 30
FANOUT_STEPS = (1, 2, 4, 8, 12, 16, 20, 24, 28, 32, 40, 50)
FANOUT_WARMUP_SECONDS = 3.0
FANOUT_BUDGET_SECONDS = 150.0
DROP_THRESHOLD = 0.9
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- figures ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    target: str
    concurrency: int
    count: int
    errors: int
    seconds: float
    per_s: float
    p50_ms: float
    p99_ms: float
    mean_ms: float


@dataclass(frozen=True)
class FanoutStep:
    subscribers: int
    publisher_fps: float
    mean_fps: float
    min_fps: float
    janus_cpu_percent: float
    process_cpu_percent: float
    main_thread_cpu_percent: float


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


async def timed(target: str, count: int, concurrency: int, operation: Callable[[int], Awaitable[bool]]) -> Latency:
    """Run ``operation(i)`` for i in 0..count-1 from ``concurrency`` closed-loop workers; it returns success."""
    latencies: list[float] = []
    errors = 0
    indices = iter(range(count))

    async def worker() -> None:
        nonlocal errors
        for i in indices:
            began = time.perf_counter()
            ok = await operation(i)
            latencies.append((time.perf_counter() - began) * 1000)
            errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    latencies.sort()
    return Latency(
        target=target,
        concurrency=concurrency,
        count=count,
        errors=errors,
        seconds=seconds,
        per_s=count / seconds,
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        mean_ms=statistics.fmean(latencies),
    )


# --- the fleet and Confer ---------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def fleet_starter() -> AsyncIterator[StartFleet]:
    """What tests/media/conftest.py's ``janus_fleet`` fixture gives: start nodes, removed again at the end."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(
            count: int,
            *,
            events_url: str | None = None,
            events_secret: str | None = None,
            fleet_secrets: FleetSecrets | None = None,
        ) -> JanusFleet:
            fleet = await stack.enter_async_context(
                janus_fleet(count, events_url=events_url, events_secret=events_secret, fleet_secrets=fleet_secrets)
            )
            peers.use_host_addresses(fleet.host_ips)
            return fleet

        yield start


def video_environment(database: str, namespace: str, data_dir: Path) -> dict[str, str]:
    return {
        **confer_environment(database, namespace, data_dir),
        "CONFER_VIDEO_JANUS_TOKEN_SECRET": secrets.token_urlsafe(24),
        "CONFER_VIDEO_VIDEOROOM_ADMIN_KEY": secrets.token_urlsafe(24),
        "CONFER_VIDEO_EVENTS_SECRET": secrets.token_urlsafe(24),
        "CONFER_VIDEO_TURN_SECRET": secrets.token_urlsafe(24),
        "CONFER_VIDEO_TURN_URLS": "turn:turn.bench.example:3478?transport=udp",
        "CONFER_VIDEO_STUN_URLS": "stun:turn.bench.example:3478",
        "CONFER_VIDEO_NODE_TTL_SECONDS": "5",
    }


# --- 1. the join answer -----------------------------------------------------------------------------------------------


async def sign_up(http: httpx.AsyncClient, email: str, role: str) -> dict[str, str]:
    registered = await http.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Bench", "timezone": "UTC", "role": role},
    )
    registered.raise_for_status()
    login = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def a_practice(http: httpx.AsyncClient) -> str:
    """A professional with a published profile and a 30-minute consultation; returns the offering id."""
    headers = await sign_up(http, "pro@bench.example", "professional")
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


async def confirmed_bookings(dsn: str, offering: str, client: UUID, count: int) -> list[str]:
    """``count`` confirmed bookings of ``client``, all starting in five minutes, so every one is in its join window
    now (opens 10 minutes before the start) and no clock needs moving. Written straight to the table, each with a
    professional of its own so the exclusion constraint allows them side by side; the join reads nothing else."""
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    ends = starts + timedelta(minutes=30)
    rows = [(uuid4(), UUID(offering), uuid4(), client, starts, ends) for _ in range(count)]
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
    return [str(row[0]) for row in rows]


async def measure_joins(
    http: httpx.AsyncClient, dsn: str, joins: int, concurrency: int
) -> tuple[list[Latency], dict[str, Any]]:
    offering = await a_practice(http)
    headers = await sign_up(http, "client@bench.example", "client")
    me = await http.get("/api/v1/me", headers=headers)
    me.raise_for_status()
    bookings = await confirmed_bookings(dsn, offering, UUID(me.json()["id"]), WARMUP_JOINS + 2 * joins)
    warm, sequential, concurrent = bookings[:WARMUP_JOINS], bookings[WARMUP_JOINS:][:joins], bookings[-joins:]
    passes: dict[str, str] = {}

    def join(which: list[str]) -> Callable[[int], Awaitable[bool]]:
        async def one(i: int) -> bool:
            answer = await http.post(f"/api/v1/bookings/{which[i]}/video/join", headers=headers)
            if answer.status_code != 200:
                return False
            token: str = answer.json()["token"]
            return passes.setdefault(which[i], token) == token  # a rejoin must keep its pass

        return one

    async def me_ok(_: int) -> bool:
        return (await http.get("/api/v1/me", headers=headers)).status_code == 200

    await timed("warm-up", WARMUP_JOINS, 1, join(warm))  # opens the control sessions to every node
    await timed("warm-up", WARMUP_JOINS, 1, me_ok)
    figures = [
        await timed("GET /api/v1/me (baseline)", joins, 1, me_ok),
        await timed("join, first (room placed)", joins, 1, join(sequential)),
        await timed("join, rejoin (sticky)", joins, 1, join(sequential)),
        await timed("GET /api/v1/me (baseline)", joins, concurrency, me_ok),
        await timed("join, first (room placed)", joins, concurrency, join(concurrent)),
        await timed("join, rejoin (sticky)", joins, concurrency, join(concurrent)),
    ]
    rejoin_errors = sum(f.errors for f in figures if f.target.startswith("join, rejoin"))
    return figures, {"bookings": len(bookings), "rejoins_kept_their_pass": rejoin_errors == 0}


# --- 3. placement -----------------------------------------------------------------------------------------------------


def a_subject() -> Subject:
    starts = datetime.now(UTC) + timedelta(hours=1)
    return Subject(
        kind="booking",
        id=uuid4(),
        host=uuid4(),
        description="bench room",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        expected=2,
        publishers=2,
    )


async def measure_placement(media: MediaPlane, count: int, concurrency: int) -> tuple[list[Latency], dict[str, int]]:
    runtime = media.runtime
    backend = media.video.backend
    node = (await media.video.registry.nodes())[0]
    where: Counter[str] = Counter()

    async def place(_: int) -> bool:
        room = await rooms.room_for(runtime, a_subject())
        _, chosen = await rooms.place(runtime, room["id"])
        where[chosen.id] += 1
        return True

    async def create(_: int) -> bool:
        spec = RoomSpec(
            room_id=secrets.randbits(rooms.JS_SAFE_BITS) | 1,
            secret=secrets.token_urlsafe(32),
            description="bench room",
            publishers=2,
            allowed=[secrets.token_urlsafe(24)],
        )
        return await backend.ensure_room(node, spec)

    figures = [
        await timed(f"raw create on {node.id} (baseline)", count, 1, create),
        await timed("room_for + place, 3 nodes", count, 1, place),
        await timed(f"raw create on {node.id} (baseline)", count, concurrency, create),
        await timed("room_for + place, 3 nodes", count, concurrency, place),
    ]
    return figures, dict(sorted(where.items()))


# --- 2. fan-out -------------------------------------------------------------------------------------------------------


class MovingPattern(VideoStreamTrack):
    """640x480 at 30 fps like aiortc's own test track, but a textured picture sliding sideways instead of a flat
    green one, so the encoder has motion to send and every subscriber real VP8 to decode. Frames are made once."""

    def __init__(self, frames: int = FPS) -> None:
        super().__init__()
        self.sent = 0
        texture = sliding_texture(frames)
        self._frames = [moving_frame(texture, i) for i in range(frames)]

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = self._frames[self.sent % len(self._frames)]
        frame.pts = pts
        frame.time_base = time_base
        self.sent += 1
        return frame


def sliding_texture(frames: int, block: int = 16, step: int = 8) -> list[bytes]:
    """One luma row per block row, wide enough to slide ``step`` pixels a frame for ``frames`` frames."""
    columns = (WIDTH + frames * step) // block + 1
    return [
        bytes((x * 37 + y * 91 + (x * y) % 53) % 200 + 28 for x in range(columns) for _ in range(block))
        for y in range(HEIGHT // block)
    ]


def moving_frame(texture: list[bytes], index: int, block: int = 16, step: int = 8) -> VideoFrame:
    frame = VideoFrame(width=WIDTH, height=HEIGHT, format="yuv420p")
    luma, blue, red = frame.planes
    shift = index * step
    rows = [texture[y // block][shift : shift + WIDTH].ljust(luma.line_size, b"\x80") for y in range(HEIGHT)]
    luma.update(b"".join(rows))
    blue.update(bytes([100]) * blue.buffer_size)
    red.update(bytes([150]) * red.buffer_size)
    return frame


def janus_pid(node: JanusNode) -> int:
    """Janus's own pid (``ip netns exec`` execs it, but look at its children in case it forked)."""
    assert node._process is not None
    pid = node._process.pid
    if Path(f"/proc/{pid}/comm").read_text().strip() == "janus":
        return pid
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if Path(f"/proc/{child}/comm").read_text().strip() == "janus":
                return int(child)
    return pid


def cpu_ticks(stat: Path) -> int:
    """utime + stime of a process or thread from its /proc stat file, in clock ticks."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


@dataclass
class CpuSample:
    at: float
    janus: int
    process: float
    main_thread: int

    @classmethod
    def now(cls, janus: int, main_tid: int) -> CpuSample:
        times = os.times()
        return cls(
            at=time.monotonic(),
            janus=cpu_ticks(Path(f"/proc/{janus}/stat")),
            process=times.user + times.system,
            main_thread=cpu_ticks(Path(f"/proc/self/task/{main_tid}/stat")),
        )


async def measure_fanout(media: MediaPlane, window: float) -> tuple[list[FanoutStep], dict[str, Any]]:
    node = media.fleet[1]
    media_node = next(n for n in await media.video.registry.nodes() if n.id == node.config.node_id)
    token, secret = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    spec = RoomSpec(
        room_id=secrets.randbits(rooms.JS_SAFE_BITS) | 1,
        secret=secret,
        description="fan-out",
        publishers=1,
        allowed=[token],
    )
    await media.video.backend.ensure_room(media_node, spec)
    settings = media.runtime.section("video", VideoSettings)
    assert settings.janus_token_secret is not None
    janus_token = signed_token(settings.janus_token_secret, datetime.now(UTC) + timedelta(hours=1))
    track = MovingPattern()
    seat = await peers.participant(node.ws_url, spec.room_id, token=token, janus_token=janus_token, display="pub")
    watchers: list[peers.Subscriber] = []
    steps: list[FanoutStep] = []
    stopped_because = f"reached the last step ({FANOUT_STEPS[-1]} subscribers)"
    try:
        await seat.plugin.publish(SimpleNamespace(audio=None, video=track), videocodec="vp8")
        await asyncio.wait_for(seat.plugin.webrtcup_event.wait(), peers.WEBRTC_UP_SECONDS)
        began = time.monotonic()
        pid, main_tid = janus_pid(node), threading.main_thread().native_id
        assert main_tid is not None
        for size in FANOUT_STEPS:
            while len(watchers) < size:
                watchers.append(
                    await peers.subscriber(
                        node.ws_url,
                        spec.room_id,
                        seat.publisher_id,
                        token=None,
                        janus_token=janus_token,
                        private_id=seat.private_id,
                    )
                )
            await asyncio.sleep(FANOUT_WARMUP_SECONDS)
            steps.append(await fanout_window(watchers, track, pid, main_tid, window))
            step = steps[-1]
            if step.min_fps < DROP_THRESHOLD * FPS:
                stopped_because = f"a subscriber got {step.min_fps:.1f} fps < {DROP_THRESHOLD:.0%} of {FPS}"
                break
            if time.monotonic() - began > FANOUT_BUDGET_SECONDS:
                stopped_because = f"time budget ({FANOUT_BUDGET_SECONDS:g} s) spent"
                break
    finally:
        await asyncio.gather(*(watcher.close() for watcher in watchers), return_exceptions=True)
        track.stop()
        await seat.close()
    return steps, {"node": media_node.id, "stopped_because": stopped_because, **verdict(steps)}


async def fanout_window(
    watchers: list[peers.Subscriber], track: MovingPattern, janus: int, main_tid: int, window: float
) -> FanoutStep:
    frames, sent, before = [w.frames for w in watchers], track.sent, CpuSample.now(janus, main_tid)
    await asyncio.sleep(window)
    after = CpuSample.now(janus, main_tid)
    seconds = after.at - before.at
    fps = [(w.frames - f) / seconds for w, f in zip(watchers, frames, strict=True)]
    return FanoutStep(
        subscribers=len(watchers),
        publisher_fps=(track.sent - sent) / seconds,
        mean_fps=statistics.fmean(fps),
        min_fps=min(fps),
        janus_cpu_percent=100 * (after.janus - before.janus) / CLK_TCK / seconds,
        process_cpu_percent=100 * (after.process - before.process) / seconds,
        main_thread_cpu_percent=100 * (after.main_thread - before.main_thread) / CLK_TCK / seconds,
    )


def verdict(steps: list[FanoutStep]) -> dict[str, Any]:
    """The largest step where every subscriber kept >= 90 % of the frame rate, and what was busiest at the first
    step that did not (or the last one run)."""
    held = [s.subscribers for s in steps if s.min_fps >= DROP_THRESHOLD * FPS]
    last = steps[-1]
    cores = os.cpu_count() or 1
    if last.main_thread_cpu_percent >= 85:
        limit = "client: this process's event loop thread saturated a core (aiortc RTP/SRTP, jitter buffers, asyncio)"
    elif last.process_cpu_percent >= 85:
        limit = "client: the aiortc process (decoder threads + event loop) used a core or more"
    elif last.janus_cpu_percent >= 85:
        limit = "janus: the node's process used a core or more"
    elif last.process_cpu_percent + last.janus_cpu_percent >= 85 * cores:
        limit = "machine: both cores busy (Janus and the aiortc process together)"
    else:
        limit = "neither saturated a core at the last step"
    return {"max_subscribers_without_drops": max(held, default=0), "limited_by": limit}


# --- the run ----------------------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, environ: dict[str, str]) -> dict[str, Any]:
    settings = load_settings(environ)
    runtime = Runtime.build(settings, environ=environ, clock=OffsetClock())
    await runtime.start()
    try:
        await db.migrate(runtime.registry)
        async with (
            fleet_starter() as start,
            media_plane(start, runtime, settings, NODES, capacity=NODE_CAPACITY) as media,
            serving(create_app(settings, runtime=runtime)) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=60) as http,
        ):
            joins, join_notes = await measure_joins(http, environ["CONFER_DATABASE_URL"], args.joins, args.concurrency)
            placement, spread = await measure_placement(media, args.rooms, args.room_concurrency)
            fanout, fanout_notes = await measure_fanout(media, args.window)
    finally:
        await runtime.stop()
    return {
        "joins": [asdict(j) for j in joins],
        "join_notes": join_notes,
        "placement": [asdict(p) for p in placement],
        "placement_spread": spread,
        "fanout": [asdict(s) for s in fanout],
        "fanout_notes": fanout_notes,
    }


def ratio(figures: list[dict[str, Any]], target: str, baseline: str, concurrency: int, key: str) -> float:
    def pick(name: str) -> float:
        value: float = next(f[key] for f in figures if f["target"].startswith(name) and f["concurrency"] == concurrency)
        return value

    return pick(target) / pick(baseline)


def report(result: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"1. join answer over HTTP ({NODES} Janus nodes; client, server, agents and events share one process)")
    print(f"{'target':<30}{'conc':>5}{'n':>6}{'err':>5}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
    for f in result["joins"]:
        print(
            f"{f['target']:<30}{f['concurrency']:>5}{f['count']:>6}{f['errors']:>5}{f['per_s']:>9.1f}"
            f"{f['p50_ms']:>9.2f}{f['p99_ms']:>9.2f}{f['mean_ms']:>9.2f}"
        )
    for concurrency in (1, args.concurrency):
        first = ratio(result["joins"], "join, first", "GET /api/v1/me", concurrency, "p50_ms")
        again = ratio(result["joins"], "join, rejoin", "GET /api/v1/me", concurrency, "p50_ms")
        print(f"   p50 vs /me at concurrency {concurrency}: first join x{first:.1f}, rejoin x{again:.1f}")

    print(f"\n2. fan-out: one {WIDTH}x{HEIGHT} ~{FPS} fps VP8 publisher, N aiortc subscribers on one node")
    print(
        f"{'subs':>5}{'pub fps':>9}{'mean fps':>10}{'min fps':>9}{'janus cpu%':>12}{'proc cpu%':>11}{'loop cpu%':>11}"
    )
    for s in result["fanout"]:
        print(
            f"{s['subscribers']:>5}{s['publisher_fps']:>9.1f}{s['mean_fps']:>10.1f}{s['min_fps']:>9.1f}"
            f"{s['janus_cpu_percent']:>12.1f}{s['process_cpu_percent']:>11.1f}{s['main_thread_cpu_percent']:>11.1f}"
        )
    notes = result["fanout_notes"]
    print(
        f"   max subscribers with every one >= {DROP_THRESHOLD:.0%} of {FPS} fps: "
        f"{notes['max_subscribers_without_drops']}; stopped: {notes['stopped_because']}"
    )
    print(f"   limited by: {notes['limited_by']}")

    print(f"\n3. rooms placed per second ({NODES} nodes)")
    print(f"{'target':<38}{'conc':>5}{'n':>6}{'rooms/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for f in result["placement"]:
        print(
            f"{f['target']:<38}{f['concurrency']:>5}{f['count']:>6}{f['per_s']:>9.1f}{f['p50_ms']:>9.2f}"
            f"{f['p99_ms']:>9.2f}"
        )
    for concurrency in (1, args.room_concurrency):
        share = 100 * ratio(result["placement"], "room_for", "raw create", concurrency, "per_s")
        print(f"   placement at concurrency {concurrency}: {share:.1f} % of raw creates/s")
    print(f"   rooms per node: {result['placement_spread']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--joins", type=int, default=500, help="joins per row of table 1 (500)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent HTTP clients for table 1 (8)")
    parser.add_argument("--rooms", type=int, default=300, help="rooms per row of table 3 (300)")
    parser.add_argument("--room-concurrency", type=int, default=16, help="concurrent placements (16)")
    parser.add_argument("--window", type=float, default=10.0, help="seconds measured per fan-out step (10)")
    args = parser.parse_args()
    for noisy in (
        "aioice",
        "aiortc",
        "httpx",
        "httpcore",
        "janus_client",
        "websockets",
    ):  # per-packet and per-message INFO lines
        logging.getLogger(noisy).setLevel(logging.WARNING)
    suffix = secrets.token_hex(6)
    database, namespace = f"confer_bench_video_{suffix}", f"benchvideo{suffix}"
    with tempfile.TemporaryDirectory(prefix="confer-bench-") as work:
        environ = video_environment(database, namespace, Path(work))
        asyncio.run(create_database(database))
        try:
            result = asyncio.run(run(args, environ))
        finally:
            with contextlib.suppress(Exception):
                asyncio.run(drop_database(database))
            with contextlib.suppress(Exception):
                asyncio.run(delete_redis_namespace(namespace))
    report(result, args)
    result["settings"] = {**vars(args), "nodes": NODES, "fanout_steps": FANOUT_STEPS, "cpus": os.cpu_count()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
