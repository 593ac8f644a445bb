"""Peers and senders for the push channel tests: every peer is a real TLS server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from confer.core.clock import OffsetClock
from confer.modules.notifications.push.apns import ApnsSender
from confer.modules.notifications.push.fcm import FcmSender
from confer.modules.notifications.push.settings import PushSettings
from confer.modules.notifications.push.webpush import WebPushSender
from tests.modules.notifications.push.peers import (
    ApnsPeer,
    FcmPeer,
    Tls,
    WebPushPeer,
    aiohttp_peer,
    apns_peer,
    b64url,
    make_tls,
    pem,
)

TEAM_ID = "TEAM123456"
KEY_ID = "KEY7654321"
TOPIC = "org.example.confer"


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_tls(Path(tmp_path_factory.mktemp("push-tls")))


@pytest.fixture(scope="session")
def apns_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def vapid_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
async def apns(tls: Tls, apns_key: ec.EllipticCurvePrivateKey) -> AsyncIterator[tuple[ApnsPeer, ApnsSender]]:
    peer = ApnsPeer(team_id=TEAM_ID, key_id=KEY_ID, public_key=apns_key.public_key())
    async with apns_peer(peer, tls) as url:
        sender = ApnsSender(apns_settings(apns_key, tls, url))
        yield peer, sender
        await sender.close()


def apns_settings(key: ec.EllipticCurvePrivateKey, tls: Tls, url: str) -> PushSettings:
    return PushSettings(
        apns_key=pem(key),
        apns_key_id=KEY_ID,
        apns_team_id=TEAM_ID,
        apns_topic=TOPIC,
        apns_sandbox=True,
        apns_url=url,
        ca_file=str(tls.cert_file),
        timeout_seconds=5,
    )


@pytest.fixture
def fcm_clock() -> OffsetClock:
    return OffsetClock()


@pytest.fixture
async def fcm(tls: Tls, fcm_clock: OffsetClock) -> AsyncIterator[tuple[FcmPeer, FcmSender]]:
    peer = FcmPeer(clock=fcm_clock)
    async with aiohttp_peer(peer.app(), tls) as url:
        peer.base_url = url
        settings = PushSettings(
            fcm_service_account=peer.service_account(), fcm_url=url, ca_file=str(tls.cert_file), timeout_seconds=5
        )
        sender = FcmSender(settings, clock=fcm_clock)
        yield peer, sender
        await sender.close()


def vapid_public(key: ec.EllipticCurvePrivateKey) -> str:
    from cryptography.hazmat.primitives import serialization

    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


def vapid_settings(key: ec.EllipticCurvePrivateKey, tls: Tls, *, raw: bool = False) -> PushSettings:
    private = b64url(key.private_numbers().private_value.to_bytes(32, "big")) if raw else pem(key)
    return PushSettings(
        vapid_private_key=private,
        vapid_public_key=vapid_public(key),
        vapid_subject="mailto:ops@confer.test",
        ca_file=str(tls.cert_file),
        timeout_seconds=5,
    )


@pytest.fixture
async def webpush(tls: Tls, vapid_key: ec.EllipticCurvePrivateKey) -> AsyncIterator[tuple[WebPushPeer, WebPushSender]]:
    peer = WebPushPeer(application_server_key=vapid_public(vapid_key))
    async with aiohttp_peer(peer.app(), tls) as url:
        peer.base_url = url
        sender = WebPushSender(vapid_settings(vapid_key, tls))
        yield peer, sender
        await sender.close()
