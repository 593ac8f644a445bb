"""Local stand-ins for the push services, speaking their real protocols on 127.0.0.1 over TLS (APNs: HTTP/2 only).

Each peer checks what the real service checks (the provider JWT, the OAuth assertion, the VAPID token, the
encryption) and records what it accepted, so tests assert on what actually went over the wire.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import json
import os
import secrets
import socket
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import h2.events
import h2.exceptions
import http_ece
import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from h2.config import H2Configuration
from h2.connection import H2Connection

from confer.core.clock import Clock

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Tls:
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_tls(directory: Path) -> Tls:
    """A self-signed certificate for 127.0.0.1, also the CA the senders are told to trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "confer push peers")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK)), x509.DNSName("localhost")]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    tls = Tls(directory / "peer.pem", directory / "peer.key")
    tls.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tls.key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return tls


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@contextlib.asynccontextmanager
async def aiohttp_peer(app: web.Application, tls: Tls) -> AsyncIterator[str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, 0, ssl_context=tls.server_context())
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"https://{LOOPBACK}:{port}"
    finally:
        await runner.cleanup()


# --- APNs: an HTTP/2-only server on h2, answering the way Apple does -------------------------------------------------


@dataclass
class ApnsRequest:
    alpn: str | None
    client_port: int
    token: str
    headers: dict[str, str]
    payload: dict[str, Any]
    jwt_header: dict[str, Any]
    jwt_claims: dict[str, Any]


@dataclass
class ApnsPeer:
    """Answers like APNs: 200, 410 Unregistered, 400 BadDeviceToken, 500; 403 for a provider token it rejects."""

    team_id: str
    key_id: str
    public_key: ec.EllipticCurvePublicKey
    unregistered: set[str] = field(default_factory=set)
    bad: set[str] = field(default_factory=set)
    failing: set[str] = field(default_factory=set)
    accepted: list[ApnsRequest] = field(default_factory=list)

    def answer(self, headers: dict[str, str], body: bytes, alpn: str | None, client_port: int) -> tuple[int, str]:
        if headers.get(":method") != "POST" or not headers.get(":path", "").startswith("/3/device/"):
            return 404, "BadPath"
        scheme, _, token = headers.get("authorization", "").partition(" ")
        try:
            jwt_header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, self.public_key, algorithms=["ES256"])
        except jwt.InvalidTokenError:
            return 403, "InvalidProviderToken"
        if scheme != "bearer" or jwt_header.get("kid") != self.key_id or claims.get("iss") != self.team_id:
            return 403, "InvalidProviderToken"
        device = headers[":path"].removeprefix("/3/device/")
        payload = json.loads(body)
        self.accepted.append(ApnsRequest(alpn, client_port, device, headers, payload, jwt_header, claims))
        if device in self.unregistered:
            return 410, "Unregistered"
        if device in self.bad:
            return 400, "BadDeviceToken"
        if device in self.failing:
            return 500, "InternalServerError"
        return 200, ""


class _Http2Connection(asyncio.Protocol):
    """One client connection. A success is a HEADERS frame that ends the stream, with no DATA frame: aioapns
    parses every DATA frame as JSON, so an empty one (what ASGI servers send for an empty body) breaks it."""

    def __init__(self, peer: ApnsPeer) -> None:
        self.peer = peer
        self.h2 = H2Connection(H2Configuration(client_side=False, header_encoding="utf-8"))
        self.requests: dict[int, tuple[dict[str, str], bytearray]] = {}
        self.transport: asyncio.Transport | None = None
        self.alpn: str | None = None
        self.client_port = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.alpn = transport.get_extra_info("ssl_object").selected_alpn_protocol()
        self.client_port = transport.get_extra_info("peername")[1]
        self.h2.initiate_connection()
        transport.write(self.h2.data_to_send())

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        try:
            events = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError:
            self.transport.write(self.h2.data_to_send())
            self.transport.close()
            return
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                self.requests[event.stream_id] = (dict(event.headers), bytearray())  # type: ignore[arg-type]
            elif isinstance(event, h2.events.DataReceived):
                self.requests[event.stream_id][1].extend(event.data)
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                headers, body = self.requests.pop(event.stream_id)
                self._respond(event.stream_id, headers, bytes(body))
        self.transport.write(self.h2.data_to_send())

    def _respond(self, stream_id: int, headers: dict[str, str], body: bytes) -> None:
        status, reason = self.peer.answer(headers, body, self.alpn, self.client_port)
        response = [(":status", str(status)), ("apns-id", headers.get("apns-id", ""))]
        if status == 200:
            self.h2.send_headers(stream_id, response, end_stream=True)
            return
        payload = json.dumps({"reason": reason}).encode()
        self.h2.send_headers(stream_id, [*response, ("content-type", "application/json")])
        self.h2.send_data(stream_id, payload, end_stream=True)


