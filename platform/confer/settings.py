"""Confer's configuration: one msgspec Struct read from ``CONFER_*`` environment variables.

Every field is checked at start-up; each wrong value gives one readable line naming the variable, what is wrong
and an example, and all of them are reported together so an operator fixes the whole environment in one pass.
Modules add their own sections (``CONFER_<MODULE>_*``) through the same reader.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

import msgspec

PREFIX = "CONFER_"
SECRET_FIELDS = frozenset({"jwt_signing_key", "jwt_verification_keys", "metrics_token"})
URL_FIELDS = frozenset({"database_url", "redis_url", "smtp_url"})
"""URLs whose password is masked when settings are shown."""

Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
Seconds = Annotated[int, msgspec.Meta(ge=1)]
Count = Annotated[int, msgspec.Meta(ge=1)]


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """The core's settings. Fields marked secret never appear in ``repr`` or logs."""

    env: Annotated[Literal["dev", "production", "test"], msgspec.Meta(examples=["production"])] = "production"
    database_url: Annotated[str | None, msgspec.Meta(examples=["postgresql://confer:secret@db:5432/confer"])] = None
    redis_url: Annotated[str | None, msgspec.Meta(examples=["redis://redis:6379/0"])] = None
    modules: Annotated[tuple[str, ...] | None, msgspec.Meta(examples=["accounts,professionals,booking"])] = None
    data_dir: Annotated[str, msgspec.Meta(examples=["./.confer"])] = ".confer"
    host: Annotated[str, msgspec.Meta(examples=["0.0.0.0"])] = "127.0.0.1"  # noqa: S104 - example only
    port: Annotated[Port, msgspec.Meta(examples=[8000])] = 8000
    workers: Annotated[Count, msgspec.Meta(examples=[4])] = 2
    public_url: Annotated[str, msgspec.Meta(pattern=r"^https?://", examples=["https://confer.example.org"])] = (
        "http://localhost:8000"
    )
    web_dist: Annotated[str | None, msgspec.Meta(examples=["/opt/confer/web"])] = None
    """The built web client's folder (``web/dist``); unset: the repository's own, beside ``platform/``."""
    cors_origins: Annotated[tuple[str, ...], msgspec.Meta(examples=["https://app.example.org"])] = ()
    max_request_bytes: Annotated[int, msgspec.Meta(ge=1024, examples=[1048576])] = 1_048_576
    rate_limit_per_minute: Annotated[Count, msgspec.Meta(examples=[600])] = 600
    trusted_proxies: Annotated[tuple[str, ...], msgspec.Meta(examples=["10.0.0.0/8,fd00::/8"])] = ()
    """Networks of the reverse proxies (the ingress) whose forwarding header names the client; none by default."""
    forwarded_header: Annotated[Literal["x-forwarded-for", "forwarded"], msgspec.Meta(examples=["x-forwarded-for"])] = (
        "x-forwarded-for"
    )
    """Which header the trusted proxies write: ``X-Forwarded-For`` or RFC 7239 ``Forwarded`` (only that one is read,
    so a client cannot slip in the other)."""
    metrics_token: Annotated[str, msgspec.Meta(min_length=16, examples=["a-long-random-scrape-token"])] | None = None
    log_level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], msgspec.Meta(examples=["INFO"])] = "INFO"
    log_json: Annotated[bool, msgspec.Meta(examples=["true"])] = True
    # Identity (DESIGN §6)
    jwt_issuer: Annotated[str, msgspec.Meta(examples=["https://confer.example.org"])] = "confer"
    jwt_audience: Annotated[str, msgspec.Meta(examples=["confer-api"])] = "confer-api"
    jwt_signing_key: Annotated[
        str | None, msgspec.Meta(examples=["-----BEGIN PRIVATE KEY-----\\n... (Ed25519, PKCS#8 PEM)"])
    ] = None
    jwt_signing_kid: Annotated[str, msgspec.Meta(min_length=1, examples=["2026-11"])] = "k1"
    jwt_verification_keys: Annotated[
        dict[str, str], msgspec.Meta(examples=['{"2026-10": "-----BEGIN PUBLIC KEY-----\\n..."}'])
    ] = {}
    access_token_seconds: Annotated[Seconds, msgspec.Meta(examples=[900])] = 900
    refresh_token_seconds: Annotated[Seconds, msgspec.Meta(examples=[1209600])] = 14 * 24 * 3600
    session_max_seconds: Annotated[Seconds, msgspec.Meta(examples=[7776000])] = 90 * 24 * 3600
    refresh_grace_seconds: Annotated[int, msgspec.Meta(ge=0, le=300, examples=[30])] = 30
    """A just-spent refresh token presented again this soon gets the same successor (several tabs, a retried request);
    later, it counts as reuse and ends its session."""
    # Real time: the WebSocket's limits
    ws_sockets_per_account: Annotated[Count, msgspec.Meta(examples=[20])] = 20
    ws_sockets_per_address: Annotated[Count, msgspec.Meta(examples=[100])] = 100
    ws_max_frame_bytes: Annotated[int, msgspec.Meta(ge=512, examples=[8192])] = 8192
    ws_messages_per_minute: Annotated[Count, msgspec.Meta(examples=[120])] = 120
    password_hash_concurrency: Annotated[Count, msgspec.Meta(examples=[2])] = 2
    password_hash_memory_kib: Annotated[int, msgspec.Meta(ge=8192, examples=[65536])] = 65536
    password_hash_time_cost: Annotated[Count, msgspec.Meta(examples=[3])] = 3
    login_failures_per_account_and_address: Annotated[Count, msgspec.Meta(examples=[5])] = 5
    """Failed sign-ins for one account from one client address per window (also: wrong current passwords per
    account when changing a password)."""
    login_failures_per_ip: Annotated[Count, msgspec.Meta(examples=[50])] = 50
    login_failure_window_seconds: Annotated[Seconds, msgspec.Meta(examples=[900])] = 900
    login_failures_per_account: Annotated[Count, msgspec.Meta(examples=[20])] = 20
    """Failed sign-ins for one account from any address before it locks for ``login_lockout_seconds``, doubled with
    each further failure up to ``login_lockout_max_seconds``."""
    login_lockout_seconds: Annotated[Seconds, msgspec.Meta(examples=[60])] = 60
    login_lockout_max_seconds: Annotated[Seconds, msgspec.Meta(examples=[3600])] = 3600
    # Mail
    smtp_url: Annotated[str, msgspec.Meta(pattern=r"^smtps?://", examples=["smtp://user:pass@mail:587"])] | None = None
    mail_from: Annotated[str, msgspec.Meta(examples=["Confer <no-reply@example.org>"])] = "Confer <no-reply@localhost>"
    # Jobs
    redis_namespace: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_-]+$", examples=["confer"])] = "confer"
    outbox_poll_seconds: Annotated[float, msgspec.Meta(gt=0, examples=[1.0])] = 1.0
    outbox_retention_days: Annotated[int, msgspec.Meta(ge=2, examples=[14])] = 14

    def __repr__(self) -> str:
        return f"Settings({ {name: _shown(name, getattr(self, name)) for name in self.__struct_fields__} })"

    __str__ = __repr__


