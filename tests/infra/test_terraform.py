"""The Terraform, read with python-hcl2 (terraform init needs the registries, so nothing here runs it): typed and
described variables, pinned versions, no credentials or regions in code, and the parts the deployment relies on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from tests.infra.tools import CHART, TERRAFORM

ROOTS = ("aws", "gcp")
AWS_REGION = re.compile(r"\b(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central)(east|west)?-\d\b")
GCP_REGION = re.compile(r"\b(us|europe|asia|australia|northamerica|southamerica|me|africa)-[a-z]+\d\b")
CREDENTIAL_ATTRIBUTES = {"access_key", "secret_key", "credentials", "token", "password", "auth_token", "client_key"}
OPEN_MAPS = {"nodeSelector", "podAnnotations", "annotations", "labels"}
SECRET_LITERAL = re.compile(r"AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|\b(sk|rk)_live_|\bwhsec_")

Parsed = dict[str, Any]


@pytest.fixture(scope="module")
def configurations() -> dict[Path, list[Parsed]]:
    """Every Terraform folder (the two roots and each module) with its parsed files."""
    found: dict[Path, list[Parsed]] = {}
    for path in sorted(TERRAFORM.rglob("*.tf")):
        with path.open(encoding="utf-8") as file:
            found.setdefault(path.parent, []).append(hcl2.load(file))
    return found


def test_there_are_two_roots_and_their_modules(configurations: dict[Path, list[Parsed]]) -> None:
    folders = {str(path.relative_to(TERRAFORM)) for path in configurations}
    assert {"aws", "gcp", "modules/confer-secrets", "modules/confer-release"} <= folders
    assert {f"modules/{cloud}-{part}" for cloud in ROOTS for part in ("network", "cluster", "data")} <= folders


def test_every_variable_is_typed_and_described(configurations: dict[Path, list[Parsed]]) -> None:
    for folder, files in configurations.items():
        for name, body in _blocks(files, "variable"):
            assert "type" in body, f"{folder.name}: variable {name} has no type"
            assert _text(body.get("description", "")).strip(), f"{folder.name}: variable {name} has no description"


def test_every_output_is_described(configurations: dict[Path, list[Parsed]]) -> None:
    for folder, files in configurations.items():
        for name, body in _blocks(files, "output"):
            assert _text(body.get("description", "")).strip(), f"{folder.name}: output {name} has no description"


def test_terraform_and_every_provider_used_are_pinned(configurations: dict[Path, list[Parsed]]) -> None:
    for folder, files in configurations.items():
        (settings,) = [block for parsed in files for block in parsed.get("terraform", [])]
        assert _text(settings["required_version"]).startswith(">="), folder
        (providers,) = settings["required_providers"]
        declared = {name: spec for name, spec in providers.items() if not name.startswith("__")}
        for name, spec in declared.items():
            assert _text(spec["source"]) == f"hashicorp/{name}", (folder, name)
            assert re.match(r"^~> \d+\.\d+$", _text(spec["version"])), (folder, name, spec["version"])
        used = {kind.split("_")[0] for parsed in files for kind in _kinds(parsed)}
        assert used - {"terraform"} <= declared.keys(), f"{folder.name} uses providers it does not pin"


def test_registry_modules_are_pinned_to_an_exact_version(configurations: dict[Path, list[Parsed]]) -> None:
    registry_modules = 0
    for files in configurations.values():
        for name, body in _blocks(files, "module"):
            if _text(body["source"]).startswith(("./", "../")):
                assert "version" not in body
                continue
            registry_modules += 1
            assert re.match(r"^\d+\.\d+\.\d+$", _text(body.get("version", ""))), f"module {name} is not pinned"
    assert registry_modules == 2  # terraform-aws-modules' vpc and eks


@pytest.mark.parametrize("root", ROOTS)
def test_the_region_is_a_variable_without_default(configurations: dict[Path, list[Parsed]], root: str) -> None:
    files = configurations[TERRAFORM / root]
    (region,) = [body for name, body in _blocks(files, "variable") if name == "region"]
    assert "default" not in region
    (provider,) = [body for name, body in _blocks(files, "provider") if name in ("aws", "google")]
    assert provider["region"] == "${var.region}"


def test_no_region_or_zone_is_hard_coded(configurations: dict[Path, list[Parsed]]) -> None:
    for folder, files in configurations.items():
        for key, value in _values(files):
            if key != "description":
                assert not AWS_REGION.search(value), (folder.name, key, value)
                assert not GCP_REGION.search(value), (folder.name, key, value)


def test_no_credentials_are_written_in_code(configurations: dict[Path, list[Parsed]]) -> None:
    for folder, files in configurations.items():
        for key, value in _values(files):
            assert not SECRET_LITERAL.search(value), (folder.name, key)
            if key in CREDENTIAL_ATTRIBUTES:
                assert value.startswith("${"), f"{folder.name}: {key} is a literal; take it from a variable or resource"


@pytest.mark.parametrize(
    ("root", "store"), [("aws", "aws_secretsmanager_secret_version"), ("gcp", "google_secret_manager_secret_version")]
)
def test_generated_secrets_go_to_the_cloud_secret_store_and_the_cluster(
    configurations: dict[Path, list[Parsed]], root: str, store: str
) -> None:
    resources = dict(_resources(configurations[TERRAFORM / root]))
    (version,) = resources[store].values()
    assert "local.secret_data" in version["secret_string" if root == "aws" else "secret_data"]
    secrets_module = dict(_resources(configurations[TERRAFORM / "modules" / "confer-secrets"]))
    assert "random_password" in secrets_module
    release = dict(_resources(configurations[TERRAFORM / "modules" / "confer-release"]))
    assert "kubernetes_secret_v1" in release
    assert "confer" in release["helm_release"]


@pytest.mark.parametrize("root", ROOTS)
def test_the_release_values_are_keys_of_the_chart(configurations: dict[Path, list[Parsed]], root: str) -> None:
    """The chart's schema refuses unknown keys at apply time; catch a misspelt one here instead."""
    chart_values = yaml.safe_load((CHART / "values.yaml").read_text())
    (release,) = [body for name, body in _blocks(configurations[TERRAFORM / root], "module") if name == "release"]
    unknown = [path for path in _key_paths(release["values"], "") if not _has_path(chart_values, path)]
    assert unknown == []


