"""Rooms on the media fleet: their records, where they are placed, and the passes that let people in.

Placement is sticky: a room stays on its node while the node reports. It moves only when its node is gone (or the
caller asks to avoid it), under a per-room Redis lock so two API replicas never place one room twice. Every change on
a node is idempotent (ensure the room, add tokens), so a retry or a concurrent job repeats it harmlessly.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from redis.exceptions import LockError

from confer.core import realtime
from confer.core.errors import Conflict, Forbidden, Unavailable
from confer.core.media.backend import MediaBackend, MediaBackendError, RoomMissing, RoomSpec
from confer.core.media.janus import JanusBackend
from confer.core.media.placement import NoMediaCapacity, choose_node
from confer.core.media.registry import MediaNode, MediaRegistry
from confer.core.runtime import Runtime
from confer.modules.video.settings import VideoSettings
from confer.modules.video.tables import Attendance, Room, RoomPass

LOCK_SECONDS = 30
JS_SAFE_BITS = 52
"""Janus room and feed ids are JSON numbers: keep them exact in JavaScript."""


class VideoOff(Unavailable):
    type = "video-unavailable"
    title = "Video is not available"


class VideoClosed(Conflict):
    type = "video-closed"
    title = "This video room is not open"


class Subject(msgspec.Struct, frozen=True, kw_only=True):
    """What a room is for: a booking or a class session, as the video module needs to know it."""

    kind: str
    id: UUID
    host: UUID
    description: str
    starts_at: datetime
    ends_at: datetime
    expected: int
    publishers: int


@dataclass(frozen=True)
class VideoPlane:
    settings: VideoSettings
    registry: MediaRegistry
    backend: MediaBackend


def video_enabled(runtime: Runtime) -> bool:
    return runtime.section("video", VideoSettings).enabled


def plane(runtime: Runtime) -> VideoPlane:
    """The process's media fleet access, made on first use; 503 video-unavailable when video is not configured."""
    existing: VideoPlane | None = runtime.extras.get("video")
    if existing is not None:
        return existing
    settings = runtime.section("video", VideoSettings)
    if not settings.janus_token_secret or not settings.videoroom_admin_key:
        raise VideoOff("video is not configured on this server (CONFER_VIDEO_JANUS_TOKEN_SECRET and friends)")
    backend = JanusBackend(
        token_secret=settings.janus_token_secret, admin_key=settings.videoroom_admin_key, clock=runtime.clock
    )
    made = VideoPlane(
        settings=settings,
        registry=MediaRegistry(runtime.redis, runtime.settings.redis_namespace, ttl_seconds=settings.node_ttl_seconds),
        backend=backend,
    )
    runtime.extras["video"] = made
    runtime.on_stop(backend.close)
    return made


ROOM_COLUMNS = (
    Room.id,
    Room.kind,
    Room.subject,
    Room.janus_room,
    Room.secret,
    Room.host,
    Room.description,
    Room.node,
    Room.expected,
    Room.publishers,
    Room.starts_at,
    Room.ends_at,
    Room.state,
    Room.placements,
)


async def room_for(runtime: Runtime, subject: Subject) -> dict[str, Any]:
    """The subject's room record, made (not yet placed) if it has none; concurrent callers get the same one."""
    now = runtime.clock.now()
    await Room.insert(
        Room(
            id=uuid4(),
            kind=subject.kind,
            subject=subject.id,
            janus_room=secrets.randbits(JS_SAFE_BITS) | 1,
            secret=secrets.token_urlsafe(32),
            host=subject.host,
            description=subject.description[:200],
            expected=subject.expected,
            publishers=subject.publishers,
            starts_at=subject.starts_at,
            ends_at=subject.ends_at,
            state="scheduled",
            created_at=now,
            updated_at=now,
        )
    ).on_conflict(target=Room.subject, action="DO NOTHING")
    room = await room_of_subject(subject.id)
    assert room is not None
    return room


async def room_of_subject(subject_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await Room.select(*ROOM_COLUMNS).where(Room.subject == subject_id).first()
    return row


async def _room(room_id: UUID) -> dict[str, Any]:
    row: dict[str, Any] | None = await Room.select(*ROOM_COLUMNS).where(Room.id == room_id).first()
    assert row is not None
    return row


async def place(
    runtime: Runtime, room_id: UUID, *, avoid: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], MediaNode]:
    """The room's node: its current one while that reports (and is not in ``avoid``), else the best node now,
    where the room is then created with every live pass's token. People in a moved room are told to rejoin."""
    room, node, _ = await _place(runtime, room_id, avoid)
    return room, node


