"""One media node's Janus configuration: read from ``CONFER_MEDIA_*``, checked, and rendered from the templates
in ``media/janus-config/`` (``*.tmpl``, ``string.Template`` syntax).

Every value ends up inside Janus's libconfig-style files, most of them in double-quoted strings, so each one is
checked before rendering: a quote, backslash or newline in a value could otherwise close its string and add
settings of its own (a second ``admin_secret``, a re-enabled plugin). The same checks run whether the config came
from the environment or was built in code.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from string import Template
from typing import Annotated

import msgspec

from confer.settings import SettingsError, load_section

PREFIX = "CONFER_MEDIA_"
TEMPLATE_SUFFIX = ".tmpl"
MIN_SECRET_LENGTH = 16
SECRET_FIELDS = ("admin_secret", "token_auth_secret", "videoroom_admin_key", "events_secret")
OTHER_EVENT_HANDLERS = (
    "libjanus_gelfevh.so",
    "libjanus_mqttevh.so",
    "libjanus_nanomsgevh.so",
    "libjanus_rabbitmqevh.so",
    "libjanus_wsevh.so",
)
HTTP_EVENT_HANDLER = "libjanus_sampleevh.so"

_UNSAFE_IN_STRING = re.compile(r'[\x00-\x1f\x7f"\\]')
_NODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_INTERFACE_LIST = re.compile(r"^[A-Za-z0-9_.:-]+(,[A-Za-z0-9_.:-]+)*$")
_PORT_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")


def _example(value: str) -> msgspec.Meta:
    return msgspec.Meta(examples=[value])


class JanusNodeConfig(msgspec.Struct, frozen=True, kw_only=True):
    """One media node's Janus settings, read from CONFER_MEDIA_* (see load_node_config)."""

    node_id: Annotated[str, _example("media-1")]
    admin_secret: Annotated[str, _example("a-long-random-admin-secret")]
    token_auth_secret: Annotated[str, _example("a-long-random-token-secret")]
    videoroom_admin_key: Annotated[str, _example("a-long-random-room-admin-key")]
    # Clients reach the WebSocket API here, behind the TLS terminator.
    client_ip: Annotated[str, _example("0.0.0.0")] = "0.0.0.0"  # noqa: S104 - the client API faces the proxy
    client_port: Annotated[int, _example("8188")] = 8188
    admin_ip: Annotated[str, _example("10.0.0.5")] = "127.0.0.1"
    admin_port: Annotated[int, _example("7088")] = 7088
    public_ip: Annotated[str, _example("203.0.113.10")] | None = None
    rtp_port_range: Annotated[str, _example("20000-40000")] = "20000-40000"
    ice_enforce_list: Annotated[str, _example("eth0")] | None = None
    ice_tcp: Annotated[bool, _example("false")] = False
    full_trickle: Annotated[bool, _example("true")] = True
    events_url: Annotated[str, _example("https://confer.example.org/api/v1/media/events")] | None = None
    events_secret: Annotated[str, _example("a-long-random-events-secret")] | None = None
    debug_level: Annotated[int, _example("4")] = 4

    def __repr__(self) -> str:
        shown = {name: "***" if name in SECRET_FIELDS else getattr(self, name) for name in self.__struct_fields__}
        return f"JanusNodeConfig({shown})"

    __str__ = __repr__


def load_node_config(environ: Mapping[str, str]) -> JanusNodeConfig:
    """Read a media node's settings from ``environ``; raise SettingsError listing every problem, one line each.

    Missing required variables are stood in for by their examples so that the other values are still checked and
    the operator sees every problem in one pass."""
    missing = [
        f.name for f in msgspec.structs.fields(JanusNodeConfig) if f.required and not environ.get(_variable(f.name))
    ]
    required = [f"{_variable(n)}: required (example: {_variable(n)}={_field_example(n)})" for n in missing]
    filled = {**environ, **{_variable(name): _field_example(name) for name in missing}}
    try:
        config = load_section(JanusNodeConfig, PREFIX, filled)
    except SettingsError as exc:
        raise SettingsError(required + exc.problems) from None
    problems = required + config_problems(config)
    if problems:
        raise SettingsError(problems)
    return config


def config_problems(config: JanusNodeConfig) -> list[str]:
    """Every reason ``config`` must not be rendered, one readable line each (empty when it is safe)."""
    return [f"{_variable(name)}: {reason}" for name, reason in _check(config)]


def _check(config: JanusNodeConfig) -> Iterator[tuple[str, str]]:
    yield from _unsafe_strings(config)
    yield from _short_secrets(config)
    if not _NODE_ID.match(config.node_id):
        yield "node_id", "letters, digits, '.', '_' and '-' only, at most 63 characters"
    yield from _address_problems(config)
    for name in ("client_port", "admin_port"):
        if not 1 <= getattr(config, name) <= 65535:
            yield name, "must be a port between 1 and 65535"
    if config.client_ip == config.admin_ip and config.client_port == config.admin_port:
        yield "admin_port", "must differ from CONFER_MEDIA_CLIENT_PORT on the same address"
    if port_range_problem := _port_range_problem(config.rtp_port_range):
        yield "rtp_port_range", port_range_problem
    if config.ice_enforce_list is not None and not _INTERFACE_LIST.match(config.ice_enforce_list):
        yield "ice_enforce_list", "a comma-separated list of interface names or address prefixes (example: eth0)"
    yield from _events_problems(config)
    if not 0 <= config.debug_level <= 7:
        yield "debug_level", "must be between 0 and 7"


