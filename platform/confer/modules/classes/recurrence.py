"""Recurring class sessions: an RRULE expanded in the professional's zone, on the wall clock, within bounds.

A weekly 18:00 class in Paris stays at 18:00 Paris time across the DST change (so its UTC instant moves). The
expansion is bounded (at most ``MAX_SESSIONS`` occurrences within ``MAX_SPAN`` of the first) and the rule is limited
to the parts a class schedule needs, so a hostile rule cannot make the server iterate for long.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

MAX_SESSIONS = 100
MAX_SPAN = timedelta(days=366)
FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY"})
PARTS = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "WKST"})
MAX_INTERVAL = 12


class RecurrenceError(ValueError):
    """The rule cannot be used; the message says why, for the ``rrule`` field."""


def occurrences(rule: str, first: datetime, zone: ZoneInfo) -> list[datetime]:
    """The starts (UTC) of the sessions ``rule`` describes from ``first`` on, read on the wall clock of ``zone``."""
    parts = _parts(rule)
    local_first = first.astimezone(zone)
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_in_utc(parts["UNTIL"], zone)
    text = ";".join(f"{key}={value}" for key, value in parts.items())
    try:
        expanded = rrulestr(text, dtstart=local_first, cache=False)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise RecurrenceError(f"is not a valid RRULE ({exc})") from None
    found: list[datetime] = []
    try:
        for local in expanded:
            if local.replace(tzinfo=None) - local_first.replace(tzinfo=None) > MAX_SPAN:
                raise RecurrenceError(f"reaches more than {MAX_SPAN.days} days ahead; add COUNT or UNTIL")
            found.append(local.astimezone(UTC))
            if len(found) > MAX_SESSIONS:
                raise RecurrenceError(f"makes more than {MAX_SESSIONS} sessions; add or lower COUNT or UNTIL")
    except (ValueError, TypeError) as exc:
        if isinstance(exc, RecurrenceError):
            raise
        raise RecurrenceError(f"cannot be expanded ({exc})") from None
    if not found:
        raise RecurrenceError("makes no session")
    return found


def _parts(rule: str) -> dict[str, str]:
    body = rule.strip().upper().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for item in filter(None, body.split(";")):
        key, sep, value = item.partition("=")
        if not sep or not value or key in parts:
            raise RecurrenceError(f"'{item}' is not a NAME=VALUE part (or repeats one)")
        if key not in PARTS:
            raise RecurrenceError(f"'{key}' is not supported; use {', '.join(sorted(PARTS))}")
        if not all(c.isalnum() or c in ",+-" for c in value):
            raise RecurrenceError(f"'{item}' has characters an RRULE value cannot have")
        parts[key] = value
    if parts.get("FREQ") not in FREQUENCIES:
        raise RecurrenceError(f"FREQ must be one of {', '.join(sorted(FREQUENCIES))}")
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL:
        raise RecurrenceError(f"INTERVAL must be a whole number from 1 to {MAX_INTERVAL}")
    if "BYSETPOS" in parts and parts["FREQ"] != "MONTHLY":
        raise RecurrenceError("BYSETPOS is supported with FREQ=MONTHLY only")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("COUNT and UNTIL cannot both be given")
    if "COUNT" in parts and not (parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"]) <= MAX_SESSIONS):
        raise RecurrenceError(f"COUNT must be a whole number from 1 to {MAX_SESSIONS}")
    return parts


def _until_in_utc(value: str, zone: ZoneInfo) -> str:
    """UNTIL as the UTC instant dateutil needs; a date or a local date-time is read in the professional's zone
    (a date includes its whole day)."""
    try:
        if value.endswith("Z"):
            return value
        if len(value) == 8:
            day = datetime.strptime(value, "%Y%m%d").date()
            local = datetime.combine(day, time(23, 59, 59), tzinfo=zone)
        else:
            local = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)
    except ValueError:
        raise RecurrenceError(f"UNTIL '{value}' is not a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS[Z])") from None
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
