"""The professional search API: ``GET /api/v1/professionals``."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from confer.core.dependencies import RuntimeDep
from confer.modules.search import service as search
from confer.modules.search.service import Kind, ProfessionalSearchPage, SearchCriteria, Sort


class ProfessionalSearchController(Controller):
    path = "/api/v1/professionals"
    tags = ["professionals"]

    @get("/")
    async def search(
        self,
        runtime: RuntimeDep,
        q: Annotated[str | None, QueryParameter(max_length=200, description="words to look for")] = None,
        specialty: Annotated[str | None, QueryParameter(max_length=40)] = None,
        language: Annotated[str | None, QueryParameter(pattern=r"^[a-z]{2,3}$")] = None,
        price_max: Annotated[
            int | None,
            QueryParameter(ge=0, le=search.MAX_PRICE, description="cheapest offering at most this (minor units)"),
        ] = None,
        currency: Annotated[str | None, QueryParameter(pattern=r"^[A-Z]{3}$")] = None,
        min_rating: Annotated[float | None, QueryParameter(ge=0, le=5)] = None,
        kind: Annotated[Kind | None, QueryParameter(description="offers consultations or classes")] = None,
        available_from: Annotated[
            str | None, QueryParameter(max_length=40, description="a date (in tz) or an RFC 3339 date-time")
        ] = None,
        available_to: Annotated[
            str | None, QueryParameter(max_length=40, description="a date (in tz, inclusive) or a date-time")
        ] = None,
        sort: Annotated[Sort, QueryParameter()] = "relevance",
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        tz: Annotated[str, QueryParameter(max_length=64, description="zone for dates and answers")] = "UTC",
    ) -> ProfessionalSearchPage:
        """Published professionals matching words and filters, 20 at a time; ``next_available_at`` is each one's
        first free consultation slot in the next 14 days, shown in ``tz``."""
        criteria = SearchCriteria(
            q=q,
            specialty=specialty,
            language=language,
            price_max=price_max,
            currency=currency,
            min_rating=min_rating,
            kind=kind,
            available_from=available_from,
            available_to=available_to,
            sort=sort,
            cursor=cursor,
            tz=tz,
        )
        return await search.search(runtime, criteria)
