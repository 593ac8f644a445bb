"""Real Janus media nodes for tests and benchmarks, each in a network namespace of its own.

Janus never gathers ICE candidates on loopback and aiortc never offers 127.0.0.1, so media needs real interfaces:
every node gets a named namespace reached over a veth pair (host side ``10.A.B.1``, node side ``10.A.B.2``), the
shape of a media node on another host. Killing a node's Janus is a node crash. Names and subnets derive from the
pid so that two runs at once cannot collide; everything is torn down again, also when a test fails.
Needs root or CAP_NET_ADMIN; without it the fleet raises JanusNodeError saying so (tests fail, never skip).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import re
import secrets
import signal
import subprocess
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from confer.core.media.janus_config import JanusNodeConfig, render_config

JANUS = "/usr/bin/janus"
MAX_NODES = 16
START_SECONDS = 10.0


class JanusNodeError(RuntimeError):
    """The test kit could not build or run a node (no privileges, Janus missing or dying at start)."""


@dataclass(frozen=True)
class FleetSecrets:
    """Secrets shared by every node of a fleet, as one Confer deployment would configure them."""

    admin_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    token_auth_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    videoroom_admin_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    events_url: str | None = None
    events_secret: str | None = None


def subnet_prefix(index: int, pid: int | None = None) -> str:
    """``10.A.B`` for node ``index`` of the run with ``pid``: 4096 runs x 16 nodes without overlap."""
    if not 1 <= index <= MAX_NODES:
        raise ValueError(f"node index must be 1..{MAX_NODES}")
    number = ((os.getpid() if pid is None else pid) % 4096) * MAX_NODES + (index - 1)
    return f"10.{number >> 8}.{number & 0xFF}"


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise JanusNodeError(f"`ip {' '.join(args)}` failed: {result.stderr.strip()}")


def _ip_quietly(*args: str) -> None:
    subprocess.run(["ip", *args], capture_output=True, check=False)


class JanusNode:
    """One Janus in namespace ``namespace``; clients reach it at ``ws_url`` and its Admin API at ``admin_url``."""

    def __init__(self, index: int, fleet_secrets: FleetSecrets, work_dir: Path) -> None:
        tag = f"{os.getpid()}n{index}"
        prefix = subnet_prefix(index)
        self.index = index
        self.namespace = f"cfjanus{tag}"
        self.host_link = f"cfh{tag}"
        self.node_link = f"cfn{tag}"
        self.host_ip = f"{prefix}.1"
        self.node_ip = f"{prefix}.2"
        self.config = JanusNodeConfig(
            node_id=f"test-node-{index}",
            admin_secret=fleet_secrets.admin_secret,
            token_auth_secret=fleet_secrets.token_auth_secret,
            videoroom_admin_key=fleet_secrets.videoroom_admin_key,
            client_ip=self.node_ip,
            admin_ip=self.node_ip,
            ice_enforce_list=self.node_link,
            rtp_port_range="20000-20999",
            events_url=fleet_secrets.events_url,
            events_secret=fleet_secrets.events_secret,
        )
        self.ws_url = f"ws://{self.node_ip}:{self.config.client_port}"
        self.admin_url = f"http://{self.node_ip}:{self.config.admin_port}/admin"
        self.config_dir = work_dir / f"node{index}"
        self.log_path = work_dir / f"janus-node{index}.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._network_up = False

    def __repr__(self) -> str:
        return f"JanusNode({self.index}, ws={self.ws_url}, namespace={self.namespace})"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    async def start(self) -> None:
        """Build the namespace once, render the config, start Janus and wait until its WebSocket port accepts."""
        if not self._network_up:
            self._create_network()
        render_config(self.config, self.config_dir)
        command = [JANUS, "-F", str(self.config_dir), "-C", str(self.config_dir / "janus.jcfg")]
        command += ["-L", str(self.log_path), "-N", "-o"]
        # Popen, not asyncio's subprocesses: kill() and cleanup() must work without a running loop (finally blocks).
        self._process = subprocess.Popen(  # noqa: ASYNC220
            ["ip", "netns", "exec", self.namespace, *command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        await self._wait_until_accepting()

    def kill(self) -> None:
        """SIGKILL Janus: a crash, with no goodbye to anyone."""
        if self.running:
            assert self._process is not None
            self._process.send_signal(signal.SIGKILL)
            self._process.wait()

    async def stop(self) -> None:
        """Stop Janus gracefully (SIGTERM), killing it if it lingers."""
        if not self.running:
            return
        assert self._process is not None
        self._process.terminate()
        for _ in range(50):
            if self._process.poll() is not None:
                return
            await asyncio.sleep(0.1)
        self.kill()

    def cleanup(self) -> None:
        """Kill Janus and delete the veth pair and the namespace; safe to call more than once."""
        self.kill()
        if self._network_up:
            _ip_quietly("link", "del", self.host_link)
            _ip_quietly("netns", "del", self.namespace)
            self._network_up = False

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _create_network(self) -> None:
        result = subprocess.run(["ip", "netns", "add", self.namespace], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise JanusNodeError(
                f"cannot create network namespace {self.namespace}: {result.stderr.strip() or 'ip netns add failed'}. "
                "Real Janus nodes need root or CAP_NET_ADMIN (run the media tests as root, as CI does)."
            )
        self._network_up = True
        netns = ("netns", "exec", self.namespace, "ip")
        _ip("link", "add", self.host_link, "type", "veth", "peer", "name", self.node_link)
        _ip("link", "set", self.node_link, "netns", self.namespace)
        _ip("addr", "add", f"{self.host_ip}/24", "dev", self.host_link)
        _ip("link", "set", self.host_link, "up")
        _ip(*netns, "addr", "add", f"{self.node_ip}/24", "dev", self.node_link)
        _ip(*netns, "link", "set", self.node_link, "up")
        _ip(*netns, "link", "set", "lo", "up")
        # Replies to a client bound to another node's host address leave through this node's own link.
        _ip(*netns, "route", "add", "default", "via", self.host_ip)

    async def _wait_until_accepting(self) -> None:
        deadline = asyncio.get_running_loop().time() + START_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            if not self.running:
                raise JanusNodeError(f"Janus on node {self.index} exited at start:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection(self.node_ip, self.config.client_port)
                writer.close()
                await writer.wait_closed()
                return
            await asyncio.sleep(0.05)
        raise JanusNodeError(f"Janus on node {self.index} did not accept connections:\n{self.log_tail()}")


class JanusFleet:
    """N nodes sharing one deployment's secrets; ``fleet[1]`` is the first node."""

    def __init__(self, nodes: list[JanusNode], fleet_secrets: FleetSecrets) -> None:
        self.nodes = nodes
        self.secrets = fleet_secrets

    def __getitem__(self, index: int) -> JanusNode:
        return self.nodes[index - 1]

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def host_ips(self) -> list[str]:
        return [node.host_ip for node in self.nodes]

    def cleanup(self) -> None:
        for node in self.nodes:
            node.cleanup()


