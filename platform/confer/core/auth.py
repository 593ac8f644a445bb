"""Access tokens (DESIGN §6): short-lived EdDSA JWTs with a ``kid``, and the ``Principal`` every module receives.

Signing uses one key; verification accepts several (the signing key's public half plus retired ones listed in
settings), so keys rotate without signing anyone out. The algorithm list is fixed here, never read from the token.
A session revoked before its access token expires is refused through a short-lived Redis mark.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import jwt
import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from litestar.connection import ASGIConnection
from redis.asyncio import Redis

from confer.core.broadcast import Broadcast
from confer.core.clock import Clock
from confer.core.errors import Forbidden, Unauthenticated
from confer.settings import Settings

ALGORITHM = "EdDSA"
TOKEN_TYPE = "at+jwt"
VERIFIED_CACHE_SIZE = 20_000
Role = Literal["client", "professional", "admin"]


class Principal(msgspec.Struct, frozen=True):
    """Who is calling: the user, the session their token belongs to, and their role."""

    user_id: UUID
    session_id: UUID
    role: Role

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(roles)}")


class TokenKeys:
    """The signing key and every key a token may be verified with, by ``kid``."""

    def __init__(self, signing_key: Ed25519PrivateKey, signing_kid: str, retired: dict[str, Ed25519PublicKey]) -> None:
        self.signing_key = signing_key
        self.signing_kid = signing_kid
        self.verification_keys = {**retired, signing_kid: signing_key.public_key()}

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenKeys:
        retired = {kid: _load_public(pem) for kid, pem in settings.jwt_verification_keys.items()}
        if settings.jwt_signing_key:
            private = serialization.load_pem_private_key(settings.jwt_signing_key.encode(), password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise ValueError("CONFER_JWT_SIGNING_KEY must be an Ed25519 private key (PKCS#8 PEM)")
            return cls(private, settings.jwt_signing_kid, retired)
        if settings.env == "production":
            raise ValueError("CONFER_JWT_SIGNING_KEY is required in production")
        return cls(_development_key(Path(settings.data_dir)), settings.jwt_signing_kid, retired)


def _load_public(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("CONFER_JWT_VERIFICATION_KEYS must hold Ed25519 public keys (PEM)")
    return key


def _development_key(data_dir: Path) -> Ed25519PrivateKey:
    """A key kept under the data directory, so that ``confer dev`` restarts keep people signed in."""
    path = data_dir / "jwt-signing-key.pem"
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(key, Ed25519PrivateKey):
            return key
    key = Ed25519PrivateKey.generate()
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(generate_pem(key))
    path.chmod(0o600)
    return key


def generate_pem(key: Ed25519PrivateKey | None = None) -> bytes:
    key = key or Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class AccessTokens:
    """Issues and verifies access tokens against the settings' issuer, audience and lifetime."""

    def __init__(self, keys: TokenKeys, settings: Settings, clock: Clock) -> None:
        self._keys = keys
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._lifetime = settings.access_token_seconds
        self._clock = clock
        self._verified: dict[str, tuple[Principal, int]] = {}
        """Tokens whose signature and claims were checked, with their expiry: a token is immutable, so only the
        expiry needs checking again. Bounded; emptied when full."""

    @property
    def lifetime_seconds(self) -> int:
        return self._lifetime

    def issue(self, principal: Principal) -> str:
        now = int(self._clock.now().timestamp())
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(principal.user_id),
            "sid": str(principal.session_id),
            "role": principal.role,
            "iat": now,
            "nbf": now,
            "exp": now + self._lifetime,
        }
        headers = {"kid": self._keys.signing_kid, "typ": TOKEN_TYPE}
        return jwt.encode(claims, self._keys.signing_key, algorithm=ALGORITHM, headers=headers)

    def verify(self, token: str) -> Principal:
        return self.verify_with_expiry(token)[0]

    def verify_with_expiry(self, token: str) -> tuple[Principal, int]:
        """The token's principal and its expiry (a Unix time), for holders that outlive a request (a WebSocket)."""
        cached = self._verified.get(token)
        if cached is not None:
            if cached[1] <= self._clock.now().timestamp():
                raise Unauthenticated("the access token has expired")
            return cached
        verified = self._verify_fully(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = verified
        return verified

    def _verify_fully(self, token: str) -> tuple[Principal, int]:
        try:
            header = jwt.get_unverified_header(token)
            key = self._keys.verification_keys.get(str(header.get("kid")))
            if key is None or header.get("typ") != TOKEN_TYPE:
                raise Unauthenticated("the access token is not one of ours")
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                # Expiry is checked against the app's clock below, not the host's.
                options={
                    "require": ["iss", "aud", "sub", "sid", "exp", "iat"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError:
            raise Unauthenticated("the access token is invalid") from None
        self._check_lifetime(claims, self._clock.now())
        try:
            principal = Principal(user_id=UUID(claims["sub"]), session_id=UUID(claims["sid"]), role=claims["role"])
            return principal, int(claims["exp"])
        except (KeyError, ValueError):
            raise Unauthenticated("the access token is invalid") from None

    @staticmethod
    def _check_lifetime(claims: dict[str, Any], now: datetime) -> None:
        timestamp = now.timestamp()
        if not isinstance(claims["exp"], int) or claims["exp"] <= timestamp:
            raise Unauthenticated("the access token has expired")
        if int(claims.get("nbf", claims["iat"])) > timestamp + 30:
            raise Unauthenticated("the access token is not valid yet")


REVOKED_TOPIC = "sessions.revoked"
PRUNE_ABOVE = 10_000


class RevokedSessions:
    """Sessions ended before their access tokens expire, checked in memory on every request.

    A revocation is remembered here at once, written to Redis with the access-token lifetime (for processes that
    start or reconnect later) and broadcast to the other processes.
    """

    def __init__(self, redis: Redis, namespace: str, broadcast: Broadcast, clock: Clock, ttl_seconds: int) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:revoked-session:"
        self._broadcast = broadcast
        self._clock = clock
        self._ttl = ttl_seconds
        self._until: dict[UUID, float] = {}
        self._watchers: dict[UUID, set[Callable[[], None]]] = {}
        broadcast.on(REVOKED_TOPIC, lambda payload: self._remember([UUID(i) for i in payload["ids"]]))
        broadcast.on_resync(self.reload)

    def is_revoked(self, session_id: UUID) -> bool:
        until = self._until.get(session_id)
        return until is not None and until > self._clock.now().timestamp()

    def watch(self, session_id: UUID, on_end: Callable[[], None]) -> Callable[[], None]:
        """Call ``on_end`` once when this session is revoked, by this process or another (an open WebSocket closes);
        returns what stops watching. Revocations already known are the caller's to check (:meth:`is_revoked`)."""
        watchers = self._watchers.setdefault(session_id, set())
        watchers.add(on_end)

        def unwatch() -> None:
            watchers.discard(on_end)
            if not watchers and self._watchers.get(session_id) is watchers:
                del self._watchers[session_id]

        return unwatch

    async def revoke(self, session_ids: list[UUID]) -> None:
        if not session_ids:
            return
        self._remember(session_ids)
        async with self._redis.pipeline(transaction=False) as pipe:
            for session_id in session_ids:
                pipe.set(f"{self._prefix}{session_id}", b"1", ex=self._ttl)
            await pipe.execute()
        await self._broadcast.publish(self._redis, REVOKED_TOPIC, {"ids": [str(i) for i in session_ids]})

    async def reload(self) -> None:
        """Remember every revocation still recorded in Redis (on start and after a reconnection)."""
        found = [
            UUID(key.decode().removeprefix(self._prefix))
            async for key in self._redis.scan_iter(match=f"{self._prefix}*", count=1000)
        ]
        self._remember(found)

    def _remember(self, session_ids: list[UUID]) -> None:
        now = self._clock.now().timestamp()
        if len(self._until) > PRUNE_ABOVE:
            self._until = {k: v for k, v in self._until.items() if v > now}
        for session_id in session_ids:
            self._until[session_id] = now + self._ttl
            for on_end in self._watchers.pop(session_id, set()):
                on_end()


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The bearer token of the request, read from the raw headers (building Litestar's Headers costs more)."""
    raw = next((value for name, value in connection.scope["headers"] if name == b"authorization"), b"")
    scheme, _, token = raw.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send an access token as `Authorization: Bearer <token>`")
    return token.strip()
