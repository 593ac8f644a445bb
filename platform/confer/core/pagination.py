"""Cursor pagination (DESIGN §5): a cursor names the last item of a page by its sort instant and id, opaquely."""

from __future__ import annotations

import base64
from datetime import datetime
from uuid import UUID

from confer.core.errors import InvalidInput


def encode_cursor(at: datetime, item_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{item_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    """The (instant, id) a cursor names; 422 for anything this API did not give out."""
    try:
        at, _, item_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        instant = datetime.fromisoformat(at)
        if instant.tzinfo is None:
            raise ValueError("a cursor's instant has an offset")
        return instant, UUID(item_id)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("cursor", "is not a cursor this API gave out") from None
