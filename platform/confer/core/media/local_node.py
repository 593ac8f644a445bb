"""A media node on this machine for ``confer dev``: Debian's Janus started from ``media/janus-config/`` with its
agent, when ``janus`` is installed and no media fleet is configured (DESIGN §9).

Its secrets are made once and kept under the data folder (mode 0600), so a restart keeps them; everything listens
on 127.0.0.1 only. Janus never offers loopback ICE candidates, so a browser on the same machine reaches it over the
machine's own network address, as it would a media node elsewhere. Janus and the agent are child processes that
stop with ``confer dev`` however it ends (``core.processes``).
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from confer.core.media.janus_config import JanusNodeConfig, render_config
from confer.core.processes import start_child, stop_child

NODE_ID = "local"
START_SECONDS = 10.0


@dataclass
class LocalMediaNode:
    janus: subprocess.Popen[bytes]
    agent: subprocess.Popen[bytes]
    ws_url: str
    log_path: Path

    def cleanup(self) -> None:
        for process in (self.agent, self.janus):
            stop_child(process)


def janus_installed() -> bool:
    return shutil.which("janus") is not None


def start_local_node(data_dir: Path, environ: dict[str, str], api_port: int) -> LocalMediaNode:
    """Start Janus and its agent; sets the ``CONFER_VIDEO_*`` secrets in ``environ`` for the app to use."""
    folder = data_dir / "janus"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    kept = _secrets(folder / "secrets.json")
    config = JanusNodeConfig(
        node_id=NODE_ID,
        admin_secret=kept["admin_secret"],
        token_auth_secret=kept["token_auth_secret"],
        videoroom_admin_key=kept["videoroom_admin_key"],
        client_ip="127.0.0.1",
        client_port=_free_port(),
        admin_ip="127.0.0.1",
        admin_port=_free_port(),
        rtp_port_range="20000-20999",
        events_url=f"http://127.0.0.1:{api_port}/internal/media/events",
        events_secret=kept["events_secret"],
        debug_level=3,
    )
    render_config(config, folder / "config")
    log_path = folder / "janus.log"
    janus = start_child(
        [
            shutil.which("janus") or "janus",
            "-F",
            str(folder / "config"),
            "-C",
            str(folder / "config" / "janus.jcfg"),
            "-L",
            str(log_path),
            "-N",
        ]
    )
    _wait_for_port(janus, config.client_port, log_path)
    ws_url = f"ws://127.0.0.1:{config.client_port}"
    environ.setdefault("CONFER_VIDEO_JANUS_TOKEN_SECRET", config.token_auth_secret)
    environ.setdefault("CONFER_VIDEO_VIDEOROOM_ADMIN_KEY", config.videoroom_admin_key)
    environ.setdefault("CONFER_VIDEO_EVENTS_SECRET", kept["events_secret"])
    agent_environ = {
        **environ,
        "CONFER_AGENT_NODE_ID": NODE_ID,
        "CONFER_AGENT_PUBLIC_WS_URL": ws_url,
        "CONFER_AGENT_CONTROL_URL": ws_url,
        "CONFER_AGENT_ADMIN_URL": f"http://127.0.0.1:{config.admin_port}/admin",
        "CONFER_AGENT_ADMIN_SECRET": config.admin_secret,
        "CONFER_AGENT_CAPACITY": "50",
    }
    agent = start_child(
        [sys.executable, "-c", "from confer.cli import main; raise SystemExit(main(['media', 'agent']))"],
        env=agent_environ,
        quiet=False,
    )
    return LocalMediaNode(janus, agent, ws_url, log_path)


def _secrets(path: Path) -> dict[str, str]:
    names = ("admin_secret", "token_auth_secret", "videoroom_admin_key", "events_secret")
    if path.exists():
        kept: dict[str, str] = json.loads(path.read_text())
        if all(name in kept for name in names):
            return kept
    made = {name: secrets.token_urlsafe(24) for name in names}
    path.touch(mode=0o600)
    path.write_text(json.dumps(made))
    return made


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Janus exited at start; see {log_path}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    stop_child(process)
    raise RuntimeError(f"Janus did not start within {START_SECONDS:.0f} s; see {log_path}")
