"""The classes API: a professional's sessions, the sessions anyone may see, and a client's place in one."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from confer.core.dependencies import CurrentPrincipal, RuntimeDep
from confer.modules.accounts import service as accounts
from confer.modules.classes import service
from confer.modules.classes.schemas import EnrolmentOut, MyPlaces, SessionOut, SessionPage, SessionsCreate

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


class MyClassesController(Controller):
    path = "/api/v1/me/classes"
    tags = ["classes"]
    security = BEARER

    @post("/{offering_id:uuid}/sessions", status_code=201)
    async def schedule(
        self,
        offering_id: FromPath[UUID],
        data: JSONBody[SessionsCreate],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
    ) -> list[SessionOut]:
        """Schedule one session (`starts_at`) or a series (`first_starts_at` + `rrule`, in your zone's wall clock:
        at most 100 sessions within a year); 409 session-overlaps when your calendar is taken."""
        return await service.schedule_sessions(runtime, principal, offering_id, data)

    @get("/{offering_id:uuid}/sessions")
    async def my_sessions(
        self,
        offering_id: FromPath[UUID],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> SessionPage:
        """Your upcoming sessions of one of your classes, cancelled ones included."""
        return await service.my_sessions(runtime, principal, offering_id, cursor)

    @get("/sessions/{session_id:uuid}/enrolments")
    async def roster(self, session_id: FromPath[UUID], principal: CurrentPrincipal) -> list[EnrolmentOut]:
        """Who is enrolled, offered a seat, or waiting (in order, with `position`) in one of your sessions."""
        return await service.roster(principal, session_id)

    @post("/sessions/{session_id:uuid}/cancel", status_code=200)
    async def cancel(self, session_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> SessionOut:
        """Cancel one session: every place in it ends and its time is free again."""
        return await service.cancel_session(runtime, principal, session_id)


class ClassesController(Controller):
    path = "/api/v1/classes"
    tags = ["classes"]

    @get("/{offering_id:uuid}/sessions")
    async def sessions(
        self,
        offering_id: FromPath[UUID],
        runtime: RuntimeDep,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> SessionPage:
        """Upcoming sessions of a published class, with the seats left."""
        return await service.upcoming_sessions(runtime, offering_id, cursor)

    @post("/sessions/{session_id:uuid}/enrol", status_code=201, security=BEARER)
    async def enrol(self, session_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> EnrolmentOut:
        """A seat (`enrolled`), or when the session is full a place on its waitlist (`waitlisted`, with `position`);
        409 already-enrolled for a second try."""
        await accounts.require_verified_email(runtime, principal)
        return await service.enrol(runtime, principal, session_id)

    @post("/sessions/{session_id:uuid}/leave", status_code=200, security=BEARER)
    async def leave(self, session_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> EnrolmentOut:
        """Give up your seat or waitlist place; a freed seat is offered to the first waiter for a limited time."""
        return await service.leave(runtime, principal, session_id)

    @post("/sessions/{session_id:uuid}/accept", status_code=200, security=BEARER)
    async def accept(
        self, session_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> EnrolmentOut:
        """Take the seat offered to you, before the offer lapses."""
        return await service.accept(runtime, principal, session_id)

    @get("/sessions/{session_id:uuid}/enrolment", security=BEARER)
    async def my_place(self, session_id: FromPath[UUID], principal: CurrentPrincipal) -> EnrolmentOut:
        """Your place in a session (seat, waitlist position, or offered seat and until when)."""
        return await service.my_place(principal, session_id)


class MyPlacesController(Controller):
    path = "/api/v1/me/enrolments"
    tags = ["classes"]
    security = BEARER

    @get("/")
    async def my_places(self, runtime: RuntimeDep, principal: CurrentPrincipal) -> MyPlaces:
        """Your seats, offered seats and waitlist places in class sessions not yet over, soonest first."""
        return await service.my_places(runtime, principal)
