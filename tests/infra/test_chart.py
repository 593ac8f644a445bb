"""The Helm chart: it lints, renders valid Kubernetes 1.30 objects for every values set, refuses bad values, and the
objects it renders keep the promises of the design (probes, drains, one media node per host, closed networks)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.infra.tools import (
    CHART,
    KUBERNETES_VERSION,
    RELEASE,
    VALUE_SETS,
    Helm,
    Manifest,
    Tools,
    container,
    documents,
    find,
    pod_spec,
    run,
)

FULLNAME = RELEASE  # the release is named after the chart, so object names do not repeat it
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}
SECRET_VARIABLE = re.compile(r"(SECRET|_KEY|_KEYS|TOKEN|DATABASE_URL|REDIS_URL|SMTP_URL|SERVICE_ACCOUNT)$")


@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_the_chart_lints_cleanly(helm: Helm, value_set: str) -> None:
    files = [part for path in VALUE_SETS[value_set] for part in ("-f", str(path))]
    result = helm("lint", CHART, "--strict", *files)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_rendered_objects_are_valid_kubernetes_1_30(
    tools: Tools, rendered: dict[str, str], tmp_path: Path, value_set: str
) -> None:
    manifests = tmp_path / f"{value_set}.yaml"
    manifests.write_text(rendered[value_set])
    result = run([tools.kubernetes_validate, "--strict", "-k", KUBERNETES_VERSION, "--quiet", manifests])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"api": {"replica": 3}}, "additional properties 'replica' not allowed"),
        ({"medai": {"replicas": 3}}, "additional properties 'medai' not allowed"),
        ({"secrets": {"database": {"existingSecret": "db", "key": "url"}}}, "additional properties 'key' not allowed"),
        ({"api": {"replicas": "three"}}, "got string, want integer"),
        ({"media": {"rtpPortRange": "20000:40000"}}, "does not match pattern"),
        ({"podSecurityContext": {"runAsNonRoot": False}}, "runAsNonRoot"),
        ({"api": {"trustedProxies": ["the-ingress"]}}, "'the-ingress' does not match pattern"),
    ],
    ids=[
        "unknown-key",
        "misspelt-section",
        "unknown-secret-key",
        "wrong-type",
        "bad-port-range",
        "root-allowed",
        "proxy-not-a-network",
    ],
)
def test_values_that_break_the_schema_are_refused(
    helm: Helm, tmp_path: Path, values: dict[str, Any], complaint: str
) -> None:
    values_file = tmp_path / "values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    result = helm.template(values_file)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_every_schema_object_refuses_unknown_keys() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    open_objects = sorted(
        name
        for name, node in _schema_objects(schema, "values")
        if node.get("additionalProperties") not in (False, {"type": "string"})  # closed, or a map of labels
    )
    # Kubernetes' own affinity terms pass through as they are (the API server checks them).
    assert open_objects == ["nodeAffinity", "podAffinity", "podAntiAffinity"]


def test_turn_needs_its_secret(helm: Helm) -> None:
    result = helm.template(extra=["--set", "turn.enabled=true"])
    assert result.returncode != 0
    assert "secrets.turn.existingSecret" in result.stderr


# --- the API ----------------------------------------------------------------------------------------------------------


def test_api_probes_liveness_without_dependencies_and_readiness_with_them(default: list[Manifest]) -> None:
    api = container(find(default, "Deployment", f"{FULLNAME}-api"), "api")
    assert api["args"] == ["serve"]
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["startupProbe"]["httpGet"]["path"] == "/healthz"


def test_api_takes_client_addresses_only_from_the_ingress_network(default: list[Manifest]) -> None:
    api = container(find(default, "Deployment", f"{FULLNAME}-api"), "api")
    assert _env(api)["CONFER_TRUSTED_PROXIES"] == "10.0.0.0/8"


def test_api_drains_websockets_before_stopping(default: list[Manifest]) -> None:
    deployment = find(default, "Deployment", f"{FULLNAME}-api")
    pre_stop = container(deployment, "api")["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    assert int(pre_stop[1]) < pod_spec(deployment)["terminationGracePeriodSeconds"]


def test_api_scales_and_survives_disruptions(default: list[Manifest]) -> None:
    deployment = find(default, "Deployment", f"{FULLNAME}-api")
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
    hpa = find(default, "HorizontalPodAutoscaler", f"{FULLNAME}-api")
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    pdb = find(default, "PodDisruptionBudget", f"{FULLNAME}-api")
    assert (
        pdb["spec"]["selector"]["matchLabels"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    )
    spread = pod_spec(deployment)["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in spread} == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}


def test_migrations_run_as_a_hook_before_install_and_upgrade(default: list[Manifest]) -> None:
    job = find(default, "Job", f"{FULLNAME}-migrate")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert container(job, "migrate")["args"] == ["migrate"]


# --- media nodes ------------------------------------------------------------------------------------------------------


def test_media_nodes_run_one_per_host_on_the_host_network_of_the_media_pool(default: list[Manifest]) -> None:
    media = find(default, "StatefulSet", f"{FULLNAME}-media")
    spec = pod_spec(media)
    assert spec["hostNetwork"] is True
    assert spec["dnsPolicy"] == "ClusterFirstWithHostNet"
    assert spec["nodeSelector"] == {"confer.io/pool": "media"}
    assert any(t["key"] == "confer.io/media" and t["effect"] == "NoSchedule" for t in spec["tolerations"])
    (term,) = spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["topologyKey"] == "kubernetes.io/hostname"
    assert term["labelSelector"]["matchLabels"].items() <= media["spec"]["template"]["metadata"]["labels"].items()


def test_media_nodes_drain_before_they_stop(default: list[Manifest]) -> None:
    media = find(default, "StatefulSet", f"{FULLNAME}-media")
    assert pod_spec(media)["terminationGracePeriodSeconds"] >= 3600
    for name in ("janus", "agent"):
        pre_stop = " ".join(container(media, name)["lifecycle"]["preStop"]["exec"]["command"])
        assert "/scripts/drain.sh" in pre_stop
    drain = (CHART / "files" / "drain.sh").read_text()
    assert 'confer media drain "$node"' in drain
    # Upgrades and evictions never take several nodes, or a node with rooms, without the operator.
    assert media["spec"]["updateStrategy"] == {"type": "OnDelete"}
    assert find(default, "PodDisruptionBudget", f"{FULLNAME}-media")["spec"]["maxUnavailable"] == 1


def test_media_node_runs_janus_with_the_agent_beside_it(default: list[Manifest]) -> None:
    media = find(default, "StatefulSet", f"{FULLNAME}-media")
    agent = container(media, "agent")
    assert agent["args"] == ["media", "agent"]
    janus = _env(container(media, "janus"))
    assert janus["CONFER_MEDIA_ADMIN_IP"] == "127.0.0.1", "the Admin API stays on the node's loopback"
    assert janus["CONFER_MEDIA_PUBLIC_IP_FILE"] == "/run/confer/public-ip", "nat_1_1_mapping: the node's public IP"
    setup = container(media, "node-setup")
    assert "public-ip.py /var/run/secrets/confer/serviceaccount /run/confer/public-ip" in " ".join(setup["command"])


def test_media_scales_with_its_own_values(helm: Helm) -> None:
    manifests = documents(helm.render(extra=["--set", "media.replicas=5", "--set", "api.autoscaling.enabled=false"]))
    assert find(manifests, "StatefulSet", f"{FULLNAME}-media")["spec"]["replicas"] == 5
    assert find(manifests, "Deployment", f"{FULLNAME}-api")["spec"]["replicas"] == 2
    ingress = find(manifests, "Ingress", FULLNAME)
    paths = {p["path"] for p in ingress["spec"]["rules"][0]["http"]["paths"]}
    assert {f"/media/{FULLNAME}-media-{i}" for i in range(5)} <= paths


def test_media_only_release_renders_no_application(media_only: list[Manifest]) -> None:
    kinds = {(m["kind"], m["metadata"]["name"]) for m in media_only}
    assert ("StatefulSet", f"{FULLNAME}-media") in kinds
    assert not [k for k in kinds if k[1].endswith(("-api", "-worker", "-migrate"))]
    janus = _env(container(find(media_only, "StatefulSet", f"{FULLNAME}-media"), "janus"))
    assert janus["CONFER_MEDIA_EVENTS_URL"] == "https://confer.example.org/internal/media/events"


# --- networks, secrets, hardening -------------------------------------------------------------------------------------


def test_everything_is_denied_unless_a_policy_allows_it(default: list[Manifest]) -> None:
    deny = find(default, "NetworkPolicy", f"{FULLNAME}-default-deny")
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny["spec"]
    assert "egress" not in deny["spec"]
    assert deny["spec"]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "confer",
        "app.kubernetes.io/instance": RELEASE,
    }


def test_janus_admin_api_is_reachable_only_from_the_control_plane(default: list[Manifest]) -> None:
    policy = find(default, "NetworkPolicy", f"{FULLNAME}-media")
    admin_rules = [r for r in policy["spec"]["ingress"] if any(p.get("port") == 7088 for p in r.get("ports", []))]
    assert len(admin_rules) == 1
    (source,) = admin_rules[0]["from"]
    components = next(
        e["values"] for e in source["podSelector"]["matchExpressions"] if e["key"] == "app.kubernetes.io/component"
    )
    assert sorted(components) == ["api", "worker"]
    assert set(source) == {"podSelector"}, "same namespace, control-plane pods only"


def test_media_is_open_to_the_internet_on_its_udp_range(default: list[Manifest]) -> None:
    policy = find(default, "NetworkPolicy", f"{FULLNAME}-media")
    open_rules = [r for r in policy["spec"]["ingress"] if "from" not in r]
    assert {"port": 20000, "endPort": 40000, "protocol": "UDP"} in open_rules[0]["ports"]


@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_secrets_are_only_referenced_never_rendered(rendered: dict[str, str], value_set: str) -> None:
    manifests = documents(rendered[value_set])
    assert not [m for m in manifests if m["kind"] == "Secret"]
    secret_variables = [
        variable
        for workload in manifests
        if workload["kind"] in WORKLOAD_KINDS
        for item in _containers(workload)
        for variable in item.get("env", [])
        if SECRET_VARIABLE.search(variable["name"])
    ]
    assert secret_variables
    assert all("secretKeyRef" in variable.get("valueFrom", {}) for variable in secret_variables), secret_variables


@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_every_container_is_unprivileged_read_only_and_bounded(rendered: dict[str, str], value_set: str) -> None:
    for workload in (m for m in documents(rendered[value_set]) if m["kind"] in WORKLOAD_KINDS):
        assert pod_spec(workload)["securityContext"]["runAsNonRoot"] is True
        for item in _containers(workload):
            context = item["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, item["name"]
            assert context["allowPrivilegeEscalation"] is False, item["name"]
            assert context["capabilities"]["drop"] == ["ALL"], item["name"]
            assert {"requests", "limits"} <= item["resources"].keys(), item["name"]


def test_ingress_terminates_tls_and_keeps_websockets_open(default: list[Manifest]) -> None:
    ingress = find(default, "Ingress", FULLNAME)
    assert ingress["spec"]["tls"][0]["hosts"] == ["confer.example.org"]
    assert int(ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600


def test_metrics_are_scraped_with_the_token(production: list[Manifest]) -> None:
    monitor = find(production, "ServiceMonitor", f"{FULLNAME}-api")
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics"
    assert endpoint["bearerTokenSecret"] == {"name": "confer", "key": "metrics-token"}


def test_metrics_need_the_token_by_default(helm: Helm, default: list[Manifest]) -> None:
    """The ingress sends every path to the api, /metrics included: out of the box it answers only with the token."""
    api = container(find(default, "Deployment", f"{FULLNAME}-api"), "api")
    (token,) = [variable for variable in api["env"] if variable["name"] == "CONFER_METRICS_TOKEN"]
    assert token["valueFrom"]["secretKeyRef"] == {"name": "confer", "key": "metrics-token"}
    monitored = documents(helm.render(extra=["--set", "serviceMonitor.enabled=true"]))
    (endpoint,) = find(monitored, "ServiceMonitor", f"{FULLNAME}-api")["spec"]["endpoints"]
    assert endpoint["bearerTokenSecret"] == {"name": "confer", "key": "metrics-token"}
    refused = helm.template(extra=["--set", "secrets.metrics.existingSecret="])
    assert refused.returncode != 0
    assert "secrets.metrics.existingSecret" in refused.stderr


def test_the_readme_documents_every_value() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    readme = (CHART / "README.md").read_text()
    undocumented = [key for key in _value_keys(values, "", depth=2) if f"`{key}`" not in readme]
    assert not undocumented


# --- helpers ----------------------------------------------------------------------------------------------------------


def _containers(workload: Manifest) -> list[dict[str, Any]]:
    spec = pod_spec(workload)
    return list(spec.get("initContainers", [])) + list(spec["containers"])


def _env(item: dict[str, Any]) -> dict[str, str]:
    return {v["name"]: v["value"] for v in item.get("env", []) if "value" in v}


def _schema_objects(node: dict[str, Any], name: str) -> list[tuple[str, dict[str, Any]]]:
    """Every object type in a JSON schema, with the name of the key it describes."""
    found = [(name, node)] if node.get("type") == "object" else []
    for key, child in node.items():
        if isinstance(child, dict):
            found += _schema_objects(child, name if key in ("properties", "$defs", "items") else key)
    return found


def _value_keys(values: dict[str, Any], prefix: str, depth: int) -> list[str]:
    keys = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        keys.append(path)
        if depth > 1 and isinstance(value, dict) and value:
            keys += _value_keys(value, f"{path}.", depth - 1)
    return keys
