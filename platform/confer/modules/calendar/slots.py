"""The slot engine: free slots from weekly rules, date overrides, busy intervals and an offering's policy.

Pure functions, no database (DESIGN §3). Availability is wall-clock time in the professional's IANA zone, expanded
date by date with ``zoneinfo``; everything after that is arithmetic on UTC instants (whole seconds), which is what
makes it fast and DST-correct:

* a window runs from the first instant the wall clock shows its start to the first instant it shows its end, so a
  night that loses an hour (spring forward) has one hour less of slots and a night that repeats an hour (fall back)
  has one more;
* a start or end time that does not exist that day (inside the spring-forward gap) means the moment the gap ends;
* slots step through each window in real time from its start; a slot must fit inside the window, start no earlier
  than ``now + min_notice`` and no later than ``now + horizon``, and its blocked range (buffers included) must not
  overlap any busy interval (bookings, held slots and time off, each already with its own buffers).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

MAX_RANGE = timedelta(days=62)
_GAP_SEARCH_SECONDS = 1


class RangeTooLong(ValueError):
    """A request for slots spans more than ``MAX_RANGE``."""


@dataclass(frozen=True, slots=True)
class LocalInterval:
    """Wall-clock times on one day, ``start < end`` (an interval ending at midnight ends at ``time(0)`` next day
    is written as ``end=None``)."""

    start: time
    end: time | None


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    weekday: int
    """ISO weekday: 1 = Monday ... 7 = Sunday."""
    interval: LocalInterval


@dataclass(frozen=True, slots=True)
class Busy:
    """A blocked range in UTC: an existing booking with its buffers, a hold, time off, an imported busy time."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class SlotPolicy:
    duration: timedelta
    step: timedelta
    buffer_before: timedelta = timedelta()
    buffer_after: timedelta = timedelta()
    min_notice: timedelta = timedelta()
    horizon: timedelta = timedelta(days=365)
    max_per_day: int | None = None
    """At most this many bookings a local day; ``booked_per_day`` says how many each day already has. A day that
    has them all offers nothing; any other day offers every free time."""


@dataclass(frozen=True, slots=True)
class Availability:
    zone: ZoneInfo
    rules: Sequence[WeeklyRule]
    overrides: Mapping[date, Sequence[LocalInterval]] = field(default_factory=dict)
    """Dates whose hours differ from the weekly rules; an empty sequence closes the day."""


class Slot(msgspec.Struct, frozen=True):
    """A free slot (UTC instants). A Struct, not a dataclass: thousands are made per call, and it is what the API
    returns."""

    starts_at: datetime
    ends_at: datetime


