"""The slot engine: properties over generated calendars (hypothesis), and the named DST and zone cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confer.modules.calendar.slots import (
    Availability,
    Busy,
    LocalInterval,
    RangeTooLong,
    Slot,
    SlotPolicy,
    WeeklyRule,
    free_slots,
)

HALF_HOUR = SlotPolicy(duration=timedelta(minutes=30), step=timedelta(minutes=30))
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def _rules(weekday: int, *hours: tuple[time, time | None]) -> list[WeeklyRule]:
    return [WeeklyRule(weekday, LocalInterval(start, end)) for start, end in hours]


def _local(slots: list[Slot], zone: str) -> list[str]:
    return [s.starts_at.astimezone(ZoneInfo(zone)).strftime("%H:%M %Z") for s in slots]


def _day(zone: str, day: date, rules: list[WeeklyRule], policy: SlotPolicy = HALF_HOUR) -> list[Slot]:
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    return free_slots(
        Availability(zone=tz, rules=rules),
        policy,
        [],
        range_start=start,
        range_end=start + timedelta(days=1),
        now=LONG_AGO,
    )


# --- named cases ------------------------------------------------------------------------------------------


def test_london_spring_forward_night_has_one_hour_less() -> None:
    slots = _day("Europe/London", date(2026, 3, 29), _rules(7, (time(0, 30), time(3, 0))))
    assert _local(slots, "Europe/London") == ["00:30 GMT", "02:00 BST", "02:30 BST"]


def test_london_fall_back_night_has_one_hour_more() -> None:
    slots = _day("Europe/London", date(2026, 10, 25), _rules(7, (time(0, 30), time(3, 0))))
    assert _local(slots, "Europe/London") == [
        "00:30 BST",
        "01:00 BST",
        "01:30 BST",
        "01:00 GMT",
        "01:30 GMT",
        "02:00 GMT",
        "02:30 GMT",
    ]
    assert len({s.starts_at for s in slots}) == 7  # the repeated wall times are distinct instants


def test_a_start_inside_the_spring_gap_begins_when_the_gap_ends() -> None:
    slots = _day("Europe/London", date(2026, 3, 29), _rules(7, (time(1, 30), time(3, 0))))
    assert _local(slots, "Europe/London") == ["02:00 BST", "02:30 BST"]


def test_new_york_working_hours_keep_their_wall_clock_across_the_change() -> None:
    zone = ZoneInfo("America/New_York")
    rules = [WeeklyRule(d, LocalInterval(time(9), time(10))) for d in range(1, 8)]
    start = datetime(2026, 3, 7, tzinfo=zone)
    slots = free_slots(
        Availability(zone=zone, rules=rules),
        HALF_HOUR,
        [],
        range_start=start,
        range_end=start + timedelta(days=3),
        now=LONG_AGO,
    )
    assert _local(slots, "America/New_York") == [
        "09:00 EST",
        "09:30 EST",
        "09:00 EDT",
        "09:30 EDT",
        "09:00 EDT",
        "09:30 EDT",
    ]
    assert [s.starts_at.hour for s in slots] == [14, 14, 13, 13, 13, 13]


@pytest.mark.parametrize(
    ("zone", "utc_start"),
    [
        ("Asia/Kolkata", datetime(2026, 6, 1, 3, 30, tzinfo=UTC)),  # +05:30
        ("Asia/Kathmandu", datetime(2026, 6, 1, 3, 15, tzinfo=UTC)),  # +05:45
        ("Australia/Lord_Howe", datetime(2026, 5, 31, 22, 30, tzinfo=UTC)),  # +10:30 in June (standard time)
    ],
)
def test_fractional_offsets_put_nine_o_clock_at_the_right_instant(zone: str, utc_start: datetime) -> None:
    slots = _day(zone, date(2026, 6, 1), _rules(1, (time(9), time(10))))
    assert [s.starts_at for s in slots] == [utc_start, utc_start + timedelta(minutes=30)]


def test_lord_howe_moves_by_half_an_hour() -> None:
    # Lord Howe goes from +10:30 to +11 on the first Sunday of October (2026-10-04) at 02:00 local.
    slots = _day("Australia/Lord_Howe", date(2026, 10, 4), _rules(7, (time(1), time(3))))
    assert _local(slots, "Australia/Lord_Howe") == [
        "01:00 +1030",
        "01:30 +1030",
        "02:30 +11",
    ]


def test_a_client_on_another_calendar_day_sees_the_same_instants() -> None:
    # Monday 09:00 in Auckland is still Sunday in Honolulu: the slots are one set of instants whatever the client's
    # zone; the client's zone only changes how the range and the answer are shown.
    zone = ZoneInfo("Pacific/Auckland")
    rules = _rules(1, (time(9), time(11)))
    client_zone = ZoneInfo("Pacific/Honolulu")
    client_sunday = datetime(2026, 6, 7, tzinfo=client_zone)
    slots = free_slots(
        Availability(zone=zone, rules=rules),
        HALF_HOUR,
        [],
        range_start=client_sunday,
        range_end=client_sunday + timedelta(days=1),
        now=LONG_AGO,
    )
    assert [s.starts_at.astimezone(client_zone).strftime("%a %H:%M") for s in slots] == [
        "Sun 11:00",
        "Sun 11:30",
        "Sun 12:00",
        "Sun 12:30",
    ]
    assert [s.starts_at.astimezone(zone).strftime("%a %H:%M") for s in slots] == [
        "Mon 09:00",
        "Mon 09:30",
        "Mon 10:00",
        "Mon 10:30",
    ]


def test_overrides_replace_a_day_or_close_it() -> None:
    zone = ZoneInfo("Europe/Paris")
    rules = [WeeklyRule(d, LocalInterval(time(9), time(10))) for d in range(1, 8)]
    overrides = {date(2026, 6, 1): [LocalInterval(time(14), time(15))], date(2026, 6, 2): []}
    start = datetime(2026, 6, 1, tzinfo=zone)
    slots = free_slots(
        Availability(zone=zone, rules=rules, overrides=overrides),
        HALF_HOUR,
        [],
        range_start=start,
        range_end=start + timedelta(days=3),
        now=LONG_AGO,
    )
    assert [s.starts_at.astimezone(zone).strftime("%d %H:%M") for s in slots] == [
        "01 14:00",
        "01 14:30",
        "03 09:00",
        "03 09:30",
    ]


def test_buffers_notice_horizon_and_daily_cap() -> None:
    zone = ZoneInfo("UTC")
    rules = [WeeklyRule(d, LocalInterval(time(9), time(12))) for d in range(1, 8)]
    policy = SlotPolicy(
        duration=timedelta(minutes=30),
        step=timedelta(minutes=30),
        buffer_before=timedelta(minutes=15),
        buffer_after=timedelta(minutes=15),
        min_notice=timedelta(hours=1),
        horizon=timedelta(days=2),
        max_per_day=3,
    )
    now = datetime(2026, 6, 1, 9, 10, tzinfo=UTC)
    booked = [Busy(datetime(2026, 6, 2, 10, tzinfo=UTC), datetime(2026, 6, 2, 10, 30, tzinfo=UTC))]
    slots = free_slots(
        Availability(zone=zone, rules=rules),
        policy,
        booked,
        range_start=now,
        range_end=now + timedelta(days=5),
        now=now,
        booked_per_day={date(2026, 6, 3): 2},
    )
    assert [s.starts_at.strftime("%d %H:%M") for s in slots] == [
        "01 10:30",
        "01 11:00",
        "01 11:30",  # notice: nothing before 10:10
        "02 09:00",
        "02 11:00",
        "02 11:30",  # 09:30 and 10:30 would touch the booking with their buffers
        "03 09:00",  # the horizon ends at 09:10 on the 3rd; the day already has 2 of its 3 bookings
    ]


def test_bad_ranges_are_refused() -> None:
    availability = Availability(zone=ZoneInfo("UTC"), rules=[])
    now = datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(RangeTooLong):
        free_slots(availability, HALF_HOUR, [], range_start=now, range_end=now + timedelta(days=63), now=now)
    with pytest.raises(ValueError, match="end after"):
        free_slots(availability, HALF_HOUR, [], range_start=now, range_end=now, now=now)
    with pytest.raises(ValueError, match="aware"):
        free_slots(
            availability, HALF_HOUR, [], range_start=datetime(2026, 6, 1), range_end=now + timedelta(days=1), now=now
        )


# --- properties -----------------------------------------------------------------------------------------------

ZONES = [
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "America/St_Johns",
    "UTC",
    "Pacific/Chatham",
    "America/Sao_Paulo",
]
quarter_hours = st.integers(min_value=0, max_value=95).map(lambda q: time(q // 4, q % 4 * 15))


@st.composite
def calendars(draw: st.DrawFn) -> tuple[Availability, SlotPolicy, list[Busy], datetime, datetime, datetime]:
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    rules = []
    for _ in range(draw(st.integers(0, 10))):
        start, end = sorted(draw(st.tuples(quarter_hours, quarter_hours)))
        if start < end:
            rules.append(WeeklyRule(draw(st.integers(1, 7)), LocalInterval(start, end)))
    duration = timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90])))
    policy = SlotPolicy(
        duration=duration,
        step=timedelta(minutes=draw(st.sampled_from([15, 30, 60]))),
        buffer_before=timedelta(minutes=draw(st.sampled_from([0, 5, 15]))),
        buffer_after=timedelta(minutes=draw(st.sampled_from([0, 10, 30]))),
        min_notice=timedelta(hours=draw(st.integers(0, 48))),
        horizon=timedelta(days=draw(st.integers(1, 30))),
    )
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 365 * 24 * 60)))
    range_start = now + timedelta(hours=draw(st.integers(-24, 24 * 20)))
    range_end = range_start + timedelta(hours=draw(st.integers(1, 24 * 14)))
    busy = []
    for _ in range(draw(st.integers(0, 20))):
        begin = range_start + timedelta(minutes=draw(st.integers(-600, 14 * 24 * 60)))
        busy.append(Busy(begin, begin + timedelta(minutes=draw(st.integers(5, 300)))))
    return Availability(zone=zone, rules=rules), policy, busy, range_start, range_end, now


def _inside_the_rules(slot: Slot, availability: Availability) -> bool:
    """A reference check, independent of the engine: at every minute of the slot, the professional's wall clock
    shows a time inside one of that weekday's rules."""
    minute = slot.starts_at
    while minute < slot.ends_at:
        wall = minute.astimezone(availability.zone)
        if not any(
            rule.weekday == wall.isoweekday()
            and rule.interval.start <= wall.time().replace(tzinfo=None)
            and (rule.interval.end is None or wall.time().replace(tzinfo=None) < rule.interval.end)
            for rule in availability.rules
        ):
            return False
        minute += timedelta(minutes=1)
    return True


