"""The reviews API: a completed booking's review, the professional's reply, moderation, and the public list."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from confer.core.dependencies import CurrentPrincipal, RuntimeDep
from confer.modules.reviews import service
from confer.modules.reviews.schemas import ReplyCreate, ReviewCreate, ReviewOut, ReviewPage, ReviewUpdate

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
Cursor = Annotated[str | None, QueryParameter(max_length=200)]


class ReviewController(Controller):
    path = "/api/v1"
    tags = ["reviews"]

    @post("/bookings/{booking_id:uuid}/review", status_code=201, security=BEARER)
    async def create(
        self, booking_id: FromPath[UUID], data: JSONBody[ReviewCreate], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> ReviewOut:
        """The client of a completed booking rates it, 1 to 5 with plain text, once."""
        return await service.create(runtime, principal, booking_id, data)

    @get("/bookings/{booking_id:uuid}/review", security=BEARER)
    async def of_booking(
        self, booking_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> ReviewOut:
        """The booking's review, for its client and its professional."""
        return await service.of_booking(runtime, principal, booking_id)

    @patch("/reviews/{review_id:uuid}", security=BEARER)
    async def edit(
        self, review_id: FromPath[UUID], data: JSONBody[ReviewUpdate], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> ReviewOut:
        """The author changes the rating or text, within CONFER_REVIEWS_EDIT_DAYS of writing it."""
        return await service.edit(runtime, principal, review_id, data)

    @post("/reviews/{review_id:uuid}/reply", status_code=200, security=BEARER)
    async def reply(
        self, review_id: FromPath[UUID], data: JSONBody[ReplyCreate], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> ReviewOut:
        """The reviewed professional answers, once."""
        return await service.reply(runtime, principal, review_id, data.text)

    @post("/reviews/{review_id:uuid}/hide", status_code=200, security=BEARER)
    async def hide(self, review_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> ReviewOut:
        """Admins only: out of the public list and the ratings."""
        return await service.hide(runtime, principal, review_id)

    @post("/reviews/{review_id:uuid}/unhide", status_code=200, security=BEARER)
    async def unhide(self, review_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> ReviewOut:
        """Admins only: back in the public list and the ratings."""
        return await service.unhide(runtime, principal, review_id)

    @get("/professionals/{professional_id:uuid}/reviews")
    async def of_professional(
        self, professional_id: FromPath[UUID], runtime: RuntimeDep, cursor: Cursor = None
    ) -> ReviewPage:
        """Public: a professional's visible reviews, newest first, with count, average, distribution and the Bayesian
        average."""
        return await service.of_professional(runtime, professional_id, cursor)
