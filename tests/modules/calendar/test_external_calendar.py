"""Busy times imported from an external calendar served over real HTTP; a failing calendar never frees time, and a
hostile one cannot take the API down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest
from litestar import Litestar, Request, Response, get

from confer.core.errors import InvalidInput
from confer.core.runtime import Runtime
from confer.modules.calendar.external import FetchRefused, check_url, fetch_calendar, refresh_one
from confer.modules.calendar.ics import CalendarRefused, Limits, busy_times, busy_times_in_child
from confer.modules.calendar.settings import CalendarSettings
from tests.modules.booking.test_booking import Practice, free_slots, open_practice
from tests.support import assert_problem, bearer, serving

LIMITS = Limits(max_events=10_000, max_busy_times=5_000)
EXTERNAL = "/api/v1/me/availability/external-calendar"


class ExternalCalendarServer:
    """A calendar server on loopback whose answer the test chooses: an ICS body, an error, or silence."""

    def __init__(self) -> None:
        self.body = b""
        self.mode = "ok"
        self.requests = 0
        self.hosts: list[str] = []
        self.answering = 0
        self.most_at_once = 0

        @get("/busy.ics")
        async def busy(request: Request[Any, Any, Any]) -> Response[bytes]:
            self.requests += 1
            self.hosts.append(request.headers.get("host", ""))
            if self.mode == "slow":
                await asyncio.sleep(3)
            if self.mode == "unhurried":  # within the fetch timeout, long enough for imports to overlap
                self.answering += 1
                self.most_at_once = max(self.most_at_once, self.answering)
                await asyncio.sleep(0.4)
                self.answering -= 1
            if self.mode == "error":
                return Response(b"nope", status_code=500)
            return Response(self.body, media_type="text/calendar")

        self.app = Litestar([busy])


@pytest.fixture
async def calendar_server() -> AsyncIterator[tuple[ExternalCalendarServer, str]]:
    server = ExternalCalendarServer()
    async with serving(server.app) as base_url:
        yield server, f"{base_url}/busy.ics"


def event(start: datetime, end: datetime, extra: str = "") -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    return (
        f"BEGIN:VEVENT\r\nUID:{start.timestamp()}@test\r\nDTSTART:{start.strftime(stamp)}\r\n"
        f"DTEND:{end.strftime(stamp)}\r\n{extra}END:VEVENT\r\n"
    )


def minutely(count: int, start: datetime) -> bytes:
    """A "bomb": ``count`` one-minute events repeating every minute for ever (no UNTIL, no COUNT)."""
    return calendar(
        *(
            event(start + timedelta(seconds=i), start + timedelta(seconds=i, minutes=1), "RRULE:FREQ=MINUTELY\r\n")
            for i in range(count)
        )
    )


async def imported(client: httpx.AsyncClient, practice: Practice, *, within: float = 60.0) -> dict[str, Any]:
    """The calendar's status once the worker's import of it is over."""
    deadline = time.monotonic() + within
    while True:
        status: dict[str, Any] = (await client.get(EXTERNAL, headers=bearer(practice.tokens))).json()
        if status["status"] not in ("queued", "importing"):
            return status
        assert time.monotonic() < deadline, status
        await asyncio.sleep(0.05)


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()


async def test_an_external_event_takes_its_time_out_of_the_free_slots(
    client: httpx.AsyncClient, calendar_server: tuple[ExternalCalendarServer, str], runtime: Runtime
) -> None:
    server, url = calendar_server
    practice = await open_practice(client, zone="UTC")
    slots = await free_slots(client, practice)
    blocked = datetime.fromisoformat(slots[0]["starts_at"])
    server.body = calendar(event(blocked, blocked + timedelta(hours=1)))
    linked = await client.put(EXTERNAL, headers=bearer(practice.tokens), json={"url": url})
    assert linked.status_code == 202, linked.text
    assert linked.json()["status"] in ("queued", "importing", "ok")
    status = await imported(client, practice)
    assert (status["status"], status["busy_intervals"], status["events"]) == ("ok", 1, 1)
    after = [s["starts_at"] for s in await free_slots(client, practice)]
    assert slots[0]["starts_at"] not in after
    assert slots[1]["starts_at"] not in after
    assert slots[2]["starts_at"] in after

    # The other calendar fails, then hangs: what was imported stays, so the time stays blocked.
    for mode in ("error", "slow"):
        server.mode = mode
        assert await refresh_one(runtime, UUID(practice.id)) is False
        assert slots[0]["starts_at"] not in [s["starts_at"] for s in await free_slots(client, practice)]
    status = (await client.get(EXTERNAL, headers=bearer(practice.tokens))).json()
    assert (status["status"], status["busy_intervals"]) == ("failed", 1)
    assert status["last_error"]

    server.mode, server.body = "ok", calendar()
    assert await refresh_one(runtime, UUID(practice.id)) is True
    assert slots[0]["starts_at"] in [s["starts_at"] for s in await free_slots(client, practice)]


def test_recurring_all_day_transparent_and_cancelled_events_are_read_as_a_calendar_app_would() -> None:
    zone = ZoneInfo("Europe/Paris")
    monday = datetime(2026, 3, 23, 8, tzinfo=UTC)  # 09:00 in Paris, the week before the DST change of 29 March
    ics = calendar(
        # Anchored in UTC: every week at 08:00Z, which is 10:00 in Paris once summer time starts (RFC 5545).
        event(monday, monday + timedelta(hours=1), "RRULE:FREQ=WEEKLY;COUNT=3\r\n"),
        # Anchored in Paris: stays 09:00 on the wall clock across the change.
        "BEGIN:VEVENT\r\nUID:paris@test\r\nDTSTART;TZID=Europe/Paris:20260324T090000\r\n"
        "DTEND;TZID=Europe/Paris:20260324T093000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:allday@test\r\nDTSTART;VALUE=DATE:20260325\r\nDTEND;VALUE=DATE:20260326\r\nEND:VEVENT\r\n",
        event(monday + timedelta(days=1), monday + timedelta(days=1, hours=1), "TRANSP:TRANSPARENT\r\n"),
        event(monday + timedelta(days=2), monday + timedelta(days=2, hours=1), "STATUS:CANCELLED\r\n"),
    )
    busy = busy_times(ics, zone, datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 4, 30, tzinfo=UTC), LIMITS).busy
    assert [(start.astimezone(zone).strftime("%a %d %H:%M"), end - start) for start, end in busy] == [
        ("Mon 23 09:00", timedelta(hours=1)),
        ("Tue 24 09:00", timedelta(minutes=30)),
        ("Wed 25 00:00", timedelta(days=1)),
        ("Mon 30 10:00", timedelta(hours=1)),
        ("Tue 31 09:00", timedelta(minutes=30)),
        ("Mon 06 10:00", timedelta(hours=1)),
    ]


async def test_private_addresses_and_other_schemes_are_refused_unless_allowed() -> None:
    strict = CalendarSettings()
    for url in (
        "http://127.0.0.1:8000/x.ics",
        "http://10.1.2.3/x.ics",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.1]/x.ics",
        "ftp://calendar.example/x.ics",
        "nonsense",
    ):
        with pytest.raises(InvalidInput):
            check_url(strict, url)
    check_url(CalendarSettings(allow_private_urls=True), "http://127.0.0.1:8000/x.ics")


@pytest.mark.parametrize("count", [100, 1000])
async def test_a_calendar_bomb_is_refused_whole_while_the_api_keeps_answering(
    client: httpx.AsyncClient, calendar_server: tuple[ExternalCalendarServer, str], runtime: Runtime, count: int
) -> None:
    """Today's reproduction: 100 FREQ=MINUTELY events (11.6 KB) froze the process for 9.5 s and answered 500."""
    server, url = calendar_server
    practice = await open_practice(client, zone="UTC")
    tomorrow = runtime.clock.now().replace(microsecond=0) + timedelta(days=1)
    server.body = calendar(event(tomorrow, tomorrow + timedelta(hours=1)))
    await client.put(EXTERNAL, headers=bearer(practice.tokens), json={"url": url})
    assert (await imported(client, practice))["busy_intervals"] == 1

    server.body = minutely(count, runtime.clock.now().replace(microsecond=0))
    probing = asyncio.Event()
    latencies: list[float] = []

    async def probe_health() -> None:
        async with httpx.AsyncClient(base_url=str(client.base_url), timeout=30) as http:
            while not probing.is_set():
                sent = time.perf_counter()
                assert (await http.get("/healthz")).status_code == 200
                latencies.append(time.perf_counter() - sent)
                await asyncio.sleep(0.02)

    prober = asyncio.create_task(probe_health())
    sent = time.perf_counter()
    linked = await client.put(EXTERNAL, headers=bearer(practice.tokens), json={"url": url})
    answered_in = time.perf_counter() - sent
    status = await imported(client, practice)
    probing.set()
    await prober

    assert linked.status_code == 202, linked.text
    assert answered_in < 1.0
    assert latencies
    assert max(latencies) < 1.0, latencies
    assert status["status"] == "refused"
    assert "more than 5000 busy times" in status["last_error"]
    assert (status["busy_intervals"], status["events"]) == (1, 1)  # nothing saved: the last good import stays
    # refused: the 15-minute job leaves it alone until it is linked again
    requests = server.requests
    assert await runtime.queue.apply("import_external_calendars") == 0
    assert server.requests == requests


