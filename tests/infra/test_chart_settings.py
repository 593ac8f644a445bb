"""The chart's environment is what Confer reads: every CONFER_* variable it sets is a real setting, and each process
started with it (and a Secret holding only the required keys) passes Confer's own start-up checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec
import pytest

from confer.core.auth import TokenKeys, generate_pem
from confer.core.media.agent import AgentSettings, FleetStore
from confer.core.media.janus_config import JanusNodeConfig, load_node_config
from confer.core.modules import resolve_modules
from confer.modules.notifications.push.senders import senders
from confer.modules.notifications.settings import NotificationsSettings
from confer.modules.payments.settings import PaymentsSettings
from confer.modules.video.settings import VideoSettings
from confer.settings import PREFIX, Settings, load_section, load_settings
from tests.infra.tools import RELEASE, Manifest, container, find

# What an operator's Secret holds: the required keys of every group the production values turn on. Optional keys
# (jwt-verification-keys, the push keys) are absent, as they may be.
SECRET = {
    "database-url": "postgresql://confer:pw@db.internal:5432/confer?sslmode=require",
    "redis-url": "rediss://:pw@redis.internal:6379/0",
    "jwt-signing-key": generate_pem().decode(),
    "janus-admin-secret": "a" * 40,
    "janus-token-secret": "b" * 40,
    "janus-room-admin-key": "c" * 40,
    "janus-events-secret": "d" * 40,
    "turn-secret": "e" * 40,
    "metrics-token": "f" * 40,
    "smtp-url": "smtp://mailer:pw@smtp.internal:587",
    "stripe-secret-key": "sk_live_0123456789",
    "stripe-webhook-secret": "whsec_0123456789",
    "stripe-publishable-key": "pk_live_0123456789",
}
POD = {"metadata.name": f"{RELEASE}-media-0", "spec.nodeName": "node-a", "status.hostIP": "10.20.3.4"}
# Variables of the media image's entrypoint, not of Confer's settings.
ENTRYPOINT_VARIABLES = {"CONFER_MEDIA_PUBLIC_IP_FILE"}


@pytest.mark.parametrize("workload", [("Deployment", "api"), ("Deployment", "worker"), ("Job", "migrate")])
def test_control_plane_processes_start_with_the_chart_environment(
    production: list[Manifest], workload: tuple[str, str]
) -> None:
    kind, component = workload
    environ = _environ(container(find(production, kind, f"{RELEASE}-{component}"), component))
    assert _unknown(environ, _control_plane_variables()) == []
    settings = load_settings(environ)
    assert settings.env == "production"
    TokenKeys.from_settings(settings)  # the signing key parses
    # What Runtime.build reads (without creating its database engine, which would try to connect).
    sections = {name: load_section(struct, f"CONFER_{name.upper()}_", environ) for name, struct in _sections()}
    video, payments = sections["video"], sections["payments"]
    assert isinstance(video, VideoSettings)
    assert video.enabled
    assert isinstance(payments, PaymentsSettings)
    assert payments.enabled
    notifications = sections["notifications"]
    assert isinstance(notifications, NotificationsSettings)
    senders(notifications)  # no push channel set in part (each optional key absent: every channel off)


def test_media_node_renders_its_janus_config_from_the_chart_environment(production: list[Manifest]) -> None:
    environ = _environ(container(find(production, "StatefulSet", f"{RELEASE}-media"), "janus"))
    environ["CONFER_MEDIA_PUBLIC_IP"] = "203.0.113.7"  # what the entrypoint reads from CONFER_MEDIA_PUBLIC_IP_FILE
    assert _unknown(environ, _prefixed("CONFER_MEDIA_", JanusNodeConfig) | {"CONFER_REDIS_URL"}) == []
    config = load_node_config(environ)
    assert config.node_id == f"{RELEASE}-media-0"
    assert config.token_auth_secret == SECRET["janus-token-secret"]
    assert config.events_url == f"http://{RELEASE}-api.confer.svc.cluster.local:8000/internal/media/events"


def test_media_agent_starts_with_the_chart_environment(production: list[Manifest]) -> None:
    environ = _environ(container(find(production, "StatefulSet", f"{RELEASE}-media"), "agent"))
    assert _unknown(environ, _prefixed("CONFER_AGENT_", AgentSettings) | _prefixed(PREFIX, FleetStore)) == []
    agent = load_section(AgentSettings, "CONFER_AGENT_", environ)
    assert agent.public_ws_url == f"wss://confer.example.org/media/{RELEASE}-media-0"
    assert agent.control_url == "ws://10.20.3.4:8188"
    assert agent.admin_secret == SECRET["janus-admin-secret"]
    assert load_section(FleetStore, PREFIX, environ).redis_url == SECRET["redis-url"]


def test_the_control_plane_and_the_nodes_share_the_janus_secrets(production: list[Manifest]) -> None:
    media = find(production, "StatefulSet", f"{RELEASE}-media")
    node = _environ(container(media, "janus"))
    api = _environ(container(find(production, "Deployment", f"{RELEASE}-api"), "api"))
    assert api["CONFER_VIDEO_JANUS_TOKEN_SECRET"] == node["CONFER_MEDIA_TOKEN_AUTH_SECRET"]
    assert api["CONFER_VIDEO_VIDEOROOM_ADMIN_KEY"] == node["CONFER_MEDIA_VIDEOROOM_ADMIN_KEY"]
    assert api["CONFER_VIDEO_EVENTS_SECRET"] == node["CONFER_MEDIA_EVENTS_SECRET"]


# --- helpers ----------------------------------------------------------------------------------------------------------


def _environ(spec: Mapping[str, Any]) -> dict[str, str]:
    """The container's environment as Kubernetes would build it: literal values with $(VAR) references expanded,
    secret keys from SECRET (optional ones absent), downward-API fields from POD."""
    environ: dict[str, str] = {}
    for variable in spec.get("env", []):
        source = variable.get("valueFrom", {})
        if "value" in variable:
            environ[variable["name"]] = re.sub(r"\$\((\w+)\)", lambda m: environ[m[1]], variable["value"])
        elif "secretKeyRef" in source:
            reference = source["secretKeyRef"]
            if reference["key"] in SECRET:
                environ[variable["name"]] = SECRET[reference["key"]]
            else:
                assert reference.get("optional"), f"{reference['key']} is required but not in the Secret"
        else:
            environ[variable["name"]] = POD[source["fieldRef"]["fieldPath"]]
    return environ


def _unknown(environ: Mapping[str, str], known: set[str]) -> list[str]:
    return sorted(n for n in environ if n.startswith("CONFER_") and n not in known | ENTRYPOINT_VARIABLES)


def _prefixed(prefix: str, struct: type[msgspec.Struct]) -> set[str]:
    return {prefix + field.name.upper() for field in msgspec.structs.fields(struct)}


def _sections() -> list[tuple[str, type[msgspec.Struct]]]:
    """Each built-in module's settings section, by module name."""
    return [(module.name, module.settings) for module in resolve_modules(None) if module.settings is not None]


def _control_plane_variables() -> set[str]:
    known = _prefixed(PREFIX, Settings)
    for name, struct in _sections():
        known |= _prefixed(f"CONFER_{name.upper()}_", struct)
    return known
