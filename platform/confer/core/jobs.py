"""Jobs on saq (Redis) and the outbox relay that feeds them (DESIGN §7).

The relay takes committed outbox events in order, enqueues one ``deliver_event`` job per (event, subscriber) with a
job key made of both (so a relay that crashes after enqueueing does not enqueue twice), and marks the events
relayed. A delivery runs its handler and records its dedupe key in the same transaction, so a retried or repeated
delivery changes nothing twice; failures are retried with exponential backoff. Jobs live in Redis, which may lose
them (a restart without persistence): a sweeper queues again every delivery of a relayed event still not done.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import msgspec
import structlog
from saq import CronJob, Job, Worker

from confer.core.events import EventEnvelope
from confer.core.modules import Module, Subscriber
from confer.core.runtime import Runtime
from confer.core.tables import HandledEvent, OutboxEvent

log = structlog.get_logger("confer.jobs")

DELIVERY_RETRIES = 8
RELAY_BATCH = 200
SWEEP_AFTER = timedelta(minutes=2)
"""A delivery not done this long after its event was relayed is presumed lost (the first retries take ~1 min)."""
SWEEP_WINDOW = timedelta(days=1)
SWEEP_BATCH = 1000


def subscriber_name(module: Module, handler: Subscriber) -> str:
    return f"{module.name}.{getattr(handler, '__name__', type(handler).__name__)}"


def subscribers_by_topic(modules: Sequence[Module]) -> dict[str, dict[str, Subscriber]]:
    index: dict[str, dict[str, Subscriber]] = {}
    for module in modules:
        for topic, handlers in module.subscribers.items():
            for handler in handlers:
                index.setdefault(topic, {})[subscriber_name(module, handler)] = handler
    return index


async def relay_outbox(runtime: Runtime, *, batch: int = RELAY_BATCH) -> int:
    """Hand up to ``batch`` unrelayed events to the queue; return how many were taken."""
    index = subscribers_by_topic(runtime.modules)
    async with runtime.engine.transaction():
        rows = await OutboxEvent.raw(
            "SELECT id, topic, payload FROM outbox_event WHERE relayed_at IS NULL "
            "ORDER BY id LIMIT {} FOR UPDATE SKIP LOCKED",
            batch,
        )
        for row in rows:
            for name in index.get(row["topic"], {}):
                await runtime.queue.enqueue(_delivery_job(row, name))
        if rows:
            await OutboxEvent.raw(
                "UPDATE outbox_event SET relayed_at = now() WHERE id = ANY({})", [row["id"] for row in rows]
            )
    return len(rows)


async def requeue_lost_deliveries(ctx: dict[str, Any], *, after: timedelta = SWEEP_AFTER) -> int:
    """saq cron: each (event, subscriber) relayed more than ``after`` ago and not handled yet is queued again under a
    new job key (its first job may be gone with Redis). A delivery that was merely slow runs twice at most, and its
    dedupe key lets only one of them count."""
    runtime: Runtime = ctx["runtime"]
    index = subscribers_by_topic(runtime.modules)
    rows = await OutboxEvent.raw(
        "SELECT id, topic, payload FROM outbox_event WHERE relayed_at IS NOT NULL "
        "AND relayed_at < now() - {}::interval AND relayed_at > now() - {}::interval ORDER BY id LIMIT {}",
        after,
        SWEEP_WINDOW,
        SWEEP_BATCH,
    )
    wanted = {f"{row['id']}:{name}": (row, name) for row in rows for name in index.get(row["topic"], {})}
    done = await HandledEvent.select(HandledEvent.key).where(HandledEvent.key.is_in(list(wanted) or [""]))
    lost = wanted.keys() - {row["key"] for row in done}
    sweep = int(time.time())
    for key in sorted(lost):
        row, name = wanted[key]
        await runtime.queue.enqueue(_delivery_job(row, name, key_suffix=f"-swept-{sweep}"))
    queued = len(lost)
    if queued:
        log.warning("lost_deliveries_requeued", count=queued)
    return queued


def _delivery_job(row: Mapping[str, Any], subscriber: str, *, key_suffix: str = "") -> Job:
    payload = row["payload"]
    return Job(
        function="deliver_event",
        kwargs={
            "event_id": row["id"],
            "topic": row["topic"],
            "subscriber": subscriber,
            "payload": msgspec.json.decode(payload) if isinstance(payload, str | bytes) else payload,
        },
        key=f"event-{row['id']}-{subscriber}{key_suffix}",
        retries=DELIVERY_RETRIES,
        retry_delay=1.0,
        retry_backoff=True,
        timeout=60,
    )


async def deliver_event(
    ctx: dict[str, Any], *, event_id: int, topic: str, subscriber: str, payload: dict[str, Any]
) -> None:
    """saq job: run one subscriber for one event, at most once to completion."""
    runtime: Runtime = ctx["runtime"]
    handler = subscribers_by_topic(runtime.modules).get(topic, {}).get(subscriber)
    if handler is None:
        log.warning("event_without_subscriber", topic=topic, subscriber=subscriber, event_id=event_id)
        return
    envelope = EventEnvelope(event_id=event_id, topic=topic, payload=payload, dedupe_key=f"{event_id}:{subscriber}")
    async with runtime.engine.transaction():
        claimed = await HandledEvent.raw(
            "INSERT INTO handled_event (key) VALUES ({}) ON CONFLICT (key) DO NOTHING RETURNING key",
            envelope.dedupe_key,
        )
        if not claimed:
            return
        await handler(runtime, envelope)
    log.info("event_delivered", topic=topic, subscriber=subscriber, event_id=event_id)


async def run_relay(runtime: Runtime, stopping: asyncio.Event) -> None:
    """Relay until ``stopping`` is set; a full batch is followed at once by the next, otherwise wait a poll."""
    while not stopping.is_set():
        try:
            taken = await relay_outbox(runtime)
        except Exception:
            log.exception("outbox_relay_failed")
            taken = 0
        if taken < RELAY_BATCH:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=runtime.settings.outbox_poll_seconds)


class ConferWorker(Worker[Any]):
    """saq's worker without its own signal handlers: whoever runs it (``confer worker``, or uvicorn in ``confer dev``)
    owns SIGINT/SIGTERM and stops it; saq's handlers would swallow the signal meant for the server."""

    SIGNALS: list[signal.Signals] = []


