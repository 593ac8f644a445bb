"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291), through pywebpush.

pywebpush 2.x has an asyncio API (``webpush_async`` over an aiohttp session), so no worker thread is needed; the
session's connector bounds the requests in flight. Only ``https`` endpoints are accepted: a subscription is user
input, and a plain-HTTP endpoint is never a browser's push service.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from urllib.parse import urlsplit

import aiohttp
import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid  # type: ignore[import-untyped]
from pywebpush import WebPushException, webpush_async  # type: ignore[import-untyped]

from confer.modules.notifications.push import PushMessage, PushOutcome, PushRejected, PushUnavailable
from confer.modules.notifications.push.settings import WEBPUSH_REQUIRED, PushSettings, missing, problem, tls_context

GONE_STATUSES = {404, 410}
AUTH_SECRET_BYTES = 16
TOPIC_LENGTH = 32
"""RFC 8030 §5.4: a Topic is at most 32 characters of the base64url alphabet."""


class SubscriptionKeys(msgspec.Struct, frozen=True):
    p256dh: str
    auth: str


class Subscription(msgspec.Struct, frozen=True):
    """What the browser's ``PushSubscription.toJSON()`` gives (``expirationTime`` and the like are ignored)."""

    endpoint: str
    keys: SubscriptionKeys


class WebPushSender:
    def __init__(self, settings: PushSettings) -> None:
        if not (settings.vapid_private_key and settings.vapid_subject):
            raise missing(settings, WEBPUSH_REQUIRED)
        self._signer = _vapid(settings.vapid_private_key)
        self.application_server_key = _public_key_of(self._signer)
        """What browsers pass as ``applicationServerKey`` to ``pushManager.subscribe``."""
        if settings.vapid_public_key and settings.vapid_public_key.rstrip("=") != self.application_server_key:
            raise problem("vapid_public_key", "does not match CONFER_NOTIFICATIONS_VAPID_PRIVATE_KEY")
        self._subject: str = settings.vapid_subject
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None

    async def send(self, target: str, message: PushMessage) -> PushOutcome:
        try:
            subscription = _subscription(target)
        except ValueError:
            return PushOutcome.INVALID_TOKEN  # a malformed subscription can never be delivered to
        headers = {"Topic": _topic(message.collapse_key)} if message.collapse_key else None
        try:
            await webpush_async(
                subscription_info=msgspec.to_builtins(subscription),
                data=msgspec.json.encode(message).decode(),
                vapid_private_key=self._signer,
                vapid_claims={"sub": self._subject},  # pywebpush adds aud (the endpoint's origin) and exp
                content_encoding="aes128gcm",
                timeout=self._settings.timeout_seconds,
                ttl=message.ttl_seconds,
                headers=headers,
                aiohttp_session=self._http(),
            )
        except WebPushException as exc:
            return _verdict(exc)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PushUnavailable(f"push service unreachable ({exc.__class__.__name__})") from exc
        return PushOutcome.DELIVERED

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._settings.max_concurrent_sends, ssl=tls_context(self._settings)
                )
            )
        return self._session


def _verdict(exc: WebPushException) -> PushOutcome:
    status = exc.status_code
    if status is None:
        raise PushRejected(f"Web Push refused before sending: {exc.message}") from exc
    if status in GONE_STATUSES:
        return PushOutcome.INVALID_TOKEN
    if status == 429 or status >= 500:
        raise PushUnavailable(f"push service answered {status}") from exc
    raise PushRejected(f"push service answered {status}") from exc


def _subscription(target: str) -> Subscription:
    try:
        subscription = msgspec.json.decode(target, type=Subscription)
    except msgspec.DecodeError as exc:
        raise ValueError("not a push subscription") from exc
    if urlsplit(subscription.endpoint).scheme != "https":
        raise ValueError("push endpoints are https URLs")
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url_decode(subscription.keys.p256dh))
    if len(_b64url_decode(subscription.keys.auth)) != AUTH_SECRET_BYTES:
        raise ValueError("the auth secret is 16 bytes")
    return subscription


def _b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc


def _topic(collapse_key: str) -> str:
    """Any collapse key as a valid Topic: the same key gives the same topic."""
    digest = hashlib.sha256(collapse_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:TOPIC_LENGTH]


def _vapid(private_key: str) -> Vapid:
    try:
        if "-----BEGIN" in private_key:
            key = serialization.load_pem_private_key(private_key.encode(), password=None)
        else:
            raw = _b64url_decode(private_key.strip())
            if len(raw) != 32:
                raise ValueError("not 32 bytes")
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except (ValueError, TypeError):
        raise problem("vapid_private_key", "not an EC P-256 key as PEM, nor its 32 bytes in base64url") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise problem("vapid_private_key", "must be an EC P-256 key")
    return Vapid(private_key=key)


def _public_key_of(signer: Vapid) -> str:
    public: ec.EllipticCurvePublicKey = signer.public_key
    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).decode().rstrip("=")