@contextlib.asynccontextmanager
async def apns_peer(peer: ApnsPeer, tls: Tls) -> AsyncIterator[str]:
    context = tls.server_context()
    context.set_alpn_protocols(["h2"])
    connections: list[_Http2Connection] = []

    def accept() -> _Http2Connection:
        connections.append(_Http2Connection(peer))
        return connections[-1]

    server = await asyncio.get_running_loop().create_server(accept, LOOPBACK, 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"https://{LOOPBACK}:{port}"
    finally:
        server.close()
        for connection in connections:
            if connection.transport is not None:
                connection.transport.close()
        await server.wait_closed()


# --- FCM: the OAuth token endpoint and the HTTP v1 send endpoint -----------------------------------------------------


@dataclass
class FcmPeer:
    """Issues access tokens for a verified JWT assertion and takes v1 sends made with them."""

    clock: Clock
    project_id: str = "confer-test"
    client_email: str = "push@confer-test.iam.gserviceaccount.com"
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    token_lifetime: int = 3600
    base_url: str = ""
    unregistered: set[str] = field(default_factory=set)
    garbled: set[str] = field(default_factory=set)
    overloaded: set[str] = field(default_factory=set)
    malformed: set[str] = field(default_factory=set)
    issued: dict[str, datetime] = field(default_factory=dict)
    assertions: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)

    def service_account(self) -> str:
        return json.dumps(
            {
                "type": "service_account",
                "project_id": self.project_id,
                "private_key_id": "key-1",
                "private_key": pem(self.key),
                "client_email": self.client_email,
                "client_id": "1234567890",
                "token_uri": f"{self.base_url}/token",
            }
        )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/token", self.token)
        app.router.add_post("/v1/projects/{project}/messages:send", self.send)
        return app

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        assertion = str(form.get("assertion", ""))
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(
                assertion,
                self.key.public_key(),
                algorithms=["RS256"],
                audience=f"{self.base_url}/token",
                options={"verify_exp": False, "verify_iat": False},  # checked against the shared clock below
            )
        except jwt.InvalidTokenError:
            return web.json_response({"error": "invalid_grant"}, status=400)
        now = int(self.clock.now().timestamp())
        if not (
            claims.get("iss") == self.client_email
            and claims.get("scope") == "https://www.googleapis.com/auth/firebase.messaging"
            and claims["iat"] <= now + 60
            and now < claims["exp"]
            and claims["exp"] - claims["iat"] <= 3600
        ):
            return web.json_response({"error": "invalid_grant"}, status=400)
        self.assertions.append((header, claims))
        access = secrets.token_urlsafe(24)
        self.issued[access] = self.clock.now() + timedelta(seconds=self.token_lifetime)
        return web.json_response({"access_token": access, "expires_in": self.token_lifetime, "token_type": "Bearer"})

    async def send(self, request: web.Request) -> web.Response:
        scheme, _, access = request.headers.get("Authorization", "").partition(" ")
        expires = self.issued.get(access)
        if scheme != "Bearer" or expires is None or expires <= self.clock.now():
            return _fcm_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        if request.match_info["project"] != self.project_id:
            return _fcm_error(403, "PERMISSION_DENIED", "Permission denied.")
        message = (await request.json())["message"]
        if not (
            isinstance(message.get("token"), str)
            and set(message["notification"]) == {"title", "body"}
            and all(isinstance(v, str) for v in message.get("data", {}).values())
            and str(message["android"]["ttl"]).endswith("s")
        ):
            return _fcm_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        token = message["token"]
        self.accepted.append(message)
        if token in self.unregistered:
            return _fcm_error(404, "NOT_FOUND", "Requested entity was not found.", code="UNREGISTERED")
        if token in self.garbled:
            return _fcm_error(
                400,
                "INVALID_ARGUMENT",
                "The registration token is not a valid FCM registration token",
                code="INVALID_ARGUMENT",
                field_violation="message.token",
            )
        if token in self.malformed:
            return _fcm_error(
                400,
                "INVALID_ARGUMENT",
                "Invalid value at 'message.android.ttl'",
                code="INVALID_ARGUMENT",
                field_violation="message.android.ttl",
            )
        if token in self.overloaded:
            return _fcm_error(503, "UNAVAILABLE", "The service is currently unavailable.", code="UNAVAILABLE")
        return web.json_response({"name": f"projects/{self.project_id}/messages/0:{secrets.randbelow(10**12)}"})