@contextlib.asynccontextmanager
async def janus_fleet(
    count: int,
    *,
    events_url: str | None = None,
    events_secret: str | None = None,
    fleet_secrets: FleetSecrets | None = None,
    first_index: int = 1,
) -> AsyncIterator[JanusFleet]:
    """Start ``count`` nodes (indices ``first_index``...) and always remove them, their links and namespaces.

    ``fleet_secrets`` defaults to fresh random ones; ``events_url``/``events_secret``, when given, override its."""
    _require_janus()
    reap_stale_nodes()
    fleet_secrets = fleet_secrets or FleetSecrets()
    if events_url is not None:
        fleet_secrets = dataclasses.replace(fleet_secrets, events_url=events_url, events_secret=events_secret)
    with tempfile.TemporaryDirectory(prefix="confer-janus-") as work_dir:
        indices = range(first_index, first_index + count)
        fleet = JanusFleet([JanusNode(i, fleet_secrets, Path(work_dir)) for i in indices], fleet_secrets)
        try:
            for node in fleet.nodes:
                await node.start()
            yield fleet
        finally:
            fleet.cleanup()


def reap_stale_nodes() -> list[str]:
    """Remove the namespaces, links and Janus processes left by runs that died without cleaning up (SIGKILL,
    SIGTERM); only names of this kit whose run's pid is gone are touched. Returns the namespaces removed."""
    listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    reaped = []
    for match in re.finditer(r"^cfjanus(\d+)n(\d+)\b", listing, re.MULTILINE):
        if _alive(int(match[1])):
            continue
        namespace = match[0]
        pids = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True, check=False).stdout
        for pid in pids.split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        _ip_quietly("link", "del", f"cfh{match[1]}n{match[2]}")
        _ip_quietly("netns", "del", namespace)
        reaped.append(namespace)
    return reaped


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _require_janus() -> None:
    if not Path(JANUS).exists():
        raise JanusNodeError(f"{JANUS} not found: install Debian's janus package (apt-get install janus)")
