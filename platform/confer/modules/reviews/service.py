"""Reviews: after a completed booking its client rates it (1 to 5 stars, with text) once and may change that for
``edit_days``; the professional may reply once; an admin may hide a review and show it again.

Each professional's aggregate (count, sum, count per rating, Bayesian average) and the search columns of their
profile (``rating_avg``, ``rating_count``) change in the same transaction as the review they count, by one upsert of
deltas: the aggregate's row lock orders concurrent reviews of one professional, so no count is ever lost. A hidden
review leaves the aggregate and comes back into it when shown again. One review per booking is a unique index's
guarantee, so two concurrent first reviews get one 201 and one 409.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID, uuid4

from confer.core import events
from confer.core.auth import Principal
from confer.core.db import UNIQUE_VIOLATION, is_violation
from confer.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from confer.core.pagination import decode_cursor, encode_cursor
from confer.core.runtime import Runtime
from confer.core.text import plain_text
from confer.modules.booking import service as bookings
from confer.modules.professionals.tables import ProfessionalProfile
from confer.modules.reviews.schemas import (
    PublicReviewOut,
    RatingSummary,
    ReplyOut,
    ReviewCreate,
    ReviewOut,
    ReviewPage,
    ReviewUpdate,
)
from confer.modules.reviews.settings import ReviewsSettings
from confer.modules.reviews.tables import Review, ReviewAggregate

REVIEW_TOPICS = ("reviews.created", "reviews.edited", "reviews.replied", "reviews.hidden", "reviews.unhidden")
"""Every event this module publishes (payload: ``review_id``, ``booking_id``, ``professional_id``, ``client_id``,
``rating``)."""
PAGE_SIZE = 20
RATINGS = range(1, 6)


class NotCompleted(Conflict):
    type = "booking-not-completed"
    title = "Only a completed booking can be reviewed"


class AlreadyReviewed(Conflict):
    type = "already-reviewed"
    title = "This booking already has a review"


class AlreadyReplied(Conflict):
    type = "already-replied"
    title = "This review already has a reply"


class EditWindowClosed(Conflict):
    type = "review-edit-window-closed"
    title = "This review can no longer be changed"


def _settings(runtime: Runtime) -> ReviewsSettings:
    return runtime.section("reviews", ReviewsSettings)


# --- the client's review ----------------------------------------------------------------------------------------------


async def create(runtime: Runtime, principal: Principal, booking_id: UUID, data: ReviewCreate) -> ReviewOut:
    """The client of a completed booking rates it, once."""
    booking = await bookings.booking_of(principal, booking_id)  # 404 for anyone who is not a party
    if booking.client_id != principal.user_id:
        raise Forbidden("only the booking's client can review it")
    if booking.status != "completed":
        raise NotCompleted(f"this booking is {booking.status}; it can be reviewed once the professional completes it")
    text = _checked_text(runtime, data.text, required=False)
    review = Review(
        id=uuid4(),
        booking=booking_id,
        professional=booking.professional_id,
        client=principal.user_id,
        rating=data.rating,
        text=text,
        created_at=runtime.clock.now(),
    )
    try:
        async with runtime.engine.transaction():
            await Review.insert(review)
            await _count(runtime, booking.professional_id, {data.rating: +1})
            await events.publish("reviews.created", _event(review.to_dict()))
    except Exception as exc:
        if is_violation(exc, UNIQUE_VIOLATION):
            raise AlreadyReviewed() from None
        raise
    return _out(runtime, review.to_dict())


async def edit(runtime: Runtime, principal: Principal, review_id: UUID, data: ReviewUpdate) -> ReviewOut:
    """The author changes the rating or the text within ``edit_days`` of writing it."""
    if data.rating is None and data.text is None:
        raise InvalidInput("body", "give a rating, a text or both")
    text = None if data.text is None else _checked_text(runtime, data.text, required=False)
    now = runtime.clock.now()
    async with runtime.engine.transaction():
        old = await _locked(review_id, principal)
        if old["client"] != principal.user_id:
            raise Forbidden("only the review's author can change it")
        if now >= _editable_until(runtime, old):
            raise EditWindowClosed(f"a review can be changed in the {_settings(runtime).edit_days} days after writing")
        rating = old["rating"] if data.rating is None else data.rating
        rows = (
            await Review.update(
                {Review.rating: rating, Review.text: old["text"] if text is None else text, Review.edited_at: now}
            )
            .where(Review.id == review_id)
            .returning(*_COLUMNS)
        )
        if old["hidden_at"] is None and rating != old["rating"]:
            await _count(runtime, old["professional"], {old["rating"]: -1, rating: +1})
        await events.publish("reviews.edited", _event(rows[0]))
    return _out(runtime, rows[0])


async def of_booking(runtime: Runtime, principal: Principal, booking_id: UUID) -> ReviewOut:
    """The booking's review, for its client and its professional (hidden or not)."""
    await bookings.booking_of(principal, booking_id)
    row: dict[str, Any] | None = await Review.select(*_COLUMNS).where(Review.booking == booking_id).first()
    if row is None:
        raise NotFound("this booking has no review")
    return _out(runtime, row)


