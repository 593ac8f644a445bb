"""The rooms' schedule, run by the worker every minute: prepare rooms before their start, close them at the hard end,
destroy them after a grace period, and reconcile the fleet with the records (DESIGN §8). Each step is idempotent and
works from the database, so a missed run is caught up by the next one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog

from confer.core.errors import ConferError
from confer.core.media.backend import MediaBackendError
from confer.core.runtime import Runtime
from confer.modules.booking import service as bookings
from confer.modules.video import rooms
from confer.modules.video.rooms import Subject, plane, video_enabled
from confer.modules.video.tables import Attendance, Room

log = structlog.get_logger("confer.video")


async def prepare_rooms(ctx: dict[str, Any]) -> int:
    """Rooms of confirmed bookings and scheduled class sessions starting within ``prepare_minutes`` are placed and
    created on their node, so the first person to join does not wait for it."""
    runtime: Runtime = ctx["runtime"]
    if not video_enabled(runtime):
        return 0
    video = plane(runtime)
    now = runtime.clock.now()
    horizon = now + timedelta(minutes=video.settings.prepare_minutes)
    prepared = 0
    for subject in await _subjects_starting(now, horizon, 1 + video.settings.floor_limit):
        room = await rooms.room_for(runtime, subject)
        if room["state"] == "scheduled":
            try:
                await rooms.place(runtime, room["id"])
                prepared += 1
            except ConferError as exc:
                log.warning("video.prepare_failed", room=str(room["id"]), error=exc.detail)
    return prepared


async def _subjects_starting(now: Any, horizon: Any, class_publishers: int) -> list[Subject]:
    rows = await Room.raw(
        """
        SELECT 'booking' AS kind, b.id, b.professional AS host, o.title, b.starts_at, b.ends_at, 2 AS expected,
               2 AS publishers
          FROM booking b JOIN offering o ON o.id = b.offering
         WHERE b.status = 'confirmed' AND b.client <> b.professional AND b.starts_at <= {} AND b.ends_at > {}
           AND NOT EXISTS (SELECT 1 FROM video_room r WHERE r.subject = b.id AND r.state <> 'scheduled')
        UNION ALL
        SELECT 'class', s.id, s.professional, o.title, s.starts_at, s.ends_at, s.seats_taken + 1, {}
          FROM class_session s JOIN offering o ON o.id = s.offering
         WHERE s.status = 'scheduled' AND s.starts_at <= {} AND s.ends_at > {}
           AND NOT EXISTS (SELECT 1 FROM video_room r WHERE r.subject = s.id AND r.state <> 'scheduled')
        """,
        horizon,
        now,
        class_publishers,
        horizon,
        now,
    )
    return [
        Subject(
            kind=row["kind"],
            id=row["id"],
            host=row["host"],
            description=row["title"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            expected=row["expected"],
            publishers=row["publishers"],
        )
        for row in rows
    ]


async def close_rooms(ctx: dict[str, Any]) -> int:
    """At the hard end (``join_late_minutes`` after the end) everyone is removed and no-shows are recorded; after
    ``destroy_grace_minutes`` more the room is destroyed on its node."""
    runtime: Runtime = ctx["runtime"]
    if not video_enabled(runtime):
        return 0
    settings = plane(runtime).settings
    now = runtime.clock.now()
    hard_end = now - timedelta(minutes=settings.join_late_minutes)
    closed = 0
    for room in await _rooms(Room.state.is_in(["scheduled", "open"]) & (Room.ends_at <= hard_end)):
        await rooms.close_room(runtime, room, destroy=False)
        if room["kind"] == "booking":
            await _record_no_show(runtime, room)
        closed += 1
    for room in await _rooms(
        (Room.state == "ended") & (Room.ends_at <= hard_end - timedelta(minutes=settings.destroy_grace_minutes))
    ):
        await rooms.close_room(runtime, room, destroy=True)
        closed += 1
    return closed


async def _record_no_show(runtime: Runtime, room: dict[str, Any]) -> None:
    """The professional was there and the client never came: the booking is a no-show. If nobody or only the client
    came, nothing is decided here (the professional may still complete it or mark it)."""
    came = {row["user"] for row in await Attendance.select(Attendance.user).where(Attendance.room == room["id"])}
    if room["host"] in came and len(came) == 1:
        await bookings.record_no_show(runtime, room["subject"])


async def reconcile_rooms(ctx: dict[str, Any]) -> dict[str, int]:
    """Make the fleet match the records: a room whose node stopped reporting moves to another node (its people are
    told to rejoin); a room missing from its live node (Janus restarted) is created again with its passes."""
    runtime: Runtime = ctx["runtime"]
    counts = {"moved": 0, "recreated": 0, "failed": 0}
    if not video_enabled(runtime):
        return counts
    video = plane(runtime)
    live = {node.id: node for node in await video.registry.nodes()}
    for room in await _rooms((Room.state == "open") & Room.node.is_not_null()):
        node = live.get(room["node"])
        try:
            if node is None:
                await rooms.place(runtime, room["id"], avoid=frozenset({room["node"]}))
                counts["moved"] += 1
            elif not await video.backend.room_exists(node, room["janus_room"]):
                tokens = await rooms.live_tokens(room["id"], runtime.clock.now())
                await video.backend.ensure_room(node, rooms.room_spec(room, tokens))
                counts["recreated"] += 1
        except (ConferError, MediaBackendError) as exc:
            counts["failed"] += 1
            log.warning("video.reconcile_failed", room=str(room["id"]), error=str(exc))
    return counts


async def _rooms(where: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Room.select(*rooms.ROOM_COLUMNS).where(where)
    return rows