def test_media_nodes_get_public_addresses_and_open_udp(configurations: dict[Path, list[Parsed]]) -> None:
    aws = configurations[TERRAFORM / "modules" / "aws-cluster"]
    rtp = dict(_resources(aws))["aws_vpc_security_group_ingress_rule"]["media_rtp"]
    assert (_text(rtp["ip_protocol"]), _text(rtp["cidr_ipv4"])) == ("udp", "0.0.0.0/0")
    (eks,) = [body for name, body in _blocks(aws, "module") if name == "eks"]
    media = eks["eks_managed_node_groups"]["media"]
    assert media["subnet_ids"] == "${var.public_subnet_ids}"
    assert _text(media["labels"]['"confer.io/pool"']) == "media"

    gcp = dict(_resources(configurations[TERRAFORM / "modules" / "gcp-cluster"]))
    (allow,) = gcp["google_compute_firewall"]["media_rtp"]["allow"]
    assert _text(allow["protocol"]) == "udp"
    pool = gcp["google_container_node_pool"]["media"]
    assert pool["network_config"][0]["enable_private_nodes"] is False
    assert "enable_autopilot" not in gcp["google_container_cluster"]["confer"], "GKE Standard"


# --- helpers ----------------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A parsed HCL string without its quotes (python-hcl2 keeps them)."""
    text = str(value)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _blocks(files: list[Parsed], kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for parsed in files:
        for block in parsed.get(kind, []):
            for name, body in block.items():
                yield _text(name), body


def _kinds(parsed: Parsed) -> Iterator[str]:
    """The types of the file's resources and data sources (aws_s3_bucket, random_password, ...)."""
    for block in ("resource", "data"):
        for entry in parsed.get(block, []):
            yield from (_text(kind) for kind in entry)


def _resources(files: list[Parsed]) -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for parsed in files:
        for entry in parsed.get("resource", []):
            for kind, named in entry.items():
                by_kind.setdefault(_text(kind), {}).update({_text(n): body for n, body in named.items()})
    yield from by_kind.items()


def _values(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every string in the parsed files with the attribute it belongs to (comments left out)."""
    if isinstance(node, dict):
        for child_key, child in node.items():
            if child_key != "__comments__":
                yield from _values(child, _text(child_key))
    elif isinstance(node, list):
        for item in node:
            yield from _values(item, key)
    elif isinstance(node, str):
        yield key, _text(node)


def _key_paths(node: Any, prefix: str) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("__"):
                path = f"{prefix}{_text(key)}"
                yield path
                yield from _key_paths(value, f"{path}.")


def _has_path(values: dict[str, Any], path: str) -> bool:
    """Whether ``path`` (a.b.c) is a key of the chart's values; any key of a map the chart leaves open counts."""
    node: Any = values
    parts = path.split(".")
    for depth, part in enumerate(parts):
        if depth and parts[depth - 1] in OPEN_MAPS:
            return True
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True
