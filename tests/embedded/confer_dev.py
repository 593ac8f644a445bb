"""`confer dev` as a newcomer runs it: a subprocess with no CONFER_DATABASE_URL / CONFER_REDIS_URL, so it starts its own
embedded PostgreSQL and Valkey (and Janus with its agent where Janus is installed), reached over real HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

START_SECONDS = 180.0
STOP_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def dev_environ(data_dir: Path, **settings: str) -> dict[str, str]:
    """This machine's environment without any CONFER_ setting but the data directory and ``settings``."""
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("CONFER_")},
        "PYTHONUNBUFFERED": "1",
        "CONFER_DATA_DIR": str(data_dir),
        **settings,
    }


def run_confer_dev(port: int, env: dict[str, str], *, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``confer dev`` to its end (for the cases where it must refuse to start); ``prelude``: Python run first."""
    code = f"{prelude}\nfrom confer.cli import main\nraise SystemExit(main(['dev', '--port', '{port}']))"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=START_SECONDS, check=False
    )


@dataclass
class ConferDev:
    process: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    console: Path

    @classmethod
    def start(cls, data_dir: Path, **settings: str) -> ConferDev:
        """Start it and return once it serves; its console (stdout and stderr) goes to a file beside the data."""
        port = free_port()
        data_dir.mkdir(parents=True, exist_ok=True)
        console = data_dir.parent / f"{data_dir.name}-console.txt"
        with console.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "confer.cli", "dev", "--port", str(port)],
                env=dev_environ(data_dir, **settings),
                cwd=data_dir,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        dev = cls(process, f"http://127.0.0.1:{port}", data_dir, console)
        dev._wait_until_it_serves()
        return dev

    def _wait_until_it_serves(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"confer dev exited with {self.process.returncode}:\n{self.output()}")
            try:
                # The port listens from the start; a request waits in its backlog until the app serves.
                if httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop(signal.SIGKILL)
        raise RuntimeError(f"confer dev did not serve within {START_SECONDS:.0f} s:\n{self.output()}")

    def output(self) -> str:
        return self.console.read_text(errors="replace")

    def wait_for_output(self, pattern: str, seconds: float = 30.0) -> re.Match[str]:
        """The first match of ``pattern`` in the console, once it is there."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output())
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no {pattern!r} in the console of confer dev within {seconds:.0f} s:\n{self.output()}")

    def started(self) -> list[psutil.Process]:
        """Every process it started and that runs now: its descendants, and the servers that work in its data
        directory (PostgreSQL detaches from its starter)."""
        found = {child.pid: child for child in psutil.Process(self.process.pid).children(recursive=True)}
        for process in working_in(self.data_dir):
            if process.pid != self.process.pid:
                found.setdefault(process.pid, process)
        return list(found.values())

    def stop(self, signum: signal.Signals) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(STOP_SECONDS)


def working_in(data_dir: Path) -> list[psutil.Process]:
    """The processes whose command line names ``data_dir`` (or a path in it)."""
    return [
        process
        for process in psutil.process_iter(["cmdline"])
        if str(data_dir) in " ".join(process.info["cmdline"] or ())
    ]


def still_running(processes: list[psutil.Process], seconds: float = 30.0) -> list[psutil.Process]:
    """Those of ``processes`` that are still alive after at most ``seconds`` (an exited one that its new parent has
    not reaped yet counts as gone)."""
    deadline = time.monotonic() + seconds
    alive = processes
    while alive and time.monotonic() < deadline:
        alive = [process for process in alive if _alive(process)]
        if alive:
            time.sleep(0.1)
    return alive


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
