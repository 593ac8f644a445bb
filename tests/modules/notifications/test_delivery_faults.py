"""Deliveries survive faults: Redis down while people book, Redis restarted (losing its queue), a worker killed in
the middle of sending. Each runs Confer against a Redis server of its own (killed and restarted by the test) and a
real `confer worker` process (killed with SIGKILL), with mail going to a real SMTP server in the test process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from redis.asyncio import Redis
from saq.job import Status
from saq.queue.redis import RedisQueue

from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.support import Mailbox, bearer, signed_in

PATIENT = "patient@example.org"


class StallingMailbox(Mailbox):
    """Takes mail like Mailbox, but holds the first "Booking confirmed" mail to ``stall_for`` without answering, as
    a slow relay would; the sender is killed meanwhile, and the held mail is refused, never recorded."""

    def __init__(self, stall_for: str) -> None:
        super().__init__()
        self.stall_for = stall_for
        self.stalled = threading.Event()  # set on the SMTP server's own thread

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        if self.stall_for in envelope.rcpt_tos and b"Booking confirmed" in content and not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(20)
            return "451 try again later"
        return await super().handle_DATA(server, session, envelope)


@dataclass
class Stack:
    """Confer on a database and a Redis of its own, every part a process of its own: the API, the worker, one-off
    jobs (``confer run-job``). Nothing runs in this process but the test, so no other app shares its work."""

    environ: dict[str, str]
    database_url: str
    redis_port: int
    api_port: int
    redis: subprocess.Popen[bytes] | None = None
    api: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.redis_port)

    def stop_redis(self) -> None:
        _stop(self.redis, signal.SIGKILL)
        self.redis = None

    def start_api(self) -> None:
        self.api = self._confer(
            "-m", "uvicorn", "--factory", "confer.app:app_from_environment", "--port", str(self.api_port)
        )
        _wait_for_port(self.api_port)

    def start_worker(self) -> None:
        self.worker = self._confer("-c", "from confer.cli import main; raise SystemExit(main(['worker']))")

    def kill_worker(self) -> None:
        _stop(self.worker, signal.SIGKILL)
        self.worker = None

    def run_job(self, name: str) -> str:
        return self.run_command("run-job", name)

    def run_command(self, *args: str) -> str:
        """``confer ARGS`` in a process of its own; its output (it must succeed)."""
        done = subprocess.run(
            [sys.executable, "-c", f"from confer.cli import main; raise SystemExit(main({list(args)!r}))"],
            env={**os.environ, **self.environ, "PYTHONIOENCODING": "utf-8"},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout

    def stop(self) -> None:
        for process in (self.worker, self.api):
            _stop(process, signal.SIGTERM)
        self.stop_redis()

    def _confer(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, *args],
            env={**os.environ, **self.environ},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


@pytest.fixture
def stalling_mailbox() -> Iterator[StallingMailbox]:
    box = StallingMailbox(PATIENT)
    box.port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
async def stack(
    test_environ: dict[str, str],
    empty_database_url: str,
    stalling_mailbox: StallingMailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Stack]:
    if shutil.which("redis-server") is None:
        pytest.fail("these tests start a Redis server of their own: install redis-server (Debian: redis-server)")
    redis_port = _free_port()
    environ = {
        **test_environ,
        "CONFER_DATABASE_URL": empty_database_url,
        "CONFER_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CONFER_REDIS_NAMESPACE": f"faults{secrets.token_hex(3)}",
        "CONFER_SMTP_URL": f"smtp://127.0.0.1:{stalling_mailbox.port}",
        "CONFER_OUTBOX_POLL_SECONDS": "0.1",
        # accounts are used before any worker runs, so no verification link could arrive: not what is tested here
        "CONFER_ACCOUNTS_REQUIRE_VERIFIED_EMAIL": "false",
    }
    monkeypatch.setattr(Mailbox, "session", None)
    own = Stack(environ, empty_database_url, redis_port, _free_port())
    own.start_redis()
    migrated = await asyncio.to_thread(own.run_command, "migrate")
    assert "Applying database migrations" in migrated
    own.start_api()
    try:
        yield own
    finally:
        own.stop()


async def a_confirmed_booking(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as client:
        practice = await open_practice(client)
        patient = await signed_in(client, PATIENT)
        booking = await book(client, bearer(patient), practice, (await free_slots(client, practice))[0])
    assert booking["status"] == "confirmed"


async def test_bookings_commit_with_redis_down_and_their_mail_goes_out_once_it_is_back(
    stack: Stack, stalling_mailbox: StallingMailbox
) -> None:
    stalling_mailbox.stall_for = "nobody"  # no stalling in this test
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as client:
        practice = await open_practice(client)
        patient = await signed_in(client, PATIENT)
        slots = await free_slots(client, practice)
        stack.stop_redis()
        booking = await book(client, bearer(patient), practice, slots[0])  # committed without Redis
    assert booking["status"] == "confirmed"
    stack.start_redis()
    stack.start_worker()
    mail = await stalling_mailbox.wait_for(PATIENT, "Booking confirmed", timeout=30)
    assert mail["Message-ID"]
    await _settled(stack)
    assert _confirmations(stalling_mailbox) == 1


async def test_jobs_lost_with_a_redis_restart_are_found_again(stack: Stack, stalling_mailbox: StallingMailbox) -> None:
    stalling_mailbox.stall_for = "nobody"
    await a_confirmed_booking(stack)
    # the events are relayed (queued in Redis), then Redis loses its memory before any worker delivers them
    await _relay_only(stack)
    stack.stop_redis()
    stack.start_redis()
    stack.start_worker()
    # Drain marker: a later event through the same outbox, relay, queue and worker. The relay takes events in order,
    # so had it queued the lost ones again they would have gone out with or before it.
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as client:
        asked = await client.post("/api/v1/auth/password/forgot", json={"email": PATIENT})
        assert asked.status_code == 202, asked.text
    await stalling_mailbox.wait_for(PATIENT, "Reset your Confer password", timeout=30)
    await _settled(stack)
    assert _confirmations(stalling_mailbox) == 0
    async with _database(stack) as db:  # minutes pass for the sweeper's eyes
        await db.execute("UPDATE outbox_event SET relayed_at = relayed_at - interval '10 minutes'")
    assert "requeue_lost_deliveries: 0" not in stack.run_job("requeue_lost_deliveries")
    await stalling_mailbox.wait_for(PATIENT, "Booking confirmed", timeout=30)
    await _settled(stack)
    assert _confirmations(stalling_mailbox) == 1


async def test_a_worker_killed_while_sending_delivers_exactly_once_after_restart(
    stack: Stack, stalling_mailbox: StallingMailbox
) -> None:
    stack.start_worker()
    await a_confirmed_booking(stack)
    assert await asyncio.to_thread(stalling_mailbox.stalled.wait, 30)  # the worker is in the middle of sending it
    stack.kill_worker()
    async with _database(stack) as db:
        states = {row["status"] for row in await db.fetch("SELECT status FROM notification_delivery")}
        assert "sending" in states
        # minutes pass (rows aged rather than clocks moved: every part is another process)
        await db.execute("UPDATE notification_delivery SET updated_at = updated_at - interval '10 minutes'")
    stack.start_worker()
    assert "requeue_stuck: 0" not in stack.run_job("requeue_stuck")
    await stalling_mailbox.wait_for(PATIENT, "Booking confirmed", timeout=30)
    await _settled(stack)
    assert _confirmations(stalling_mailbox) == 1
    async with _database(stack) as db:
        assert {row["status"] for row in await db.fetch("SELECT status FROM notification_delivery")} == {"sent"}


RELAY_ONCE = """
import asyncio, os
from confer.core.jobs import relay_outbox
from confer.core.runtime import Runtime
from confer.settings import load_settings