@settings(max_examples=150, deadline=None)
@given(calendars())
def test_slots_respect_rules_busy_times_buffers_notice_and_horizon(
    case: tuple[Availability, SlotPolicy, list[Busy], datetime, datetime, datetime],
) -> None:
    availability, policy, busy, range_start, range_end, now = case
    slots = free_slots(availability, policy, busy, range_start=range_start, range_end=range_end, now=now)
    assert slots == sorted(slots, key=lambda s: s.starts_at)
    for slot in slots:
        assert slot.ends_at - slot.starts_at == policy.duration
        assert range_start <= slot.starts_at < range_end
        assert slot.starts_at >= now + policy.min_notice
        assert slot.starts_at <= now + policy.horizon
        blocked_from, blocked_until = slot.starts_at - policy.buffer_before, slot.ends_at + policy.buffer_after
        assert not any(b.start < blocked_until and blocked_from < b.end for b in busy)
        assert _inside_the_rules(slot, availability)


@settings(max_examples=60, deadline=None)
@given(calendars(), st.sampled_from(ZONES))
def test_the_client_zone_changes_how_slots_are_shown_not_which_instants(
    case: tuple[Availability, SlotPolicy, list[Busy], datetime, datetime, datetime],
    client_zone: str,
) -> None:
    availability, policy, busy, range_start, range_end, now = case
    as_utc = free_slots(availability, policy, busy, range_start=range_start, range_end=range_end, now=now)
    zone = ZoneInfo(client_zone)
    as_client = free_slots(
        availability,
        policy,
        busy,
        range_start=range_start.astimezone(zone),
        range_end=range_end.astimezone(zone),
        now=now.astimezone(zone),
    )
    assert as_client == as_utc


def test_notice_and_horizon_are_real_durations_even_when_now_is_given_in_a_zone_with_dst() -> None:
    # Auckland leaves DST on 2026-04-05; "two days after now" is 48 real hours, not two wall-clock days.
    availability = Availability(
        zone=ZoneInfo("UTC"), rules=[WeeklyRule(d, LocalInterval(time(0), None)) for d in range(1, 8)]
    )
    policy = SlotPolicy(
        duration=timedelta(hours=1), step=timedelta(hours=1), min_notice=timedelta(hours=30), horizon=timedelta(days=2)
    )
    now = datetime(2026, 4, 3, 12, tzinfo=UTC)
    expected = free_slots(availability, policy, [], range_start=now, range_end=now + timedelta(days=4), now=now)
    auckland = ZoneInfo("Pacific/Auckland")
    assert (
        free_slots(
            availability, policy, [], range_start=now, range_end=now + timedelta(days=4), now=now.astimezone(auckland)
        )
        == expected
    )
    assert expected[0].starts_at == now + timedelta(hours=30)
    assert expected[-1].starts_at == now + timedelta(hours=48)