# --- the professional's reply -----------------------------------------------------------------------------------------


async def reply(runtime: Runtime, principal: Principal, review_id: UUID, text: str) -> ReviewOut:
    """The reviewed professional answers, once."""
    body = _checked_text(runtime, text, required=True)
    async with runtime.engine.transaction():
        review = await _locked(review_id, principal)
        if review["professional"] != principal.user_id:
            raise Forbidden("only the reviewed professional can reply")
        rows = (
            await Review.update({Review.reply: body, Review.replied_at: runtime.clock.now()})
            .where((Review.id == review_id) & Review.reply.is_null())
            .returning(*_COLUMNS)
        )
        if not rows:
            raise AlreadyReplied()
        await events.publish("reviews.replied", _event(rows[0]))
    return _out(runtime, rows[0])


# --- moderation -------------------------------------------------------------------------------------------------------


async def hide(runtime: Runtime, principal: Principal, review_id: UUID) -> ReviewOut:
    """An admin takes a review out of the public list and of the aggregate; hiding a hidden one changes nothing."""
    principal.require_role("admin")
    async with runtime.engine.transaction():
        rows = (
            await Review.update({Review.hidden_at: runtime.clock.now(), Review.hidden_by: principal.user_id})
            .where((Review.id == review_id) & Review.hidden_at.is_null())
            .returning(*_COLUMNS)
        )
        if rows:
            await _count(runtime, rows[0]["professional"], {rows[0]["rating"]: -1})
            await events.publish("reviews.hidden", _event(rows[0]))
    return _out(runtime, rows[0]) if rows else await _any(runtime, review_id)


async def unhide(runtime: Runtime, principal: Principal, review_id: UUID) -> ReviewOut:
    """An admin shows a hidden review again: it counts again."""
    principal.require_role("admin")
    async with runtime.engine.transaction():
        rows = (
            await Review.update({Review.hidden_at: None, Review.hidden_by: None})
            .where((Review.id == review_id) & Review.hidden_at.is_not_null())
            .returning(*_COLUMNS)
        )
        if rows:
            await _count(runtime, rows[0]["professional"], {rows[0]["rating"]: +1})
            await events.publish("reviews.unhidden", _event(rows[0]))
    return _out(runtime, rows[0]) if rows else await _any(runtime, review_id)


# --- the public list --------------------------------------------------------------------------------------------------


async def of_professional(runtime: Runtime, professional_id: UUID, cursor: str | None) -> ReviewPage:
    """A published professional's visible reviews, newest first, with their rating summary."""
    published = await ProfessionalProfile.exists().where(
        (ProfessionalProfile.id == professional_id) & (ProfessionalProfile.published == True)  # noqa: E712
    )
    if not published:
        raise NotFound("no such professional")
    before_at, before_id = decode_cursor(cursor) if cursor else (None, None)
    rows: list[dict[str, Any]] = await Review.raw(
        """
        SELECT r.id, r.rating, r.text, r.created_at, r.edited_at, r.reply, r.replied_at,
               coalesce(nullif(split_part(btrim(a.name), ' ', 1), ''), 'Client') AS author_name
          FROM review r LEFT JOIN account a ON a.id = r.client
         WHERE r.professional = {} AND r.hidden_at IS NULL
           AND ({}::timestamptz IS NULL OR (r.created_at, r.id) < ({}::timestamptz, {}::uuid))
         ORDER BY r.created_at DESC, r.id DESC
         LIMIT {}
        """,
        professional_id,
        before_at,
        before_at,
        before_id,
        PAGE_SIZE + 1,
    )
    items = [
        PublicReviewOut(
            id=row["id"],
            author_name=row["author_name"],
            rating=row["rating"],
            text=row["text"],
            created_at=row["created_at"],
            edited_at=row["edited_at"],
            reply=_reply(row),
        )
        for row in rows[:PAGE_SIZE]
    ]
    more = len(rows) > PAGE_SIZE
    return ReviewPage(
        summary=await summary(runtime, professional_id),
        items=items,
        next_cursor=encode_cursor(items[-1].created_at, items[-1].id) if more else None,
    )


async def summary(runtime: Runtime, professional_id: UUID) -> RatingSummary:
    """The professional's visible reviews in numbers (zeros before the first)."""
    row: dict[str, Any] | None = await ReviewAggregate.select().where(ReviewAggregate.id == professional_id).first()
    count = row["review_count"] if row else 0
    total = row["rating_sum"] if row else 0
    settings = _settings(runtime)
    prior = Decimal(str(settings.prior_mean))
    bayesian = (settings.prior_weight * prior + total) / (settings.prior_weight + count) if count else prior
    return RatingSummary(
        count=count,
        average=_rounded(Decimal(total) / count, 2) if count else None,
        distribution={n: row[f"count_{n}"] if row else 0 for n in RATINGS},
        bayesian_average=_rounded(bayesian, 4),
    )


def _rounded(value: Decimal, places: int) -> float:
    """Rounded as PostgreSQL rounds ``numeric`` (half away from zero), so the profile's ``rating_avg`` agrees."""
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# --- the aggregate ----------------------------------------------------------------------------------------------------

