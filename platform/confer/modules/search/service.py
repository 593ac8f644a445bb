"""Finding professionals: full-text search with filters and sorts, and the "next available slot" index it reads.

Searches never compute slots. Each published profile carries ``next_available_at`` (its first free consultation slot
in the next ``LOOKAHEAD`` days), maintained by the worker:

* at once for the professional of a booking that was made, moved, cancelled or expired (``booking.*`` events);
* every minute for profiles marked stale (``next_available_checked_at`` NULL: the offering trigger and a change of
  zone or publication clear it), checked more than ``STALE_AFTER`` ago (this catches weekly rules, overrides and time
  off, which publish no events), or whose first free slot has already begun.

The refresher reads the calendar and booking tables (modules this one requires) with raw SQL, in bulk for a batch
of professionals, and feeds the same pure slot engine, ``confer.modules.calendar.slots.free_slots``, with the same
policy the booking module applies, so the instant it stores is a slot the booking API would offer at that moment.
Refreshes of one profile are serialised by its row lock.

Availability filters are read against that one column: "available between ``available_from`` and ``available_to``"
means ``available_from <= next_available_at < available_to``. That is exact when the range starts now (or earlier):
a professional has a free slot before ``available_to`` if and only if their first one is. For a range starting later
it is an approximation that leaves out professionals whose first free slot comes before the range even if they also
have one inside it; and slots further away than ``LOOKAHEAD`` are not known (``next_available_at`` is NULL).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from confer.core.errors import InvalidInput
from confer.core.events import EventEnvelope
from confer.core.runtime import Runtime
from confer.core.timezones import checked_zone
from confer.modules.calendar.slots import Availability, Busy, LocalInterval, SlotPolicy, WeeklyRule, free_slots
from confer.modules.professionals.tables import ProfessionalProfile
from confer.modules.professionals.taxonomy import SPECIALTIES

PAGE_SIZE = 20
LOOKAHEAD = timedelta(days=14)
FIRST_LOOK = timedelta(days=2)
STALE_AFTER = timedelta(minutes=1)
REFRESH_BATCH = 100
ACTIVE_BOOKINGS = ("held", "pending_payment", "confirmed")
MAX_PRICE = 100_000_000
"""The largest price an offering may have (minor units), so the largest useful ``price_max``."""
# Sort and filter expressions: each is exactly the expression of an index of the search migration, and NULL is the
# worst value (no price: dearest; no rating: 0; no free slot in the look-ahead: never).
PRICE_KEY = "coalesce(p.price_min_minor, 2147483647)"
RATING_KEY = "(-coalesce(p.rating_bayesian, 0))"
"""Sorting by rating means by the Bayesian average (reviews keeps it): a few perfect ratings do not outrank many
excellent ones."""
NEXT_AVAILABLE_KEY = "coalesce(p.next_available_at, 'infinity'::timestamptz)"

Sort = Literal["relevance", "price", "rating", "next_available"]
Kind = Literal["consultation", "class"]


# --- shapes -------------------------------------------------------------------------------------------------------


class PriceFrom(msgspec.Struct):
    """The cheapest published offering's price, in minor units of its currency."""

    amount_minor: int
    currency: str


class ProfessionalCard(msgspec.Struct):
    id: UUID
    display_name: str
    headline: str
    specialties: list[str]
    languages: list[str]
    timezone: str
    country: str
    photo_url: str | None
    offering_kinds: list[str]
    price_from: PriceFrom | None
    rating_avg: float | None
    rating_count: int
    next_available_at: datetime | None
    """The first free consultation slot in the next 14 days, in the zone the search asked for (``tz``)."""


class ProfessionalSearchPage(msgspec.Struct):
    items: list[ProfessionalCard]
    next_cursor: str | None
    zone: str
    """The zone ``next_available_at`` is shown in."""


class SearchCriteria(msgspec.Struct, kw_only=True, frozen=True):
    """A search as the API received it (strings still unparsed where the API accepts several forms)."""

    q: str | None = None
    specialty: str | None = None
    language: str | None = None
    price_max: int | None = None
    currency: str | None = None
    min_rating: float | None = None
    kind: Kind | None = None
    available_from: str | None = None
    available_to: str | None = None
    sort: Sort = "relevance"
    cursor: str | None = None
    tz: str = "UTC"


class _CursorBody(msgspec.Struct, frozen=True):
    s: str
    k: Annotated[str, msgspec.Meta(max_length=64)]
    i: UUID


