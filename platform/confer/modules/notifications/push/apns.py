"""APNs over HTTP/2 with token (``.p8``) authentication, through aioapns.

aioapns keeps its host and port as class attributes of its connection protocol (``APNS_SERVER``, ``APNS_PORT``) and
has no option to change them. ``apns_url`` (tests only) therefore swaps in a subclass of aioapns's own
``APNsTLSClientProtocol`` whose only difference is those two constants: the connection, TLS, HTTP/2 framing,
provider JWT and response handling all stay aioapns's.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from aioapns import APNs, NotificationRequest, PushType
from aioapns.common import NotificationResult
from aioapns.connection import APNsTLSClientProtocol
from aioapns.exceptions import ConnectionClosed, MaxAttemptsExceeded
from aioapns.exceptions import ConnectionError as ApnsConnectionError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from confer.modules.notifications.push import PushMessage, PushOutcome, PushRejected, PushUnavailable
from confer.modules.notifications.push.settings import APNS_REQUIRED, PushSettings, missing, problem, tls_context

GONE = {("410", "Unregistered"), ("400", "BadDeviceToken")}
"""Answers meaning the token will never work again. BadDeviceToken is also what a sandbox token gets from
production (and the reverse): a wrong ``apns_sandbox`` makes every token look bad."""
TRANSIENT_STATUSES = {"403", "429", "500", "503"}
"""403 covers ExpiredProviderToken / InvalidProviderToken / TooManyProviderTokenUpdates: the provider token is
renewed on the next connection, or the key is being rotated."""


class ApnsSender:
    def __init__(self, settings: PushSettings) -> None:
        key, key_id, team_id, topic = (
            settings.apns_key,
            settings.apns_key_id,
            settings.apns_team_id,
            settings.apns_topic,
        )
        if not (key and key_id and team_id and topic):
            raise missing(settings, APNS_REQUIRED)
        _check_signing_key(key)
        self._settings = settings
        self._key, self._key_id, self._team_id, self._topic = key, key_id, team_id, topic
        self._tls = tls_context(settings)
        self._tls.set_alpn_protocols(["h2"])
        self._endpoint = _endpoint(settings.apns_url) if settings.apns_url else None
        self._client: APNs | None = None

    async def send(self, target: str, message: PushMessage) -> PushOutcome:
        request = NotificationRequest(
            device_token=target,
            message={**message.data, "aps": {"alert": {"title": message.title, "body": message.body}}},
            time_to_live=message.ttl_seconds,
            collapse_key=message.collapse_key,
            push_type=PushType.ALERT,
            priority=10,
        )
        try:
            async with asyncio.timeout(self._settings.timeout_seconds):
                result = await self._apns().send_notification(request)
        except (ApnsConnectionError, ConnectionClosed, MaxAttemptsExceeded, OSError, TimeoutError) as exc:
            raise PushUnavailable(f"APNs unreachable ({exc.__class__.__name__})") from exc
        return _verdict(result)

    async def close(self) -> None:
        if self._client is not None:
            self._client.pool.close()
            self._client = None

    def _apns(self) -> APNs:
        """aioapns binds its pool to the running loop, so the client is made on first use."""
        if self._client is None:
            client = APNs(
                key=self._key,
                key_id=self._key_id,
                team_id=self._team_id,
                topic=self._topic,
                use_sandbox=self._settings.apns_sandbox,
                ssl_context=self._tls,
                max_connections=2,  # each HTTP/2 connection carries up to the server's stream limit (1000 at Apple)
                max_connection_attempts=2,  # one reconnect when APNs closed an idle connection; the job retries
                err_func=_verdict_is_ours,
            )
            if self._endpoint is not None:
                client.pool.protocol_class = _protocol_at(*self._endpoint)
            self._client = client
        return self._client


def _verdict(result: NotificationResult) -> PushOutcome:
    if result.is_successful:
        return PushOutcome.DELIVERED
    if (result.status, result.description) in GONE:
        return PushOutcome.INVALID_TOKEN
    if result.status in TRANSIENT_STATUSES or result.status.startswith("5"):
        raise PushUnavailable(f"APNs answered {result.status} {result.description}")
    raise PushRejected(f"APNs answered {result.status} {result.description}")


async def _verdict_is_ours(request: NotificationRequest, result: NotificationResult) -> None:
    """Replaces aioapns's error log line: the caller logs the outcome once, with its own context."""


def _check_signing_key(pem: str) -> None:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise problem("apns_key", "not a PEM private key (paste the whole .p8 file)") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise problem("apns_key", "must be an EC P-256 key (the .p8 file from Apple)")


def _endpoint(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if not parts.hostname:
        raise problem("apns_url", "needs a host, e.g. https://127.0.0.1:8443")
    return parts.hostname, parts.port or 443


def _protocol_at(host: str, port: int) -> type[APNsTLSClientProtocol]:
    class Redirected(APNsTLSClientProtocol):
        APNS_SERVER = host
        APNS_PORT = port

    return Redirected
