"""Busy times imported from a professional's external calendar (an ICS URL), refreshed by a periodic job.

A fetch that fails, times out, is too large or does not parse changes nothing: the busy times from the last good
fetch stay, so an outage of the other calendar can never make time look free. Fetching a URL a user typed is a
server-side request: addresses on private, loopback and link-local networks are refused unless the operator allows
them (``CONFER_CALENDAR_ALLOW_PRIVATE_URLS``, for tests and intranets).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import icalendar
import msgspec
import structlog
from dateutil.rrule import rrulestr

from confer.core.auth import Principal
from confer.core.errors import InvalidInput
from confer.core.runtime import Runtime
from confer.modules.calendar.schemas import ExternalCalendarOut
from confer.modules.calendar.service import require_profile
from confer.modules.calendar.tables import ExternalCalendar, ImportedBusy

log = structlog.get_logger("confer.calendar.external")

IMPORT_DAYS = 90
MAX_OCCURRENCES = 2000


class CalendarSettings(msgspec.Struct, frozen=True):
    allow_private_urls: bool = False
    fetch_timeout_seconds: float = 10.0
    max_bytes: int = 5_000_000


class FetchFailed(Exception):
    """The external calendar could not be read; what was imported before stays."""


async def set_external_calendar(runtime: Runtime, principal: Principal, url: str | None) -> None:
    """Link (or, with None, unlink) the caller's external calendar, and import it once right away."""
    await require_profile(principal)
    if url is None:
        await ExternalCalendar.delete().where(ExternalCalendar.professional == principal.user_id)
        await ImportedBusy.delete().where(ImportedBusy.professional == principal.user_id)
        return
    await check_url(runtime.section("calendar", CalendarSettings), url)
    await ExternalCalendar.raw(
        "INSERT INTO external_calendar (id, professional, url) VALUES ({}, {}, {}) "
        "ON CONFLICT (professional) DO UPDATE SET url = EXCLUDED.url, last_error = NULL",
        uuid4(),
        principal.user_id,
        url,
    )
    await refresh_one(runtime, principal.user_id)


async def external_calendar_status(principal: Principal) -> ExternalCalendarOut:
    row = (
        await ExternalCalendar.select(
            ExternalCalendar.url, ExternalCalendar.last_fetched_at, ExternalCalendar.last_error
        )
        .where(ExternalCalendar.professional == principal.user_id)
        .first()
    )
    count = await ImportedBusy.count().where(ImportedBusy.professional == principal.user_id)
    if row is None:
        return ExternalCalendarOut(url=None, last_fetched_at=None, last_error=None, busy_intervals=0)
    return ExternalCalendarOut(**row, busy_intervals=count)


async def import_external_calendars(ctx: dict[str, Any]) -> int:
    """saq cron job: refresh every linked calendar; returns how many were read successfully."""
    runtime: Runtime = ctx["runtime"]
    rows = await ExternalCalendar.select(ExternalCalendar.professional)
    results = await asyncio.gather(*(refresh_one(runtime, row["professional"]) for row in rows))
    return sum(results)


async def refresh_one(runtime: Runtime, professional_id: UUID) -> bool:
    row = (
        await ExternalCalendar.select(ExternalCalendar.url, ExternalCalendar.professional.timezone.as_alias("zone"))
        .where(ExternalCalendar.professional == professional_id)
        .first()
    )
    if row is None:
        return False
    now = runtime.clock.now()
    try:
        await check_url(runtime.section("calendar", CalendarSettings), row["url"])
        body = await _fetch(runtime, row["url"])
        busy = busy_times(body, ZoneInfo(row["zone"]), now, now + timedelta(days=IMPORT_DAYS))
    except (FetchFailed, InvalidInput, ValueError) as exc:
        log.warning("external_calendar_failed", professional=str(professional_id), error=str(exc)[:200])
        await ExternalCalendar.update({ExternalCalendar.last_error: str(exc)[:300]}).where(
            ExternalCalendar.professional == professional_id
        )
        return False
    async with runtime.engine.transaction():
        await ImportedBusy.delete().where(ImportedBusy.professional == professional_id)
        if busy:
            await ImportedBusy.insert(
                *[
                    ImportedBusy(id=uuid4(), professional=professional_id, starts_at=start, ends_at=end)
                    for start, end in busy
                ]
            ).run()
        await ExternalCalendar.update({ExternalCalendar.last_fetched_at: now, ExternalCalendar.last_error: None}).where(
            ExternalCalendar.professional == professional_id
        )
    return True