# What a sort key printed by PostgreSQL looks like, so a forged cursor is a 422 rather than a cast error.
_NUMBER = r"-?\d{1,20}(\.\d{1,20})?([eE][-+]?\d{1,3})?|-?Infinity|NaN"
_KEY_SHAPES = {
    "relevance": re.compile(_NUMBER),
    "rating": re.compile(_NUMBER),
    "price": re.compile(r"-?\d{1,10}"),
    "next_available": re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d){0,2}|infinity"),
}


# --- search -------------------------------------------------------------------------------------------------------


async def search(runtime: Runtime, criteria: SearchCriteria) -> ProfessionalSearchPage:
    """One page of published professionals matching ``criteria``."""
    return await find(criteria, now=runtime.clock.now())


async def find(criteria: SearchCriteria, *, now: datetime) -> ProfessionalSearchPage:
    """The search itself, given the current instant (the benchmark calls this directly)."""
    zone_name = checked_zone("tz", criteria.tz)
    sql, args = search_sql(criteria, now=now)
    rows = await ProfessionalProfile.raw(sql, *args)
    zone = ZoneInfo(zone_name)
    page = rows[:PAGE_SIZE]
    items = [_card(row, zone) for row in page]
    next_cursor = _encode_cursor(criteria.sort, page[-1]["sort_key"], page[-1]["id"]) if len(rows) > PAGE_SIZE else None
    return ProfessionalSearchPage(items=items, next_cursor=next_cursor, zone=zone_name)


def search_sql(criteria: SearchCriteria, *, now: datetime) -> tuple[str, list[Any]]:
    """The query (Piccolo ``{}`` placeholders) and its arguments; validates what the schema cannot."""
    conditions = ["p.published"]
    args: list[Any] = []
    sources = "professional_profile p"
    text = (criteria.q or "").strip()
    if len(text) > 200:
        raise InvalidInput("q", "at most 200 characters")
    text = search_words(text)
    if text:
        sources += ", websearch_to_tsquery('english', {}) AS query"
        args.append(text)
        conditions.append("p.search_document @@ query")
    if criteria.specialty is not None:
        if criteria.specialty not in SPECIALTIES:
            raise InvalidInput("specialty", f"unknown; choose from {', '.join(sorted(SPECIALTIES))}")
        conditions.append("p.specialties @> ARRAY[{}::varchar]")
        args.append(criteria.specialty)
    if criteria.language is not None:
        conditions.append("p.languages @> ARRAY[{}::varchar]")
        args.append(criteria.language)
    if criteria.kind is not None:
        conditions.append("p.offering_kinds @> ARRAY[{}::varchar]")
        args.append(criteria.kind)
    if criteria.price_max is not None:
        if not 0 <= criteria.price_max <= MAX_PRICE:
            raise InvalidInput("price_max", f"must be between 0 and {MAX_PRICE}")
        conditions.append(f"{PRICE_KEY} <= {{}}")
        args.append(criteria.price_max)
    if criteria.currency is not None:
        conditions.append("p.price_currency = {}")
        args.append(criteria.currency)
    if criteria.min_rating is not None:
        if not 0 <= criteria.min_rating <= 5:
            raise InvalidInput("min_rating", "must be between 0 and 5")
        conditions.append("p.rating_avg >= {}::numeric")
        args.append(Decimal(str(criteria.min_rating)))  # a float would arrive as 4.3300000000000000710...
    available = availability_range(criteria, now=now)
    if available is not None:
        start, end = available
        if start is not None:
            conditions.append(f"p.next_available_at IS NOT NULL AND {NEXT_AVAILABLE_KEY} >= {{}}")
            args.append(start)
        if end is not None:
            conditions.append(f"{NEXT_AVAILABLE_KEY} < {{}}")
            args.append(end)
    key, key_type = _sort_key(criteria.sort, has_text=bool(text))
    if criteria.cursor:
        after_key, after_id = _decode_cursor(criteria.cursor, criteria.sort)
        conditions.append(f"({key}, p.id) > (CAST({{}}::text AS {key_type}), {{}}::uuid)")
        args.extend([after_key, after_id])
    # Every fragment is a constant of this module; values go in as arguments.
    sql = (
        "SELECT p.id, p.display_name, p.headline, p.specialties, p.languages, p.timezone, p.country, p.photo_url,"  # noqa: S608
        " p.offering_kinds, p.price_min_minor, p.price_currency, p.rating_avg::float8 AS rating_avg, p.rating_count,"
        f" p.next_available_at, ({key})::text AS sort_key FROM {sources} WHERE {' AND '.join(conditions)}"
        f" ORDER BY {key}, p.id LIMIT {PAGE_SIZE + 1}"
    )
    return sql, args


