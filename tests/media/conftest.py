"""Fixtures for tests against real Janus nodes (see janus_nodes.py); no database or Redis involved."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tests.media.janus_nodes import MAX_NODES, FleetSecrets, JanusFleet, JanusNodeError
from tests.media.janus_nodes import janus_fleet as start_fleet
from tests.media.peers import use_host_addresses

StartFleet = Callable[..., Awaitable[JanusFleet]]


@pytest.fixture
async def janus_fleet() -> AsyncIterator[StartFleet]:
    """``await janus_fleet(n, events_url=..., events_secret=..., fleet_secrets=...)`` starts n nodes, removed again
    after the test.

    aiortc peers are pointed at the host addresses of every fleet started so far, so a client can reach any node."""
    async with contextlib.AsyncExitStack() as stack:
        next_index = 1
        host_ips: list[str] = []

        async def start(
            count: int,
            *,
            events_url: str | None = None,
            events_secret: str | None = None,
            fleet_secrets: FleetSecrets | None = None,
        ) -> JanusFleet:
            nonlocal next_index
            if next_index + count - 1 > MAX_NODES:
                raise JanusNodeError(f"at most {MAX_NODES} Janus nodes per test")
            fleet = await stack.enter_async_context(
                start_fleet(
                    count,
                    events_url=events_url,
                    events_secret=events_secret,
                    fleet_secrets=fleet_secrets,
                    first_index=next_index,
                )
            )
            next_index += count
            host_ips.extend(fleet.host_ips)
            use_host_addresses(host_ips)
            return fleet

        yield start