def build_worker(runtime: Runtime, *, concurrency: int = 10) -> ConferWorker:
    """The saq worker: event deliveries plus every enabled module's jobs, with the runtime in each job's context."""

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["runtime"] = runtime

    functions: list[Any] = [deliver_event]
    cron_jobs = [CronJob(job, cron=cron) for cron, job in scheduled_jobs(runtime)]
    for module in runtime.modules:
        functions.extend(module.jobs)
    return ConferWorker(
        runtime.queue, functions=functions, cron_jobs=cron_jobs, concurrency=concurrency, startup=startup
    )


def scheduled_jobs(runtime: Runtime) -> list[tuple[str, Any]]:
    """(cron, job) of everything the worker runs on a schedule: the core's sweeper and every module's."""
    found: list[tuple[str, Any]] = [("* * * * *", requeue_lost_deliveries)]
    for module in runtime.modules:
        found.extend((schedule.cron, schedule.job) for schedule in module.schedules)
    return found


async def run_worker(runtime: Runtime, stopping: asyncio.Event) -> None:
    """Run the saq worker and the outbox relay together until ``stopping`` is set."""
    worker = build_worker(runtime)
    worker_task = asyncio.create_task(worker.start())
    relay_task = asyncio.create_task(run_relay(runtime, stopping))
    try:
        await stopping.wait()
    finally:
        await worker.stop()
        await relay_task
        worker_task.cancel()
        await asyncio.gather(worker_task, return_exceptions=True)
