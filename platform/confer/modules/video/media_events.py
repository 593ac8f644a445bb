"""What Janus's HTTP event handler reports, turned into attendance and into Confer's publishing rule.

Clients set their pass's ticket as the ``opaque_id`` of their Janus handles, and Janus repeats it on every event of
those handles, so an event names the pass (and so the person) without trusting anything else the client says.
A handle of the room that carries no known ticket gets nothing recorded. A publisher whose pass may not publish
(a class attendee without the floor) is removed at once: Confer, not the room's Janus settings, enforces the floor.
"""

from __future__ import annotations

import base64
import hmac
from typing import Any

import structlog

from confer.core.errors import Unauthenticated
from confer.core.media.backend import MediaBackendError
from confer.core.runtime import Runtime
from confer.modules.video.rooms import ROOM_COLUMNS, plane
from confer.modules.video.tables import Attendance, Room, RoomPass

log = structlog.get_logger("confer.video")

HANDLE_EVENT = 2
PLUGIN_EVENT = 64
VIDEOROOM = "janus.plugin.videoroom"
IN_ROOM = frozenset({"joined", "subscribing", "subscribed"})
OUT_OF_ROOM = frozenset({"leaving", "unsubscribed"})


def check_sender(runtime: Runtime, authorization: str | None) -> None:
    """HTTP basic auth with user ``janus`` and ``CONFER_VIDEO_EVENTS_SECRET``; compared in constant time."""
    secret = plane(runtime).settings.events_secret
    expected = "Basic " + base64.b64encode(f"janus:{secret}".encode()).decode()
    if not secret or not hmac.compare_digest((authorization or "").encode(), expected.encode()):
        raise Unauthenticated("media events need the events secret")


async def handle_events(runtime: Runtime, events: list[dict[str, Any]]) -> int:
    """Apply a batch (Janus groups events); returns how many changed something. Unknown shapes are ignored: Janus
    sends many kinds of events and only a few matter here."""
    applied = 0
    for event in events:
        if not isinstance(event, dict):
            continue
        if await _apply(runtime, event):
            applied += 1
    return applied


async def _apply(runtime: Runtime, event: dict[str, Any]) -> bool:
    handle = event.get("handle_id")
    body = event.get("event")
    if not isinstance(handle, int) or not isinstance(body, dict):
        return False
    if event.get("type") == HANDLE_EVENT and body.get("name") == "detached":
        return await _left(runtime, handle)
    if event.get("type") != PLUGIN_EVENT or body.get("plugin") != VIDEOROOM or not isinstance(body.get("data"), dict):
        return False
    data: dict[str, Any] = body["data"]
    what = data.get("event")
    if what in OUT_OF_ROOM:
        return await _left(runtime, handle)
    holder = await _pass_of(event.get("opaque_id"))
    if holder is None:
        return False
    if what == "published" and not holder["may_publish"]:
        await _unpublish(runtime, holder, data)
        return True
    if what in IN_ROOM:
        return await _joined(runtime, holder, handle)
    return False


async def _pass_of(ticket: Any) -> dict[str, Any] | None:
    if not isinstance(ticket, str) or not ticket.startswith("confer-"):
        return None
    row: dict[str, Any] | None = (
        await RoomPass.select(RoomPass.room, RoomPass.user, RoomPass.may_publish, RoomPass.revoked_at)
        .where(RoomPass.ticket == ticket)
        .first()
    )
    return row


async def _joined(runtime: Runtime, holder: dict[str, Any], handle: int) -> bool:
    """A stay starts with the handle's first in-room event (a subscriber sends two: subscribing, subscribed)."""
    if await Attendance.exists().where((Attendance.handle == handle) & Attendance.left_at.is_null()):
        return False
    await Attendance.insert(
        Attendance(room=holder["room"], user=holder["user"], handle=handle, joined_at=runtime.clock.now())
    )
    return True


async def _left(runtime: Runtime, handle: int) -> bool:
    ended = (
        await Attendance.update({Attendance.left_at: runtime.clock.now()})
        .where((Attendance.handle == handle) & Attendance.left_at.is_null())
        .returning(Attendance.id)
    )
    return bool(ended)


async def _unpublish(runtime: Runtime, holder: dict[str, Any], data: dict[str, Any]) -> None:
    room = await Room.select(*ROOM_COLUMNS).where(Room.id == holder["room"]).first()
    publisher = data.get("id")
    node = await plane(runtime).registry.node(room["node"]) if room and room["node"] else None
    if room is None or node is None or not isinstance(publisher, int):
        return
    log.info("video.publisher_removed", room=str(room["id"]), user=str(holder["user"]), reason="no floor")
    try:
        await plane(runtime).backend.kick(node, room["janus_room"], room["secret"], publisher)
    except MediaBackendError as exc:
        log.warning("video.kick_failed", room=str(room["id"]), error=str(exc))
