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
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import msgspec
import structlog
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.exceptions import WebSocketDisconnect
from redis.asyncio import Redis
from redis.exceptions import RedisError

from confer.core.auth import Principal
from confer.core.clock import Clock
from confer.core.errors import ConferError

if TYPE_CHECKING:
    from confer.core.runtime import Runtime

log = structlog.get_logger("confer.realtime")

HISTORY_PER_CHANNEL = 500
HISTORY_TTL_MS = 24 * 3600 * 1000
AUTH_SECONDS = 10.0
EXPIRY_CHECK_SECONDS = 1.0
SLOT_LEASE_MS = 60_000
SUBSCRIBE = "realtime.subscribe"
UNSUBSCRIBE = "realtime.unsubscribe"
SESSION_ENDED = "realtime.session_ended"

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


# KEYS: the account's and the address's sets of open sockets (member: socket id, score: lease end in Redis's time);
# ARGV: socket id, lease (ms), account limit, address limit. 0: taken; 1, 2: refused for the account, the address.
_TAKE_SLOT = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[2 + i]) then return i end
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
return 0
"""
_RENEW_SLOT = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
return 0
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


async def end_sessions(runtime: Runtime, ended: Iterable[tuple[UUID, UUID]]) -> None:
    """Tell the open sockets of these (session, account) pairs that their session ended. Every process also hears it
    through the broadcast of revoked sessions (``RevokedSessions.watch``); this message, on the account's own
    channel, arrives in order with what is published after it, so such a socket closes before it could forward any
    later message, whichever process it is on."""
    for session_id, account_id in ended:
        await publish(runtime, [user_channel(account_id)], SESSION_ENDED, {"session": str(session_id)})


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
    ``{"seq", "channel", "type", "data"}`` messages; the client may send ``{"type": "ping"}``, and
    ``{"type": "auth", "token": ...}`` again with a fresh access token of the same account before the one it
    holds expires (answered ``{"type": "authenticated", "expires_at": <Unix time>}``). See :class:`Close` for how
    and why the server closes a socket."""
    from confer.core.runtime import Runtime

    runtime = Runtime.of(socket.app)
    await socket.accept()
    limits = FrameLimits(runtime.settings.ws_max_frame_bytes, runtime.settings.ws_messages_per_minute, runtime.clock)
    try:
        hello = await asyncio.wait_for(_receive_frame(socket, limits), AUTH_SECONDS)
        guard = SocketGuard(runtime, *_authenticate(runtime, hello))
    except (TimeoutError, WebSocketDisconnect):
        await _close(socket, Close.TOKEN_REFUSED, "authentication failed")
        return
    except Closing as closing:
        await _close(socket, closing.code, closing.reason)
        return
    slots = SocketSlots(runtime)
    try:
        refused = await slots.take(guard.principal.user_id, socket.client.host if socket.client else "unknown")
        if refused:
            guard.end(Close.TOO_MANY, refused)
        else:
            await _serve(runtime, socket.app.plugins.get(ChannelsPlugin), socket, guard, limits, hello.after)
    except Exception:
        log.exception("realtime.socket_failed", user=str(guard.principal.user_id))
        raise
    finally:
        guard.release()
        await slots.give_back()
    if guard.close_code is not None:
        await _close(socket, guard.close_code, guard.reason)


class Close:
    """Close codes of ``/api/v1/ws``, and what a client does on each."""

    SESSION_ENDED = 4001
    """The session ended (sign-out, revoked from another device, password reset or changed elsewhere): sign out."""
    TOKEN_REFUSED = 4401
    """The access token is invalid or expired and no fresh one came on the socket: refresh, then reconnect."""
    TOO_MANY = 4429
    """Too many sockets for the account or the address, or frames sent too fast: reconnect later."""
    POLICY_VIOLATION = 1008
    """A frame that is not a JSON object of the protocol (garbage, nested too deep), or another account's token."""
    TOO_BIG = 1009
    """A frame larger than ``CONFER_WS_MAX_FRAME_BYTES``."""


