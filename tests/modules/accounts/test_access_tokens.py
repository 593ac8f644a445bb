"""Access tokens: only ours, unexpired, of the right type and audience, signed with an EdDSA key we know."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from confer.core.auth import AccessTokens, Principal, TokenKeys
from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.settings import load_settings
from tests.support import assert_problem, bearer, signed_in


def _claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _sign(
    claims: dict[str, Any], key: Ed25519PrivateKey | Any, *, kid: str, typ: str = "at+jwt", algorithm: str = "EdDSA"
) -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid, "typ": typ})


def _our_key(runtime: Runtime) -> Ed25519PrivateKey:
    return serialization.load_pem_private_key(runtime.settings.jwt_signing_key.encode(), None)  # type: ignore[union-attr,return-value]


async def test_an_expired_access_token_is_refused(
    client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    tokens = await signed_in(client, "expiry@example.org")
    clock.advance(timedelta(seconds=runtime.settings.access_token_seconds + 1))
    problem = assert_problem(await client.get("/api/v1/me", headers=bearer(tokens)), 401, "unauthenticated")
    assert "expired" in problem["detail"]


async def test_forged_and_malformed_tokens_are_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    tokens = await signed_in(client, "victim@example.org")
    claims = _claims_of(tokens["access_token"])
    kid = runtime.settings.jwt_signing_kid
    header_none = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "at+jwt", "kid": kid}).encode())
    body = base64.urlsafe_b64encode(json.dumps(claims).encode())
    forgeries = {
        "another key": _sign(claims, Ed25519PrivateKey.generate(), kid=kid),
        "alg none": f"{header_none.decode().rstrip('=')}.{body.decode().rstrip('=')}.",
        "HS256 with the public key as secret": _sign(claims, "x" * 64, kid=kid, algorithm="HS256"),
        "wrong audience": _sign({**claims, "aud": "someone-else"}, _our_key(runtime), kid=kid),
        "wrong issuer": _sign({**claims, "iss": "evil"}, _our_key(runtime), kid=kid),
        "wrong type": _sign(claims, _our_key(runtime), kid=kid, typ="refresh+jwt"),
        "unknown kid": _sign(claims, _our_key(runtime), kid="retired-long-ago"),
        "no session claim": _sign({k: v for k, v in claims.items() if k != "sid"}, _our_key(runtime), kid=kid),
        "tampered payload": tokens["access_token"].rsplit(".", 2)[0]
        + "."
        + body.decode().rstrip("=")
        + "."
        + tokens["access_token"].rsplit(".", 1)[1],
        "garbage": "not.a.jwt",
    }
    for name, token in forgeries.items():
        response = await client.get("/api/v1/me", headers=bearer(token))
        assert response.status_code == 401, name
        assert_problem(response, 401)
    assert_problem(await client.get("/api/v1/me"), 401)
    assert_problem(await client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401)
    assert (await client.get("/api/v1/me", headers=bearer(tokens))).status_code == 200


async def test_a_token_signed_with_a_retired_key_still_verifies_during_rotation(
    runtime: Runtime, test_environ: dict[str, str]
) -> None:
    old_settings = load_settings(test_environ)
    old = AccessTokens(TokenKeys.from_settings(old_settings), old_settings, runtime.clock)
    principal = Principal(user_id=uuid4(), session_id=uuid4(), role="client")
    token = old.issue(principal)

    public = (
        _our_key(runtime)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    new_key = (
        Ed25519PrivateKey.generate()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    rotated_settings = load_settings(
        {
            **test_environ,
            "CONFER_JWT_SIGNING_KEY": new_key,
            "CONFER_JWT_SIGNING_KID": "test-2",
            "CONFER_JWT_VERIFICATION_KEYS": json.dumps({"test-1": public}),
        }
    )
    rotated = AccessTokens(TokenKeys.from_settings(rotated_settings), rotated_settings, runtime.clock)
    assert rotated.verify(token) == principal
    assert jwt.get_unverified_header(rotated.issue(principal))["kid"] == "test-2"
