"""Who may enter which room, when, and as what; the host's controls; attendance; reactions to booking and class
changes. Every check is on the object: the booking's two parties, the class's host and enrolled attendees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from confer.core import realtime
from confer.core.auth import Principal
from confer.core.errors import Conflict, NotFound
from confer.core.events import EventEnvelope
from confer.core.media.backend import MediaBackendError
from confer.core.media.janus_auth import signed_token
from confer.core.media.turn import ice_servers
from confer.core.runtime import Runtime
from confer.modules.accounts import service as accounts
from confer.modules.booking import service as bookings
from confer.modules.classes.tables import ClassSession, Enrolment
from confer.modules.professionals import service as professionals
from confer.modules.video import rooms
from confer.modules.video.rooms import Subject, VideoClosed, VideoOff, plane
from confer.modules.video.schemas import (
    AttendanceList,
    AttendanceOut,
    JoinAnswer,
    ParticipantList,
    ParticipantOut,
    Role,
)
from confer.modules.video.tables import Attendance, Room, RoomPass

ONE_TO_ONE_PUBLISHERS = 2


class OutsideWindow(Conflict):
    type = "video-window-closed"
    title = "The video room is not open at this time"


class FloorFull(Conflict):
    type = "floor-full"
    title = "Too many attendees hold the floor"


# --- joining ----------------------------------------------------------------------------------------------------------


async def join_booking(runtime: Runtime, principal: Principal, booking_id: UUID) -> JoinAnswer:
    booking = await bookings.booking_of(principal, booking_id)
    if booking.status != "confirmed":
        raise VideoClosed(f"this booking is {booking.status.replace('_', ' ')}; only a confirmed booking has a room")
    offering = await professionals.offering_by_id(booking.offering_id)
    subject = Subject(
        kind="booking",
        id=booking.id,
        host=booking.professional_id,
        description=offering.title,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        expected=2,
        publishers=ONE_TO_ONE_PUBLISHERS,
    )
    role: Role = "host" if principal.user_id == booking.professional_id else "guest"
    return await _join(runtime, principal, subject, role, may_publish=True)


async def join_class_session(runtime: Runtime, principal: Principal, session_id: UUID) -> JoinAnswer:
    session = await _class_session(session_id)
    if principal.user_id == session["professional"]:
        role: Role = "host"
    elif await _enrolled(session_id, principal.user_id):
        role = "attendee"
    else:
        raise NotFound("no such class session")
    if session["status"] != "scheduled":
        raise VideoClosed("this class session was cancelled")
    offering = await professionals.offering_by_id(session["offering"])
    subject = Subject(
        kind="class",
        id=session_id,
        host=session["professional"],
        description=offering.title,
        starts_at=session["starts_at"],
        ends_at=session["ends_at"],
        expected=session["seats_taken"] + 1,
        publishers=1 + plane(runtime).settings.floor_limit,
    )
    return await _join(runtime, principal, subject, role, may_publish=role == "host")


async def _join(
    runtime: Runtime, principal: Principal, subject: Subject, role: Role, *, may_publish: bool
) -> JoinAnswer:
    video = plane(runtime)
    settings = video.settings
    now = runtime.clock.now()
    opens_at = subject.starts_at - timedelta(minutes=settings.join_early_minutes)
    closes_at = subject.ends_at + timedelta(minutes=settings.join_late_minutes)
    if now < opens_at:
        raise OutsideWindow(
            f"the room opens at {opens_at.isoformat()}, {settings.join_early_minutes} minutes before the start"
        )
    if now >= closes_at:
        raise OutsideWindow(f"the room closed at {closes_at.isoformat()}")
    room = await rooms.room_for(runtime, subject)
    granted = await rooms.issue_pass(
        runtime, room["id"], principal.user_id, role=role, may_publish=may_publish, expires_at=closes_at
    )
    room, node = await rooms.admit(runtime, room["id"], granted["token"])
    account = await accounts.get_account(principal.user_id)
    assert settings.janus_token_secret is not None  # plane() refuses to run without it
    return JoinAnswer(
        server_url=node.ws_url,
        janus_token=signed_token(settings.janus_token_secret, closes_at),
        room_id=room["janus_room"],
        token=granted["token"],
        ticket=granted["ticket"],
        feed_id=granted["feed"],
        display_name=account.name,
        role=role,
        may_publish=granted["may_publish"],
        ice_servers=ice_servers(
            stun_urls=settings.stun_urls,
            turn_urls=settings.turn_urls,
            turn_secret=settings.turn_secret,
            user_id=str(principal.user_id),
            expires_at=closes_at,
        ),
        starts_at=subject.starts_at,
        ends_at=subject.ends_at,
        expires_at=closes_at,
    )


async def leave(runtime: Runtime, principal: Principal, subject_id: UUID) -> None:
    """The caller leaves: their token comes off the allowed list (joining again issues it anew)."""
    room = await _room_of_participant(principal, subject_id)
    await rooms.revoke(runtime, room, [principal.user_id])


# --- the host's controls (classes) ------------------------------------------------------------------------------------


async def give_floor(runtime: Runtime, principal: Principal, session_id: UUID, user_id: UUID) -> None:
    """The attendee may publish; at most ``floor_limit`` attendees at once (Confer's rule, not Janus's default)."""
    room = await _hosted_room(principal, session_id)
    limit = plane(runtime).settings.floor_limit
    async with runtime.engine.transaction():
        await Room.raw("SELECT id FROM video_room WHERE id = {} FOR UPDATE", room["id"])
        holders = await RoomPass.count().where(
            (RoomPass.room == room["id"])
            & (RoomPass.role == "attendee")
            & RoomPass.may_publish.eq(True)
            & RoomPass.revoked_at.is_null()
            & (RoomPass.user != user_id)
        )
        if holders >= limit:
            raise FloorFull(f"{holders} attendees hold the floor already (the limit is {limit}); take it back from one")
        changed = await _set_floor(room["id"], user_id, True)
    if not changed:
        raise NotFound("this person is not in the session's room")
    await _tell_floor(runtime, session_id, user_id, may_publish=True)


async def take_floor(runtime: Runtime, principal: Principal, session_id: UUID, user_id: UUID) -> None:
    """The attendee may no longer publish: their publisher is removed; they can go on watching."""
    room = await _hosted_room(principal, session_id)
    changed = await _set_floor(room["id"], user_id, False)
    if not changed:
        raise NotFound("this person is not in the session's room")
    await _kick_feeds(runtime, room, [changed[0]["feed"]])
    await _tell_floor(runtime, session_id, user_id, may_publish=False)


async def mute(runtime: Runtime, principal: Principal, session_id: UUID, user_id: UUID, *, muted: bool) -> None:
    room = await _hosted_room(principal, session_id)
    feed = await _feed_of(room["id"], user_id)
    node = await _node_of(runtime, room)
    try:
        await plane(runtime).backend.moderate(node, room["janus_room"], room["secret"], feed, muted=muted)
    except MediaBackendError as exc:
        raise VideoOff(str(exc)) from exc


async def remove(runtime: Runtime, principal: Principal, session_id: UUID, user_id: UUID) -> None:
    """Out of the room for good: the pass is marked removed, so joining again is refused."""
    room = await _hosted_room(principal, session_id)
    if user_id == principal.user_id:
        raise Conflict("the host cannot remove themselves")
    removed = (
        await RoomPass.update({RoomPass.removed: True})
        .where((RoomPass.room == room["id"]) & (RoomPass.user == user_id))
        .returning(RoomPass.id)
    )
    if not removed:
        raise NotFound("this person is not in the session's room")
    await rooms.revoke(runtime, room, [user_id])
    await realtime.notify_users(runtime, [user_id], "video.removed", {"session_id": str(session_id)})


async def _tell_floor(runtime: Runtime, session_id: UUID, user_id: UUID, *, may_publish: bool) -> None:
    """The attendee's client rejoins as publisher (or stops publishing) when it hears this."""
    await realtime.notify_users(
        runtime, [user_id], "video.floor", {"session_id": str(session_id), "may_publish": may_publish}
    )