async def relay() -> None:
    runtime = Runtime.build(load_settings(), environ=dict(os.environ))
    await runtime.start()
    try:
        print(await relay_outbox(runtime))
    finally:
        await runtime.stop()

asyncio.run(relay())
"""


async def _relay_only(stack: Stack) -> None:
    """One pass of the outbox relay, in a process of its own, with no worker to deliver what it queues."""
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", RELAY_ONCE],
        env={**os.environ, **stack.environ},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert int(done.stdout.strip().splitlines()[-1]) > 0


async def _settled(stack: Stack) -> None:
    """Wait until nothing is left to send: every delivery sent, no job waiting in the worker's queue or running in a
    live worker. Mail only leaves from a job, so what has arrived by then is all that will (no fixed wait for "nothing
    more"); a job a killed worker left behind is swept later and finds its delivery sent."""
    queue = RedisQueue(Redis.from_url(stack.environ["CONFER_REDIS_URL"]), name=stack.environ["CONFER_REDIS_NAMESPACE"])
    try:
        async with asyncio.timeout(30), _database(stack) as db:
            while (  # noqa: ASYNC110 - other processes change what is polled
                await db.fetchval("SELECT count(*) FROM notification_delivery WHERE status <> 'sent'")
                or await _busy(queue)
            ):
                await asyncio.sleep(0.05)
    finally:
        await queue.disconnect()


async def _busy(queue: RedisQueue) -> bool:
    info = await queue.info(jobs=True, limit=1000)
    running = [job for job in info["jobs"] if job["status"] == Status.ACTIVE and job["worker_id"] in info["workers"]]
    return bool(info["queued"] or running)


@contextlib.asynccontextmanager
async def _database(stack: Stack) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(stack.database_url)
    try:
        yield connection
    finally:
        await connection.close()


def _stop(process: subprocess.Popen[bytes] | None, how: signal.Signals) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(how)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _confirmations(box: Mailbox) -> int:
    return len([m for m in box.to(PATIENT) if "Booking confirmed" in str(m["Subject"])])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, seconds: float = 60.0) -> None:
    """A process starting on a busy machine (CI, or a laptop running the suite) can take many seconds to import."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")
