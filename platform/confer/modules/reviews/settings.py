"""The reviews module's settings section, read from ``CONFER_REVIEWS_*``."""

from __future__ import annotations

from typing import Annotated

import msgspec


class ReviewsSettings(msgspec.Struct, frozen=True, kw_only=True):
    max_length: Annotated[int, msgspec.Meta(ge=1, le=2000)] = 2000
    """Characters in a review's text (and in a reply)."""
    edit_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 14
    """How long after writing it the client may change their review."""
    prior_mean: Annotated[float, msgspec.Meta(ge=1, le=5)] = 4.0
    """The Bayesian average's prior ``m``: what a professional with no reviews is assumed to be rated."""
    prior_weight: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 5
    """The Bayesian average's ``C``: how many reviews the prior counts as."""