class Closing(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class ClientFrame(msgspec.Struct, frozen=True):
    """What a client may send; other fields are ignored, other types answered with nothing."""

    type: str
    token: str | None = None
    after: int = -1


class FrameLimits:
    """A socket's frame size bound and its message rate (a token bucket refilled over a minute, by the app's clock)."""

    def __init__(self, max_bytes: int, per_minute: int, clock: Clock) -> None:
        self.max_bytes = max_bytes
        self._per_second = per_minute / 60
        self._capacity = float(per_minute)
        self._tokens = float(per_minute)
        self._clock = clock
        self._at = clock.now().timestamp()

    def admit(self) -> bool:
        now = self._clock.now().timestamp()
        self._tokens = min(self._capacity, self._tokens + (now - self._at) * self._per_second)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


async def _receive_frame(socket: WebSocket[Any, Any, Any], limits: FrameLimits) -> ClientFrame:
    """The client's next frame, checked; anything amiss raises :class:`Closing` (never a server error)."""
    event = await socket.receive()
    if event["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(detail="disconnect event", code=event.get("code", 1000))
    text, data = event.get("text"), event.get("bytes")
    raw = text.encode() if isinstance(text, str) else data if isinstance(data, bytes) else b""
    if len(raw) > limits.max_bytes:
        raise Closing(Close.TOO_BIG, f"frames are at most {limits.max_bytes} bytes")
    if not limits.admit():
        raise Closing(Close.TOO_MANY, "too many messages; slow down")
    try:
        return msgspec.json.decode(raw, type=ClientFrame)
    except (msgspec.DecodeError, RecursionError):  # RecursionError: JSON nested deeper than the decoder goes
        raise Closing(Close.POLICY_VIOLATION, "send JSON objects of the protocol") from None


def _authenticate(runtime: Runtime, frame: ClientFrame) -> tuple[Principal, int]:
    """The principal of an ``auth`` frame and its token's expiry; refusals raise :class:`Closing`."""
    if frame.type != "auth" or frame.token is None:
        raise Closing(Close.TOKEN_REFUSED, 'send {"type": "auth", "token": "<access token>"} first')
    try:
        principal, expires_at = runtime.access_tokens.verify_with_expiry(frame.token)
    except ConferError as exc:
        raise Closing(Close.TOKEN_REFUSED, (exc.detail or "authentication failed")[:120]) from None
    if runtime.revoked_sessions.is_revoked(principal.session_id):
        raise Closing(Close.SESSION_ENDED, "this session has ended")
    return principal, expires_at


class SocketGuard:
    """Whose an open socket is and until when: it ends the socket when its session ends (in any process, through
    the broadcast of revoked sessions) or its access token expires without a fresh one arriving on the socket."""

    def __init__(self, runtime: Runtime, principal: Principal, expires_at: int) -> None:
        self._runtime = runtime
        self.principal = principal
        self.expires_at = expires_at
        self.close_code: int | None = None
        self.reason = ""
        self._on_end: list[Callable[[], object]] = []
        self._unwatch = runtime.revoked_sessions.watch(principal.session_id, self._session_ended)

    @property
    def open(self) -> bool:
        """False once ended; an expired token ends the socket here too, so nothing is sent after the expiry."""
        if self.close_code is None and self._runtime.clock.now().timestamp() >= self.expires_at:
            self.end(Close.TOKEN_REFUSED, "the access token has expired")
        return self.close_code is None

    def on_end(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` when the socket ends (at once if it has already)."""
        self._on_end.append(callback)
        if self.close_code is not None:
            callback()

    def end(self, code: int, reason: str) -> None:
        if self.close_code is not None:
            return
        self.close_code, self.reason = code, reason
        for callback in self._on_end:
            callback()

    def reauthenticate(self, frame: ClientFrame) -> None:
        """A fresh token on the open socket: it must be the same account's; its session is watched from now on."""
        principal, expires_at = _authenticate(self._runtime, frame)
        if principal.user_id != self.principal.user_id:
            raise Closing(Close.POLICY_VIOLATION, "a socket belongs to one account")
        self._unwatch()
        self.principal, self.expires_at = principal, expires_at
        self._unwatch = self._runtime.revoked_sessions.watch(principal.session_id, self._session_ended)

    def release(self) -> None:
        self._unwatch()

    def _session_ended(self) -> None:
        self.end(Close.SESSION_ENDED, "this session has ended")


async def _close(socket: WebSocket[Any, Any, Any], code: int, reason: str) -> None:
    with contextlib.suppress(Exception):  # the client may be gone already
        await socket.close(code=code, reason=reason[:120])


async def _serve(
    runtime: Runtime,
    plugin: ChannelsPlugin,
    socket: WebSocket[Any, Any, Any],
    guard: SocketGuard,
    limits: FrameLimits,
    after: int,
) -> None:
    hub = runtime.realtime
    channels = set(await channels_of(runtime, guard.principal.user_id))
    subscriber = await plugin.subscribe([hub.wire_name(c) for c in channels])
    guard.on_end(lambda: subscriber.put_nowait(None))  # ended: stop the loop below at once
    tasks = [asyncio.create_task(_read_client(socket, guard, limits)), asyncio.create_task(_watch_expiry(guard))]
    tasks[0].add_done_callback(lambda _: subscriber.put_nowait(None))  # the client left: end the loop below
    sent = max(after, -1)
    try:
        if after >= 0:
            for message in await hub.replay(channels, after):
                sent = await _forward(socket, guard, message, sent)
        ready = {"type": "ready", "seq": sent, "channels": sorted(channels)}
        if guard.open:
            await socket.send_data(msgspec.json.encode(ready).decode())
        async for message in subscriber.iter_events():
            control = _control(message)
            if control is not None and control[0] == SESSION_ENDED:
                if control[1] == str(guard.principal.session_id):
                    guard.end(Close.SESSION_ENDED, "this session has ended")
            elif control is not None:
                sent = await _follow(hub, plugin, subscriber, channels, socket, guard, sent, *control)
            else:
                sent = await _forward(socket, guard, message, sent)
    except (WebSocketDisconnect, ConnectionError):
        pass  # gone while we were sending
    finally:
        for task in tasks:
            task.cancel()
        await plugin.unsubscribe(subscriber)


async def _forward(socket: WebSocket[Any, Any, Any], guard: SocketGuard, message: bytes, sent: int) -> int:
    """Send unless already sent (a message can come both from the replay and live: ``seq`` only grows), or the
    socket's session or token has ended."""
    seq = _seq(message)
    if seq <= sent or not guard.open:
        return sent
    await socket.send_data(message.decode())
    return seq


def _seq(message: bytes) -> int:
    # the message starts with '{"seq":<n>,' (the Lua script puts it there)
    return int(message[7 : message.index(b",")])


def _control(message: bytes) -> tuple[str, str] | None:
    """A message for the socket itself: (follow or leave, channel) or (session ended, session id)."""
    if b'"type":"realtime.' not in message:
        return None
    envelope = msgspec.json.decode(message)
    kind, data = envelope.get("type"), envelope.get("data", {})
    value = data.get("session" if kind == SESSION_ENDED else "channel")
    if kind in (SUBSCRIBE, UNSUBSCRIBE, SESSION_ENDED) and isinstance(value, str):
        return kind, value
    return None


async def _follow(
    hub: RealtimeHub,
    plugin: ChannelsPlugin,
    subscriber: Any,
    channels: set[str],
    socket: WebSocket[Any, Any, Any],
    guard: SocketGuard,
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
            sent = await _forward(socket, guard, message, sent)
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


async def _read_client(socket: WebSocket[Any, Any, Any], guard: SocketGuard, limits: FrameLimits) -> None:
    """Answer pings and take fresh tokens; other types are ignored. Returns when the client goes away or a frame
    breaks the rules (the guard then says how the socket closes)."""
    try:
        while guard.open:
            frame = await _receive_frame(socket, limits)
            if frame.type == "ping":
                await socket.send_data('{"type":"pong"}')
            elif frame.type == "auth":
                guard.reauthenticate(frame)
                await socket.send_data(f'{{"type":"authenticated","expires_at":{guard.expires_at}}}')
    except Closing as closing:
        guard.end(closing.code, closing.reason)
    except (WebSocketDisconnect, ConnectionError):
        pass


async def _watch_expiry(guard: SocketGuard) -> None:
    """Look at the token's expiry every second (by the app's clock, which tests move) until the socket ends."""
    while True:
        await asyncio.sleep(EXPIRY_CHECK_SECONDS)
        if not guard.open:
            return


class SocketSlots:
    """The sockets an account and a client address hold open, counted across API processes in Redis. Each socket
    holds a lease that it renews while open, so the slots of a process that died free themselves."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._id = uuid4().hex
        self._keys: list[str] = []
        self._renewal: asyncio.Task[None] | None = None

    async def take(self, account: UUID, address: str) -> str | None:
        """Take a slot for this socket; the reason it was refused, or None."""
        settings = self._runtime.settings
        keys = [
            self._runtime.key("ws-sockets", "account", account),
            self._runtime.key("ws-sockets", "address", address),
        ]
        script = self._runtime.redis.register_script(_TAKE_SLOT)
        refused = await script(
            keys=keys,
            args=[self._id, SLOT_LEASE_MS, settings.ws_sockets_per_account, settings.ws_sockets_per_address],
        )
        if refused:
            return "too many open sockets for this " + ("account" if refused == 1 else "address")
        self._keys = keys
        self._renewal = asyncio.create_task(self._renew())
        return None

    async def give_back(self) -> None:
        if self._renewal is not None:
            self._renewal.cancel()
        if self._keys:
            async with self._runtime.redis.pipeline(transaction=False) as pipe:
                for key in self._keys:
                    pipe.zrem(key, self._id)
                await pipe.execute()

    async def _renew(self) -> None:
        renew = self._runtime.redis.register_script(_RENEW_SLOT)
        while True:
            await asyncio.sleep(SLOT_LEASE_MS / 3000)
            with contextlib.suppress(RedisError):  # the next renewal tries again
                await renew(keys=self._keys, args=[self._id, SLOT_LEASE_MS])
