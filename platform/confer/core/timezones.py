"""IANA time zones: the one list every module checks zone names against."""

from __future__ import annotations

import zoneinfo

from confer.core.errors import InvalidInput

KNOWN_ZONES = frozenset(zoneinfo.available_timezones())


def checked_zone(field: str, name: str) -> str:
    """``name`` if it is an IANA zone (``Europe/Paris``), else a 422 naming ``field``."""
    if name not in KNOWN_ZONES:
        raise InvalidInput(field, f"'{name}' is not an IANA time zone (for example Europe/Paris)")
    return name
