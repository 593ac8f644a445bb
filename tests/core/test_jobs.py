"""Jobs cannot wedge the worker: no job waits on a second pool connection while it holds one, and a scheduled job
runs as long as its work takes (saq's default job timeout is 10 s)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from datetime import timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from saq.queue.redis import RedisQueue

from confer.core.jobs import ConferWorker, build_worker, cron_job
from confer.core.modules import Schedule
from confer.core.runtime import Runtime, redis_client
from tests.support import Mailbox

SAQ_DEFAULT_TIMEOUT_SECONDS = 10


@pytest.fixture
async def own_database(test_environ: dict[str, str], empty_database_url: str) -> dict[str, str]:
    """The environment of a Confer with a database and a Redis namespace of its own, migrated by `confer migrate`:
    the worker process under test is the only one working on it (the test app's in-process worker is not)."""
    environ = {
        **test_environ,
        "CONFER_DATABASE_URL": empty_database_url,
        "CONFER_REDIS_NAMESPACE": f"jobs{secrets.token_hex(3)}",
        "CONFER_OUTBOX_POLL_SECONDS": "0.1",
    }
    await asyncio.to_thread(_confer, environ, "migrate")
    return environ


def _confer(environ: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", f"from confer.cli import main; raise SystemExit(main({list(args)!r}))"],
        env={**os.environ, **environ},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


async def _verification_requested(database_url: str, addresses: list[str]) -> None:
    """Accounts that each asked for a verification mail, written as the API writes them (account + outbox event)."""
    connection = await asyncpg.connect(database_url)
    try:
        async with connection.transaction():
            for address in addresses:
                account_id = uuid4()
                await connection.execute(
                    "INSERT INTO account (id, email, password_hash, name, role, timezone, locale, created_at, "
                    "updated_at) VALUES ($1, $2, 'x', 'Someone', 'client', 'UTC', 'en', now(), now())",
                    account_id,
                    address,
                )
                await connection.execute(
                    "INSERT INTO outbox_event (topic, payload, created_at) VALUES ($1, $2::jsonb, now())",
                    "accounts.verification_requested",
                    f'{{"account_id": "{account_id}"}}',
                )
    finally:
        await connection.close()


async def test_twenty_verification_mails_queued_at_once_all_leave_a_worker_with_default_settings(
    own_database: dict[str, str], mailbox: Mailbox
) -> None:
    """`confer worker` as it runs in production (its own pool, its default concurrency): 20 mails at once once
    deadlocked it, each delivery holding a connection while waiting for a second one."""
    addresses = [f"wedge{i}-{secrets.token_hex(3)}@example.org" for i in range(20)]
    await _verification_requested(own_database["CONFER_DATABASE_URL"], addresses)
    worker = _start_worker(own_database)
    try:
        for address in addresses:
            await mailbox.wait_for(address, "confirm your e-mail", timeout=60)
    finally:
        await _stop(worker)
    assert all(len(mailbox.to(address)) == 1 for address in addresses)


def _start_worker(environ: dict[str, str]) -> subprocess.Popen[bytes]:
    """`confer worker`, exactly as an operator starts it."""
    return subprocess.Popen(
        [sys.executable, "-c", "from confer.cli import main; raise SystemExit(main(['worker']))"],
        env={**os.environ, **environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as an orchestrator stops it; SIGKILL if it does not stop (a wedged worker ignores nothing, it waits)."""
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.to_thread(process.wait, 15)
    except subprocess.TimeoutExpired:
        process.kill()
        await asyncio.to_thread(process.wait)


async def fifteen_seconds_of_work(ctx: dict[str, Any]) -> str:
    finished: asyncio.Future[str] = ctx["finished"]
    try:
        await asyncio.sleep(15)
    except asyncio.CancelledError:
        finished.set_result("cancelled")
        raise
    finished.set_result("done")
    return "done"


async def test_a_scheduled_job_that_takes_fifteen_seconds_completes(runtime: Runtime, settings: Any) -> None:
    """A schedule's timeout reaches saq (whose own default would cancel the job at 10 s)."""
    slow = Schedule(cron="* * * * * *", job=fifteen_seconds_of_work, timeout=timedelta(minutes=1))  # every second
    queue = RedisQueue(redis_client(settings.redis_url), name=f"{settings.redis_namespace}-cron{secrets.token_hex(3)}")
    finished: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["finished"] = finished

    worker = ConferWorker(queue, functions=[], cron_jobs=[cron_job(slow)], startup=startup)
    await queue.connect()
    running = asyncio.create_task(worker.start())
    try:
        assert await asyncio.wait_for(finished, timeout=40) == "done"
    finally:
        await worker.stop()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await queue.disconnect()


def test_every_scheduled_job_of_the_worker_has_a_timeout_beyond_saqs_default(runtime: Runtime) -> None:
    jobs = build_worker(runtime).cron_jobs
    assert len(jobs) >= 10
    assert all(job.timeout is not None and job.timeout > SAQ_DEFAULT_TIMEOUT_SECONDS for job in jobs), [
        (job.function.__name__, job.timeout) for job in jobs
    ]