def test_exdate_rdate_and_recurrence_id_are_honoured() -> None:
    weekly = (
        "BEGIN:VEVENT\r\nUID:weekly@test\r\nDTSTART:20270104T100000Z\r\nDTEND:20270104T110000Z\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE:20270111T100000Z\r\nRDATE:20270106T150000Z\r\nEND:VEVENT\r\n"
    )
    moved = (  # the third one, moved to the afternoon and shortened
        "BEGIN:VEVENT\r\nUID:weekly@test\r\nRECURRENCE-ID:20270118T100000Z\r\n"
        "DTSTART:20270118T140000Z\r\nDTEND:20270118T143000Z\r\nEND:VEVENT\r\n"
    )
    cancelled = (  # the fourth one, cancelled
        "BEGIN:VEVENT\r\nUID:weekly@test\r\nRECURRENCE-ID:20270125T100000Z\r\nSTATUS:CANCELLED\r\n"
        "DTSTART:20270125T100000Z\r\nDTEND:20270125T110000Z\r\nEND:VEVENT\r\n"
    )
    found = busy_times(
        calendar(weekly, moved, cancelled),
        ZoneInfo("UTC"),
        datetime(2027, 1, 1, tzinfo=UTC),
        datetime(2027, 3, 1, tzinfo=UTC),
        LIMITS,
    )
    assert [(start.strftime("%d %H:%M"), end.strftime("%d %H:%M")) for start, end in found.busy] == [
        ("04 10:00", "04 11:00"),
        ("06 15:00", "06 16:00"),
        ("18 14:00", "18 14:30"),
    ]


