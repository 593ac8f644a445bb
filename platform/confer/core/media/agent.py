"""The node agent (``confer media agent``): runs beside one Janus, reads its Admin API and the host's load, and
heartbeats the node's record into the registry.

It is also where draining takes effect: the operator marks a node drained in the registry (``confer media drain``),
and the agent tells its Janus to refuse new sessions, so even a client holding an old join answer cannot start one
there; rooms already running finish. If Janus stops answering, the agent stops reporting and the node expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from typing import Annotated, Any

import aiohttp
import msgspec
import structlog
from redis.asyncio import Redis

from confer.core.clock import Clock, SystemClock
from confer.core.media.registry import MediaNode, MediaRegistry

log = structlog.get_logger("confer.media.agent")


class AgentSettings(msgspec.Struct, frozen=True, kw_only=True):
    """``CONFER_AGENT_*``: who this node is and how to reach its Janus."""

    node_id: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._-]{1,63}$", examples=["media-eu-1"])]
    public_ws_url: Annotated[str, msgspec.Meta(pattern=r"^wss?://", examples=["wss://media-eu-1.example.org"])]
    admin_secret: str
    control_url: Annotated[str, msgspec.Meta(pattern=r"^wss?://")] = "ws://127.0.0.1:8188"
    admin_url: Annotated[str, msgspec.Meta(pattern=r"^https?://")] = "http://127.0.0.1:7088/admin"
    region: str = "default"
    capacity: Annotated[int, msgspec.Meta(ge=1)] = 200
    heartbeat_seconds: Annotated[float, msgspec.Meta(gt=0)] = 2.0
    ttl_seconds: Annotated[float, msgspec.Meta(gt=0)] = 6.0


class FleetStore(msgspec.Struct, frozen=True, kw_only=True):
    """``CONFER_REDIS_URL`` and ``CONFER_REDIS_NAMESPACE``: all a media node needs of the control plane's settings."""

    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_namespace: str = "confer"


class JanusAdminError(Exception):
    pass


class JanusAdmin:
    """The few Janus Admin API requests the agent needs, over HTTP on the node's private address."""

    def __init__(self, http: aiohttp.ClientSession, url: str, secret: str) -> None:
        self._http = http
        self._url = url
        self._secret = secret

    async def request(self, janus: str, **fields: Any) -> dict[str, Any]:
        body = {"janus": janus, "transaction": secrets.token_hex(8), "admin_secret": self._secret, **fields}
        try:
            async with self._http.post(self._url, json=body, timeout=aiohttp.ClientTimeout(total=3)) as response:
                answer: dict[str, Any] = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise JanusAdminError(f"Janus admin API unreachable: {type(exc).__name__}") from exc
        if answer.get("janus") != "success":
            reason = answer.get("error", {}).get("reason", "unknown error")
            raise JanusAdminError(f"Janus admin API refused '{janus}': {reason}")
        return answer

    async def session_count(self) -> int:
        return len((await self.request("list_sessions")).get("sessions", []))

    async def room_count(self) -> int:
        answer = await self.request("message_plugin", plugin="janus.plugin.videoroom", request={"request": "list"})
        return len(answer.get("response", {}).get("list", []))

    async def accept_new_sessions(self, accept: bool) -> None:
        await self.request("accept_new_sessions", accept=accept)


class NodeAgent:
    def __init__(self, settings: AgentSettings, registry: MediaRegistry, admin: JanusAdmin, clock: Clock) -> None:
        self.settings = settings
        self._registry = registry
        self._admin = admin
        self._clock = clock
        self._accepting: bool | None = None

    async def beat(self) -> MediaNode:
        """Observe Janus and the host once and report it; JanusAdminError (nothing reported) if Janus is down."""
        draining = await self._registry.is_draining(self.settings.node_id)
        if self._accepting is None or self._accepting == draining:  # first beat, or the operator changed the state
            await self._admin.accept_new_sessions(not draining)
            self._accepting = not draining
        node = MediaNode(
            id=self.settings.node_id,
            ws_url=self.settings.public_ws_url,
            control_url=self.settings.control_url,
            region=self.settings.region,
            capacity=self.settings.capacity,
            sessions=await self._admin.session_count(),
            rooms=await self._admin.room_count(),
            cpu_load=round(os.getloadavg()[0] / (os.cpu_count() or 1), 3),
            accepting=self._accepting,
            draining=draining,
            reported_at=self._clock.now(),
        )
        await self._registry.report(node)
        return node

    async def run(self, stop: asyncio.Event) -> None:
        """Heartbeat until ``stop`` is set, then leave the registry at once."""
        try:
            while not stop.is_set():
                try:
                    await self.beat()
                except JanusAdminError as exc:
                    log.warning("media.agent.janus_unavailable", node=self.settings.node_id, error=str(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.heartbeat_seconds)
        finally:
            await self._registry.withdraw(self.settings.node_id)


async def run_agent(settings: AgentSettings, store: FleetStore, stop: asyncio.Event) -> None:
    redis: Redis = Redis.from_url(store.redis_url)
    registry = MediaRegistry(redis, store.redis_namespace, ttl_seconds=settings.ttl_seconds)
    try:
        async with aiohttp.ClientSession() as http:
            agent = NodeAgent(
                settings, registry, JanusAdmin(http, settings.admin_url, settings.admin_secret), SystemClock()
            )
            log.info("media.agent.started", node=settings.node_id, region=settings.region, capacity=settings.capacity)
            await agent.run(stop)
    finally:
        await redis.aclose()