def _fcm_error(
    status: int, name: str, text: str, *, code: str | None = None, field_violation: str | None = None
) -> web.Response:
    """The documented FCM v1 error body: google.rpc.Status with an FcmError (and a BadRequest) detail."""
    details: list[dict[str, Any]] = []
    if code:
        details.append({"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code})
    if field_violation:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field_violation, "description": text}],
            }
        )
    return web.json_response(
        {"error": {"code": status, "message": text, "status": name, "details": details}}, status=status
    )


# --- Web Push: a push service that decrypts what it receives ------------------------------------------------------


@dataclass
class BrowserSubscription:
    """What a browser keeps: the ECDH key pair and auth secret behind a ``PushSubscription``."""

    name: str
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def as_json(self, base_url: str) -> str:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        keys = {"p256dh": b64url(point), "auth": b64url(self.auth)}
        return json.dumps({"endpoint": f"{base_url}/push/{self.name}", "expirationTime": None, "keys": keys})


@dataclass
class WebPushReceipt:
    payload: dict[str, Any]
    headers: dict[str, str]
    vapid_claims: dict[str, Any]


@dataclass
class WebPushPeer:
    """Answers like a push service: 201 Created, 410 Gone for an expired subscription, 500 when failing."""

    application_server_key: str
    base_url: str = ""
    subscriptions: dict[str, BrowserSubscription] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    failing: set[str] = field(default_factory=set)
    received: list[WebPushReceipt] = field(default_factory=list)

    def subscribe(self, name: str) -> str:
        self.subscriptions[name] = BrowserSubscription(name)
        return self.subscriptions[name].as_json(self.base_url)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/push/{name}", self.push)
        return app

    async def push(self, request: web.Request) -> web.Response:
        subscription = self.subscriptions.get(request.match_info["name"])
        if subscription is None or subscription.name in self.gone:
            return web.Response(status=410, text="push subscription has unsubscribed or expired")
        claims = self._vapid_claims(request.headers.get("Authorization", ""))
        if claims is None:
            return web.Response(status=401, text="bad VAPID authorization")
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return web.Response(status=415, text="aes128gcm only")
        plaintext = http_ece.decrypt(
            await request.read(), private_key=subscription.key, auth_secret=subscription.auth, version="aes128gcm"
        )
        self.received.append(
            WebPushReceipt(json.loads(plaintext), {k.lower(): v for k, v in request.headers.items()}, claims)
        )
        if subscription.name in self.failing:
            return web.Response(status=500, text="internal error")
        return web.Response(status=201, headers={"Location": f"{self.base_url}/message/{secrets.token_hex(8)}"})

    def _vapid_claims(self, authorization: str) -> dict[str, Any] | None:
        scheme, _, params = authorization.partition(" ")
        values = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        if scheme != "vapid" or values.get("k") != self.application_server_key:
            return None
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(values["k"]))
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.base_url))
        try:
            claims: dict[str, Any] = jwt.decode(values.get("t", ""), public, algorithms=["ES256"], audience=origin)
        except jwt.InvalidTokenError:
            return None
        return claims
