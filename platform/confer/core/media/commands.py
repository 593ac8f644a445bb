"""``confer media ...``: what an operator (or a media node's container) runs.

These commands need only Redis (``CONFER_REDIS_URL``) and the node's own ``CONFER_MEDIA_*`` / ``CONFER_AGENT_*``
settings: a media node never holds the application's database or signing secrets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from redis.asyncio import Redis

from confer.core.media.agent import AgentSettings, FleetStore, run_agent
from confer.core.media.janus_config import default_templates_dir, load_node_config, render_config
from confer.core.media.registry import MediaNode, MediaRegistry
from confer.settings import load_section

T = TypeVar("T")


def add_media_commands(commands: Any) -> None:
    media = commands.add_parser("media", help="media nodes: render Janus config, run the agent, list, drain")
    actions = media.add_subparsers(dest="media_command", required=True, metavar="ACTION")
    render = actions.add_parser("render-config", help="write this node's Janus configuration from CONFER_MEDIA_*")
    render.add_argument("--out", type=Path, required=True, help="folder to write the .jcfg files into")
    render.add_argument("--templates", type=Path, default=None, help="template folder (default: media/janus-config)")
    render.set_defaults(handler=cmd_render_config)
    actions.add_parser("agent", help="report this node's health and load (CONFER_AGENT_*)").set_defaults(
        handler=cmd_agent
    )
    actions.add_parser("nodes", help="list the media nodes now reporting").set_defaults(handler=cmd_nodes)
    for name, what in (("drain", "no new rooms or sessions on NODE; its rooms finish"), ("undrain", "undo drain")):
        action = actions.add_parser(name, help=what)
        action.add_argument("node", metavar="NODE")
        action.set_defaults(handler=cmd_drain if name == "drain" else cmd_undrain)


def cmd_render_config(args: argparse.Namespace) -> int:
    config = load_node_config(os.environ)
    written = render_config(config, args.out, args.templates or default_templates_dir())
    print(f"wrote {len(written)} Janus configuration files for node {config.node_id} into {args.out}")
    return 0


def cmd_agent(_: argparse.Namespace) -> int:
    settings = load_section(AgentSettings, "CONFER_AGENT_", os.environ)
    store = load_section(FleetStore, "CONFER_", os.environ)

    async def work() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_agent(settings, store, stop)

    asyncio.run(work())
    return 0


def cmd_nodes(_: argparse.Namespace) -> int:
    async def look(registry: MediaRegistry) -> tuple[list[MediaNode], set[str]]:
        return await registry.nodes(), await registry.drained()

    nodes, drained = _with_registry(look)
    if not nodes:
        print("no media node is reporting")
        return 0
    now = datetime.now(UTC)
    print(f"{'NODE':<20} {'STATE':<9} {'REGION':<12} {'SESSIONS':>13} {'ROOMS':>6} {'CPU':>5} {'SEEN':>6}  URL")
    for node in nodes:
        print(_node_line(node, now, ordered_to_drain=node.id in drained))
    return 0


def _node_line(node: MediaNode, now: datetime, *, ordered_to_drain: bool) -> str:
    """A node ordered to drain shows as draining at once, before its agent's next heartbeat applies it."""
    seen = f"{(now - node.reported_at).total_seconds():.0f}s"
    load = f"{node.sessions}/{node.capacity}"
    state = "draining" if ordered_to_drain else node.state
    return (
        f"{node.id:<20} {state:<9} {node.region:<12} {load:>13} {node.rooms:>6} "
        f"{node.cpu_load:>5.2f} {seen:>6}  {node.ws_url}"
    )


def cmd_drain(args: argparse.Namespace) -> int:
    return _set_draining(args.node, drain=True)


def cmd_undrain(args: argparse.Namespace) -> int:
    return _set_draining(args.node, drain=False)


def _set_draining(node_id: str, *, drain: bool) -> int:
    async def change(registry: MediaRegistry) -> MediaNode | None:
        await (registry.drain(node_id) if drain else registry.undrain(node_id))
        return await registry.node(node_id)

    node = _with_registry(change)
    verb = "drained: no new rooms or sessions; its rooms finish" if drain else "undrained: it takes new rooms again"
    print(f"{node_id} {verb}")
    if node is None:
        print(f"note: {node_id} is not reporting now; this applies when it does", file=sys.stderr)
    return 0


def _with_registry(work: Callable[[MediaRegistry], Awaitable[T]]) -> T:
    store = load_section(FleetStore, "CONFER_", os.environ)

    async def run() -> T:
        redis: Redis = Redis.from_url(store.redis_url)
        try:
            return await work(MediaRegistry(redis, store.redis_namespace))
        finally:
            with contextlib.suppress(Exception):
                await redis.aclose()

    return asyncio.run(run())