def _shown(name: str, value: Any) -> Any:
    if name in SECRET_FIELDS and value:
        return "***"
    if name in URL_FIELDS and isinstance(value, str):
        parts = urlsplit(value)
        if parts.password:
            return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)))
    return value


class SettingsError(Exception):
    """Raised with every problem found in the environment, one readable line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Confer cannot start; fix these settings:\n" + "\n".join(f"  - {p}" for p in problems))


S = TypeVar("S", bound=msgspec.Struct)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the core settings from ``environ`` (default ``os.environ``); raise SettingsError listing every problem."""
    settings = load_section(Settings, PREFIX, os.environ if environ is None else environ)
    _check_consistency(settings)
    return settings


def load_section(struct: type[S], prefix: str, environ: Mapping[str, str]) -> S:
    """Build ``struct`` from ``<prefix><FIELD>`` variables, checking each field on its own to report every error."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in msgspec.structs.fields(struct):
        variable = prefix + field.name.upper()
        raw = environ.get(variable)
        if raw is None or raw == "":
            continue
        try:
            values[field.name] = _convert(raw, field.type)
        except (msgspec.ValidationError, ValueError) as exc:
            problems.append(f"{variable}: {_reason(exc)} (example: {variable}={_example(field.type)})")
    if problems:
        raise SettingsError(problems)
    return struct(**values)


def _convert(raw: str, annotation: Any) -> Any:
    """Turn one variable's text into the field's type: JSON for mappings, commas for sequences, text otherwise."""
    inner = _unwrap(msgspec.inspect.type_info(annotation))
    if isinstance(inner, msgspec.inspect.UnionType):
        inner = _unwrap(next(t for t in inner.types if not isinstance(t, msgspec.inspect.NoneType)))
    value: Any = raw
    if isinstance(inner, msgspec.inspect.DictType):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg})") from None
    elif isinstance(inner, msgspec.inspect.VarTupleType | msgspec.inspect.ListType):
        value = [part.strip() for part in raw.split(",") if part.strip()]
    return msgspec.convert(value, annotation, strict=False)


def _unwrap(info: msgspec.inspect.Type) -> msgspec.inspect.Type:
    return info.type if isinstance(info, msgspec.inspect.Metadata) else info


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text.split(" - at `")[0] if " - at `" in text else text


def _example(annotation: Any) -> str:
    metadata = getattr(annotation, "__metadata__", ())
    for arg in getattr(annotation, "__args__", ()):  # Annotated[...] | None
        metadata += getattr(arg, "__metadata__", ())
    for meta in metadata:
        if isinstance(meta, msgspec.Meta) and meta.examples:
            return str(meta.examples[0])
    return "..."


def _check_consistency(settings: Settings) -> None:
    problems: list[str] = []
    if settings.env == "production":
        for name in ("database_url", "redis_url", "jwt_signing_key"):
            if not getattr(settings, name):
                variable = PREFIX + name.upper()
                problems.append(f"{variable}: required in production (example: {variable}={_field_example(name)})")
    wrong_networks = [cidr for cidr in settings.trusted_proxies if not _is_network(cidr)]
    if wrong_networks:
        problems.append(
            f"CONFER_TRUSTED_PROXIES: not an address or network: {', '.join(wrong_networks)} "
            f"(example: CONFER_TRUSTED_PROXIES={_field_example('trusted_proxies')})"
        )
    if settings.refresh_token_seconds > settings.session_max_seconds:
        problems.append(
            "CONFER_REFRESH_TOKEN_SECONDS: must not exceed CONFER_SESSION_MAX_SECONDS "
            f"({settings.refresh_token_seconds} > {settings.session_max_seconds})"
        )
    if problems:
        raise SettingsError(problems)


def _is_network(cidr: str) -> bool:
    try:
        ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return True


def _field_example(name: str) -> str:
    field = next(f for f in msgspec.structs.fields(Settings) if f.name == name)
    return _example(field.type)