def free_slots(
    availability: Availability,
    policy: SlotPolicy,
    busy: Sequence[Busy],
    *,
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    booked_per_day: Mapping[date, int] | None = None,
) -> list[Slot]:
    """Every free slot starting in ``[range_start, range_end)``, in time order, as UTC instants."""
    _check_range(range_start, range_end, now)
    # Offsets are added to instants, never to wall times: `now + timedelta` in a zone with DST is wall-clock maths.
    earliest = max(_seconds(range_start), _seconds(now) + int(policy.min_notice.total_seconds()))
    latest = min(_seconds(range_end), _seconds(now) + int(policy.horizon.total_seconds()) + 1)
    if earliest >= latest:
        return []
    blocked_starts, blocked_ends = _merged(busy)
    duration = int(policy.duration.total_seconds())
    step = int(policy.step.total_seconds())
    before = int(policy.buffer_before.total_seconds())
    after = int(policy.buffer_after.total_seconds())
    found: list[Slot] = []
    instant = datetime.fromtimestamp
    for day, window_start, window_end in _windows(availability, earliest, latest):
        if _day_is_full(day, policy.max_per_day, booked_per_day):
            continue
        start = window_start
        if start < earliest:  # first grid point at or after `earliest`
            start += -(-(earliest - start) // step) * step
        # Busy ranges wholly before this window's first blocked range can be skipped for good.
        busy_index = bisect_left(blocked_ends, start - before + 1)
        while start + duration <= window_end and start < latest:
            blocked_from, blocked_until = start - before, start + duration + after
            while busy_index < len(blocked_ends) and blocked_ends[busy_index] <= blocked_from:
                busy_index += 1
            if busy_index == len(blocked_starts) or blocked_starts[busy_index] >= blocked_until:
                found.append(Slot(instant(start, UTC), instant(start + duration, UTC)))
            start += step
    return found


def _check_range(range_start: datetime, range_end: datetime, now: datetime) -> None:
    for value in (range_start, range_end, now):
        if value.tzinfo is None:
            raise ValueError("the slot engine needs aware datetimes")
    if range_end <= range_start:
        raise ValueError("the range must end after it starts")
    if range_end - range_start > MAX_RANGE:
        raise RangeTooLong(f"a request for slots may cover at most {MAX_RANGE.days} days")


def _day_is_full(day: date, max_per_day: int | None, booked_per_day: Mapping[date, int] | None) -> bool:
    """Whether this local day has all the bookings it may take. The cap limits bookings, not choice: a day with
    room for one more offers every free time, and the booking itself takes the day's last place under a lock."""
    return max_per_day is not None and (booked_per_day or {}).get(day, 0) >= max_per_day


def _windows(availability: Availability, earliest: int, latest: int) -> list[tuple[date, int, int]]:
    """(local date, window start, window end) in UTC seconds for every window that can hold a slot in range."""
    zone = availability.zone
    first = datetime.fromtimestamp(earliest, zone).date() - timedelta(days=1)
    last = datetime.fromtimestamp(latest, zone).date()
    by_weekday: dict[int, list[LocalInterval]] = {}
    for rule in availability.rules:
        by_weekday.setdefault(rule.weekday, []).append(rule.interval)
    windows = []
    day = first
    while day <= last:
        intervals = availability.overrides.get(day)
        intervals = by_weekday.get(day.isoweekday(), []) if intervals is None else intervals
        if intervals:
            to_instant = _wall_clock(day, zone)
            for interval in intervals:
                start = to_instant(interval.start)
                end = to_instant(interval.end) if interval.end is not None else to_instant(None)
                if end > earliest and start < latest and end > start:
                    windows.append((day, start, end))
        day += timedelta(days=1)
    return _union(windows)


def _union(windows: list[tuple[date, int, int]]) -> list[tuple[date, int, int]]:
    """Overlapping or touching windows (two rules on one day, a late window meeting the next day's) become one, so
    the grid runs through them once and no slot is offered twice."""
    merged: list[tuple[date, int, int]] = []
    for day, start, end in sorted(windows, key=lambda window: window[1]):
        if merged and start <= merged[-1][2]:
            first_day, first_start, first_end = merged[-1]
            merged[-1] = (first_day, first_start, max(first_end, end))
        else:
            merged.append((day, start, end))
    return merged


def _wall_clock(day: date, zone: ZoneInfo) -> Callable[[time | None], int]:
    """Wall time on ``day`` (None: the midnight that ends it) -> UTC seconds. Most days keep one offset from midnight
    to midnight, and then it is arithmetic; a day with a DST change takes the careful path for each time."""
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    offset = midnight.utcoffset()
    if offset == next_midnight.utcoffset() and offset is not None:
        base = int(midnight.timestamp())

        def steady(wall: time | None) -> int:
            if wall is None:
                return base + 86_400
            return base + wall.hour * 3600 + wall.minute * 60 + wall.second

        return steady

    def changing(wall: time | None) -> int:
        if wall is None:
            return _first_instant_showing(day + timedelta(days=1), time(0), zone)
        return _first_instant_showing(day, wall, zone)

    return changing


def _first_instant_showing(day: date, wall: time, zone: ZoneInfo) -> int:
    """The first UTC second at which the wall clock in ``zone`` reads ``wall`` on ``day`` — or, for a time skipped by
    a DST gap, the end of the gap."""
    local = datetime.combine(day, wall, tzinfo=zone)
    earlier = int(local.replace(fold=0).timestamp())
    later = int(local.replace(fold=1).timestamp())
    if earlier <= later:  # an ordinary time (equal), or one shown twice (fold=0 is the first)
        return earlier
    # Inside a gap: fold=1 falls before the jump and fold=0 after it; the jump is where the offset changes.
    low, high = later, earlier
    offset_before = datetime.fromtimestamp(low, zone).utcoffset()
    while high - low > _GAP_SEARCH_SECONDS:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return high


def _merged(busy: Sequence[Busy]) -> tuple[list[int], list[int]]:
    """Busy ranges merged and sorted, as parallel lists of starts and ends (for bisect)."""
    ranges = sorted((_seconds(b.start), _seconds(b.end)) for b in busy if b.end > b.start)
    starts: list[int] = []
    ends: list[int] = []
    for start, end in ranges:
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _seconds(instant: datetime) -> int:
    return int(instant.timestamp())