async def test_a_calendar_too_slow_to_read_is_stopped_at_its_time_budget() -> None:
    """A rule that starts decades before the window costs minutes before its first occurrence: the child process
    reading it is killed when the budget is spent."""
    ancient = minutely(3, datetime(2000, 1, 1, tzinfo=UTC))
    window = datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(CalendarRefused, match="took more than 2 s"):
        await busy_times_in_child(ancient, ZoneInfo("UTC"), window, window + timedelta(days=90), LIMITS, budget=2)


async def test_a_name_that_resolves_to_a_private_address_is_refused_when_connecting(
    calendar_server: tuple[ExternalCalendarServer, str],
) -> None:
    server, url = calendar_server
    by_name = url.replace("127.0.0.1", "localhost")
    strict = CalendarSettings()
    check_url(strict, by_name)  # a name passes the form check: only the address connected to can tell
    with pytest.raises(FetchRefused, match="private network address"):
        await fetch_calendar(strict, by_name)
    assert server.requests == 0
    # allowed (tests, intranets): fetched from the address resolved, under the name it was given
    server.body = calendar()
    assert await fetch_calendar(CalendarSettings(allow_private_urls=True), by_name) == server.body
    assert server.hosts == [by_name.split("/")[2]]


async def test_malformed_calendar_urls_are_refused_with_a_problem_and_change_nothing(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client, zone="UTC")
    for url in (
        "http://calendar.example:99999/busy.ics",
        "http://[::1/busy.ics",
        "http://[::1]:0/busy.ics",
        "ftp://calendar.example/busy.ics",
        "javascript:alert(1)",
        "http:///busy.ics",
    ):
        refused = await client.put(EXTERNAL, headers=bearer(practice.tokens), json={"url": url})
        assert assert_problem(refused, 422, "validation")["errors"][0]["field"] == "url", url
    assert (await client.get(EXTERNAL, headers=bearer(practice.tokens))).json()["url"] is None


