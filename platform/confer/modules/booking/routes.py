"""The booking API: book, cancel, reschedule, list; and the free slots of a professional's offering."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from confer.core.dependencies import CurrentPrincipal, IdempotencyKey, RuntimeDep
from confer.modules.accounts import service as accounts
from confer.modules.booking import ics, service
from confer.modules.booking.schemas import (
    BookingCreate,
    BookingOut,
    BookingPage,
    CalendarFeedOut,
    Cancellation,
    Reschedule,
    SlotsOut,
)

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
ICS = "text/calendar; charset=utf-8"


class BookingController(Controller):
    path = "/api/v1/bookings"
    tags = ["bookings"]
    security = BEARER

    @post("/", status_code=201)
    async def book(
        self,
        data: JSONBody[BookingCreate],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[BookingOut]:
        """Book a slot; 409 slot-unavailable when it is taken, day-fully-booked when its day has all the bookings
        the offering takes, too-many-open-bookings past the cap on one client's open bookings with one professional.
        Free offerings are confirmed at once, paid ones wait for payment, offerings needing approval wait for the
        professional."""
        await accounts.require_verified_email(runtime, principal)
        answer = await service.book(runtime, principal, data, idempotency_key)
        return Response(answer.body, status_code=answer.status)

    @post("/{booking_id:uuid}/cancel", status_code=200)
    async def cancel(
        self, booking_id: FromPath[UUID], data: JSONBody[Cancellation], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> BookingOut:
        return await service.cancel(runtime, principal, booking_id, data.reason)

    @post("/{booking_id:uuid}/confirm", status_code=200)
    async def confirm(self, booking_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> BookingOut:
        """The professional approves a booking of an offering that needs approval."""
        return await service.confirm(runtime, principal, booking_id)

    @post("/{booking_id:uuid}/complete", status_code=200)
    async def complete(
        self, booking_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> BookingOut:
        return await service.complete(runtime, principal, booking_id, no_show=False)

    @post("/{booking_id:uuid}/no-show", status_code=200)
    async def no_show(self, booking_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> BookingOut:
        return await service.complete(runtime, principal, booking_id, no_show=True)

    @post("/{booking_id:uuid}/reschedule", status_code=200)
    async def reschedule(
        self, booking_id: FromPath[UUID], data: JSONBody[Reschedule], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> BookingOut:
        """Move a booking that has not started (409 booking-started otherwise). Moved once inside the late-cancellation
        window, it keeps the late terms wherever it goes."""
        return await service.reschedule(runtime, principal, booking_id, data.starts_at)

    @get("/{booking_id:uuid}")
    async def booking(self, booking_id: FromPath[UUID], principal: CurrentPrincipal) -> BookingOut:
        """One booking of the caller's (as client or professional); anyone else's is 'not found'. Notification
        links name a booking (``/bookings/<id>``): this is how the page behind them reads it."""
        return await service.booking_of(principal, booking_id)

    @get("/")
    async def list_bookings(
        self,
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
        as_: Annotated[Literal["client", "professional"], QueryParameter(name="as")] = "client",
        when: FromQuery[Literal["upcoming", "past"]] = "upcoming",
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        status: FromQuery[
            Literal["held", "pending_payment", "confirmed", "completed", "cancelled", "no_show"] | None
        ] = None,
    ) -> BookingPage:
        return await service.list_bookings(
            runtime,
            principal,
            as_professional=as_ == "professional",
            upcoming=when == "upcoming",
            cursor=cursor,
            status=status,
        )


class CalendarFeedController(Controller):
    path = "/api/v1"
    tags = ["calendar feeds"]

    @post("/me/calendar-feed", status_code=201, security=BEARER)
    async def create_feed(self, runtime: RuntimeDep, principal: CurrentPrincipal) -> CalendarFeedOut:
        """A secret URL to subscribe to from Google or Apple Calendar; asking again revokes the previous one."""
        return CalendarFeedOut(url=await ics.create_feed(runtime, principal))

    @delete("/me/calendar-feed", status_code=204, security=BEARER)
    async def revoke_feed(self, principal: CurrentPrincipal) -> None:
        await ics.revoke_feed(principal)

    @get("/calendar-feeds/{token:str}", media_type=ICS)
    async def feed(self, token: FromPath[str], runtime: RuntimeDep) -> Response[bytes]:
        """The feed itself (``<token>.ics``); the token is the only credential, so keep the URL private."""
        return Response(await ics.feed(runtime, token), media_type=ICS)

    @get("/bookings/{booking_id:uuid}/ics", media_type=ICS, security=BEARER)
    async def booking_ics(
        self, booking_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> Response[bytes]:
        return Response(
            await ics.booking_ics(runtime, principal, booking_id),
            media_type=ICS,
            headers={"Content-Disposition": f'attachment; filename="booking-{booking_id}.ics"'},
        )


class SlotsController(Controller):
    path = "/api/v1/professionals"
    tags = ["professionals"]

    @get("/{professional_id:uuid}/slots")
    async def slots(
        self,
        professional_id: FromPath[UUID],
        runtime: RuntimeDep,
        offering_id: FromQuery[UUID],
        from_date: Annotated[date, QueryParameter(name="from")],
        to_date: Annotated[date, QueryParameter(name="to")],
        tz: Annotated[str, QueryParameter(max_length=64)] = "UTC",
    ) -> SlotsOut:
        """Free slots from `from` to `to` (dates in `tz`, at most 62 days), as UTC instants."""
        return await service.slots(runtime, professional_id, offering_id, from_date, to_date, tz)
