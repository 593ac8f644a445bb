"""The Janus implementation of :class:`MediaBackend`: VideoRoom rooms driven with janus-client.

The control plane keeps one Janus session and one VideoRoom handle per node, opened on first use with a token it
signs itself (the nodes run with ``token_auth_secret``) and reopened when it fails or ages. janus-client has no helpers
for ``allowed``, ``edit`` or ``moderate`` with stream ids: those go as plain VideoRoom requests on the same handle.
Room secrets travel only in requests to the node; nothing here logs a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from janus_client import JanusSession, JanusVideoRoomPlugin, VideoRoomError  # type: ignore[import-untyped]

from confer.core.clock import Clock
from confer.core.media.backend import MediaBackendError, Participant, RoomMissing, RoomSpec
from confer.core.media.janus_auth import signed_token
from confer.core.media.registry import MediaNode

# janus-client logs every message it sends at INFO, and the websockets client every frame at DEBUG: room secrets,
# admin keys and tokens included. Neither may ever reach a log.
logging.getLogger("janus_client").setLevel(logging.WARNING)
logging.getLogger("websockets.client").setLevel(logging.WARNING)

NO_SUCH_ROOM = 426
ROOM_EXISTS = 427
NO_SUCH_FEED = 428
REQUEST_SECONDS = 10.0
SESSION_TOKEN_TTL = timedelta(hours=12)
SESSION_MAX_AGE = timedelta(hours=6)
"""Reopen a node's session well before its signed token expires (Janus checks the token on every request)."""
PUBLISHER_MIDS = ("0", "1", "2")
"""Stream ids a browser or mobile publisher uses for audio, video and a screen share (Janus ≥ 1.0 moderates by mid)."""


@dataclass
class _Control:
    session: JanusSession
    room_handle: JanusVideoRoomPlugin
    opened_at: datetime