async def test_a_failed_import_never_echoes_what_the_server_sent(
    client: httpx.AsyncClient, calendar_server: tuple[ExternalCalendarServer, str]
) -> None:
    server, url = calendar_server
    server.body = b"<html>internal admin page, api key SECRET-4242</html>"
    practice = await open_practice(client, zone="UTC")
    await client.put(EXTERNAL, headers=bearer(practice.tokens), json={"url": url})
    status = await imported(client, practice)
    assert status["status"] == "failed"
    assert status["last_error"] == "the calendar is not a valid iCalendar file"
    assert "SECRET-4242" not in (await client.get(EXTERNAL, headers=bearer(practice.tokens))).text


async def test_the_periodic_import_reads_a_bounded_number_of_calendars_at_once(
    client: httpx.AsyncClient, calendar_server: tuple[ExternalCalendarServer, str], runtime: Runtime
) -> None:
    server, url = calendar_server
    server.body = calendar()
    practices = [await open_practice(client, f"pro{i}@example.org", zone="UTC") for i in range(7)]
    for practice in practices:
        await client.put(EXTERNAL, headers=bearer(practice.tokens), json={"url": url})
    for practice in practices:
        assert (await imported(client, practice))["status"] == "ok"

    server.mode = "unhurried"
    assert await runtime.queue.apply("import_external_calendars") == 7
    assert server.most_at_once == runtime.section("calendar", CalendarSettings).import_concurrency == 4


async def test_a_calendar_at_the_cap_is_imported_in_batches_and_one_more_busy_time_is_refused(
    client: httpx.AsyncClient, calendar_server: tuple[ExternalCalendarServer, str], runtime: Runtime
) -> None:
    server, url = calendar_server
    practice = await open_practice(client, zone="UTC")
    cap = runtime.section("calendar", CalendarSettings).max_busy_times
    tomorrow = runtime.clock.now().replace(microsecond=0) + timedelta(days=1)
    half_minute = tomorrow + timedelta(seconds=30)
    server.body = calendar(event(tomorrow, half_minute, f"RRULE:FREQ=MINUTELY;COUNT={cap}\r\n"))
    await client.put(EXTERNAL, headers=bearer(practice.tokens), json={"url": url})
    assert (await imported(client, practice))["busy_intervals"] == cap

    server.body = calendar(event(tomorrow, half_minute, f"RRULE:FREQ=MINUTELY;COUNT={cap + 1}\r\n"))
    await client.put(EXTERNAL, headers=bearer(practice.tokens), json={"url": url})
    status = await imported(client, practice)
    assert (status["status"], status["busy_intervals"]) == ("refused", cap)
