"""Reading an external calendar (ICS) into busy times, with limits that hold against hostile files.

Recurrences are expanded by ``recurring-ical-events`` (RRULE with EXDATE, RDATE and RECURRENCE-ID, as calendar apps
read them). A file may ask for far more work than it weighs: a hundred ``FREQ=MINUTELY`` events are 11 KB and
millions of occurrences, and a rule that starts years ago costs minutes before its first occurrence in the window.
So the expansion stops at ``max_busy_times`` occurrences and ``max_events`` events, and it runs in a child process
(:func:`busy_times_in_child`) that is killed when its time budget is spent: the API's event loop never runs it, and
no thread is left spinning. Errors say what was wrong, never what the file contained.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import resource
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import cache
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import msgspec
import recurring_ical_events

Busy = tuple[datetime, datetime]
FIRST_STEP = timedelta(minutes=1)
LONGEST_STEP = timedelta(days=1)
CHILD_MEMORY_BYTES = 1 << 30
"""How much memory the child reading a calendar may take beyond what it starts with."""


class Limits(msgspec.Struct, frozen=True):
    max_events: int
    max_busy_times: int


class Imported(msgspec.Struct, frozen=True):
    events: int
    busy: list[Busy]


class CalendarRefused(Exception):
    """The file is over a limit (events, busy times, time to read it): it is not imported, nor read again until the
    professional links it again. The message is safe to show."""


class CalendarUnreadable(Exception):
    """The file is not a readable iCalendar file this time (a server's error page, a broken export). The message is
    safe to show: it never quotes the file."""


def busy_times(ics: bytes, zone: ZoneInfo, window_start: datetime, window_end: datetime, limits: Limits) -> Imported:
    """The opaque, not-cancelled occurrences overlapping the window, sorted, and how many events the file has;
    floating times and all-day events are read in the professional's zone."""
    try:
        calendar = icalendar.Calendar.from_ical(ics)
    except ValueError:
        raise CalendarUnreadable("the calendar is not a valid iCalendar file") from None
    events = len(calendar.walk("VEVENT"))
    if events > limits.max_events:
        raise CalendarRefused(f"the calendar has {events} events; at most {limits.max_events} are imported")
    busy: list[Busy] = []
    for occurrence in _occurrences(calendar, window_start, window_end, limits):
        span = _busy_span(occurrence, zone)
        if span is None or span[1] <= window_start:
            continue
        busy.append(span)
        if len(busy) > limits.max_busy_times:
            raise CalendarRefused(
                f"the calendar has more than {limits.max_busy_times} busy times in the imported period; "
                "nothing was imported"
            )
    return Imported(events=events, busy=sorted(busy))


def _occurrences(
    calendar: icalendar.Calendar, window_start: datetime, window_end: datetime, limits: Limits
) -> Iterator[Any]:
    """Every occurrence overlapping the window, once. The library computes a stretch of time's occurrences in one
    go (and its ``after()`` merges every series up front: a minute for a thousand minutely ones), so the window is
    walked in steps sized from the density seen so far, and the cap speaks after a step, not after the whole."""
    query = recurring_ical_events.of(calendar)
    seen: set[tuple[str, bytes]] = set()
    start, step = window_start, FIRST_STEP
    try:
        while start < window_end:
            end = min(start + step, window_end)
            found = query.between(start, end)
            for occurrence in found:
                key = (str(occurrence.get("UID", "")), occurrence["DTSTART"].to_ical())
                if key not in seen:  # one that spans two steps is found by both
                    seen.add(key)
                    yield occurrence
            start, step = end, _next_step(step, len(found), limits.max_busy_times)
    except (ValueError, TypeError, KeyError):  # recurring_ical_events.InvalidCalendar is a ValueError
        raise CalendarUnreadable("the calendar has an event or a recurrence rule that cannot be read") from None


def _next_step(step: timedelta, found: int, cap: int) -> timedelta:
    """Twice as long after a sparse step (under a tenth of the cap), half after a dense one (over a quarter)."""
    if found * 10 < cap:
        step *= 2
    elif found * 4 > cap:
        step /= 2
    return min(max(step, FIRST_STEP), LONGEST_STEP)


def _busy_span(event: Any, zone: ZoneInfo) -> Busy | None:
    """(start, end) of an occurrence that blocks time; None for a transparent, cancelled or zero-length one."""
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    raw_start = event.decoded("DTSTART")
    start = _instant(raw_start, zone)
    if event.get("DTEND") is not None:
        end = _instant(event.decoded("DTEND"), zone)
    elif event.get("DURATION") is not None:
        end = start + event.decoded("DURATION")
    else:  # RFC 5545: a day without an end is that day; an instant without one takes no time
        end = start + timedelta(days=1) if not isinstance(raw_start, datetime) else start
    return (start, end) if end > start else None


def _instant(value: datetime | date, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return datetime.combine(value, time(0), tzinfo=zone)


# --- in a child process, against the clock ---------------------------------------------------------------------------


async def busy_times_in_child(
    ics: bytes, zone: ZoneInfo, window_start: datetime, window_end: datetime, limits: Limits, *, budget: float
) -> Imported:
    """:func:`busy_times` in a child process killed after ``budget`` seconds (CalendarRefused then); the child's
    refusal is raised here as it was raised there."""
    receiver, sender = _context().Pipe(duplex=False)
    child = _context().Process(
        target=_read_and_answer,
        args=(sender, ics, zone.key, window_start, window_end, limits),
        name="confer-calendar-import",
        daemon=True,
    )
    await asyncio.to_thread(child.start)  # the first start waits for the fork server to import the parser
    sender.close()
    try:
        if not await asyncio.to_thread(receiver.poll, budget):
            raise CalendarRefused(f"reading the calendar took more than {budget:g} s; nothing was imported")
        try:
            outcome: Imported | CalendarRefused | CalendarUnreadable = receiver.recv()
        except EOFError:
            raise CalendarUnreadable("reading the calendar failed; nothing was imported") from None
    finally:
        child.kill()
        await asyncio.to_thread(child.join)
        receiver.close()
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _read_and_answer(
    sender: Connection, ics: bytes, zone: str, window_start: datetime, window_end: datetime, limits: Limits
) -> None:
    """The child's work: the busy times, or why not."""
    _limit_memory(CHILD_MEMORY_BYTES)
    try:
        answer: Imported | CalendarRefused | CalendarUnreadable = busy_times(
            ics, ZoneInfo(zone), window_start, window_end, limits
        )
    except (CalendarRefused, CalendarUnreadable) as refusal:
        answer = refusal
    except MemoryError:
        answer = CalendarRefused("reading the calendar needs more memory than allowed; nothing was imported")
    with contextlib.suppress(BrokenPipeError):
        sender.send(answer)
    sender.close()


def _limit_memory(extra: int) -> None:
    """Cap this process's address space at its current size plus ``extra`` (Linux; elsewhere the time budget alone
    bounds the work)."""
    with contextlib.suppress(OSError, ValueError):
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (pages * os.sysconf("SC_PAGE_SIZE") + extra, hard))


@cache
def _context() -> ForkServerContext:
    """Children come from a fork server that has already imported the parser: a child costs a fork, not an import,
    and never inherits the app's threads or locks (as a plain fork would)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context
