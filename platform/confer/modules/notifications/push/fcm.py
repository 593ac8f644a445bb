"""Firebase Cloud Messaging, HTTP v1 API, with an OAuth2 access token from the service account key.

The token comes from the key's ``token_uri`` in exchange for an RS256-signed JWT assertion (RFC 7523) and is
reused until shortly before it expires; one lock makes concurrent sends share a single fetch.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import aiohttp
import jwt
import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from confer.core.clock import Clock, SystemClock
from confer.modules.notifications.push import PushMessage, PushOutcome, PushRejected, PushUnavailable
from confer.modules.notifications.push.settings import FCM_REQUIRED, PushSettings, missing, problem, tls_context

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_SECONDS = 3600
REFRESH_MARGIN = timedelta(minutes=5)
TOKEN_FIELD = "message.token"


class ServiceAccount(msgspec.Struct, frozen=True):
    project_id: str
    client_email: str
    private_key: str
    token_uri: str
    private_key_id: str | None = None

    def __repr__(self) -> str:
        return f"ServiceAccount(project_id={self.project_id!r}, client_email={self.client_email!r})"


class _AccessToken(msgspec.Struct, frozen=True):
    access_token: str
    expires_in: int


class _FieldViolation(msgspec.Struct, frozen=True):
    field: str = ""


class _ErrorDetail(msgspec.Struct, frozen=True):
    error_code: str | None = msgspec.field(default=None, name="errorCode")
    field_violations: list[_FieldViolation] = msgspec.field(default_factory=list, name="fieldViolations")


class _Error(msgspec.Struct, frozen=True):
    status: str = ""
    message: str = ""
    details: list[_ErrorDetail] = []


class _ErrorBody(msgspec.Struct, frozen=True):
    error: _Error


class FcmSender:
    def __init__(self, settings: PushSettings, *, clock: Clock | None = None) -> None:
        if not settings.fcm_service_account:
            raise missing(settings, FCM_REQUIRED)
        self._account = _service_account(settings.fcm_service_account)
        self._signing_key = _signing_key(self._account.private_key)
        self._send_url = f"{settings.fcm_url.rstrip('/')}/v1/projects/{self._account.project_id}/messages:send"
        self._settings = settings
        self._clock = clock or SystemClock()
        self._token: tuple[str, datetime] | None = None
        self._token_lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def send(self, target: str, message: PushMessage) -> PushOutcome:
        token = await self._access_token()
        try:
            async with self._http().post(
                self._send_url, json=_fcm_message(target, message), headers={"Authorization": f"Bearer {token}"}
            ) as response:
                status, body = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PushUnavailable(f"FCM unreachable ({exc.__class__.__name__})") from exc
        if status == 401:
            self._token = None  # revoked or rotated key: fetch a new one on the retry
        return _verdict(status, body)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _access_token(self) -> str:
        async with self._token_lock:
            now = self._clock.now()
            if self._token is None or self._token[1] <= now:
                self._token = await self._fetch_token(now)
            return self._token[0]

    async def _fetch_token(self, now: datetime) -> tuple[str, datetime]:
        form = {"grant_type": GRANT_TYPE, "assertion": self._assertion(now)}
        try:
            async with self._http().post(self._account.token_uri, data=form) as response:
                if response.status != 200:
                    raise PushUnavailable(f"OAuth token endpoint answered {response.status}")
                token = msgspec.json.decode(await response.read(), type=_AccessToken)
        except (aiohttp.ClientError, TimeoutError, msgspec.DecodeError) as exc:
            raise PushUnavailable(f"no OAuth access token ({exc.__class__.__name__})") from exc
        lifetime = timedelta(seconds=token.expires_in)
        return token.access_token, now + max(lifetime - REFRESH_MARGIN, lifetime / 2)

    def _assertion(self, now: datetime) -> str:
        issued = int(now.timestamp())
        claims = {
            "iss": self._account.client_email,
            "scope": SCOPE,
            "aud": self._account.token_uri,
            "iat": issued,
            "exp": issued + ASSERTION_SECONDS,
        }
        headers = {"kid": self._account.private_key_id} if self._account.private_key_id else None
        return jwt.encode(claims, self._signing_key, algorithm="RS256", headers=headers)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._settings.timeout_seconds),
                connector=aiohttp.TCPConnector(
                    limit=self._settings.max_concurrent_sends, ssl=tls_context(self._settings)
                ),
            )
        return self._session


def _fcm_message(target: str, message: PushMessage) -> dict[str, object]:
    android: dict[str, str] = {"ttl": f"{message.ttl_seconds}s"}
    if message.collapse_key is not None:
        android["collapse_key"] = message.collapse_key
    return {
        "message": {
            "token": target,
            "notification": {"title": message.title, "body": message.body},
            "data": message.data,
            "android": android,
        }
    }


def _verdict(status: int, body: bytes) -> PushOutcome:
    if status == 200:
        return PushOutcome.DELIVERED
    if status == 429 or status >= 500:
        raise PushUnavailable(f"FCM answered {status}")
    if status == 401:
        raise PushUnavailable("FCM refused the access token")
    error = _error(body)
    if status in (400, 404) and error is not None and _about_the_token(error):
        return PushOutcome.INVALID_TOKEN
    raise PushRejected(f"FCM answered {status} {error.status if error else ''}".rstrip())


def _error(body: bytes) -> _Error | None:
    try:
        return msgspec.json.decode(body, type=_ErrorBody).error
    except msgspec.DecodeError:
        return None


def _about_the_token(error: _Error) -> bool:
    """UNREGISTERED (404): the app instance is gone. INVALID_ARGUMENT (400) is about the token only when the
    BadRequest detail names ``message.token``, or FCM's message says so; otherwise our request is at fault."""
    codes = {detail.error_code for detail in error.details}
    if "UNREGISTERED" in codes:
        return True
    if "INVALID_ARGUMENT" not in codes and error.status != "INVALID_ARGUMENT":
        return False
    fields = {violation.field for detail in error.details for violation in detail.field_violations}
    return TOKEN_FIELD in fields or "registration token" in error.message.lower()


def _service_account(text: str) -> ServiceAccount:
    try:
        return msgspec.json.decode(text, type=ServiceAccount)
    except msgspec.DecodeError as exc:
        reason = str(exc).split(" - at `")[0]
        raise problem("fcm_service_account", f"not a service account key file ({reason})") from None


def _signing_key(pem: str) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise problem("fcm_service_account", "its private_key is not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise problem("fcm_service_account", "its private_key must be an RSA key")
    return key
