"""Benchmark the slot engine: 60 days for a professional with 3 intervals a day, 10 date overrides and 300 bookings.

Target: median <= 2 ms per call. Baseline, run in the same process on the same calendar: a straightforward engine
that works in aware datetimes and checks every candidate slot against every booking (the first thing one writes);
both must return the same slots. Prints a table and writes ``bench/results/bench_slots.json``.

    .venv/bin/python bench/bench_slots.py [--calls 300]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from zoneinfo import ZoneInfo

from confer.modules.calendar.slots import Availability, Busy, LocalInterval, Slot, SlotPolicy, WeeklyRule, free_slots

RESULTS = Path(__file__).parent / "results" / "bench_slots.json"
ZONE = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 1, 8, tzinfo=UTC)
TARGET_MS = 2.0


def calendar() -> tuple[Availability, SlotPolicy, list[Busy]]:
    intervals = [LocalInterval(wall(8), wall(11)), LocalInterval(wall(13), wall(16)), LocalInterval(wall(17), wall(20))]
    rules = [WeeklyRule(day, interval) for day in range(1, 8) for interval in intervals]
    overrides = {date(2026, 3, 2) + timedelta(days=6 * i): [LocalInterval(wall(10), wall(14))] for i in range(10)}
    policy = SlotPolicy(
        duration=timedelta(minutes=30),
        step=timedelta(minutes=15),
        buffer_before=timedelta(minutes=5),
        buffer_after=timedelta(minutes=10),
        min_notice=timedelta(hours=4),
        horizon=timedelta(days=90),
    )
    rng = random.Random(2026)
    busy = []
    for _ in range(300):
        day = date(2026, 3, 1) + timedelta(days=rng.randrange(60))
        start = datetime.combine(
            day, wall(rng.choice([8, 9, 10, 13, 14, 15, 17, 18, 19]), rng.choice([0, 15, 30])), tzinfo=ZONE
        )
        busy.append(Busy(start - timedelta(minutes=5), start + timedelta(minutes=40)))
    return Availability(zone=ZONE, rules=rules, overrides=overrides), policy, busy


def naive_slots(
    availability: Availability,
    policy: SlotPolicy,
    busy: list[Busy],
    range_start: datetime,
    range_end: datetime,
    now: datetime,
) -> list[Slot]:
    """The baseline: aware datetimes throughout, every candidate against every booking."""
    slots = []
    day = range_start.astimezone(availability.zone).date() - timedelta(days=1)
    while day <= range_end.astimezone(availability.zone).date():
        intervals = availability.overrides.get(day)
        if intervals is None:
            intervals = [r.interval for r in availability.rules if r.weekday == day.isoweekday()]
        for interval in intervals:
            assert interval.end is not None
            start = datetime.combine(day, interval.start, tzinfo=availability.zone).astimezone(UTC)
            end = datetime.combine(day, interval.end, tzinfo=availability.zone).astimezone(UTC)
            while start + policy.duration <= end:
                blocked = (start - policy.buffer_before, start + policy.duration + policy.buffer_after)
                if (
                    range_start <= start < range_end
                    and start >= now + policy.min_notice
                    and start <= now + policy.horizon
                    and not any(b.start < blocked[1] and blocked[0] < b.end for b in busy)
                ):
                    slots.append(Slot(start, start + policy.duration))
                start += policy.step
        day += timedelta(days=1)
    return slots


def timed(calls: int, work: Callable[[], list[Slot]]) -> list[float]:
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    availability, policy, busy = calendar()
    range_start = datetime(2026, 3, 1, tzinfo=ZONE)
    range_end = range_start + timedelta(days=60)

    def engine() -> list[Slot]:
        return free_slots(availability, policy, busy, range_start=range_start, range_end=range_end, now=NOW)

    def baseline() -> list[Slot]:
        return naive_slots(availability, policy, busy, range_start, range_end, NOW)

    slots = engine()
    assert slots == baseline(), "the engine and the baseline disagree"
    engine_ms = timed(args.calls, engine)
    baseline_ms = timed(max(5, args.calls // 20), baseline)
    rows = {"slot engine": engine_ms, "baseline (naive datetimes)": baseline_ms}
    print(f"60 days, 3 intervals a day, 10 overrides, {len(busy)} bookings -> {len(slots)} free slots\n")
    print(f"{'engine':<28}{'calls':>7}{'median ms':>11}{'p95 ms':>9}")
    for name, samples in rows.items():
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(f"{name:<28}{len(samples):>7}{statistics.median(samples):>11.3f}{p95:>9.3f}")
    median = statistics.median(engine_ms)
    speedup = statistics.median(baseline_ms) / median
    print(
        f"\nmedian {median:.3f} ms (target <= {TARGET_MS} ms: {'met' if median <= TARGET_MS else 'NOT met'}); "
        f"{speedup:.1f}x faster than the baseline"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "slots": len(slots),
                "bookings": len(busy),
                "days": 60,
                "engine": {
                    "calls": len(engine_ms),
                    "median_ms": median,
                    "p95_ms": statistics.quantiles(engine_ms, n=20)[-1],
                },
                "baseline": {"calls": len(baseline_ms), "median_ms": statistics.median(baseline_ms)},
                "speedup": speedup,
                "target_ms": TARGET_MS,
                "meets_target": median <= TARGET_MS,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
