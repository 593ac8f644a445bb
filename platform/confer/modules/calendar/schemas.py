"""The calendar API's shapes: wall-clock times as "HH:MM" in the professional's zone ("24:00" ends at midnight)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

WallTime = Annotated[str, msgspec.Meta(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$", examples=["09:00"])]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]


class RuleIn(msgspec.Struct, forbid_unknown_fields=True):
    weekday: Annotated[int, msgspec.Meta(ge=1, le=7, description="ISO weekday: 1 = Monday ... 7 = Sunday")]
    start: WallTime
    end: WallTime


class HoursIn(msgspec.Struct, forbid_unknown_fields=True):
    start: WallTime
    end: WallTime


class OverrideIn(msgspec.Struct, forbid_unknown_fields=True):
    date: date
    intervals: Annotated[list[HoursIn], msgspec.Meta(max_length=10, description="empty: closed that day")]


class OverrideOut(msgspec.Struct):
    date: date
    intervals: list[HoursIn]


class TimeOffIn(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: Instant
    ends_at: Instant
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class TimeOffOut(msgspec.Struct):
    id: UUID
    starts_at: datetime
    ends_at: datetime
    note: str


class ExternalCalendarIn(msgspec.Struct, forbid_unknown_fields=True):
    url: (
        Annotated[str, msgspec.Meta(max_length=2048, examples=["https://calendar.example.org/private/basic.ics"])]
        | None
    )


class ExternalCalendarOut(msgspec.Struct):
    url: str | None
    status: (
        Annotated[
            Literal["queued", "importing", "ok", "failed", "refused"],
            msgspec.Meta(
                description="queued or importing: the import is under way; ok: the busy times are from the last "
                "fetch; failed: the last fetch failed and is tried again every 15 minutes; refused: the calendar "
                "is over a limit or unreachable by policy and is not read again until it is linked again"
            ),
        ]
        | None
    )
    last_fetched_at: datetime | None
    last_error: str | None
    busy_intervals: int
    events: int
