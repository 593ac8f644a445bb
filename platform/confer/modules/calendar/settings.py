"""The calendar module's settings section, read from ``CONFER_CALENDAR_*``."""

from __future__ import annotations

from typing import Annotated

import msgspec


class CalendarSettings(msgspec.Struct, frozen=True, kw_only=True):
    allow_private_urls: bool = False
    """Let external calendar URLs reach private, loopback and link-local addresses (tests, intranets)."""
    fetch_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=300)] = 10.0
    """The whole fetch of an external calendar, connection to last byte."""
    max_bytes: Annotated[int, msgspec.Meta(ge=1024)] = 5_000_000
    max_events: Annotated[int, msgspec.Meta(ge=1)] = 10_000
    """Events (VEVENTs) one calendar may hold; a larger file is refused as a whole."""
    max_busy_times: Annotated[int, msgspec.Meta(ge=1)] = 5_000
    """Busy times (occurrences) one calendar may yield in the imported period; more is refused as a whole."""
    import_seconds: Annotated[float, msgspec.Meta(gt=0, le=600)] = 20.0
    """Time budget for reading one calendar (its process is killed after it)."""
    import_concurrency: Annotated[int, msgspec.Meta(ge=1, le=64)] = 4
    """Calendars read at once by one process."""
