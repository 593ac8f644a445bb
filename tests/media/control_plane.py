"""Confer's control plane over a real Janus fleet, for tests and benchmarks: a node agent per node (heartbeating into
the test run's Redis namespace), and Confer's internal events endpoint served where the nodes' event handlers can
post to it (the host side of the first node's link; nothing listens beyond this machine's own test links)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from confer.app import create_app
from confer.core.media.agent import AgentSettings, JanusAdmin, NodeAgent
from confer.core.media.registry import MediaRegistry
from confer.core.runtime import Runtime
from confer.modules.video.rooms import VideoPlane, plane
from confer.modules.video.settings import VideoSettings
from confer.settings import Settings
from tests.media.janus_nodes import FleetSecrets, JanusFleet, JanusNode, subnet_prefix
from tests.support import serving

StartFleet = Callable[..., Awaitable[JanusFleet]]
HEARTBEAT_SECONDS = 0.25


@dataclass
class MediaPlane:
    fleet: JanusFleet
    runtime: Runtime
    events_url: str
    agents: dict[int, tuple[NodeAgent, asyncio.Event, asyncio.Task[None]]] = field(default_factory=dict)

    @property
    def video(self) -> VideoPlane:
        return plane(self.runtime)

    def node(self, node_id: str) -> JanusNode:
        return next(n for n in self.fleet.nodes if n.config.node_id == node_id)

    async def stop_agent(self, index: int) -> None:
        _, stop, task = self.agents.pop(index)
        stop.set()
        await task

    async def wait_for(self, condition: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not await condition():  # noqa: ASYNC110 - the state polled is another process's (Janus, Redis)
                await asyncio.sleep(0.05)

    async def reporting(self) -> list[str]:
        return [node.id for node in await self.video.registry.nodes()]


def video_secrets(runtime: Runtime) -> FleetSecrets:
    """The nodes' secrets as Confer is configured with them (tests/conftest.py sets CONFER_VIDEO_*)."""
    settings = runtime.section("video", VideoSettings)
    assert settings.janus_token_secret
    assert settings.videoroom_admin_key
    return FleetSecrets(token_auth_secret=settings.janus_token_secret, videoroom_admin_key=settings.videoroom_admin_key)


@contextlib.asynccontextmanager
async def media_plane(
    start_fleet: StartFleet, runtime: Runtime, settings: Settings, count: int, *, capacity: int = 50
) -> AsyncIterator[MediaPlane]:
    """``count`` Janus nodes with their agents reporting, and the events endpoint they post to."""
    events_secret = runtime.section("video", VideoSettings).events_secret
    host = f"{subnet_prefix(1)}.1"
    port = _free_port()
    events_url = f"http://{host}:{port}/internal/media/events"
    fleet = await start_fleet(
        count, events_url=events_url, events_secret=events_secret, fleet_secrets=video_secrets(runtime)
    )
    media = MediaPlane(fleet, runtime, events_url)
    async with (
        aiohttp.ClientSession() as http,
        serving(create_app(settings, runtime=runtime), host=host, port=port),
    ):
        for node in fleet.nodes:
            media.agents[node.index] = _start_agent(runtime, fleet, node, http, capacity)
        try:
            await media.wait_for(lambda: _all_reporting(media, count))
            yield media
        finally:
            for index in list(media.agents):
                await media.stop_agent(index)
            await _forget_fleet(runtime)


def _start_agent(
    runtime: Runtime, fleet: JanusFleet, node: JanusNode, http: aiohttp.ClientSession, capacity: int
) -> tuple[NodeAgent, asyncio.Event, asyncio.Task[None]]:
    settings = AgentSettings(
        node_id=node.config.node_id,
        public_ws_url=node.ws_url,
        control_url=node.ws_url,
        admin_url=node.admin_url,
        admin_secret=fleet.secrets.admin_secret,
        capacity=capacity,
        heartbeat_seconds=HEARTBEAT_SECONDS,
        ttl_seconds=runtime.section("video", VideoSettings).node_ttl_seconds,
    )
    registry = MediaRegistry(runtime.redis, runtime.settings.redis_namespace, ttl_seconds=settings.ttl_seconds)
    agent = NodeAgent(settings, registry, JanusAdmin(http, node.admin_url, fleet.secrets.admin_secret), runtime.clock)
    stop = asyncio.Event()
    return agent, stop, asyncio.create_task(agent.run(stop))


async def _all_reporting(media: MediaPlane, count: int) -> bool:
    return len(await media.reporting()) == count


async def _forget_fleet(runtime: Runtime) -> None:
    """The next test's nodes reuse these ids on new Janus processes: drop the control plane's open sessions."""
    video: VideoPlane | None = runtime.extras.pop("video", None)
    if video is not None:
        await video.backend.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
