"""Busy times imported from a professional's external calendar (an ICS URL), off the request path.

Linking a URL checks its form, saves it and queues an import job; the API answers at once and the calendar's status
(queued, importing, ok, failed, refused), last error and counts are read back from it. The worker fetches the file
(:func:`fetch_calendar`) and reads it in a child process with a time budget and caps (:mod:`.ics`); at most
``import_concurrency`` imports run at once in a process. A fetch that fails, times out, is too large or is refused
changes nothing: the busy times from the last good import stay, so an outage of the other calendar can never make
time look free. A calendar refused for what it is (over a cap, too slow to read, a private address) is not read
again by the 15-minute job until it is linked again; one that merely failed (its server down) is.

Fetching a URL a user typed is a server-side request: the host name is resolved once, the address is checked with
``ipaddress``'s ``is_global`` (unless ``CONFER_CALENDAR_ALLOW_PRIVATE_URLS``), and the connection goes to that very
address, with the name in the Host header and TLS SNI, so a name that resolves differently a moment later (DNS
rebinding) cannot slip through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit, urlunsplit
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import structlog
from saq import Job

from confer.core.auth import Principal
from confer.core.errors import InvalidInput
from confer.core.runtime import Runtime
from confer.modules.calendar.ics import Busy, CalendarRefused, CalendarUnreadable, Imported, Limits, busy_times_in_child
from confer.modules.calendar.schemas import ExternalCalendarOut
from confer.modules.calendar.service import require_profile
from confer.modules.calendar.settings import CalendarSettings
from confer.modules.calendar.tables import ExternalCalendar, ImportedBusy

log = structlog.get_logger("confer.calendar.external")

IMPORT_DAYS = 90
INSERT_BATCH = 1000
"""Busy times per INSERT (4 parameters each: far below PostgreSQL's 32,767 per statement)."""
SCHEMES = ("http", "https", "webcal")
Status = Literal["queued", "importing", "ok", "failed", "refused"]


class FetchFailed(Exception):
    """The external calendar could not be read this time; what was imported before stays, and the job tries again."""


class FetchRefused(FetchFailed):
    """The URL leads somewhere Confer does not go (a private address); not tried again until linked again."""


# --- linking and status -----------------------------------------------------------------------------------------------


async def set_external_calendar(runtime: Runtime, principal: Principal, url: str | None) -> None:
    """Link (or, with None, unlink) the caller's external calendar; a linked one is imported soon by the worker."""
    await require_profile(principal)
    if url is None:
        async with runtime.engine.transaction():
            await ExternalCalendar.delete().where(ExternalCalendar.professional == principal.user_id)
            await ImportedBusy.delete().where(ImportedBusy.professional == principal.user_id)
        return
    check_url(settings_of(runtime), url)
    await ExternalCalendar.raw(
        "INSERT INTO external_calendar (id, professional, url, status) VALUES ({}, {}, {}, 'queued') "
        "ON CONFLICT (professional) DO UPDATE SET url = EXCLUDED.url, status = 'queued', last_error = NULL",
        uuid4(),
        principal.user_id,
        url,
    )
    await queue_import(runtime, principal.user_id)


async def external_calendar_status(principal: Principal) -> ExternalCalendarOut:
    row = (
        await ExternalCalendar.select(
            ExternalCalendar.url,
            ExternalCalendar.status,
            ExternalCalendar.last_fetched_at,
            ExternalCalendar.last_error,
            ExternalCalendar.events,
        )
        .where(ExternalCalendar.professional == principal.user_id)
        .first()
    )
    if row is None:
        return ExternalCalendarOut(
            url=None, status=None, last_fetched_at=None, last_error=None, busy_intervals=0, events=0
        )
    count = await ImportedBusy.count().where(ImportedBusy.professional == principal.user_id)
    return ExternalCalendarOut(**row, busy_intervals=count)


def check_url(settings: CalendarSettings, url: str) -> None:
    """422 unless ``url`` is a well-formed http(s)/webcal URL whose host, if written as an address, is public (or
    private ones are allowed). A host name is checked where it matters: at connection time."""
    try:
        parts = urlsplit(url)
        port = parts.port
        httpx.URL(_http_url(url))
    except (ValueError, httpx.InvalidURL):
        raise InvalidInput("url", "is not a valid URL") from None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise InvalidInput("url", "must be an http(s) or webcal URL")
    if port == 0:
        raise InvalidInput("url", "port 0 is not a port")
    literal = _address_literal(parts.hostname)
    if literal is not None and not _may_connect(settings, literal):
        raise InvalidInput("url", "points to a private network address")


def settings_of(runtime: Runtime) -> CalendarSettings:
    return runtime.section("calendar", CalendarSettings)


# --- import jobs ------------------------------------------------------------------------------------------------------


async def queue_import(runtime: Runtime, professional_id: UUID) -> None:
    settings = settings_of(runtime)
    await runtime.queue.enqueue(
        Job(
            function="import_external_calendar",
            kwargs={"professional_id": str(professional_id)},
            key=f"calendar-import-{professional_id}-{uuid4()}",  # a new link is imported even while an old one is
            timeout=int(settings.fetch_timeout_seconds + settings.import_seconds) + 60,
            retries=1,
        )
    )


async def import_external_calendar(ctx: dict[str, Any], *, professional_id: str) -> bool:
    """saq job: import one professional's calendar (queued when it is linked)."""
    return await refresh_one(ctx["runtime"], UUID(professional_id))


async def import_external_calendars(ctx: dict[str, Any]) -> int:
    """saq cron job: refresh every linked calendar not refused, ``import_concurrency`` at a time, the least recently
    read first (so a run cut short by its timeout leaves the freshest for later); returns how many were read."""
    runtime: Runtime = ctx["runtime"]
    rows = await ExternalCalendar.raw(
        "SELECT professional FROM external_calendar WHERE status <> 'refused' ORDER BY last_fetched_at NULLS FIRST"
    )
    results = await asyncio.gather(*(refresh_one(runtime, row["professional"]) for row in rows))
    return sum(results)


async def refresh_one(runtime: Runtime, professional_id: UUID) -> bool:
    """Fetch and read the professional's calendar and replace their imported busy times; False (and the reason on
    the calendar) when that did not happen."""
    async with _import_slot(runtime):
        row = (
            await ExternalCalendar.select(ExternalCalendar.url, ExternalCalendar.professional.timezone.as_alias("zone"))
            .where(ExternalCalendar.professional == professional_id)
            .first()
        )
        if row is None:
            return False
        url: str = row["url"]
        await _set_status(professional_id, url, "importing")
        try:
            imported = await _read(runtime, url, ZoneInfo(row["zone"]))
        except (CalendarRefused, FetchRefused) as exc:
            return await _failed(professional_id, url, "refused", str(exc))
        except (FetchFailed, CalendarUnreadable) as exc:
            return await _failed(professional_id, url, "failed", str(exc))
        return await _replace_busy(runtime, professional_id, url, imported)


async def _read(runtime: Runtime, url: str, zone: ZoneInfo) -> Imported:
    settings = settings_of(runtime)
    body = await fetch_calendar(settings, url)
    now = runtime.clock.now()
    limits = Limits(max_events=settings.max_events, max_busy_times=settings.max_busy_times)
    return await busy_times_in_child(
        body, zone, now, now + timedelta(days=IMPORT_DAYS), limits, budget=settings.import_seconds
    )


async def _replace_busy(runtime: Runtime, professional_id: UUID, url: str, imported: Imported) -> bool:
    """The new busy times in place of the old, in batches, in one transaction; nothing if the calendar was unlinked
    or linked to another URL meanwhile."""
    async with runtime.engine.transaction():
        still = await ExternalCalendar.raw(
            "SELECT 1 FROM external_calendar WHERE professional = {} AND url = {} FOR UPDATE", professional_id, url
        )
        if not still:
            return False
        await ImportedBusy.delete().where(ImportedBusy.professional == professional_id)
        for batch in _batches(imported.busy, INSERT_BATCH):
            await ImportedBusy.insert(
                *[ImportedBusy(id=uuid4(), professional=professional_id, starts_at=s, ends_at=e) for s, e in batch]
            ).run()
        await ExternalCalendar.update(
            {
                ExternalCalendar.status: "ok",
                ExternalCalendar.last_fetched_at: runtime.clock.now(),
                ExternalCalendar.last_error: None,
                ExternalCalendar.events: imported.events,
            }
        ).where(ExternalCalendar.professional == professional_id)
    return True


async def _failed(professional_id: UUID, url: str, status: Status, reason: str) -> bool:
    log.warning("external_calendar_failed", professional=str(professional_id), status=status, error=reason)
    await ExternalCalendar.update({ExternalCalendar.status: status, ExternalCalendar.last_error: reason[:300]}).where(
        (ExternalCalendar.professional == professional_id) & (ExternalCalendar.url == url)
    )
    return False


async def _set_status(professional_id: UUID, url: str, status: Status) -> None:
    await ExternalCalendar.update({ExternalCalendar.status: status}).where(
        (ExternalCalendar.professional == professional_id) & (ExternalCalendar.url == url)
    )


def _import_slot(runtime: Runtime) -> asyncio.Semaphore:
    """The process's bound on imports running at once (built once per runtime)."""
    slots = runtime.extras.get("calendar.import_slots")
    if not isinstance(slots, asyncio.Semaphore):
        slots = asyncio.Semaphore(settings_of(runtime).import_concurrency)
        runtime.extras["calendar.import_slots"] = slots
    return slots


def _batches(busy: list[Busy], size: int) -> list[list[Busy]]:
    return [busy[i : i + size] for i in range(0, len(busy), size)]


# --- fetching ---------------------------------------------------------------------------------------------------------


async def fetch_calendar(settings: CalendarSettings, url: str) -> bytes:
    """The body at ``url``, fetched from the one address its host resolved to (checked before connecting)."""
    target = urlsplit(_http_url(url))
    host = target.hostname or ""
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        async with asyncio.timeout(settings.fetch_timeout_seconds):
            address = await _connectable_address(settings, host, port)
            return await _get(settings, _pinned(target, address, port), target, host)
    except TimeoutError:
        raise FetchFailed(f"the calendar did not answer within {settings.fetch_timeout_seconds:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchFailed(f"the calendar could not be fetched ({type(exc).__name__})") from None


async def _connectable_address(
    settings: CalendarSettings, host: str, port: int
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchFailed("the calendar's host name does not resolve") from None
    address = ipaddress.ip_address(found[0][4][0])
    if not _may_connect(settings, address):
        raise FetchRefused("the calendar's host name resolves to a private network address")
    return address


async def _get(settings: CalendarSettings, pinned: str, target: SplitResult, host: str) -> bytes:
    headers = {"Accept": "text/calendar", "Host": target.netloc.rpartition("@")[2]}
    extensions = {"sni_hostname": host} if target.scheme == "https" else {}
    async with (
        httpx.AsyncClient(timeout=settings.fetch_timeout_seconds, follow_redirects=False, trust_env=False) as client,
        client.stream("GET", pinned, headers=headers, extensions=extensions) as response,
    ):
        if response.status_code != 200:
            raise FetchFailed(f"the calendar answered {response.status_code}")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > settings.max_bytes:
                raise FetchRefused(f"the calendar is larger than {settings.max_bytes} bytes")
        return bytes(body)


def _pinned(target: SplitResult, address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> str:
    """``target`` with its host replaced by ``address`` (user info and path kept)."""
    user_info, _, _ = target.netloc.rpartition("@")
    shown = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{user_info}@{shown}:{port}" if user_info else f"{shown}:{port}"
    return urlunsplit(target._replace(netloc=netloc))


def _may_connect(settings: CalendarSettings, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return settings.allow_private_urls or address.is_global


def _address_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _http_url(url: str) -> str:
    """``webcal://`` is how calendar apps spell ``https://``."""
    return "https://" + url.split("://", 1)[1] if url.lower().startswith("webcal://") else url
