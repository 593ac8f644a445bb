"""Jobs on saq (Redis) and the outbox relay that feeds them (DESIGN §7).

The relay takes committed outbox events in order, enqueues one ``deliver_event`` job per (event, subscriber) with a
job key made of both (so a relay that crashes after enqueueing does not enqueue twice), and marks the events
relayed. A delivery runs its handler and records its dedupe key in the same transaction, so a retried or repeated
delivery changes nothing twice; failures are retried with exponential backoff. The handler's side effects (mail,
push, HTTP) run after that transaction commits, with no connection held (:mod:`confer.core.events`). Jobs live in
Redis, which may lose them (a restart without persistence): a sweeper queues again every delivery of a relayed event
still not done, and a daily job prunes events and dedupe keys past ``CONFER_OUTBOX_RETENTION_DAYS``.
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

from confer.core.events import AfterCommit, EventEnvelope
from confer.core.modules import Module, Schedule, Subscriber
from confer.core.runtime import Runtime
from confer.core.tables import HandledEvent, OutboxEvent

log = structlog.get_logger("confer.jobs")

DELIVERY_RETRIES = 8
RELAY_BATCH = 200
SWEEP_AFTER = timedelta(minutes=2)
"""A delivery not done this long after its event was relayed is presumed lost (the first retries take ~1 min)."""
SWEEP_WINDOW = timedelta(days=1)
SWEEP_BATCH = 1000
PRUNE_BATCH = 5000
PRUNE_EVENTS_SQL = (
    "WITH subscriber(topic, name) AS (SELECT * FROM unnest({}::text[], {}::text[])) "
    "DELETE FROM outbox_event WHERE id IN (SELECT o.id FROM outbox_event o WHERE o.relayed_at < {} "
    "AND NOT EXISTS (SELECT 1 FROM subscriber s WHERE s.topic = o.topic AND NOT EXISTS "
    "(SELECT 1 FROM handled_event h WHERE h.key = o.id || ':' || s.name)) LIMIT {}) RETURNING 1"
)
"""Relayed before the cutoff, and handled by every subscriber it has today (one never handled stays: a dead letter)."""
PRUNE_KEYS_SQL = (
    "DELETE FROM handled_event WHERE key IN (SELECT h.key FROM handled_event h WHERE h.handled_at < {} "
    "AND NOT EXISTS (SELECT 1 FROM outbox_event o WHERE o.id = CASE WHEN split_part(h.key, ':', 1) ~ '^[0-9]+$' "
    "THEN split_part(h.key, ':', 1)::bigint END) LIMIT {}) "
    "RETURNING 1"
)
"""Handled before the cutoff, of an event that is gone: a key stays as long as its event could be delivered again."""


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
    if await run_subscriber(runtime, handler, envelope):
        log.info("event_delivered", topic=topic, subscriber=subscriber, event_id=event_id)


async def run_subscriber(runtime: Runtime, handler: Subscriber, envelope: EventEnvelope) -> bool:
    """Claim ``envelope``'s dedupe key and run ``handler`` in one transaction on one connection, then its after-commit
    action with no connection held. False when the delivery was done before."""
    async with runtime.engine.transaction():
        claimed = await HandledEvent.raw(
            "INSERT INTO handled_event (key) VALUES ({}) ON CONFLICT (key) DO NOTHING RETURNING key",
            envelope.dedupe_key,
        )
        if not claimed:
            return False
        after_commit = await handler(runtime, envelope)
    if after_commit is not None:
        await _run_after_commit(after_commit, envelope)
    return True


async def _run_after_commit(action: AfterCommit, envelope: EventEnvelope) -> None:
    """Run a delivery's side effect; if it fails, give the dedupe key back so that saq's retry runs the handler again
    (its writes are redone: such a handler makes them repeatable, e.g. a fresh single-use token for a fresh mail)."""
    try:
        await action()
    except BaseException:
        await HandledEvent.delete().where(HandledEvent.key == envelope.dedupe_key)
        raise


async def prune_outbox(ctx: dict[str, Any]) -> int:
    """saq cron (daily): delete events relayed and handled by all their subscribers before the retention, then the
    dedupe keys of events that are gone. An event not relayed yet, or with a delivery never done, is kept whatever
    its age, and so are its keys; the retention (at least two days) outlasts the sweeper's window and every retry,
    so no delivery can come back for a pruned event. Returns how many rows went."""
    runtime: Runtime = ctx["runtime"]
    cutoff = runtime.clock.now() - timedelta(days=runtime.settings.outbox_retention_days)
    subscribers = [(topic, name) for topic, named in subscribers_by_topic(runtime.modules).items() for name in named]
    topics, names = [topic for topic, _ in subscribers], [name for _, name in subscribers]
    pruned = 0
    while deleted := len(await OutboxEvent.raw(PRUNE_EVENTS_SQL, topics, names, cutoff, PRUNE_BATCH)):
        pruned += deleted
    while deleted := len(await HandledEvent.raw(PRUNE_KEYS_SQL, cutoff, PRUNE_BATCH)):
        pruned += deleted
    if pruned:
        log.info("outbox_pruned", rows=pruned, before=cutoff.isoformat())
    return pruned


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
    cron_jobs = [cron_job(schedule) for schedule in schedules(runtime)]
    for module in runtime.modules:
        functions.extend(module.jobs)
    return ConferWorker(
        runtime.queue, functions=functions, cron_jobs=cron_jobs, concurrency=concurrency, startup=startup
    )


def cron_job(schedule: Schedule) -> CronJob[Any]:
    """saq's cron job for ``schedule``, with the schedule's own timeout (saq's default would end it at 10 s)."""
    return CronJob(schedule.job, cron=schedule.cron, timeout=int(schedule.timeout.total_seconds()))


def schedules(runtime: Runtime) -> list[Schedule]:
    """Everything the worker runs on a schedule: the core's sweeper and pruner, then every module's."""
    core = [
        Schedule(cron="* * * * *", job=requeue_lost_deliveries, timeout=timedelta(minutes=1)),
        Schedule(cron="23 3 * * *", job=prune_outbox, timeout=timedelta(minutes=30)),
    ]
    return core + [schedule for module in runtime.modules for schedule in module.schedules]


def scheduled_jobs(runtime: Runtime) -> list[tuple[str, Any]]:
    """(cron, job) of everything the worker runs on a schedule."""
    return [(schedule.cron, schedule.job) for schedule in schedules(runtime)]


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
