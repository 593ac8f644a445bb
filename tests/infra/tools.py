"""The offline deploy checkers (installed by scripts/deploy-tools into .cache/deploy-tools) and how tests call them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "infra" / "helm" / "confer"
TERRAFORM = REPO / "infra" / "terraform"
CHECKOV_CONFIG = REPO / "infra" / "checkov.yaml"
TOOLS = REPO / ".cache" / "deploy-tools"
KUBERNETES_VERSION = "1.30.0"
RELEASE = "confer"
NAMESPACE = "confer"

# The values the chart is rendered with: its defaults, a production-shaped release, media nodes alone.
VALUE_SETS: dict[str, tuple[Path, ...]] = {
    "default": (),
    "production": (CHART / "ci" / "production-values.yaml",),
    "media-only": (CHART / "ci" / "media-only-values.yaml",),
}

Manifest = dict[str, Any]


class ToolMissing(Exception):
    pass


@dataclass(frozen=True)
class Tools:
    helm: Path
    checkov: Path
    kubernetes_validate: Path

    @classmethod
    def installed(cls) -> Tools:
        tools = cls(
            helm=TOOLS / "bin" / "helm",
            checkov=TOOLS / "venv" / "bin" / "checkov",
            kubernetes_validate=TOOLS / "venv" / "bin" / "kubernetes-validate",
        )
        missing = [str(path) for path in (tools.helm, tools.checkov, tools.kubernetes_validate) if not path.exists()]
        if missing:
            raise ToolMissing(f"missing {', '.join(missing)}: run scripts/deploy-tools (it fetches them, once)")
        return tools


def run(command: Sequence[str | Path], *, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


class Helm:
    """The helm binary with its cache, config and data directories in a private temporary folder (no network use)."""

    def __init__(self, binary: Path, home: Path) -> None:
        self._binary = binary
        self._env = {name: str(home) for name in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME")}

    def __call__(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return run([self._binary, *args], env=self._env)

    def template(self, *values_files: Path, extra: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
        files = [part for path in values_files for part in ("-f", str(path))]
        return self("template", RELEASE, CHART, "--namespace", NAMESPACE, *files, *extra)

    def render(self, *values_files: Path, extra: Sequence[str] = ()) -> str:
        result = self.template(*values_files, extra=extra)
        assert result.returncode == 0, result.stderr
        return result.stdout


def documents(text: str) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(text) if isinstance(doc, dict)]


def find(manifests: Sequence[Manifest], kind: str, name: str) -> Manifest:
    found = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_spec(workload: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def container(workload: Manifest, name: str) -> dict[str, Any]:
    spec = pod_spec(workload)
    found: list[dict[str, Any]] = [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == name]
    assert len(found) == 1, f"no container {name} in {workload['metadata']['name']}"
    return found[0]