class JanusBackend:
    def __init__(self, *, token_secret: str, admin_key: str, clock: Clock) -> None:
        self._token_secret = token_secret
        self._admin_key = admin_key
        self._clock = clock
        self._controls: dict[str, _Control] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def ensure_room(self, node: MediaNode, spec: RoomSpec) -> bool:
        body: dict[str, Any] = {
            "request": "create",
            "admin_key": self._admin_key,
            "room": spec.room_id,
            "secret": spec.secret,
            "description": spec.description[:100],
            "publishers": spec.publishers,
            "is_private": True,
            # Janus checks ``allowed`` tokens when a participant joins, not when a subscriber does: with this, a
            # subscription must present the private id of a participant who joined with a token.
            "require_pvtid": True,
            "permanent": False,
            "allowed": list(spec.allowed),
            "bitrate": 1_024_000,
            "fir_freq": 10,
            "videocodec": "vp8,h264,vp9",
            "audiocodec": "opus",
            "notify_joining": True,
        }
        try:
            await self._request(node, body)
        except VideoRoomError as exc:
            if exc.error_code != ROOM_EXISTS:
                raise _failure(node, "create a room", exc) from exc
            if spec.allowed:
                await self.allow(node, spec.room_id, spec.secret, list(spec.allowed))
            return False
        return True

    async def room_exists(self, node: MediaNode, room_id: int) -> bool:
        data = await self._checked(node, "check a room", {"request": "exists", "room": room_id})
        return bool(data.get("exists"))

    async def destroy_room(self, node: MediaNode, room_id: int, secret: str) -> None:
        try:
            await self._request(node, {"request": "destroy", "room": room_id, "secret": secret})
        except VideoRoomError as exc:
            if exc.error_code != NO_SUCH_ROOM:
                raise _failure(node, "destroy a room", exc) from exc

    async def allow(self, node: MediaNode, room_id: int, secret: str, tokens: list[str]) -> None:
        await self._allowed(node, room_id, secret, "add", tokens)

    async def disallow(self, node: MediaNode, room_id: int, secret: str, tokens: list[str]) -> None:
        await self._allowed(node, room_id, secret, "remove", tokens)

    async def _allowed(self, node: MediaNode, room_id: int, secret: str, action: str, tokens: list[str]) -> None:
        if tokens:
            body = {"request": "allowed", "room": room_id, "secret": secret, "action": action, "allowed": tokens}
            await self._checked(node, "change who may join", body)

    async def participants(self, node: MediaNode, room_id: int) -> list[Participant]:
        data = await self._checked(node, "list participants", {"request": "listparticipants", "room": room_id})
        return [
            Participant(id=int(p["id"]), display=p.get("display"), publisher=bool(p.get("publisher")))
            for p in data.get("participants", [])
        ]

    async def kick(self, node: MediaNode, room_id: int, secret: str, participant_id: int) -> None:
        try:
            await self._request(node, {"request": "kick", "room": room_id, "secret": secret, "id": participant_id})
        except VideoRoomError as exc:
            if exc.error_code not in (NO_SUCH_ROOM, NO_SUCH_FEED):
                raise _failure(node, "remove a participant", exc) from exc

    async def moderate(self, node: MediaNode, room_id: int, secret: str, participant_id: int, *, muted: bool) -> None:
        for mid in PUBLISHER_MIDS:
            body = {"request": "moderate", "room": room_id, "secret": secret, "id": participant_id, "mid": mid}
            try:
                await self._request(node, {**body, "mute": muted})
            except VideoRoomError as exc:
                if exc.error_code in (NO_SUCH_ROOM, NO_SUCH_FEED):
                    raise _failure(node, "mute a participant", exc) from exc
                # any other refusal means the publisher has no stream with this mid: nothing to mute there

    async def close(self) -> None:
        controls, self._controls = list(self._controls.values()), {}
        for control in controls:
            await _close(control)

    async def _checked(self, node: MediaNode, doing: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self._request(node, body)
        except VideoRoomError as exc:
            raise _failure(node, doing, exc) from exc

    async def _request(self, node: MediaNode, body: dict[str, Any]) -> dict[str, Any]:
        """One VideoRoom request on the node's control handle; a broken connection is reopened and tried once more."""
        for attempt in (1, 2):
            control = await self._control(node)
            try:
                response = await control.room_handle._send_request(body, timeout=REQUEST_SECONDS)
            except VideoRoomError:
                raise
            except Exception as exc:
                await self._drop(node)
                if attempt == 2:
                    raise MediaBackendError(f"media node {node.id} unreachable: {type(exc).__name__}") from exc
                continue
            data: dict[str, Any] = response["plugindata"]["data"]
            return data
        raise AssertionError("unreachable")

    async def _control(self, node: MediaNode) -> _Control:
        lock = self._locks.setdefault(node.id, asyncio.Lock())
        async with lock:
            control = self._controls.get(node.id)
            now = self._clock.now()
            if control is not None and now - control.opened_at < SESSION_MAX_AGE:
                return control
            if control is not None:
                await self._drop(node)
            control = await self._open(node, now)
            self._controls[node.id] = control
            return control

    async def _open(self, node: MediaNode, now: datetime) -> _Control:
        token = signed_token(self._token_secret, now + SESSION_TOKEN_TTL)
        session = JanusSession(base_url=node.control_url, token=token)
        handle = JanusVideoRoomPlugin()
        try:
            await asyncio.wait_for(handle.attach(session), REQUEST_SECONDS)
        except Exception as exc:
            await _close(_Control(session, handle, now))
            raise MediaBackendError(f"media node {node.id} unreachable: {type(exc).__name__}") from exc
        return _Control(session, handle, now)

    async def _drop(self, node: MediaNode) -> None:
        control = self._controls.pop(node.id, None)
        if control is not None:
            await _close(control)


async def _close(control: _Control) -> None:
    """Best effort: the node may already be gone, which is often why we are closing."""
    with contextlib.suppress(Exception):  # a dead node cannot be told goodbye
        await asyncio.wait_for(control.session.destroy(), 2.0)
    with contextlib.suppress(Exception):
        await control.session.transport.disconnect()


def _failure(node: MediaNode, doing: str, exc: VideoRoomError) -> MediaBackendError:
    kind = RoomMissing if exc.error_code == NO_SUCH_ROOM else MediaBackendError
    return kind(f"media node {node.id} could not {doing}: {exc.error_code} {exc.error_message}")
