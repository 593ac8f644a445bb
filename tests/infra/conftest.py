"""Fixtures of the deploy checks: the tools (failing loudly when scripts/deploy-tools has not run) and the chart
rendered once per values set."""

from __future__ import annotations

import pytest

from tests.infra.tools import VALUE_SETS, Helm, Manifest, ToolMissing, Tools, documents


@pytest.fixture(scope="session")
def tools() -> Tools:
    try:
        return Tools.installed()
    except ToolMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def helm(tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> Helm:
    return Helm(tools.helm, tmp_path_factory.mktemp("helm-home"))


@pytest.fixture(scope="session")
def rendered(helm: Helm) -> dict[str, str]:
    """The chart's manifests (YAML text) for each values set."""
    return {name: helm.render(*files) for name, files in VALUE_SETS.items()}


@pytest.fixture(scope="session")
def default(rendered: dict[str, str]) -> list[Manifest]:
    return documents(rendered["default"])


@pytest.fixture(scope="session")
def production(rendered: dict[str, str]) -> list[Manifest]:
    return documents(rendered["production"])


@pytest.fixture(scope="session")
def media_only(rendered: dict[str, str]) -> list[Manifest]:
    return documents(rendered["media-only"])
