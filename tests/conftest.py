"""Test fixtures on real components (DESIGN §10).

PostgreSQL and Redis: the local servers at 127.0.0.1 if they answer, else `confer dev`'s embedded ones (pgserver,
Valkey 8).
Each run gets a fresh database built with the real migrations; each test starts from empty tables. The app runs
under uvicorn on a loopback port with its job worker in-process, and mail goes to a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import redis.asyncio

from confer.app import create_app
from confer.core import db
from confer.core.auth import generate_pem
from confer.core.clock import OffsetClock
from confer.core.embedded import EmbeddedServices, start_postgres, start_redis
from confer.core.runtime import Runtime
from confer.settings import Settings, load_settings
from tests.support import Mailbox, serving, start_smtp_server

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def _reachable(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


@pytest.fixture(scope="session")
def embedded_services() -> Iterator[tuple[EmbeddedServices, Path]]:
    services = EmbeddedServices()
    with tempfile.TemporaryDirectory(prefix="confer-test-") as data_dir:
        yield services, Path(data_dir)
        services.stop()


@pytest.fixture(scope="session")
async def database_url(embedded_services: tuple[EmbeddedServices, Path]) -> AsyncIterator[str]:
    """A fresh, empty database for this run."""
    if not _reachable(5432):
        services, data_dir = embedded_services
        yield start_postgres(data_dir, services)
        return
    name = f"confer_test_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(LOCAL_POSTGRES)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def empty_database_url(database_url: str) -> AsyncIterator[str]:
    """Another empty database on the test server, for tests that build their own schema or run the CLI."""
    name = f"confer_cli_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(urlunsplit(urlsplit(database_url)._replace(path="/postgres")))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def redis_url(embedded_services: tuple[EmbeddedServices, Path]) -> str:
    if _reachable(6379):
        return LOCAL_REDIS
    services, data_dir = embedded_services
    return start_redis(data_dir, services)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box, controller = start_smtp_server()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def localstripe_url() -> str:
    """localstripe, a local Stripe API, as the recipe runs it: on 127.0.0.1, its state in memory only."""
    import aiohttp.web
    import localstripe.resources
    from localstripe.server import app

    localstripe.resources.Store.dump_to_disk = lambda self, *args, **kwargs: None  # type: ignore[method-assign]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def serve() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        aiohttp.web.run_app(app, host="127.0.0.1", port=port, print=None, handle_signals=False)

    threading.Thread(target=serve, name="localstripe", daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/v1/customers", auth=("sk_test_x", ""), timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.02)
    return url


@pytest.fixture(scope="session")
def test_environ(
    database_url: str,
    redis_url: str,
    mailbox: Mailbox,
    tmp_path_factory: pytest.TempPathFactory,
    localstripe_url: str,
) -> dict[str, str]:
    """The settings of the app under test, as the environment an operator would give."""
    return {
        "CONFER_ENV": "test",
        "CONFER_DATABASE_URL": database_url,
        "CONFER_REDIS_URL": redis_url,
        "CONFER_REDIS_NAMESPACE": f"test{secrets.token_hex(4)}",
        "CONFER_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "CONFER_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "CONFER_MAIL_FROM": "Confer Tests <tests@confer.test>",
        "CONFER_PUBLIC_URL": "http://confer.test",
        "CONFER_JWT_SIGNING_KEY": generate_pem().decode(),
        "CONFER_JWT_SIGNING_KID": "test-1",
        "CONFER_OUTBOX_POLL_SECONDS": "0.05",
        "CONFER_RATE_LIMIT_PER_MINUTE": "100000",
        "CONFER_MAX_REQUEST_BYTES": "65536",
        # Cheaper argon2id than production so the suite stays quick; the algorithm and code path are the same.
        "CONFER_PASSWORD_HASH_MEMORY_KIB": "8192",
        "CONFER_PASSWORD_HASH_TIME_COST": "1",
        "CONFER_LOG_LEVEL": "WARNING",
        # The external calendars the tests serve live on loopback; production refuses private addresses.
        "CONFER_CALENDAR_ALLOW_PRIVATE_URLS": "true",
        "CONFER_CALENDAR_FETCH_TIMEOUT_SECONDS": "1",
        "CONFER_LOG_JSON": "true",
        # Video: the secrets the test media nodes are started with (tests/media), and a TURN service's.
        "CONFER_VIDEO_JANUS_TOKEN_SECRET": secrets.token_urlsafe(24),
        "CONFER_VIDEO_VIDEOROOM_ADMIN_KEY": secrets.token_urlsafe(24),
        "CONFER_VIDEO_EVENTS_SECRET": secrets.token_urlsafe(24),
        "CONFER_VIDEO_TURN_SECRET": secrets.token_urlsafe(24),
        "CONFER_VIDEO_TURN_URLS": "turn:turn.confer.test:3478?transport=udp,turns:turn.confer.test:5349",
        "CONFER_VIDEO_STUN_URLS": "stun:turn.confer.test:3478",
        "CONFER_VIDEO_NODE_TTL_SECONDS": "2",
        # Payments: test keys against localstripe (paid bookings get their PaymentIntent there as they are held)
        "CONFER_PAYMENTS_STRIPE_SECRET_KEY": "sk_test_confer",
        "CONFER_PAYMENTS_STRIPE_PUBLISHABLE_KEY": "pk_test_confer",
        "CONFER_PAYMENTS_STRIPE_WEBHOOK_SECRET": "whsec_confer_tests_0123456789",
        "CONFER_PAYMENTS_STRIPE_API_BASE": localstripe_url,
    }


@pytest.fixture(scope="session")
def settings(test_environ: dict[str, str]) -> Settings:
    return load_settings(test_environ)


@pytest.fixture(scope="session")
def clock() -> OffsetClock:
    return OffsetClock()


@pytest.fixture(scope="session")
async def runtime(settings: Settings, test_environ: dict[str, str], clock: OffsetClock) -> AsyncIterator[Runtime]:
    runtime = Runtime.build(settings, environ=test_environ, clock=clock)
    await runtime.start()
    await db.migrate(runtime.registry)
    yield runtime
    await runtime.stop()


@pytest.fixture(scope="session")
async def server(settings: Settings, runtime: Runtime) -> AsyncIterator[str]:
    """The app served over real TCP on a loopback port, with its worker running; yields its base URL."""
    async with serving(create_app(settings, runtime=runtime, run_worker_in_process=True)) as base_url:
        yield base_url


@pytest.fixture
async def client(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        yield http


@pytest.fixture(autouse=True)
async def _clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every test that touches the app starts from empty tables, an empty mailbox and no Redis counters."""
    if "runtime" not in request.fixturenames:
        yield
        return
    runtime: Runtime = request.getfixturevalue("runtime")
    mailbox: Mailbox = request.getfixturevalue("mailbox")
    clock: OffsetClock = request.getfixturevalue("clock")
    yield
    clock.reset()
    tables = [t._meta.tablename for app in runtime.registry.app_configs.values() for t in app.table_classes]
    await _truncate(runtime, tables)
    await _delete_namespace(runtime.redis, runtime.settings.redis_namespace)
    runtime.rate_counter.clear()
    mailbox.clear()


async def _truncate(runtime: Runtime, tables: list[str]) -> None:
    """Empty every table. The in-process worker may still be finishing a job of the test that ended, and a TRUNCATE
    waiting on its row locks can be chosen as a deadlock's victim: then it is simply tried again."""
    for attempt in range(5):
        try:
            await runtime.engine.run_ddl(f"TRUNCATE {', '.join(tables)} CASCADE")
            return
        except asyncpg.DeadlockDetectedError:
            if attempt == 4:
                raise
            await asyncio.sleep(0.1)


async def _delete_namespace(client: redis.asyncio.Redis, namespace: str) -> None:
    keys = [key async for key in client.scan_iter(match=f"{namespace}:*", count=500)]
    if keys:
        await client.delete(*keys)
