"""The two images, read with dockerfile-parse (there is no Docker engine to build them here): pinned bases, an
unprivileged user, a health check, no secrets, and the web client where Confer looks for it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from dockerfile_parse import DockerfileParser  # type: ignore[import-untyped]

from tests.infra.tools import REPO

IMAGES = {"platform": REPO / "Dockerfile", "media": REPO / "media" / "Dockerfile"}
PINNED = re.compile(r"^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$|^debian:[a-z]+-\d{8}(-slim)?$")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|PRIVATE|API_KEY|_KEY\b")
SECRET_LITERAL = re.compile(r"AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|\b(sk|rk)_live_|\bwhsec_")

Instruction = dict[str, Any]


def final_stage(path: Path) -> list[Instruction]:
    structure: list[Instruction] = DockerfileParser(path=str(path)).structure
    last_from = max(i for i, item in enumerate(structure) if item["instruction"] == "FROM")
    return structure[last_from:]


def instructions(path: Path, kind: str) -> list[str]:
    return [item["value"] for item in DockerfileParser(path=str(path)).structure if item["instruction"] == kind]


@pytest.mark.parametrize("image", IMAGES)
def test_base_images_are_pinned(image: str) -> None:
    parents = DockerfileParser(path=str(IMAGES[image])).parent_images
    assert parents
    assert all(PINNED.match(parent) for parent in parents), parents


@pytest.mark.parametrize("image", IMAGES)
def test_it_runs_as_an_unprivileged_user(image: str) -> None:
    users = [item["value"] for item in final_stage(IMAGES[image]) if item["instruction"] == "USER"]
    assert users, "no USER: the image would run as root"
    uid, _, gid = users[-1].partition(":")
    # Numeric, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
    assert uid.isdigit()
    assert int(uid) >= 10000
    assert gid.isdigit()


@pytest.mark.parametrize("image", IMAGES)
def test_it_has_a_health_check(image: str) -> None:
    checks = [item["value"] for item in final_stage(IMAGES[image]) if item["instruction"] == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "CMD" in checks[0]


@pytest.mark.parametrize("image", IMAGES)
def test_it_holds_no_secrets(image: str) -> None:
    structure = DockerfileParser(path=str(IMAGES[image])).structure
    for item in structure:
        if item["instruction"] in ("ENV", "ARG"):
            names = re.findall(r"(\w+)=", item["value"])
            assert not [name for name in names if SECRET_NAME.search(name)], item["value"]
        assert not SECRET_LITERAL.search(item["value"]), item["value"]
        if item["instruction"] in ("COPY", "ADD"):
            assert ".env" not in item["value"].split(), item["value"]


def test_the_platform_image_builds_the_web_client_and_serves_it_from_where_confer_looks() -> None:
    runs = instructions(IMAGES["platform"], "RUN")
    assert any(r.startswith("npm ci") for r in runs)
    assert "npm run build" in runs
    copies = [c for c in instructions(IMAGES["platform"], "COPY") if c.startswith("--from=web")]
    assert copies == ["--from=web /src/web/dist /opt/confer/web"]
    environment = " ".join(item["value"] for item in final_stage(IMAGES["platform"]) if item["instruction"] == "ENV")
    assert "CONFER_WEB_DIST=/opt/confer/web" in environment


def test_one_platform_image_runs_every_role_by_command() -> None:
    stage = final_stage(IMAGES["platform"])
    (entrypoint,) = [json.loads(item["value"]) for item in stage if item["instruction"] == "ENTRYPOINT"]
    assert entrypoint == ["confer"]
    environment = " ".join(item["value"] for item in stage if item["instruction"] == "ENV")
    # A read-only root filesystem: no bytecode written at run time, data under the writable /tmp.
    assert "PYTHONDONTWRITEBYTECODE=1" in environment
    assert "CONFER_DATA_DIR=/tmp/" in environment


def test_the_media_image_runs_janus_through_the_entrypoint() -> None:
    runs = " ".join(instructions(IMAGES["media"], "RUN"))
    assert "install -y --no-install-recommends janus" in runs
    (entrypoint,) = instructions(IMAGES["media"], "ENTRYPOINT")
    assert json.loads(entrypoint) == ["/usr/local/bin/confer-media-entrypoint"]
    assert "CONFER_MEDIA_PUBLIC_IP_FILE" in (REPO / "media" / "entrypoint.sh").read_text()


def test_the_build_context_is_an_allow_list() -> None:
    patterns = [line for line in (REPO / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert patterns[0] == "*", "everything is left out unless named"
    assert {"web/node_modules", "web/dist"} <= set(patterns)
