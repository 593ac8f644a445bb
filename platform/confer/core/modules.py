"""The module contract (DESIGN §2): what a module declares, how enabled modules are found, checked and plugged in.

A module is a package exposing ``module: Module``. Built-in modules live under ``confer.modules``; third-party ones
are found through the entry-point group ``confer.modules``. ``CONFER_MODULES`` chooses which are enabled (default:
every built-in one); start-up refuses, with one clear message, a name nobody provides or a requirement not enabled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.config.app import AppConfig
from litestar.plugins import InitPluginProtocol
from litestar.types import ControllerRouterHandler

if TYPE_CHECKING:
    from uuid import UUID

    from confer.core.events import AfterCommit, EventEnvelope
    from confer.core.runtime import Runtime

ENTRY_POINT_GROUP = "confer.modules"
BUILTIN_MODULES: tuple[str, ...] = (
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
)

Subscriber = Callable[["Runtime", "EventEnvelope"], Awaitable["AfterCommit | None"]]
"""Runs inside its delivery's transaction; what must wait for the commit (mail, push, HTTP) it returns as an
:data:`~confer.core.events.AfterCommit`."""
JobFunction = Callable[..., Awaitable[Any]]
DemoSeeder = Callable[["Runtime"], Awaitable[list[str]]]
ChannelsOf = Callable[["Runtime", "UUID"], Awaitable[list[str]]]


@dataclass(frozen=True)
class Schedule:
    """A job the worker runs on a cron schedule (UTC), e.g. ``* * * * *`` for every minute. ``timeout`` is how long
    one run may take before the worker gives up on it (saq's own default, 10 s, is too short for most sweeps)."""

    cron: str
    job: JobFunction
    timeout: timedelta = timedelta(minutes=2)


@dataclass(frozen=True)
class Module:
    """What a module brings to the app. Everything is optional except its name."""

    name: str
    requires: tuple[str, ...] = ()
    route_handlers: Sequence[ControllerRouterHandler] = ()
    piccolo_app: str | None = None
    """Import path of the module's ``piccolo_app`` (its ``APP_CONFIG``: tables and migrations)."""
    subscribers: Mapping[str, Sequence[Subscriber]] = field(default_factory=dict)
    """Event topic -> handlers run by the worker for each event of that topic (DESIGN §7)."""
    jobs: Sequence[JobFunction] = ()
    schedules: Sequence[Schedule] = ()
    settings: type[msgspec.Struct] | None = None
    """Its settings section, read from ``CONFER_<NAME>_*``."""
    channels_of: ChannelsOf | None = None
    """The real-time channels (``booking:<id>``, ``class:<id>``) a person follows because of this module."""
    seed_demo: DemoSeeder | None = None
    """Adds the module's demo data if missing (``confer seed-demo``); returns lines telling what exists."""


class ModuleError(Exception):
    """The set of enabled modules cannot start; the message says why and what to change."""


class ModulePlugin(InitPluginProtocol):
    """Turns one module into a Litestar plugin: the app factory never names a module."""

    def __init__(self, module: Module) -> None:
        self.module = module

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.extend(self.module.route_handlers)
        return app_config


def available_modules() -> dict[str, str]:
    """Every module that could be enabled: name -> where it comes from (for messages)."""
    found = {name: f"confer.modules.{name}" for name in BUILTIN_MODULES}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def load_module(name: str) -> Module:
    if name in BUILTIN_MODULES:
        value = import_module(f"confer.modules.{name}").module
    else:
        candidates = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not candidates:
            known = ", ".join(sorted(available_modules())) or "none"
            raise ModuleError(
                f"CONFER_MODULES names '{name}', which is neither built in nor installed "
                f"(no entry point '{name}' in group '{ENTRY_POINT_GROUP}'); available: {known}"
            )
        value = candidates[0].load()
    if not isinstance(value, Module) or value.name != name:
        raise ModuleError(f"module '{name}' does not expose `module = Module(name='{name}', ...)`")
    return value


def resolve_modules(enabled: Sequence[str] | None) -> list[Module]:
    """Load the enabled modules and order them so that each comes after what it requires."""
    names = list(dict.fromkeys(enabled if enabled is not None else BUILTIN_MODULES))
    modules = {name: load_module(name) for name in names}
    for module in modules.values():
        missing = [r for r in module.requires if r not in modules]
        if missing:
            raise ModuleError(
                f"module '{module.name}' requires {', '.join(repr(m) for m in missing)}, which "
                f"{'is' if len(missing) == 1 else 'are'} not enabled; add it to CONFER_MODULES "
                f"(now: {','.join(names)}) or disable '{module.name}'"
            )
    return _in_dependency_order(modules)


def _in_dependency_order(modules: Mapping[str, Module]) -> list[Module]:
    ordered: list[Module] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if any(m.name == name for m in ordered):
            return
        if name in visiting:
            raise ModuleError(f"modules require each other in a cycle through '{name}'")
        visiting.add(name)
        for required in modules[name].requires:
            visit(required)
        visiting.discard(name)
        ordered.append(modules[name])

    for name in modules:
        visit(name)
    return ordered
