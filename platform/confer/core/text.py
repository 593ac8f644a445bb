"""People's free text (chat messages, reviews): kept as plain text, never markup, within limits."""

from __future__ import annotations

import re

from confer.core.errors import InvalidInput

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters but tab and newlines: invisible, and able to confuse terminals and logs."""


def plain_text(field: str, value: str, *, limit: int, required: bool = True) -> str:
    """``value`` without control characters and surrounding blanks; 422 naming ``field`` when empty or too long."""
    cleaned = CONTROL_CHARACTERS.sub("", value).strip()
    if required and not cleaned:
        raise InvalidInput(field, "is empty")
    if len(cleaned) > limit:
        raise InvalidInput(field, f"is longer than {limit} characters")
    return cleaned