async def _place(
    runtime: Runtime, room_id: UUID, avoid: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], MediaNode, bool]:
    """``place``, also saying whether the room was (re)created just now, with every live token already allowed."""
    video = plane(runtime)
    try:
        async with runtime.redis.lock(
            runtime.key("video", "room-lock", room_id), timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS
        ):
            return await _place_locked(runtime, video, room_id, avoid)
    except LockError as exc:
        raise VideoOff("the video room is being prepared; try again in a moment") from exc


async def _place_locked(
    runtime: Runtime, video: VideoPlane, room_id: UUID, avoid: frozenset[str]
) -> tuple[dict[str, Any], MediaNode, bool]:
    room = await _room(room_id)
    if room["state"] in ("ended", "destroyed"):
        raise VideoClosed("this session's video room has closed")
    current = await video.registry.node(room["node"]) if room["node"] else None
    if current is not None and current.id not in avoid and not (current.draining and not await _anyone_in(room)):
        return room, current, False  # sticky; a room on a draining node stays there once people are in it
    now = runtime.clock.now()
    try:
        node = choose_node(
            await video.registry.nodes(),
            expected=room["expected"],
            reserved=await _reserved_by_node(),
            region=video.settings.region,
            avoid=avoid | ({room["node"]} if room["node"] else set()),
        )
    except NoMediaCapacity as exc:
        raise VideoOff(str(exc)) from exc
    await _ensure_on_node(video, node, room, await live_tokens(room_id, now))
    placed = (
        await Room.update(
            {Room.node: node.id, Room.state: "open", Room.placements: Room.placements + 1, Room.updated_at: now}
        )
        .where((Room.id == room_id) & Room.state.is_in(["scheduled", "open"]))
        .returning(*ROOM_COLUMNS)
    )
    if not placed:
        raise VideoClosed("this session's video room has closed")
    if room["node"] is not None:
        await _tell_to_rejoin(runtime, room, node)
    return placed[0], node, True


async def _anyone_in(room: dict[str, Any]) -> bool:
    return await Attendance.exists().where((Attendance.room == room["id"]) & Attendance.left_at.is_null())


async def _ensure_on_node(video: VideoPlane, node: MediaNode, room: dict[str, Any], tokens: list[str]) -> None:
    try:
        await video.backend.ensure_room(node, room_spec(room, tokens))
    except MediaBackendError as exc:
        raise VideoOff(str(exc)) from exc


def room_spec(room: dict[str, Any], tokens: list[str]) -> RoomSpec:
    return RoomSpec(
        room_id=room["janus_room"],
        secret=room["secret"],
        description=room["description"],
        publishers=room["publishers"],
        allowed=tokens,
    )


async def _reserved_by_node() -> dict[str, int]:
    rows = await Room.raw(
        "SELECT node, sum(expected)::int AS reserved FROM video_room WHERE state = 'open' AND node IS NOT NULL "
        "GROUP BY node"
    )
    return {row["node"]: row["reserved"] for row in rows}


async def _tell_to_rejoin(runtime: Runtime, room: dict[str, Any], node: MediaNode) -> None:
    users = await RoomPass.select(RoomPass.user).where((RoomPass.room == room["id"]) & RoomPass.revoked_at.is_null())
    await realtime.notify_users(
        runtime,
        [row["user"] for row in users],
        "room.moved",
        {"kind": room["kind"], "subject_id": str(room["subject"]), "room_id": room["janus_room"]},
    )


async def admit(runtime: Runtime, room_id: UUID, token: str) -> tuple[dict[str, Any], MediaNode]:
    """Place the room if needed and put ``token`` on its allowed list; a node that lost the room gets it back."""
    video = plane(runtime)
    room, node, fresh = await _place(runtime, room_id)
    if fresh:
        return room, node  # created just now with every live token, this one included
    try:
        await video.backend.allow(node, room["janus_room"], room["secret"], [token])
    except RoomMissing:
        await _ensure_on_node(video, node, room, await live_tokens(room_id, runtime.clock.now()))
    except MediaBackendError as exc:
        raise VideoOff(str(exc)) from exc
    return room, node


# --- passes -----------------------------------------------------------------------------------------------------------

