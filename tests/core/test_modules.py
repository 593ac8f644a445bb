"""The module system: a module from outside the package plugs in through its entry point (routes, tables,
migrations, settings section), and start-up refuses a module set that cannot work, with one clear message."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from confer.core.modules import ModuleError, resolve_modules

THIRD_PARTY = Path(__file__).parent / "third_party"


@pytest.fixture
def plugin_path(tmp_path: Path) -> str:
    """Install the notes module the way pip would: a dist-info with an entry point in group confer.modules."""
    dist_info = tmp_path / "site" / "confer_notes-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: confer-notes\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[confer.modules]\nnotes = confer_notes:module\n")
    return os.pathsep.join([str(tmp_path / "site"), str(THIRD_PARTY)])


def _confer_env(base: dict[str, str], **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFER_")}
    return {**env, **base, **overrides}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_third_party_module_found_by_entry_point_serves_routes_on_its_own_tables(
    plugin_path: str, empty_database_url: str, test_environ: dict[str, str], tmp_path: Path
) -> None:
    port = _free_port()
    env = _confer_env(
        test_environ,
        CONFER_DATABASE_URL=empty_database_url,
        CONFER_MODULES="accounts,notes",
        CONFER_NOTES_GREETING="bonjour",
        CONFER_PORT=str(port),
        CONFER_DATA_DIR=str(tmp_path),
        CONFER_REDIS_NAMESPACE=f"plugin{secrets.token_hex(3)}",
        PYTHONPATH=plugin_path,
    )
    log = (tmp_path / "confer-dev.log").open("wb")
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "confer.cli", "dev", env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            await _wait_until_up(client, server, tmp_path / "confer-dev.log")
            await client.post(
                "/api/v1/auth/register",
                json={
                    "email": "writer@example.org",
                    "password": "a long and unusual passphrase",
                    "name": "W",
                    "timezone": "UTC",
                },
            )
            login = await client.post(
                "/api/v1/auth/login", json={"email": "writer@example.org", "password": "a long and unusual passphrase"}
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            added = await client.post("/api/v1/notes", json={"text": "first note"}, headers=headers)
            assert added.status_code == 201, added.text
            assert added.json() == {"text": "first note", "greeting": "bonjour"}
            assert (await client.get("/api/v1/notes", headers=headers)).json() == ["first note"]
            paths = (await client.get("/api/docs/openapi.json")).json()["paths"]
            assert "/api/v1/notes" in paths
    finally:
        server.terminate()
        await server.wait()
        log.close()
    rows = await _query(empty_database_url, "SELECT app_name FROM migration ORDER BY id")
    applied = [r["app_name"] for r in rows]
    # every migration of the core, then of accounts (the module notes requires), then the notes' own: nothing else
    assert applied == ["core"] * _migrations_of("core") + ["accounts"] * _migrations_of("modules/accounts") + ["notes"]


def _migrations_of(package: str) -> int:
    folder = Path(__file__).resolve().parents[2] / "platform/confer" / package / "piccolo_migrations"
    return len([f for f in folder.glob("*.py") if f.name != "__init__.py"])


async def _wait_until_up(client: httpx.AsyncClient, server: asyncio.subprocess.Process, log: Path) -> None:
    for _ in range(300):
        if server.returncode is not None:
            raise AssertionError(f"confer dev exited: {log.read_text()}")
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("confer dev did not come up within 30 s")


async def _query(url: str, sql: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(sql)
    finally:
        await connection.close()


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        ("notes", "module 'notes' requires 'accounts', which is not enabled"),
        ("accounts,nope", "CONFER_MODULES names 'nope', which is neither built in nor installed"),
    ],
)
def test_start_up_refuses_a_module_set_that_cannot_work(
    plugin_path: str, test_environ: dict[str, str], modules: str, message: str
) -> None:
    env = _confer_env(test_environ, CONFER_MODULES=modules, PYTHONPATH=plugin_path)
    result = subprocess.run(
        [sys.executable, "-m", "confer.cli", "serve"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_wrong_module_setting_is_reported_like_a_core_one(plugin_path: str, test_environ: dict[str, str]) -> None:
    env = _confer_env(
        test_environ, CONFER_MODULES="accounts,notes", CONFER_NOTES_MAX_NOTES="lots", PYTHONPATH=plugin_path
    )
    result = subprocess.run(
        [sys.executable, "-m", "confer.cli", "check"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "CONFER_NOTES_MAX_NOTES: Expected `int`, got `str`" in result.stderr


def test_built_in_modules_resolve_in_dependency_order() -> None:
    assert [m.name for m in resolve_modules(None)] == [
        "accounts",
        "professionals",
        "calendar",
        "booking",
        "classes",
        "search",
        "video",
        "chat",
        "notifications",
        "payments",
        "reviews",
    ]
    assert [m.name for m in resolve_modules(["booking", "calendar", "professionals", "accounts"])] == [
        "accounts",
        "professionals",
        "calendar",
        "booking",
    ]
    with pytest.raises(ModuleError, match="neither built in nor installed"):
        resolve_modules(["accounts", "missing"])