_STRAY_NEGATION = re.compile(r'-(?![^\W_]|")')


def search_words(text: str) -> str:
    """``text`` for ``websearch_to_tsquery`` without the minus signs that negate no word (``- -cat``, ``---cat``).
    PostgreSQL stacks each pending negation and fails past 32 of them ("tsquery stack too small"), so forty dashes
    were a 500; a minus that starts a word or a quoted phrase (``-cat``, ``-"cat food"``) keeps its meaning."""
    return _STRAY_NEGATION.sub(" ", text).strip()


def availability_range(criteria: SearchCriteria, *, now: datetime) -> tuple[datetime | None, datetime | None] | None:
    """``available_from`` / ``available_to`` as instants: an RFC 3339 date-time, or a date meaning that whole day in
    the search's zone (``available_to`` includes the day it names)."""
    if criteria.available_from is None and criteria.available_to is None:
        return None
    zone = ZoneInfo(checked_zone("tz", criteria.tz))
    start = _instant("available_from", criteria.available_from, zone, end_of_day=False)
    end = _instant("available_to", criteria.available_to, zone, end_of_day=True)
    if end is not None and end <= (start or now):
        raise InvalidInput("available_to", "must be after available_from (and after now)")
    return start, end


def _instant(field: str, value: str | None, zone: ZoneInfo, *, end_of_day: bool) -> datetime | None:
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            instant = datetime.combine(day + timedelta(days=1 if end_of_day else 0), time(0), tzinfo=zone)
        else:
            instant = datetime.fromisoformat(text)
            if instant.tzinfo is None:
                raise InvalidInput(field, "a date-time needs an offset (2026-12-01T09:00:00+01:00)")
        return instant.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(field, "expected a date (2026-12-01) or an RFC 3339 date-time with offset") from None


def _sort_key(sort: Sort, *, has_text: bool) -> tuple[str, str]:
    """The expression a sort orders by (ascending, ties broken by id) and its SQL type. Except for relevance, each
    is exactly the expression of a btree index, so a page is an index range scan; NULLs become the worst value.
    Relevance without words sorts like rating."""
    if sort == "relevance" and has_text:
        return "(-ts_rank(p.search_document, query))::float8", "float8"
    if sort in ("relevance", "rating"):
        return RATING_KEY, "numeric"
    if sort == "price":
        return PRICE_KEY, "integer"
    return NEXT_AVAILABLE_KEY, "timestamptz"


