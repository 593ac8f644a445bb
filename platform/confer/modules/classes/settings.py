"""The classes module's settings section, read from ``CONFER_CLASSES_*``."""

from __future__ import annotations

from typing import Annotated

import msgspec


class ClassesSettings(msgspec.Struct, frozen=True):
    offer_minutes: Annotated[int, msgspec.Meta(ge=1, le=7 * 24 * 60)] = 120
    """How long a waiter has to accept a freed seat before it goes to the next one."""
