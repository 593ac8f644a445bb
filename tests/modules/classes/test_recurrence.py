"""Expanding a class's RRULE on the professional's wall clock, within bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from confer.modules.classes.recurrence import RecurrenceError, occurrences
from tests.modules.classes.test_classes import PARIS


def test_an_until_date_is_read_in_the_professionals_zone_and_includes_its_day() -> None:
    first = datetime(2030, 10, 14, 18, 0, tzinfo=PARIS)

    starts = occurrences("FREQ=WEEKLY;BYDAY=MO;UNTIL=20301104", first, PARIS)

    assert [s.astimezone(PARIS).strftime("%m-%d %H:%M") for s in starts] == [
        "10-14 18:00",
        "10-21 18:00",
        "10-28 18:00",
        "11-04 18:00",
    ]
    assert [s.astimezone(UTC).hour for s in starts] == [16, 16, 17, 17]


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=HOURLY;COUNT=3", "FREQ must be one of"),
        ("FREQ=WEEKLY;BYHOUR=3;COUNT=3", "is not supported"),
        ("FREQ=DAILY;BYSETPOS=2;BYDAY=MO,TU", "FREQ=MONTHLY only"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20310101", "cannot both be given"),
        ("FREQ=DAILY;INTERVAL=0;COUNT=3", "INTERVAL"),
        ("FREQ=DAILY;COUNT=101", "COUNT must be"),
        ("FREQ=DAILY", "more than 100 sessions"),
        ("FREQ=MONTHLY", "more than 366 days"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=2", "makes no session"),
        ("FREQ=WEEKLY;UNTIL=tomorrow", "is not a date"),
        ("FREQ=WEEKLY;COUNT=2\nDTSTART:20200101T000000", "characters"),
    ],
)
def test_rules_that_cannot_make_a_bounded_schedule_are_refused_with_a_reason(rule: str, reason: str) -> None:
    with pytest.raises(RecurrenceError, match=reason):
        occurrences(rule, datetime(2030, 10, 14, 18, 0, tzinfo=PARIS), PARIS)
