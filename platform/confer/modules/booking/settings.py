"""The booking module's settings section, read from ``CONFER_BOOKING_*``."""

from __future__ import annotations

from typing import Annotated

import msgspec


class BookingSettings(msgspec.Struct, frozen=True):
    max_open_per_client: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 5
    """How many open bookings (held, waiting for payment or confirmed, not yet over) one client may have with one
    professional: enough for a course of sessions, too few to hoard a calendar."""