async def _set_floor(room_id: UUID, user_id: UUID, may_publish: bool) -> list[dict[str, Any]]:
    """Given or taken back, the floor answers a raised hand: the hand comes down either way."""
    changed: list[dict[str, Any]] = (
        await RoomPass.update({RoomPass.may_publish: may_publish, RoomPass.hand_raised_at: None})
        .where((RoomPass.room == room_id) & (RoomPass.user == user_id) & (RoomPass.role == "attendee"))
        .returning(RoomPass.feed)
    )
    return changed


async def _kick_feeds(runtime: Runtime, room: dict[str, Any], feeds: list[int]) -> None:
    node = await _node_of(runtime, room)
    try:
        for feed in feeds:
            await plane(runtime).backend.kick(node, room["janus_room"], room["secret"], feed)
    except MediaBackendError as exc:
        raise VideoOff(str(exc)) from exc


async def _node_of(runtime: Runtime, room: dict[str, Any]) -> Any:
    node = await plane(runtime).registry.node(room["node"]) if room["node"] and room["state"] == "open" else None
    if node is None:
        raise VideoClosed("the room is not running now")
    return node


async def _feed_of(room_id: UUID, user_id: UUID) -> int:
    row = await RoomPass.select(RoomPass.feed).where((RoomPass.room == room_id) & (RoomPass.user == user_id)).first()
    if row is None:
        raise NotFound("this person is not in the session's room")
    return int(row["feed"])


