"""Rendering a media node's Janus configuration: safe settings, clear refusals, no way to inject settings."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from confer.core.media.janus_config import JanusNodeConfig, load_node_config, render_config
from confer.settings import SettingsError

SECRETS = {
    "CONFER_MEDIA_NODE_ID": "media-1",
    "CONFER_MEDIA_ADMIN_SECRET": "admin-secret-0123456789",
    "CONFER_MEDIA_TOKEN_AUTH_SECRET": "token-secret-0123456789",
    "CONFER_MEDIA_VIDEOROOM_ADMIN_KEY": "room-admin-key-0123456789",
}


def rendered(tmp_path: Path, **environ: str) -> dict[str, str]:
    config = load_node_config(SECRETS | {f"CONFER_MEDIA_{k.upper()}": v for k, v in environ.items()})
    return {path.name: path.read_text() for path in render_config(config, tmp_path / "janus")}


def setting(text: str, key: str) -> str | None:
    match = re.search(rf"^\s*{key}\s*=\s*(.+?)\s*$", text, re.MULTILINE)
    return match[1] if match else None


def section(text: str, name: str) -> str:
    match = re.search(rf"^{name}: {{(.*?)^}}", text, re.MULTILINE | re.DOTALL)
    assert match, f"no {name} section"
    return match[1]


def problems_of(**environ: str) -> list[str]:
    with pytest.raises(SettingsError) as refused:
        load_node_config(SECRETS | {f"CONFER_MEDIA_{k.upper()}": v for k, v in environ.items()})
    return refused.value.problems


def test_every_template_is_rendered_readable_only_by_its_owner(tmp_path: Path) -> None:
    files = rendered(tmp_path)

    assert sorted(files) == [
        "janus.eventhandler.sampleevh.jcfg",
        "janus.jcfg",
        "janus.plugin.videoroom.jcfg",
        "janus.transport.http.jcfg",
        "janus.transport.websockets.jcfg",
    ]
    assert all(stat.S_IMODE((tmp_path / "janus" / name).stat().st_mode) == 0o600 for name in files)
    assert "${" not in "".join(files.values())


def test_the_core_wants_signed_tokens_and_loads_only_the_video_room(tmp_path: Path) -> None:
    core = rendered(tmp_path)["janus.jcfg"]

    assert setting(core, "token_auth") == "true"
    assert setting(core, "token_auth_secret") == '"token-secret-0123456789"'
    assert setting(core, "admin_secret") == '"admin-secret-0123456789"'
    assert setting(core, "configs_folder") == f'"{(tmp_path / "janus").resolve()}"'
    assert setting(core, "rtp_port_range") == '"20000-40000"'
    disabled_plugins = (setting(section(core, "plugins"), "disable") or "").strip('"').split(",")
    shipped = {p.name for p in Path("/usr/lib/x86_64-linux-gnu/janus/plugins").glob("libjanus_*.so")}
    if shipped:
        assert shipped - set(disabled_plugins) == {"libjanus_videoroom.so"}
    assert "libjanus_videoroom.so" not in disabled_plugins


def test_the_admin_api_listens_only_on_the_admin_address_and_clients_only_on_websockets(tmp_path: Path) -> None:
    files = rendered(tmp_path, admin_ip="10.0.0.5", admin_port="7099", client_port="8199")
    http, websockets = files["janus.transport.http.jcfg"], files["janus.transport.websockets.jcfg"]

    assert setting(http, "http") == "false"
    assert setting(http, "admin_http") == "true"
    assert setting(http, "admin_ip") == '"10.0.0.5"'
    assert setting(http, "admin_port") == "7099"
    assert setting(http, "admin_base_path") == '"/admin"'
    assert setting(websockets, "ws_port") == "8199"
    assert setting(websockets, "admin_ws") == "false"
    assert setting(websockets, "wss") == "false"


def test_the_video_room_has_an_admin_key_and_no_static_rooms(tmp_path: Path) -> None:
    videoroom = rendered(tmp_path)["janus.plugin.videoroom.jcfg"]

    assert setting(videoroom, "admin_key") == '"room-admin-key-0123456789"'
    assert setting(videoroom, "string_ids") == "false"
    assert not re.search(r"^room-", videoroom, re.MULTILINE)


def test_nat_mapping_and_ice_interfaces_appear_only_when_configured(tmp_path: Path) -> None:
    plain = rendered(tmp_path / "plain")["janus.jcfg"]
    mapped = rendered(tmp_path / "mapped", public_ip="203.0.113.10", ice_enforce_list="eth0")["janus.jcfg"]

    assert setting(plain, "nat_1_1_mapping") is None
    assert setting(plain, "ice_enforce_list") is None
    assert setting(mapped, "nat_1_1_mapping") == '"203.0.113.10"'
    assert setting(mapped, "ice_enforce_list") == '"eth0"'


def test_the_event_handler_runs_only_when_an_events_url_is_configured(tmp_path: Path) -> None:
    quiet = rendered(tmp_path / "quiet")
    events = rendered(
        tmp_path / "events", events_url="https://confer.test/api/v1/media/events", events_secret="events-0123456789ab"
    )

    assert setting(quiet["janus.jcfg"], "broadcast") == "false"
    assert "libjanus_sampleevh.so" in (setting(section(quiet["janus.jcfg"], "events"), "disable") or "")
    assert setting(quiet["janus.eventhandler.sampleevh.jcfg"], "enabled") == "false"
    handler = events["janus.eventhandler.sampleevh.jcfg"]
    assert setting(events["janus.jcfg"], "broadcast") == "true"
    assert "libjanus_sampleevh.so" not in (setting(section(events["janus.jcfg"], "events"), "disable") or "")
    assert setting(handler, "enabled") == "true"
    assert setting(handler, "backend") == '"https://confer.test/api/v1/media/events"'
    assert setting(handler, "backend_user") == '"janus"'
    assert setting(handler, "backend_pwd") == '"events-0123456789ab"'


def test_missing_and_malformed_settings_are_all_reported_at_once() -> None:
    with pytest.raises(SettingsError) as refused:
        load_node_config({"CONFER_MEDIA_ADMIN_SECRET": "short", "CONFER_MEDIA_RTP_PORT_RANGE": "1-2"})
    with pytest.raises(SettingsError) as malformed:
        load_node_config({"CONFER_MEDIA_CLIENT_PORT": "eighty"})

    problems = refused.value.problems + malformed.value.problems
    assert any(p.startswith("CONFER_MEDIA_NODE_ID: required") for p in problems)
    assert any(p.startswith("CONFER_MEDIA_TOKEN_AUTH_SECRET: required") for p in problems)
    assert any(p.startswith("CONFER_MEDIA_VIDEOROOM_ADMIN_KEY: required") for p in problems)
    assert any(p.startswith("CONFER_MEDIA_CLIENT_PORT:") for p in problems)
    assert any(p.startswith("CONFER_MEDIA_ADMIN_SECRET: too short") for p in problems)
    assert any(p.startswith("CONFER_MEDIA_RTP_PORT_RANGE:") for p in problems)
    assert any(p.startswith("CONFER_MEDIA_NODE_ID: required") for p in malformed.value.problems)


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("rtp_port_range", "40000-20000", "LOW-HIGH"),
        ("rtp_port_range", "80-2000", "LOW-HIGH"),
        ("rtp_port_range", "20000-70000", "LOW-HIGH"),
        ("rtp_port_range", "20000", "LOW-HIGH"),
        ("admin_ip", "8.8.8.8", "not a private address"),
        ("admin_ip", "0.0.0.0", "not a private address"),  # noqa: S104 - refused, never bound
        ("admin_ip", "admin.example", "not an IP address"),
        ("public_ip", "my-public-host", "not an IP address"),
        ("events_url", "https://confer.test/events", "CONFER_MEDIA_EVENTS_SECRET: required when"),
        ("events_url", "ftp://confer.test/events", "http:// or https://"),
        ("debug_level", "9", "between 0 and 7"),
    ],
)
def test_unsafe_settings_are_refused_with_a_line_naming_the_variable(variable: str, value: str, complaint: str) -> None:
    problems = problems_of(**{variable: value})

    assert any(complaint in p for p in problems), problems


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("admin_secret", 'x-long-enough-secret"\n}\nplugins: { disable = "" }\n#'),
        ("token_auth_secret", "long-enough-secret\\"),
        ("videoroom_admin_key", "long-enough-key\nroom-1: {}"),
        ("node_id", 'media"1'),
        ("ice_enforce_list", 'eth0"\nice_ignore_list = "x'),
        ("events_secret", "long-enough-secret\tbad"),
    ],
)
def test_values_that_could_break_out_of_their_string_are_refused(variable: str, value: str) -> None:
    problems = problems_of(**{variable: value, "events_url": "https://confer.test/events"})

    assert any(p.startswith(f"CONFER_MEDIA_{variable.upper()}:") for p in problems), problems


def test_a_config_built_in_code_is_checked_before_rendering_too(tmp_path: Path) -> None:
    config = JanusNodeConfig(
        node_id="media-1",
        admin_secret='an-admin-secret-value"\nadmin_secret = "weak',
        token_auth_secret="token-secret-0123456789",
        videoroom_admin_key="room-admin-key-0123456789",
    )

    with pytest.raises(SettingsError, match="CONFER_MEDIA_ADMIN_SECRET"):
        render_config(config, tmp_path / "janus")
    assert not (tmp_path / "janus").exists()


def test_secrets_do_not_appear_in_the_config_repr() -> None:
    config = load_node_config(SECRETS)

    assert "admin-secret-0123456789" not in repr(config)