_OPEN_SQL = (
    "INSERT INTO review_aggregate (id, review_count, rating_sum, count_1, count_2, count_3, count_4, count_5, "
    "updated_at) VALUES ({}, 0, 0, 0, 0, 0, 0, 0, {}) ON CONFLICT (id) DO NOTHING"
)
_COUNT_SQL = """
WITH change AS (
    SELECT {}::uuid AS professional, {}::int AS review_count, {}::int AS rating_sum, {}::int AS count_1,
           {}::int AS count_2, {}::int AS count_3, {}::int AS count_4, {}::int AS count_5,
           {}::numeric AS prior_total, {}::int AS prior_weight, {}::timestamptz AS at
), aggregate AS (
    UPDATE review_aggregate a SET
        review_count = a.review_count + c.review_count,
        rating_sum = a.rating_sum + c.rating_sum,
        count_1 = a.count_1 + c.count_1,
        count_2 = a.count_2 + c.count_2,
        count_3 = a.count_3 + c.count_3,
        count_4 = a.count_4 + c.count_4,
        count_5 = a.count_5 + c.count_5,
        bayesian_avg = CASE WHEN a.review_count + c.review_count > 0
                            THEN (c.prior_total + a.rating_sum + c.rating_sum)
                                 / (c.prior_weight + a.review_count + c.review_count) END,
        updated_at = c.at
      FROM change c
     WHERE a.id = c.professional
    RETURNING a.id, a.review_count, a.rating_sum, a.bayesian_avg
)
UPDATE professional_profile p
   SET rating_count = aggregate.review_count,
       rating_avg = CASE WHEN aggregate.review_count > 0
                         THEN round(aggregate.rating_sum::numeric / aggregate.review_count, 2) END,
       rating_bayesian = aggregate.bayesian_avg
  FROM aggregate
 WHERE p.id = aggregate.id
"""


async def _count(runtime: Runtime, professional_id: UUID, changes: dict[int, int]) -> None:
    """Add ``changes`` (rating -> reviews more or fewer) to the professional's aggregate and copy the result to their
    profile's search columns, inside the caller's transaction. The row is made first (with zeros: a CHECK is
    evaluated on a proposed row before ON CONFLICT would merge it), then changed by one UPDATE, whose row lock
    orders concurrent changes of one professional."""
    settings = _settings(runtime)
    await ReviewAggregate.raw(_OPEN_SQL, professional_id, runtime.clock.now())
    await ReviewAggregate.raw(
        _COUNT_SQL,
        professional_id,
        sum(changes.values()),
        sum(rating * delta for rating, delta in changes.items()),
        *(changes.get(n, 0) for n in RATINGS),
        settings.prior_weight * Decimal(str(settings.prior_mean)),
        settings.prior_weight,
        runtime.clock.now(),
    )


# --- small rules ------------------------------------------------------------------------------------------------------


async def _locked(review_id: UUID, principal: Principal) -> dict[str, Any]:
    """The review, locked for this transaction, if the caller is its author or its professional; else 404."""
    rows: list[dict[str, Any]] = await Review.raw(
        "SELECT id, booking, professional, client, rating, text, created_at, hidden_at FROM review "
        "WHERE id = {} AND (client = {} OR professional = {}) FOR UPDATE",
        review_id,
        principal.user_id,
        principal.user_id,
    )
    if not rows:
        raise NotFound("no such review")
    return rows[0]


async def _any(runtime: Runtime, review_id: UUID) -> ReviewOut:
    row: dict[str, Any] | None = await Review.select(*_COLUMNS).where(Review.id == review_id).first()
    if row is None:
        raise NotFound("no such review")
    return _out(runtime, row)


def _checked_text(runtime: Runtime, text: str, *, required: bool) -> str:
    return plain_text("text", text, limit=_settings(runtime).max_length, required=required)


def _editable_until(runtime: Runtime, row: dict[str, Any]) -> datetime:
    created_at: datetime = row["created_at"]
    return created_at + timedelta(days=_settings(runtime).edit_days)


def _event(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "review_id": str(row["id"]),
        "booking_id": str(row["booking"]),
        "professional_id": str(row["professional"]),
        "client_id": str(row["client"]),
        "rating": row["rating"],
    }


_COLUMNS = (
    Review.id,
    Review.booking,
    Review.professional,
    Review.client,
    Review.rating,
    Review.text,
    Review.created_at,
    Review.edited_at,
    Review.reply,
    Review.replied_at,
    Review.hidden_at,
)


def _reply(row: dict[str, Any]) -> ReplyOut | None:
    return None if row["reply"] is None else ReplyOut(text=row["reply"], replied_at=row["replied_at"])


def _out(runtime: Runtime, row: dict[str, Any]) -> ReviewOut:
    return ReviewOut(
        id=row["id"],
        booking_id=row["booking"],
        professional_id=row["professional"],
        client_id=row["client"],
        rating=row["rating"],
        text=row["text"],
        created_at=row["created_at"],
        edited_at=row["edited_at"],
        editable_until=_editable_until(runtime, row),
        reply=_reply(row),
        hidden=row["hidden_at"] is not None,
    )