def _encode_cursor(sort: Sort, key: str, last_id: UUID) -> str:
    """The last row's sort key as PostgreSQL printed it (exact for every type used) and its id."""
    body = json.dumps({"s": sort, "k": key, "i": str(last_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: Sort) -> tuple[str, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4))
        body = msgspec.json.decode(raw, type=_CursorBody)
    except (ValueError, binascii.Error, msgspec.ValidationError, UnicodeError):
        raise InvalidInput("cursor", "is not a cursor this API gave out") from None
    if body.s != sort:
        raise InvalidInput("cursor", "belongs to a search with another sort; start again without it")
    if not _KEY_SHAPES[sort].fullmatch(body.k) or not _in_range(sort, body.k):
        raise InvalidInput("cursor", "is not a cursor this API gave out")
    return body.k, body.i


def _in_range(sort: Sort, key: str) -> bool:
    try:
        if sort == "price":
            return -(2**31) <= int(key) < 2**31
        if sort == "next_available" and key != "infinity":
            datetime.fromisoformat(key.replace(" ", "T"))
    except ValueError:
        return False
    return True


def _card(row: dict[str, Any], zone: ZoneInfo) -> ProfessionalCard:
    price = row["price_min_minor"]
    next_at = row["next_available_at"]
    return ProfessionalCard(
        id=row["id"],
        display_name=row["display_name"],
        headline=row["headline"],
        specialties=list(row["specialties"]),
        languages=list(row["languages"]),
        timezone=row["timezone"],
        country=row["country"],
        photo_url=row["photo_url"],
        offering_kinds=list(row["offering_kinds"]),
        price_from=None if price is None else PriceFrom(amount_minor=price, currency=row["price_currency"]),
        rating_avg=row["rating_avg"],
        rating_count=row["rating_count"],
        next_available_at=None if next_at is None else next_at.astimezone(zone),
    )


# --- the next-available index ---------------------------------------------------------------------------------------


async def refresh_professionals(runtime: Runtime, professional_ids: Sequence[UUID]) -> int:
    """Recompute ``next_available_at`` of these professionals now (waiting for a refresh already under way)."""
    if not professional_ids:
        return 0
    async with runtime.engine.transaction():
        rows = await ProfessionalProfile.raw(
            "SELECT id, timezone FROM professional_profile WHERE id = ANY({}::uuid[]) AND published "
            "ORDER BY id FOR UPDATE",
            list(professional_ids),
        )
        await _recompute(runtime, rows)
    return len(rows)


async def refresh_stale(runtime: Runtime, *, batch: int = REFRESH_BATCH, max_batches: int = 1000) -> int:
    """Recompute every profile that is marked stale, was checked more than ``STALE_AFTER`` ago, or whose first free
    slot has begun; ``batch`` at a time, each in its own short transaction. Returns how many were recomputed."""
    done = 0
    for _ in range(max_batches):
        now = runtime.clock.now()
        async with runtime.engine.transaction():
            rows = await ProfessionalProfile.raw(
                "SELECT id, timezone FROM professional_profile WHERE published AND ("
                "next_available_checked_at IS NULL OR next_available_checked_at < {} OR next_available_at < {}) "
                "ORDER BY next_available_checked_at NULLS FIRST LIMIT {} FOR UPDATE SKIP LOCKED",
                now - STALE_AFTER,
                now,
                batch,
            )
            await _recompute(runtime, rows)
        done += len(rows)
        if len(rows) < batch:
            break
    return done


async def refresh_availability_index(ctx: dict[str, Any]) -> int:
    """saq cron job (every minute): :func:`refresh_stale`."""
    runtime: Runtime = ctx["runtime"]
    return await refresh_stale(runtime)


async def on_booking_changed(runtime: Runtime, envelope: EventEnvelope) -> None:
    """A booking was made, moved, cancelled or expired: its professional's first free slot may have changed."""
    booking_id = envelope.payload.get("booking_id")
    if not booking_id:
        return
    rows = await ProfessionalProfile.raw("SELECT professional FROM booking WHERE id = {}::uuid", booking_id)
    await refresh_professionals(runtime, [row["professional"] for row in rows])


BOOKING_TOPICS = (
    "booking.confirmed",
    "booking.pending_payment",
    "booking.held",
    "booking.cancelled",
    "booking.rescheduled",
    "booking.expired",
)


async def _recompute(runtime: Runtime, profiles: list[dict[str, Any]]) -> None:
    """Compute and store the first free slot of each profile (rows locked by the caller)."""
    if not profiles:
        return
    now = runtime.clock.now()
    ids = [row["id"] for row in profiles]
    calendars = await _calendars(ids, now)
    firsts = [_first_free(calendars, row["id"], row["timezone"], now) for row in profiles]
    await ProfessionalProfile.raw(
        "UPDATE professional_profile p SET next_available_at = v.at, next_available_checked_at = {} "
        "FROM unnest({}::uuid[], {}::timestamptz[]) AS v(id, at) WHERE p.id = v.id",
        now,
        ids,
        firsts,
    )


class _Calendar(msgspec.Struct):
    policies: list[SlotPolicy] = []
    rules: list[WeeklyRule] = []
    overrides: dict[date, list[LocalInterval]] = {}
    busy: list[Busy] = []
    booked_starts: list[datetime] = []


async def _calendars(ids: list[UUID], now: datetime) -> dict[UUID, _Calendar]:
    """Offerings, rules, overrides, time off, imported busy times and active bookings of ``ids`` near the look-ahead."""
    calendars = {professional_id: _Calendar() for professional_id in ids}
    end = now + LOOKAHEAD
    present = await ProfessionalProfile.raw(
        "SELECT to_regclass('availability_rule') IS NOT NULL AS calendar,"
        " to_regclass('booking') IS NOT NULL AS booking, to_regclass('imported_busy') IS NOT NULL AS imported"
    )
    offerings = await ProfessionalProfile.raw(
        "SELECT professional, duration_minutes, slot_step_minutes, buffer_before_minutes, buffer_after_minutes,"
        " min_notice_minutes, horizon_days, max_per_day FROM offering"
        " WHERE professional = ANY({}::uuid[]) AND published AND kind = 'consultation'",
        ids,
    )
    for row in offerings:
        calendars[row["professional"]].policies.append(_policy(row))
    if present[0]["calendar"]:
        await _read_calendar_tables(calendars, ids, now, end, imported=present[0]["imported"])
    if present[0]["booking"]:
        bookings = await ProfessionalProfile.raw(
            "SELECT professional, starts_at, blocked_from, blocked_until FROM booking"
            " WHERE professional = ANY({}::uuid[]) AND status = ANY({}::varchar[])"
            " AND blocked_until > {} AND blocked_from < {}",
            ids,
            list(ACTIVE_BOOKINGS),
            now - timedelta(days=1),
            end + timedelta(days=1),
        )
        for row in bookings:
            calendar = calendars[row["professional"]]
            calendar.busy.append(Busy(row["blocked_from"], row["blocked_until"]))
            calendar.booked_starts.append(row["starts_at"])
    return calendars


async def _read_calendar_tables(
    calendars: dict[UUID, _Calendar], ids: list[UUID], now: datetime, end: datetime, *, imported: bool
) -> None:
    """Weekly rules, overrides near the look-ahead, and time off and busy times imported from external calendars."""
    rules = await ProfessionalProfile.raw(
        'SELECT professional, weekday, start, "end" FROM availability_rule WHERE professional = ANY({}::uuid[])', ids
    )
    for row in rules:
        calendars[row["professional"]].rules.append(WeeklyRule(row["weekday"], LocalInterval(row["start"], row["end"])))
    overrides = await ProfessionalProfile.raw(
        'SELECT professional, day, start, "end" FROM date_override'
        " WHERE professional = ANY({}::uuid[]) AND day BETWEEN {} AND {}",
        ids,
        (now - timedelta(days=2)).date(),
        (end + timedelta(days=2)).date(),
    )
    for row in overrides:
        intervals = calendars[row["professional"]].overrides.setdefault(row["day"], [])
        if row["start"] is not None:
            intervals.append(LocalInterval(row["start"], row["end"]))
    busy_tables = ("time_off", "imported_busy") if imported else ("time_off",)
    time_off = await ProfessionalProfile.raw(
        " UNION ALL ".join(
            f"SELECT professional, starts_at, ends_at FROM {table}"  # noqa: S608 - table names are constants
            " WHERE professional = ANY({}::uuid[]) AND starts_at < {} AND ends_at > {}"
            for table in busy_tables
        ),
        *[value for _ in busy_tables for value in (ids, end + timedelta(days=1), now - timedelta(days=1))],
    )
    for row in time_off:
        calendars[row["professional"]].busy.append(Busy(row["starts_at"], row["ends_at"]))


def _policy(row: dict[str, Any]) -> SlotPolicy:
    return SlotPolicy(
        duration=timedelta(minutes=row["duration_minutes"]),
        step=timedelta(minutes=row["slot_step_minutes"]),
        buffer_before=timedelta(minutes=row["buffer_before_minutes"]),
        buffer_after=timedelta(minutes=row["buffer_after_minutes"]),
        min_notice=timedelta(minutes=row["min_notice_minutes"]),
        horizon=timedelta(days=row["horizon_days"]),
        max_per_day=row["max_per_day"],
    )


def _first_free(
    calendars: dict[UUID, _Calendar], professional_id: UUID, zone_name: str, now: datetime
) -> datetime | None:
    """The earliest slot any of the professional's published consultations offers in the look-ahead: first in the
    next two days (the common case, and cheap), then in the rest."""
    calendar = calendars[professional_id]
    if not calendar.policies or (not calendar.rules and not calendar.overrides):
        return None
    zone = ZoneInfo(zone_name)
    availability = Availability(zone=zone, rules=calendar.rules, overrides=calendar.overrides)
    booked_per_day: dict[date, int] = {}
    for starts_at in calendar.booked_starts:
        day = starts_at.astimezone(zone).date()
        booked_per_day[day] = booked_per_day.get(day, 0) + 1
    for window_start, window_end in ((now, now + FIRST_LOOK), (now + FIRST_LOOK, now + LOOKAHEAD)):
        firsts = []
        for policy in calendar.policies:
            found = free_slots(
                availability,
                policy,
                calendar.busy,
                range_start=window_start,
                range_end=window_end,
                now=now,
                booked_per_day=booked_per_day,
            )
            if found:
                firsts.append(found[0].starts_at)
        if firsts:
            return min(firsts).astimezone(UTC)
    return None
