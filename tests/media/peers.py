"""aiortc peers for tests and benchmarks: a publisher sending a synthetic video track through a Janus video room,
and a subscriber counting the frames it decodes.

Call ``use_host_addresses(fleet.host_ips)`` once before any peer connection: aioice would otherwise offer every
address of the machine, and media to a node only flows from the host side of its veth pair.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aioice.ice
from aiortc import MediaStreamTrack, RTCConfiguration, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError
from janus_client import JanusSession, JanusVideoRoomPlugin, VideoRoomError
from janus_client.session import PluginAttachFail

# janus_client logs every message at INFO, secrets and tokens included.
logging.getLogger("janus_client").setLevel(logging.WARNING)

WEBRTC_UP_SECONDS = 15.0


def use_host_addresses(addresses: list[str]) -> None:
    """Make aioice gather host candidates only on ``addresses`` (the fleet's host-side veth addresses)."""
    chosen = list(addresses)

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return chosen if use_ipv4 else []

    aioice.ice.get_host_addresses = host_addresses


def peer_config() -> RTCConfiguration:
    return RTCConfiguration(iceServers=[])


@dataclass
class Publisher:
    session: JanusSession
    plugin: JanusVideoRoomPlugin
    track: MediaStreamTrack

    @property
    def publisher_id(self) -> int:
        assert self.plugin.publisher_id is not None
        return self.plugin.publisher_id

    @property
    def private_id(self) -> int:
        """What this participant's own subscriptions present in a ``require_pvtid`` room."""
        assert self.plugin.private_id is not None
        return self.plugin.private_id

    async def close(self) -> None:
        self.track.stop()
        await _close(self.session, self.plugin)


@dataclass
class Subscriber:
    session: JanusSession
    plugin: JanusVideoRoomPlugin
    frames: int = 0
    _counter: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def wait_frames(self, count: int, timeout: float) -> int:
        """Wait until ``count`` frames were decoded; returns the count (raises TimeoutError with what arrived)."""
        async with asyncio.timeout(timeout):
            while self.frames < count:
                self._counter.clear()
                await self._counter.wait()
        return self.frames

    def consume(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            task = asyncio.create_task(self._count(track))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _count(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
                self.frames += 1
                self._counter.set()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await _close(self.session, self.plugin)


class TicketedSession(JanusSession):  # type: ignore[misc]
    """A Janus session whose handles carry an ``opaque_id`` (janus-client never sends one): Janus repeats it in its
    events, which is how Confer knows whose handle an event is about."""

    def __init__(self, *, ticket: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ticket = ticket

    async def attach_plugin(self, plugin: Any) -> int:
        if self.ticket is None:
            handle: int = await super().attach_plugin(plugin)
            return handle
        transaction = await self.send({"janus": "attach", "plugin": plugin.name, "opaque_id": self.ticket})
        response = await transaction.get(matcher=lambda r: r["janus"] in ("error", "success"))
        await transaction.done()
        if response["janus"] == "error":
            raise PluginAttachFail(response=response)
        handle_id = int(response["data"]["id"])
        self.plugin_handles[handle_id] = plugin
        return handle_id


@dataclass
class Participant:
    """In a room (joined as a participant with the room token) without publishing, as a class attendee is."""

    session: JanusSession
    plugin: JanusVideoRoomPlugin

    @property
    def publisher_id(self) -> int:
        assert self.plugin.publisher_id is not None
        return self.plugin.publisher_id

    @property
    def private_id(self) -> int:
        assert self.plugin.private_id is not None
        return self.plugin.private_id

    async def start_publishing(self) -> None:
        """Publish a test pattern (e.g. without the right to, to see Confer remove it)."""
        await self.plugin.publish(SimpleNamespace(audio=None, video=VideoStreamTrack()), videocodec="vp8")

    async def close(self) -> None:
        await _close(self.session, self.plugin)


async def participant(
    ws_url: str,
    room: int,
    *,
    token: str | None,
    janus_token: str,
    display: str,
    publisher_id: int | None = None,
    ticket: str | None = None,
) -> Participant:
    """Join ``room`` with the room ``token``, publishing nothing (yet)."""
    session = TicketedSession(base_url=ws_url, token=janus_token, ticket=ticket)
    plugin = JanusVideoRoomPlugin(pc_config=peer_config())
    try:
        await plugin.attach(session)
        await plugin.join_as_publisher(room, publisher_id=publisher_id, display=display, token=token)
    except BaseException:
        await _close(session, plugin)
        raise
    return Participant(session, plugin)


async def publisher(
    ws_url: str,
    room: int,
    *,
    token: str | None,
    janus_token: str,
    display: str,
    publisher_id: int | None = None,
    ticket: str | None = None,
) -> Publisher:
    """Join ``room`` as a publisher with the room ``token`` and publish a VP8 test pattern until WebRTC is up."""
    seat = await participant(
        ws_url, room, token=token, janus_token=janus_token, display=display, publisher_id=publisher_id, ticket=ticket
    )
    track = VideoStreamTrack()
    try:
        await seat.plugin.publish(SimpleNamespace(audio=None, video=track), videocodec="vp8")
        await asyncio.wait_for(seat.plugin.webrtcup_event.wait(), WEBRTC_UP_SECONDS)
    except BaseException:
        track.stop()
        await seat.close()
        raise
    return Publisher(seat.session, seat.plugin, track)


async def subscriber(
    ws_url: str,
    room: int,
    feed: int,
    *,
    token: str | None,
    janus_token: str,
    private_id: int | None = None,
    ticket: str | None = None,
) -> Subscriber:
    """Subscribe to ``feed`` in ``room``; frames are counted from the first one.

    Janus 1.1.2 checks a room's ``allowed`` tokens only when joining as a publisher: a subscription is guarded by
    ``require_pvtid`` rooms instead, where ``private_id`` must be that of a participant who joined with the token."""
    session = TicketedSession(base_url=ws_url, token=janus_token, ticket=ticket)
    plugin = JanusVideoRoomPlugin(pc_config=peer_config())
    peer = Subscriber(session, plugin)
    try:
        await plugin.attach(session)
        plugin.pc.on("track", peer.consume)
        await _join_as_subscriber(plugin, room, feed, token, private_id)
    except BaseException:
        await peer.close()
        raise
    return peer


async def _join_as_subscriber(
    plugin: JanusVideoRoomPlugin, room: int, feed: int, token: str | None, private_id: int | None
) -> None:
    """janus-client's ``subscribe_to_publisher`` cannot send a room token, so the join is sent as a plain message."""
    body: dict[str, object] = {"request": "join", "ptype": "subscriber", "room": room, "streams": [{"feed": feed}]}
    if token is not None:
        body["token"] = token
    if private_id is not None:
        body["private_id"] = private_id
    transaction = await plugin.send({"janus": "message", "body": body})
    response = await transaction.get(matcher=_plugin_reply, timeout=15)
    await transaction.done()
    _raise_for_error(response)
    await plugin.on_receive_jsep(response["jsep"])
    await plugin.pc.setLocalDescription(await plugin.pc.createAnswer())
    await plugin.start()


def _plugin_reply(response: dict[str, object]) -> bool:
    return response.get("janus") in {"event", "success", "error"} and ("plugindata" in response or "error" in response)


def _raise_for_error(response: dict[str, object]) -> None:
    error = response.get("error")
    if isinstance(error, dict):
        raise VideoRoomError(error.get("code", 0), error.get("reason", "error"))
    plugindata = response.get("plugindata")
    data = plugindata.get("data", {}) if isinstance(plugindata, dict) else {}
    if isinstance(data, dict) and "error" in data:
        raise VideoRoomError(data.get("error_code", 0), data["error"])


async def _close(session: JanusSession, plugin: JanusVideoRoomPlugin) -> None:
    """Best effort: the node may already be gone (a crash test) and then there is no one to say goodbye to."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(plugin.destroy(), 5)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(session.destroy(), 5)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(session.transport.disconnect(), 5)
