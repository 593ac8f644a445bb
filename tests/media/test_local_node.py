"""``confer dev``'s local media node: Janus from the project's templates plus its agent, reporting to the registry."""

from __future__ import annotations

import asyncio
from pathlib import Path

from confer.core.media.local_node import start_local_node
from confer.core.media.registry import MediaRegistry
from confer.core.runtime import Runtime


async def test_the_local_node_reports_keeps_its_secrets_and_stops_cleanly(
    runtime: Runtime, tmp_path: Path, test_environ: dict[str, str]
) -> None:
    environ = {key: value for key, value in test_environ.items() if not key.startswith("CONFER_VIDEO_")}
    node = start_local_node(tmp_path, environ, api_port=1)
    registry = MediaRegistry(runtime.redis, runtime.settings.redis_namespace)
    try:
        async with asyncio.timeout(20):
            while (reported := await registry.node("local")) is None:  # noqa: ASYNC110 - another process reports
                await asyncio.sleep(0.1)
        assert reported.ws_url == node.ws_url
        assert reported.accepting
        assert environ["CONFER_VIDEO_JANUS_TOKEN_SECRET"]
        assert (tmp_path / "janus" / "secrets.json").stat().st_mode & 0o077 == 0
    finally:
        node.cleanup()
    assert node.janus.poll() is not None
    assert node.agent.poll() is not None
    again = {key: value for key, value in test_environ.items() if not key.startswith("CONFER_VIDEO_")}
    second = start_local_node(tmp_path, again, api_port=1)
    second.cleanup()
    assert again["CONFER_VIDEO_JANUS_TOKEN_SECRET"] == environ["CONFER_VIDEO_JANUS_TOKEN_SECRET"]
