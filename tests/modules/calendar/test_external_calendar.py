"""Busy times imported from an external calendar served over real HTTP; a failing calendar never frees time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from litestar import Litestar, Response, get

from confer.core.errors import InvalidInput
from confer.core.runtime import Runtime
from confer.modules.calendar.external import CalendarSettings, busy_times, check_url, refresh_one
from tests.modules.booking.test_booking import free_slots, open_practice
from tests.support import bearer, serving


class ExternalCalendarServer:
    """A calendar server on loopback whose answer the test chooses: an ICS body, an error, or silence."""

    def __init__(self) -> None:
        self.body = b""
        self.mode = "ok"

        @get("/busy.ics")
        async def busy() -> Response[bytes]:
            if self.mode == "slow":
                await asyncio.sleep(3)
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
    linked = await client.put(
        "/api/v1/me/availability/external-calendar", headers=bearer(practice.tokens), json={"url": url}
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["busy_intervals"] == 1
    after = [s["starts_at"] for s in await free_slots(client, practice)]
    assert slots[0]["starts_at"] not in after
    assert slots[1]["starts_at"] not in after
    assert slots[2]["starts_at"] in after

    # The other calendar fails, then hangs: what was imported stays, so the time stays blocked.
    for mode in ("error", "slow"):
        server.mode = mode
        assert await refresh_one(runtime, practice.id) is False
        assert slots[0]["starts_at"] not in [s["starts_at"] for s in await free_slots(client, practice)]
    status = (await client.get("/api/v1/me/availability/external-calendar", headers=bearer(practice.tokens))).json()
    assert status["busy_intervals"] == 1
    assert status["last_error"]

    server.mode, server.body = "ok", calendar()
    assert await refresh_one(runtime, practice.id) is True
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
    busy = busy_times(ics, zone, datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 4, 30, tzinfo=UTC))
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
    for url in ("http://127.0.0.1:8000/x.ics", "http://10.1.2.3/x.ics", "ftp://calendar.example/x.ics", "nonsense"):
        with pytest.raises(InvalidInput):
            await check_url(strict, url)
    await check_url(CalendarSettings(allow_private_urls=True), "http://127.0.0.1:8000/x.ics")