_PASS_COLUMNS = (
    RoomPass.id,
    RoomPass.room,
    RoomPass.user,
    RoomPass.role,
    RoomPass.token,
    RoomPass.ticket,
    RoomPass.feed,
    RoomPass.may_publish,
    RoomPass.removed,
    RoomPass.expires_at,
    RoomPass.revoked_at,
)


async def issue_pass(
    runtime: Runtime, room_id: UUID, user_id: UUID, *, role: str, may_publish: bool, expires_at: datetime
) -> dict[str, Any]:
    """The person's pass for the room, live until ``expires_at``; one per person and room, so rejoining keeps the
    same token and feed. Someone the host removed gets no pass."""
    now = runtime.clock.now()
    await RoomPass.insert(
        RoomPass(
            id=uuid4(),
            room=room_id,
            user=user_id,
            role=role,
            token=secrets.token_urlsafe(24),
            ticket="confer-" + secrets.token_urlsafe(18),
            feed=secrets.randbits(JS_SAFE_BITS) | 1,
            may_publish=may_publish,
            expires_at=expires_at,
            created_at=now,
        )
    ).on_conflict(target=(RoomPass.room, RoomPass.user), action="DO NOTHING")
    renewed = (
        await RoomPass.update({RoomPass.expires_at: expires_at, RoomPass.revoked_at: None})
        .where((RoomPass.room == room_id) & (RoomPass.user == user_id) & (RoomPass.removed.eq(False)))
        .returning(*_PASS_COLUMNS)
    )
    if not renewed:
        raise Forbidden("the host removed you from this session")
    granted: dict[str, Any] = renewed[0]
    return granted


async def live_tokens(room_id: UUID, now: datetime) -> list[str]:
    rows = await RoomPass.select(RoomPass.token).where(
        (RoomPass.room == room_id) & RoomPass.revoked_at.is_null() & (RoomPass.expires_at > now)
    )
    return [row["token"] for row in rows]


async def revoke(runtime: Runtime, room: dict[str, Any], users: list[UUID] | None = None) -> int:
    """End the passes of ``users`` (everyone when None): their tokens leave the allowed list and they are kicked.
    The record is changed first, so a node that is down now cannot let them back in once it returns."""
    now = runtime.clock.now()
    which = (RoomPass.room == room["id"]) & RoomPass.revoked_at.is_null()
    if users is not None:
        which &= RoomPass.user.is_in(users)
    revoked = await RoomPass.update({RoomPass.revoked_at: now}).where(which).returning(RoomPass.token, RoomPass.feed)
    await close_attendance(room["id"], now, users)
    if revoked and room["node"] is not None and room["state"] == "open":
        await _remove_from_node(runtime, room, [r["token"] for r in revoked], [r["feed"] for r in revoked])
    return len(revoked)


async def _remove_from_node(runtime: Runtime, room: dict[str, Any], tokens: list[str], feeds: list[int]) -> None:
    video = plane(runtime)
    node = await video.registry.node(room["node"])
    if node is None:
        return  # the node is gone, and the room with it
    try:
        await video.backend.disallow(node, room["janus_room"], room["secret"], tokens)
        for feed in feeds:
            await video.backend.kick(node, room["janus_room"], room["secret"], feed)
    except RoomMissing:
        return
    except MediaBackendError as exc:
        raise VideoOff(str(exc)) from exc


async def close_attendance(room_id: UUID, now: datetime, users: list[UUID] | None = None) -> None:
    which = (Attendance.room == room_id) & Attendance.left_at.is_null()
    if users is not None:
        which &= Attendance.user.is_in(users)
    await Attendance.update({Attendance.left_at: now}).where(which)


async def close_room(runtime: Runtime, room: dict[str, Any], *, destroy: bool) -> None:
    """Everyone out (passes revoked, participants removed); with ``destroy`` the node's room goes too."""
    await revoke(runtime, room)
    now = runtime.clock.now()
    if destroy and room["node"] is not None:
        video = plane(runtime)
        node = await video.registry.node(room["node"])
        if node is not None:
            try:
                await video.backend.destroy_room(node, room["janus_room"], room["secret"])
            except MediaBackendError as exc:
                raise VideoOff(str(exc)) from exc
    await Room.update({Room.state: "destroyed" if destroy else "ended", Room.updated_at: now}).where(
        Room.id == room["id"]
    )