async def raise_hand(runtime: Runtime, principal: Principal, session_id: UUID, *, raised: bool) -> None:
    """An attendee in the room asks for the floor (or no longer does); the host hears it at once."""
    room = await rooms.room_of_subject(session_id)
    changed = (
        await RoomPass.update({RoomPass.hand_raised_at: runtime.clock.now() if raised else None})
        .where(_live_pass(room, principal.user_id) & (RoomPass.role == "attendee"))
        .returning(RoomPass.id)
        if room is not None and room["kind"] == "class"
        else []
    )
    if not changed:
        raise NotFound("you are not an attendee in this session's room")
    assert room is not None
    await realtime.notify_users(
        runtime,
        {room["host"], principal.user_id},
        "video.hand",
        {"session_id": str(session_id), "user_id": str(principal.user_id), "raised": raised},
    )


def _live_pass(room: dict[str, Any], user_id: UUID) -> Any:
    return (
        (RoomPass.room == room["id"])
        & (RoomPass.user == user_id)
        & RoomPass.revoked_at.is_null()
        & RoomPass.removed.eq(False)
    )


# --- who is in the room -----------------------------------------------------------------------------------------------


async def participants(runtime: Runtime, principal: Principal, subject_id: UUID) -> ParticipantList:
    """Everyone holding a live pass, for someone who holds one too: how a client names the feeds it sees, puts the
    host first, and how the host picks whom to give the floor, mute or remove."""
    room = await rooms.room_of_subject(subject_id)
    if room is None or not await RoomPass.exists().where(_live_pass(room, principal.user_id)):
        raise NotFound("you are not in this room")
    passes = (
        await RoomPass.select(
            RoomPass.user, RoomPass.role, RoomPass.feed, RoomPass.may_publish, RoomPass.hand_raised_at
        )
        .where(
            (RoomPass.room == room["id"])
            & RoomPass.revoked_at.is_null()
            & RoomPass.removed.eq(False)
            & (RoomPass.expires_at > runtime.clock.now())
        )
        .order_by(RoomPass.created_at)
    )
    names = await accounts.names_of(row["user"] for row in passes)
    return ParticipantList(
        items=[
            ParticipantOut(
                user_id=row["user"],
                display_name=names.get(row["user"], ""),
                role=row["role"],
                feed_id=row["feed"],
                may_publish=row["may_publish"],
                hand_raised=row["hand_raised_at"] is not None,
            )
            for row in passes
        ]
    )


