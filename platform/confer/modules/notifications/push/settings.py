"""The push channels' settings, and the senders they switch on.

A channel is off until its required fields are set; a channel set only in part is an error (one line per missing
variable), so a forgotten variable does not silently turn notifications off. Key material never appears in
``repr`` or logs.
"""

from __future__ import annotations

import ssl
from typing import Annotated

import msgspec

from confer.settings import SettingsError

PREFIX = "CONFER_NOTIFICATIONS_"
"""Where the notifications module reads this section from (``load_section(PushSettings, PREFIX, environ)``)."""

SECRET_FIELDS = frozenset({"apns_key", "fcm_service_account", "vapid_private_key"})


class PushSettings(msgspec.Struct, frozen=True, kw_only=True):
    apns_key: Annotated[str | None, msgspec.Meta(examples=["-----BEGIN PRIVATE KEY-----\\n... (the .p8 file)"])] = None
    """The APNs auth key: the text of the ``AuthKey_<key id>.p8`` file (PKCS#8 PEM, EC P-256)."""
    apns_key_id: Annotated[str | None, msgspec.Meta(examples=["ABC123DEFG"])] = None
    apns_team_id: Annotated[str | None, msgspec.Meta(examples=["DEF123GHIJ"])] = None
    apns_topic: Annotated[str | None, msgspec.Meta(examples=["org.example.confer"])] = None
    """The iOS app's bundle id."""
    apns_sandbox: bool = False
    """Development builds of the app get sandbox tokens; they are rejected (BadDeviceToken) by production."""
    apns_url: Annotated[str, msgspec.Meta(pattern=r"^https://", examples=["https://127.0.0.1:8443"])] | None = None
    """Another APNs host, for tests only; unset means Apple's production or sandbox host."""
    fcm_service_account: Annotated[str | None, msgspec.Meta(examples=['{"type": "service_account", ...}'])] = None
    """The Firebase service account's JSON key file, as text."""
    fcm_url: Annotated[str, msgspec.Meta(pattern=r"^https?://", examples=["https://fcm.googleapis.com"])] = (
        "https://fcm.googleapis.com"
    )
    vapid_private_key: Annotated[
        str | None, msgspec.Meta(examples=["-----BEGIN PRIVATE KEY-----\\n... (EC P-256), or its 32 bytes base64url"])
    ] = None
    """The VAPID signing key: EC P-256 as PEM (PKCS#8 or SEC1), or the raw 32-byte scalar in base64url."""
    vapid_public_key: Annotated[
        str | None, msgspec.Meta(examples=["BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFg..."])
    ] = None
    """The matching public key, uncompressed point in base64url: browsers' ``applicationServerKey``. Optional (it is
    derived from the private key); when set it must match."""
    vapid_subject: (
        Annotated[str, msgspec.Meta(pattern=r"^(mailto:|https://)", examples=["mailto:ops@example.org"])] | None
    ) = None
    """Who push services contact about this sender: a ``mailto:`` or ``https:`` URL."""
    ca_file: Annotated[str | None, msgspec.Meta(examples=["/etc/confer/push-ca.pem"])] = None
    """Extra CA certificates to trust for every push peer (tests; TLS-inspecting proxies). The system's CAs stay."""
    timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=120, examples=[10])] = 10.0
    """Longest wait for one send (or one OAuth token) before it counts as transient failure."""
    max_concurrent_sends: Annotated[int, msgspec.Meta(ge=1, le=1000, examples=[32])] = 32
    """Requests in flight at once per HTTP/1.1 channel (FCM, Web Push); APNs multiplexes over HTTP/2."""

    @property
    def apns_enabled(self) -> bool:
        return _all_set(self, APNS_REQUIRED)

    @property
    def fcm_enabled(self) -> bool:
        return _all_set(self, FCM_REQUIRED)

    @property
    def webpush_enabled(self) -> bool:
        return _all_set(self, WEBPUSH_REQUIRED)

    def __repr__(self) -> str:
        shown = {
            name: "***" if name in SECRET_FIELDS and getattr(self, name) else getattr(self, name)
            for name in self.__struct_fields__
        }
        return f"{type(self).__name__}({shown})"

    __str__ = __repr__


APNS_REQUIRED = ("apns_key", "apns_key_id", "apns_team_id", "apns_topic")
FCM_REQUIRED = ("fcm_service_account",)
WEBPUSH_REQUIRED = ("vapid_private_key", "vapid_subject")


def _all_set(settings: PushSettings, names: tuple[str, ...]) -> bool:
    return all(getattr(settings, name) for name in names)


def missing(settings: PushSettings, names: tuple[str, ...]) -> SettingsError:
    """The error for a channel built without its required settings."""
    return SettingsError([f"{PREFIX}{name.upper()}: required" for name in names if not getattr(settings, name)])


def partly_set(settings: PushSettings, names: tuple[str, ...]) -> list[str]:
    absent = [name for name in names if not getattr(settings, name)]
    if not absent or len(absent) == len(names):
        return []
    given = ", ".join(PREFIX + name.upper() for name in names if name not in absent)
    return [f"{PREFIX}{name.upper()}: required when {given} is set" for name in absent]


def problem(field: str, reason: str) -> SettingsError:
    """One readable settings error about ``field``, never quoting its value (it may be a key)."""
    return SettingsError([f"{PREFIX}{field.upper()}: {reason}"])


def tls_context(settings: PushSettings) -> ssl.SSLContext:
    """The system's trust store, plus ``ca_file`` when set."""
    context = ssl.create_default_context()
    if settings.ca_file:
        try:
            context.load_verify_locations(cafile=settings.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise problem("ca_file", f"cannot read CA certificates ({exc.__class__.__name__})") from None
    return context
