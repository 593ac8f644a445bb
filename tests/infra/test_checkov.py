"""checkov passes over the chart (as rendered for production) and the Terraform, with only the skips listed, and
justified one by one, in infra/checkov.yaml."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.infra.tools import CHECKOV_CONFIG, TERRAFORM, Tools, run


def test_the_production_release_passes_checkov(tools: Tools, rendered: dict[str, str], tmp_path: Path) -> None:
    manifests = tmp_path / "production.yaml"
    manifests.write_text(rendered["production"])
    report = _checkov(tools, "kubernetes", "-f", manifests)
    assert report["summary"]["passed"] > 0
    assert report["summary"]["parsing_errors"] == 0
    assert _failures(report) == []


def test_the_terraform_passes_checkov(tools: Tools) -> None:
    report = _checkov(tools, "terraform", "-d", TERRAFORM)
    assert report["summary"]["passed"] > 0
    assert report["summary"]["parsing_errors"] == 0
    assert _failures(report) == []


def test_every_skip_says_why() -> None:
    lines = [line.strip() for line in CHECKOV_CONFIG.read_text().splitlines() if line.strip()]
    skips = [i for i, line in enumerate(lines) if line.startswith("- CKV")]
    assert skips
    assert all(lines[i - 1].startswith("#") for i in skips), "a skip without its reason right above it"


def _checkov(tools: Tools, framework: str, *target: str | Path) -> dict[str, Any]:
    options: list[str | Path] = ["--config-file", CHECKOV_CONFIG, "--skip-download", "--output", "json", "--quiet"]
    result = run([tools.checkov, *options, "--framework", framework, *target])
    assert result.stdout.strip(), result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _failures(report: dict[str, Any]) -> list[str]:
    return [f"{f['check_id']} {f['resource']} ({f['file_path']})" for f in report["results"]["failed_checks"]]
