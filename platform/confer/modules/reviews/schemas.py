"""The reviews API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

Rating = Annotated[int, msgspec.Meta(ge=1, le=5, description="Whole stars, 1 to 5")]
Text = Annotated[str, msgspec.Meta(max_length=2000, description="Plain text, never interpreted as markup")]


class ReviewCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    rating: Rating
    text: Text = ""


class ReviewUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What changes; an absent field keeps its value."""

    rating: Rating | None = None
    text: Text | None = None


class ReplyCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class ReplyOut(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    replied_at: datetime


class ReviewOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    booking_id: UUID
    professional_id: UUID
    client_id: UUID
    rating: int
    text: str
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime
    reply: ReplyOut | None
    hidden: bool


class PublicReviewOut(msgspec.Struct, frozen=True, kw_only=True):
    """A review as anyone may read it: the author is shown by first name only."""

    id: UUID
    author_name: str
    rating: int
    text: str
    created_at: datetime
    edited_at: datetime | None
    reply: ReplyOut | None


class RatingSummary(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    average: float | None
    """None until the first visible review."""
    distribution: dict[int, int]
    """Visible reviews per rating, 1 to 5."""
    bayesian_average: float
    """The average pulled towards the prior (CONFER_REVIEWS_PRIOR_*): what ranks professionals with few reviews."""


class ReviewPage(msgspec.Struct, frozen=True, kw_only=True):
    summary: RatingSummary
    items: list[PublicReviewOut]
    """Visible reviews, newest first."""
    next_cursor: str | None
