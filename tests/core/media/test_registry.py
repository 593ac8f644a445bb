"""The media node registry on real Redis: records expire without heartbeats, draining outlives the agent."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime

from confer.core.media.registry import MediaNode, MediaRegistry
from confer.core.runtime import Runtime


def record(node_id: str) -> MediaNode:
    return MediaNode(
        id=node_id,
        ws_url=f"wss://{node_id}.example.org",
        control_url=f"ws://{node_id}:8188",
        region="eu",
        capacity=100,
        reported_at=datetime.now(UTC),
    )


async def test_a_node_that_stops_reporting_is_out_within_its_ttl(runtime: Runtime) -> None:
    registry = MediaRegistry(runtime.redis, runtime.settings.redis_namespace, ttl_seconds=0.3)
    await registry.report(record("n1"))
    await registry.report(record("n2"))
    assert [n.id for n in await registry.nodes()] == ["n1", "n2"]
    for _ in range(4):  # n2 keeps beating, n1 has died
        await asyncio.sleep(0.1)
        await registry.report(record("n2"))
    assert [n.id for n in await registry.nodes()] == ["n2"]
    assert await registry.node("n1") is None
    await registry.withdraw("n2")
    assert await registry.nodes() == []


async def test_draining_is_the_operators_and_survives_the_nodes_record(runtime: Runtime) -> None:
    registry = MediaRegistry(runtime.redis, runtime.settings.redis_namespace, ttl_seconds=5)
    await registry.drain("n1")
    assert await registry.is_draining("n1")
    await registry.report(record("n1"))
    await registry.withdraw("n1")
    assert await registry.is_draining("n1")
    await registry.undrain("n1")
    assert not await registry.is_draining("n1")


async def test_operators_drain_undrain_and_list_nodes_from_the_command_line(
    test_environ: dict[str, str], runtime: Runtime
) -> None:
    environ = {**os.environ, **test_environ}
    registry = MediaRegistry(runtime.redis, runtime.settings.redis_namespace)

    def confer(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", f"from confer.cli import main; raise SystemExit(main({list(args)!r}))"],
            env=environ,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

    assert "no media node is reporting" in confer("media", "nodes").stdout
    drained = confer("media", "drain", "media-eu-1")
    assert "drained" in drained.stdout
    assert "not reporting now" in drained.stderr
    assert await registry.is_draining("media-eu-1")
    await registry.report(record("media-eu-1"))
    listed = confer("media", "nodes").stdout
    assert "media-eu-1" in listed
    assert "draining" in listed
    assert "undrained" in confer("media", "undrain", "media-eu-1").stdout
    assert not await registry.is_draining("media-eu-1")
