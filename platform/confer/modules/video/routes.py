"""The video API: join and leave a booking's or a class session's room, the host's controls, attendance; and the
internal endpoint Janus's event handler posts to (kept out of the public OpenAPI)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from confer.core.dependencies import CurrentPrincipal, RuntimeDep
from confer.modules.video import media_events, service
from confer.modules.video.schemas import (
    AttendanceList,
    FloorChange,
    HandChange,
    JoinAnswer,
    MuteChange,
    ParticipantList,
)

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


class BookingVideoController(Controller):
    path = "/api/v1/bookings/{booking_id:uuid}/video"
    tags = ["video"]
    security = BEARER

    @post("/join", status_code=200)
    async def join(self, booking_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> JoinAnswer:
        """The room of a confirmed booking, for its client or professional, from 10 minutes before the start to
        15 minutes after the end: node URL, room, a personal token and ICE servers with TURN credentials."""
        return await service.join_booking(runtime, principal, booking_id)

    @post("/leave", status_code=204)
    async def leave(self, booking_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> None:
        await service.leave(runtime, principal, booking_id)

    @get("/attendance")
    async def attendance(
        self, booking_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> AttendanceList:
        return await service.attendance(runtime, principal, booking_id)

    @get("/participants")
    async def participants(
        self, booking_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> ParticipantList:
        """Who is in the room now, with the feed id each publishes under (for those in the room)."""
        return await service.participants(runtime, principal, booking_id)


class ClassVideoController(Controller):
    path = "/api/v1/classes/sessions/{session_id:uuid}/video"
    tags = ["video"]
    security = BEARER

    @post("/join", status_code=200)
    async def join(self, session_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> JoinAnswer:
        """The room of a class session, for its host and enrolled attendees, in the same window as bookings. The host
        publishes; attendees watch until the host gives them the floor."""
        return await service.join_class_session(runtime, principal, session_id)

    @post("/leave", status_code=204)
    async def leave(self, session_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> None:
        await service.leave(runtime, principal, session_id)

    @get("/attendance")
    async def attendance(
        self, session_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> AttendanceList:
        return await service.attendance(runtime, principal, session_id)

    @get("/participants")
    async def participants(
        self, session_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> ParticipantList:
        """Who is in the room now: roles, feed ids, who may publish and whose hand is raised."""
        return await service.participants(runtime, principal, session_id)

    @post("/hand", status_code=204)
    async def hand(
        self, session_id: FromPath[UUID], data: JSONBody[HandChange], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> None:
        """An attendee raises (or lowers) their hand; the host gets ``video.hand`` on the socket."""
        await service.raise_hand(runtime, principal, session_id, raised=data.raised)

    @post("/floor", status_code=204)
    async def give_floor(
        self, session_id: FromPath[UUID], data: JSONBody[FloorChange], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> None:
        """The host lets an attendee publish (409 floor-full beyond CONFER_VIDEO_FLOOR_LIMIT)."""
        await service.give_floor(runtime, principal, session_id, data.user_id)

    @post("/floor/take-back", status_code=204)
    async def take_floor(
        self, session_id: FromPath[UUID], data: JSONBody[FloorChange], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> None:
        await service.take_floor(runtime, principal, session_id, data.user_id)

    @post("/mute", status_code=204)
    async def mute(
        self, session_id: FromPath[UUID], data: JSONBody[MuteChange], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> None:
        await service.mute(runtime, principal, session_id, data.user_id, muted=data.muted)

    @post("/remove", status_code=204)
    async def remove(
        self, session_id: FromPath[UUID], data: JSONBody[FloorChange], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> None:
        """The host removes an attendee for the rest of the session."""
        await service.remove(runtime, principal, session_id, data.user_id)


class MediaEventsController(Controller):
    """Janus's HTTP event handler posts here (basic auth with the events secret); not part of the public API."""

    path = "/internal/media/events"
    include_in_schema = False

    @post("/", status_code=204)
    async def receive(self, request: Request[Any, Any, Any], runtime: RuntimeDep) -> None:
        media_events.check_sender(runtime, request.headers.get("authorization"))
        body = await request.json()
        await media_events.handle_events(runtime, body if isinstance(body, list) else [body])
