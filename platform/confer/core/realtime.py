"""Real time (DESIGN §7): one authenticated WebSocket per client, fanned out across API replicas by Litestar channels
on Redis pub/sub, with a bounded replay so a client that reconnects misses nothing.

Every message gets a number from one Redis counter, in the same Lua call that keeps it in its channel's bounded
history (a Redis stream whose entry id is that number) and publishes it: numbers are therefore in publishing order
across all channels, and a client resumes with one cursor — the last ``seq`` it saw — whatever its channels.

Channels are ``user:<id>`` (one's own), ``booking:<id>`` and ``class:<id>``. Which bookings and classes a person
belongs to is the modules' knowledge: each may declare ``Module.channels_of(runtime, user_id)``; the core asks them
all when a socket opens, and a module adds a channel to open sockets with :func:`join_channel` (someone just booked).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
import structlog
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.exceptions import WebSocketDisconnect
from redis.asyncio import Redis

from confer.core.auth import Principal
from confer.core.errors import ConferError, Unauthenticated

if TYPE_CHECKING:
    from confer.core.runtime import Runtime

log = structlog.get_logger("confer.realtime")

HISTORY_PER_CHANNEL = 500
HISTORY_TTL_MS = 24 * 3600 * 1000
AUTH_SECONDS = 10.0
SUBSCRIBE = "realtime.subscribe"
UNSUBSCRIBE = "realtime.unsubscribe"

# KEYS[1] the counter, then per channel its pub/sub name and its history stream; ARGV: the message body (a JSON
# object without ``seq`` and ``channel``), history length, history TTL, then each channel's name. Each channel gets
# its own copy naming only itself: a message to several people never tells one of them who the others are.
_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
local rest = string.sub(ARGV[1], 2)
for i = 1, (#KEYS - 1) / 2 do
  local message = '{"seq":' .. seq .. ',"channel":"' .. ARGV[3 + i] .. '",' .. rest
  redis.call('XADD', KEYS[2 * i + 1], 'MAXLEN', '~', ARGV[2], seq .. '-0', 'm', message)
  redis.call('PEXPIRE', KEYS[2 * i + 1], ARGV[3])
  redis.call('PUBLISH', KEYS[2 * i], message)
end
return seq
"""


class Body(msgspec.Struct, frozen=True):
    """A message as published; the socket sends it with ``seq`` (the order of everything) and ``channel`` added."""

    type: str
    data: dict[str, Any]


def user_channel(user_id: UUID | str) -> str:
    return f"user:{user_id}"


def booking_channel(booking_id: UUID | str) -> str:
    return f"booking:{booking_id}"


def class_channel(session_id: UUID | str) -> str:
    return f"class:{session_id}"


class RealtimeHub:
    """Publishing and replay, for API processes and workers alike (publishing needs no plugin, only Redis)."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._namespace = namespace
        self._publish = redis.register_script(_PUBLISH)

    def wire_name(self, channel: str) -> str:
        """The Redis pub/sub name of a channel: deployments sharing a Redis never hear each other."""
        return f"{self._namespace}:rt:{channel}"

    def _history_key(self, channel: str) -> str:
        return f"{self._namespace}:rt-history:{channel}"

    async def publish(self, channels: Iterable[str], kind: str, data: dict[str, Any]) -> int:
        chosen = list(dict.fromkeys(channels))
        if not chosen:
            return 0
        keys = [f"{self._namespace}:rt-seq"]
        for channel in chosen:
            keys += [self.wire_name(channel), self._history_key(channel)]
        body = msgspec.json.encode(Body(type=kind, data=data))
        seq: int = await self._publish(keys=keys, args=[body, HISTORY_PER_CHANNEL, HISTORY_TTL_MS, *chosen])
        return seq

    async def replay(self, channels: Iterable[str], after: int) -> list[bytes]:
        """Messages of ``channels`` numbered above ``after`` that are still in history, in order."""
        found: dict[int, bytes] = {}
        for channel in channels:
            entries: list[tuple[bytes, dict[bytes, bytes]]] = await self._redis.xrange(  # type: ignore[assignment]
                self._history_key(channel), min=f"({max(after, 0)}-0"
            )
            for entry_id, fields in entries:
                found[int(entry_id.split(b"-")[0])] = fields[b"m"]
        return [found[seq] for seq in sorted(found)]


def channels_plugin(runtime: Runtime) -> ChannelsPlugin:
    """The app's Litestar channels plugin: one pub/sub connection per API process, shared by all its sockets."""
    return ChannelsPlugin(
        backend=RedisChannelsPubSubBackend(redis=runtime.redis),
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=1000,
        subscriber_backlog_strategy="dropleft",
    )


async def publish(runtime: Runtime, channels: Iterable[str], kind: str, data: dict[str, Any]) -> int:
    return await runtime.realtime.publish(channels, kind, data)


async def notify_users(runtime: Runtime, user_ids: Iterable[UUID | str], kind: str, data: dict[str, Any]) -> None:
    await publish(runtime, [user_channel(u) for u in user_ids], kind, data)


async def join_channel(runtime: Runtime, user_ids: Iterable[UUID | str], channel: str) -> None:
    """Open sockets of these people start following ``channel`` (their next connection finds it by itself)."""
    await notify_users(runtime, user_ids, SUBSCRIBE, {"channel": channel})


async def leave_channel(runtime: Runtime, user_ids: Iterable[UUID | str], channel: str) -> None:
    await notify_users(runtime, user_ids, UNSUBSCRIBE, {"channel": channel})