# --- attendance -------------------------------------------------------------------------------------------------------


async def attendance(runtime: Runtime, principal: Principal, subject_id: UUID) -> AttendanceList:
    """Who was in the room and for how long: the host sees everyone; another participant sees their own stays."""
    room = await _room_of_participant(principal, subject_id)
    which = Attendance.room == room["id"]
    if principal.user_id != room["host"]:
        which &= Attendance.user == principal.user_id
    stays = await Attendance.select().where(which).order_by(Attendance.joined_at)
    roles = {
        row["user"]: row["role"]
        for row in await RoomPass.select(RoomPass.user, RoomPass.role).where(RoomPass.room == room["id"])
    }
    names = await accounts.names_of(stay["user"] for stay in stays)
    now = runtime.clock.now()
    return AttendanceList(
        items=[
            AttendanceOut(
                user_id=stay["user"],
                display_name=names.get(stay["user"], ""),
                role=roles.get(stay["user"], "attendee"),
                joined_at=stay["joined_at"],
                left_at=stay["left_at"],
                seconds=int(((stay["left_at"] or now) - stay["joined_at"]).total_seconds()),
            )
            for stay in stays
        ]
    )


# --- lookups ----------------------------------------------------------------------------------------------------------


async def _class_session(session_id: UUID) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await ClassSession.select(
            ClassSession.id,
            ClassSession.offering,
            ClassSession.professional,
            ClassSession.starts_at,
            ClassSession.ends_at,
            ClassSession.seats_taken,
            ClassSession.status,
        )
        .where(ClassSession.id == session_id)
        .first()
    )
    if row is None:
        raise NotFound("no such class session")
    return row


async def _enrolled(session_id: UUID, user_id: UUID) -> bool:
    return await Enrolment.exists().where(
        (Enrolment.session == session_id) & (Enrolment.client == user_id) & (Enrolment.status == "enrolled")
    )


async def _room_of_participant(principal: Principal, subject_id: UUID) -> dict[str, Any]:
    """The room of a booking or class session the caller has (or had) a pass for; 404 for anyone else."""
    room = await rooms.room_of_subject(subject_id)
    if room is None or not (
        room["host"] == principal.user_id
        or await RoomPass.exists().where((RoomPass.room == room["id"]) & (RoomPass.user == principal.user_id))
    ):
        raise NotFound("no video room for this session")
    return room


async def _hosted_room(principal: Principal, session_id: UUID) -> dict[str, Any]:
    room = await rooms.room_of_subject(session_id)
    if room is None or room["kind"] != "class" or room["host"] != principal.user_id:
        raise NotFound("no video room for this session")
    return room


# --- reactions to other modules' events -------------------------------------------------------------------------------


async def on_subject_closed(runtime: Runtime, event: EventEnvelope) -> None:
    """A booking or class session was cancelled: every pass ends, everyone is removed and the room destroyed."""
    subject = event.payload.get("booking_id") or event.payload.get("session_id")
    room = await rooms.room_of_subject(UUID(subject)) if subject else None
    if room is not None and room["state"] in ("scheduled", "open"):
        await rooms.close_room(runtime, room, destroy=True)


async def on_place_lost(runtime: Runtime, event: EventEnvelope) -> None:
    """An attendee left the class or lost their seat: their pass ends and they are removed from the room."""
    room = await rooms.room_of_subject(UUID(event.payload["session_id"]))
    if room is not None and room["state"] in ("scheduled", "open"):
        await rooms.revoke(runtime, room, [UUID(event.payload["client_id"])])