def _unsafe_strings(config: JanusNodeConfig) -> Iterator[tuple[str, str]]:
    for name in config.__struct_fields__:
        value = getattr(config, name)
        if isinstance(value, str) and _UNSAFE_IN_STRING.search(value):
            yield name, "must not contain quotes, backslashes or control characters (newlines, tabs)"


def _short_secrets(config: JanusNodeConfig) -> Iterator[tuple[str, str]]:
    for name in SECRET_FIELDS:
        value = getattr(config, name)
        if value is not None and len(value) < MIN_SECRET_LENGTH:
            yield name, f"too short: use at least {MIN_SECRET_LENGTH} random characters"


def _address_problems(config: JanusNodeConfig) -> Iterator[tuple[str, str]]:
    client = _ip(config.client_ip)
    if client is None:
        yield "client_ip", "not an IP address (example: 0.0.0.0)"
    admin = _ip(config.admin_ip)
    if admin is None:
        yield "admin_ip", "not an IP address (example: 10.0.0.5)"
    elif admin.is_unspecified or not (admin.is_private or admin.is_loopback):
        yield "admin_ip", f"{config.admin_ip} is not a private address; the Admin API must never face the internet"
    if config.public_ip is not None and any(_ip(part) is None for part in config.public_ip.split(",")):
        yield "public_ip", "not an IP address or comma-separated list of them (example: 203.0.113.10)"


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _port_range_problem(text: str) -> str:
    match = _PORT_RANGE.match(text)
    low, high = (int(match[1]), int(match[2])) if match else (0, 0)
    if not 1024 <= low < high <= 65535:
        return f"{text!r} is not LOW-HIGH with 1024 <= LOW < HIGH <= 65535 (example: 20000-40000)"
    return ""


def _events_problems(config: JanusNodeConfig) -> Iterator[tuple[str, str]]:
    if config.events_url is None:
        return
    if not config.events_url.startswith(("http://", "https://")):
        yield "events_url", "must be an http:// or https:// URL"
    if config.events_secret is None:
        yield "events_secret", "required when CONFER_MEDIA_EVENTS_URL is set (Janus authenticates with it)"


def default_templates_dir() -> Path:
    """``CONFER_MEDIA_TEMPLATES`` if set (installed images), else ``media/janus-config`` in this repository."""
    configured = os.environ.get("CONFER_MEDIA_TEMPLATES")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[4] / "media" / "janus-config"


def render_config(config: JanusNodeConfig, out_dir: Path, templates_dir: Path | None = None) -> list[Path]:
    """Render every ``*.tmpl`` of ``templates_dir`` into ``out_dir`` (mode 0600: the files hold secrets).

    Raises SettingsError if ``config`` is unsafe to render, whichever way it was built."""
    problems = config_problems(config)
    configs_folder = str(out_dir.resolve())
    if _UNSAFE_IN_STRING.search(configs_folder):
        problems.append(f"output folder {configs_folder!r}: must not contain quotes, backslashes or control characters")
    if problems:
        raise SettingsError(problems)
    values = template_values(config, configs_folder)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    templates = sorted((templates_dir or default_templates_dir()).glob(f"*{TEMPLATE_SUFFIX}"))
    if not templates:
        raise FileNotFoundError(f"no *{TEMPLATE_SUFFIX} Janus templates in {templates_dir or default_templates_dir()}")
    return [_write_private(out_dir / t.name.removesuffix(TEMPLATE_SUFFIX), _render(t, values)) for t in templates]


def template_values(config: JanusNodeConfig, configs_folder: str) -> dict[str, str]:
    """The ``${name}`` values the templates use; optional settings become a whole line or a comment."""
    values = {name: _jcfg_scalar(getattr(config, name)) for name in config.__struct_fields__}
    events_on = config.events_url is not None
    disabled_handlers = OTHER_EVENT_HANDLERS if events_on else (*OTHER_EVENT_HANDLERS, HTTP_EVENT_HANDLER)
    values |= {
        "configs_folder": configs_folder,
        "nat_1_1_mapping": _optional_line("nat_1_1_mapping", config.public_ip),
        "ice_enforce_list": _optional_line("ice_enforce_list", config.ice_enforce_list),
        "events_broadcast": _jcfg_scalar(events_on),
        "events_enabled": _jcfg_scalar(events_on),
        "events_disable": ",".join(disabled_handlers),
    }
    return values


def _jcfg_scalar(value: str | int | bool | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _optional_line(key: str, value: str | None) -> str:
    return f"# {key}: not configured" if value is None else f'{key} = "{value}"'


def _render(template: Path, values: Mapping[str, str]) -> str:
    return Template(template.read_text(encoding="utf-8")).substitute(values)


def _write_private(path: Path, text: str) -> Path:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)  # an existing file keeps its old mode through O_CREAT
        file.write(text)
    return path


def _variable(name: str) -> str:
    return PREFIX + name.upper()


def _field_example(name: str) -> str:
    field = next(f for f in msgspec.structs.fields(JanusNodeConfig) if f.name == name)
    metadata = getattr(field.type, "__metadata__", ())
    for arg in getattr(field.type, "__args__", ()):
        metadata += getattr(arg, "__metadata__", ())
    examples = [ex for meta in metadata if isinstance(meta, msgspec.Meta) and meta.examples for ex in meta.examples]
    return str(examples[0]) if examples else "..."