async def channels_of(runtime: Runtime, user_id: UUID) -> list[str]:
    found = [user_channel(user_id)]
    for module in runtime.modules:
        if module.channels_of is not None:
            found.extend(await module.channels_of(runtime, user_id))
    return list(dict.fromkeys(found))


@websocket("/api/v1/ws", name="realtime")
async def realtime_socket(socket: WebSocket[Any, Any, Any]) -> None:
    """One socket per client. The first message authenticates: ``{"type": "auth", "token": "<access token>",
    "after": <last seq seen, to resume>}`` (browsers cannot set headers on a WebSocket). Then the server sends
    ``{"seq", "channel", "type", "data"}`` messages; the client may send ``{"type": "ping"}``."""
    from confer.core.runtime import Runtime

    runtime = Runtime.of(socket.app)
    await socket.accept()
    try:
        principal, after = await _authenticate(runtime, socket)
    except (ConferError, TimeoutError, msgspec.DecodeError, WebSocketDisconnect) as exc:
        reason = exc.detail if isinstance(exc, ConferError) and exc.detail else "authentication failed"
        with contextlib.suppress(Exception):
            await socket.close(code=4401, reason=reason[:120])
        return
    try:
        await _serve(runtime, socket.app.plugins.get(ChannelsPlugin), socket, principal, after)
    except Exception:
        log.exception("realtime.socket_failed", user=str(principal.user_id))
        raise


async def _authenticate(runtime: Runtime, socket: WebSocket[Any, Any, Any]) -> tuple[Principal, int]:
    hello = msgspec.json.decode(await asyncio.wait_for(socket.receive_data(mode="text"), AUTH_SECONDS))
    if not isinstance(hello, dict) or hello.get("type") != "auth" or not isinstance(hello.get("token"), str):
        raise Unauthenticated('send {"type": "auth", "token": "<access token>"} first')
    principal = runtime.access_tokens.verify(hello["token"])
    if runtime.revoked_sessions.is_revoked(principal.session_id):
        raise Unauthenticated("this session has ended")
    after = hello.get("after")
    return principal, after if isinstance(after, int) and after >= 0 else -1


async def _serve(
    runtime: Runtime, plugin: ChannelsPlugin, socket: WebSocket[Any, Any, Any], principal: Principal, after: int
) -> None:
    hub = runtime.realtime
    channels = set(await channels_of(runtime, principal.user_id))
    subscriber = await plugin.subscribe([hub.wire_name(c) for c in channels])
    reader = asyncio.create_task(_read_client(socket))
    reader.add_done_callback(lambda _: subscriber.put_nowait(None))  # the client left: end the loop below
    sent = after
    try:
        if after >= 0:
            for message in await hub.replay(channels, after):
                sent = await _forward(socket, message, sent)
        ready = {"type": "ready", "seq": sent, "channels": sorted(channels)}
        await socket.send_data(msgspec.json.encode(ready).decode())
        async for message in subscriber.iter_events():
            control = _control(message)
            if control is not None:
                sent = await _follow(hub, plugin, subscriber, channels, socket, sent, *control)
            else:
                sent = await _forward(socket, message, sent)
    except (WebSocketDisconnect, ConnectionError):
        pass  # gone while we were sending
    finally:
        reader.cancel()
        await plugin.unsubscribe(subscriber)


async def _forward(socket: WebSocket[Any, Any, Any], message: bytes, sent: int) -> int:
    """Send unless already sent (a message can come both from the replay and live): ``seq`` only grows."""
    seq = _seq(message)
    if seq <= sent:
        return sent
    await socket.send_data(message.decode())
    return seq


def _seq(message: bytes) -> int:
    # the message starts with '{"seq":<n>,' (the Lua script puts it there)
    return int(message[7 : message.index(b",")])


def _control(message: bytes) -> tuple[str, str] | None:
    if b'"type":"realtime.' not in message:
        return None
    envelope = msgspec.json.decode(message)
    kind, channel = envelope.get("type"), envelope.get("data", {}).get("channel")
    if kind in (SUBSCRIBE, UNSUBSCRIBE) and isinstance(channel, str):
        return kind, channel
    return None


async def _follow(
    hub: RealtimeHub,
    plugin: ChannelsPlugin,
    subscriber: Any,
    channels: set[str],
    socket: WebSocket[Any, Any, Any],
    sent: int,
    kind: str,
    channel: str,
) -> int:
    """Follow (or stop following) a channel. Whatever it carried since the last message sent is replayed: its first
    message may well have been published before Redis had this process's subscription."""
    if kind == SUBSCRIBE and channel not in channels:
        channels.add(channel)
        await _add_channel(plugin, subscriber, hub.wire_name(channel))
        for message in await hub.replay([channel], sent):
            sent = await _forward(socket, message, sent)
    elif kind == UNSUBSCRIBE and channel in channels:
        channels.discard(channel)
        await plugin.unsubscribe(subscriber, [hub.wire_name(channel)])
    return sent


async def _add_channel(plugin: ChannelsPlugin, subscriber: Any, wire: str) -> None:
    """Litestar's plugin subscribes new subscribers only; add a channel to a live one the same way it would."""
    listeners = plugin._channels.setdefault(wire, set())
    if not listeners:
        await plugin._backend.subscribe([wire])
    listeners.add(subscriber)


async def _read_client(socket: WebSocket[Any, Any, Any]) -> None:
    """Answer pings; anything else from the client is ignored. Returns when the client goes away."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            raw = await socket.receive_data(mode="text")
            if '"ping"' in raw:
                await socket.send_data('{"type":"pong"}')