def busy_times(
    ics: bytes, zone: ZoneInfo, window_start: datetime, window_end: datetime
) -> list[tuple[datetime, datetime]]:
    """Opaque, not-cancelled events overlapping the window, recurrences expanded; floating times and all-day
    events are read in the professional's zone."""
    try:
        calendar = icalendar.Calendar.from_ical(ics)
    except ValueError as exc:
        raise ValueError(f"not an iCalendar file: {exc}") from None
    busy = []
    for event in calendar.walk("VEVENT"):
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED" or event.get("DTSTART") is None:
            continue
        start = _instant(event.decoded("DTSTART"), zone)
        end = (
            _instant(event.decoded("DTEND"), zone)
            if event.get("DTEND") is not None
            else (start + (event.decoded("DURATION") if event.get("DURATION") is not None else timedelta(days=1)))
        )
        for occurrence in _occurrences(event, start, window_start, window_end):
            occurrence_end = occurrence + (end - start)
            if occurrence < window_end and occurrence_end > window_start:
                busy.append((occurrence, occurrence_end))
    return sorted(busy)


def _occurrences(event: Any, start: datetime, window_start: datetime, window_end: datetime) -> list[datetime]:
    rule = event.get("RRULE")
    if rule is None:
        return [start]
    # Expand in wall-clock time of the event's own zone, so 09:00 weekly stays 09:00 across DST.
    local_start = start.astimezone(start.tzinfo)
    recurrence = rrulestr(rule.to_ical().decode(), dtstart=local_start)
    found = []
    for occurrence in recurrence.xafter(local_start - timedelta(seconds=1), count=MAX_OCCURRENCES, inc=True):
        if occurrence > window_end:
            break
        if occurrence + timedelta(days=1) > window_start:
            found.append(occurrence)
    return found


def _instant(value: datetime | date, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return datetime.combine(value, time(0), tzinfo=zone)


async def _fetch(runtime: Runtime, url: str) -> bytes:
    settings = runtime.section("calendar", CalendarSettings)
    try:
        async with (
            httpx.AsyncClient(timeout=settings.fetch_timeout_seconds, follow_redirects=False) as client,
            client.stream("GET", _http_url(url), headers={"Accept": "text/calendar"}) as response,
        ):
            if response.status_code != 200:
                raise FetchFailed(f"the calendar answered {response.status_code}")
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > settings.max_bytes:
                    raise FetchFailed(f"the calendar is larger than {settings.max_bytes} bytes")
            return body
    except httpx.HTTPError as exc:
        raise FetchFailed(f"the calendar could not be fetched ({type(exc).__name__})") from None


def _http_url(url: str) -> str:
    """``webcal://`` is how calendar apps spell ``https://``."""
    return "https://" + url.removeprefix("webcal://") if url.startswith("webcal://") else url


async def check_url(settings: CalendarSettings, url: str) -> None:
    """422 unless ``url`` is http(s)/webcal and, unless allowed, resolves only to public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "webcal") or not parts.hostname:
        raise InvalidInput("url", "must be an http(s) or webcal URL")
    if settings.allow_private_urls:
        return
    try:
        addresses = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, parts.port or 443, type=socket.SOCK_STREAM
        )
    except OSError:
        raise InvalidInput("url", "its host name does not resolve") from None
    for *_, sockaddr in addresses:
        address = ipaddress.ip_address(sockaddr[0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            raise InvalidInput("url", "points to a private network address")
