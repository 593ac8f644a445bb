"""Web Push through pywebpush against a local push service that decrypts the payload and checks VAPID."""

from __future__ import annotations

import json

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from confer.modules.notifications.push import PushMessage, PushOutcome, PushUnavailable
from confer.modules.notifications.push.webpush import WebPushSender
from tests.modules.notifications.push.conftest import vapid_public, vapid_settings
from tests.modules.notifications.push.peers import BrowserSubscription, Tls, WebPushPeer, aiohttp_peer, closed_port

_BROWSER = json.loads(BrowserSubscription("example").as_json("https://127.0.0.1:9"))["keys"]
P256DH, AUTH = _BROWSER["p256dh"], _BROWSER["auth"]
MESSAGE = PushMessage(
    title="New message",
    body="Your therapist shared a document",
    data={"kind": "document.shared", "document_id": "d-9"},
    collapse_key="document:d-9",
    ttl_seconds=600,
)


async def test_the_browser_decrypts_exactly_the_message_sent_with_a_vapid_token_for_its_push_service(
    webpush: tuple[WebPushPeer, WebPushSender],
) -> None:
    peer, sender = webpush
    subscription = peer.subscribe("laptop")
    assert await sender.send(subscription, MESSAGE) is PushOutcome.DELIVERED

    [receipt] = peer.received
    assert msgspec.convert(receipt.payload, PushMessage) == MESSAGE
    assert receipt.headers["ttl"] == "600"
    assert len(receipt.headers["topic"]) == 32
    assert receipt.vapid_claims["aud"] == peer.base_url
    assert receipt.vapid_claims["sub"] == "mailto:ops@confer.test"


async def test_the_same_collapse_key_gives_the_same_topic(webpush: tuple[WebPushPeer, WebPushSender]) -> None:
    peer, sender = webpush
    subscription = peer.subscribe("phone")
    for body in ("first", "second"):
        await sender.send(subscription, PushMessage(title="t", body=body, collapse_key="booking:b-1"))
    await sender.send(subscription, PushMessage(title="t", body="other", collapse_key="booking:b-2"))
    topics = [receipt.headers["topic"] for receipt in peer.received]
    assert topics[0] == topics[1] != topics[2]


async def test_a_raw_base64url_vapid_key_signs_like_its_pem(tls: Tls, vapid_key: ec.EllipticCurvePrivateKey) -> None:
    peer = WebPushPeer(application_server_key=vapid_public(vapid_key))
    async with aiohttp_peer(peer.app(), tls) as url:
        peer.base_url = url
        sender = WebPushSender(vapid_settings(vapid_key, tls, raw=True))
        try:
            assert sender.application_server_key == vapid_public(vapid_key)
            assert await sender.send(peer.subscribe("tablet"), MESSAGE) is PushOutcome.DELIVERED
        finally:
            await sender.close()


async def test_an_expired_subscription_is_an_invalid_token(webpush: tuple[WebPushPeer, WebPushSender]) -> None:
    peer, sender = webpush
    subscription = peer.subscribe("old-laptop")
    peer.gone.add("old-laptop")
    assert await sender.send(subscription, MESSAGE) is PushOutcome.INVALID_TOKEN


@pytest.mark.parametrize(
    "target",
    [
        "not json",
        json.dumps({"endpoint": "https://push.example.org/x"}),
        json.dumps({"endpoint": "http://127.0.0.1:9/push/x", "keys": {"p256dh": P256DH, "auth": AUTH}}),
        json.dumps({"endpoint": "https://127.0.0.1:9/push/x", "keys": {"p256dh": "BAAA", "auth": AUTH}}),
        json.dumps({"endpoint": "https://127.0.0.1:9/push/x", "keys": {"p256dh": P256DH, "auth": "AAAA"}}),
    ],
)
async def test_a_subscription_that_can_never_be_delivered_to_is_an_invalid_token(
    webpush: tuple[WebPushPeer, WebPushSender], target: str
) -> None:
    _, sender = webpush
    assert await sender.send(target, MESSAGE) is PushOutcome.INVALID_TOKEN


async def test_a_push_service_error_is_transient(webpush: tuple[WebPushPeer, WebPushSender]) -> None:
    peer, sender = webpush
    subscription = peer.subscribe("desktop")
    peer.failing.add("desktop")
    with pytest.raises(PushUnavailable, match="500"):
        await sender.send(subscription, MESSAGE)


async def test_an_unreachable_push_service_is_transient(webpush: tuple[WebPushPeer, WebPushSender]) -> None:
    peer, sender = webpush
    subscription = json.loads(peer.subscribe("desktop"))
    subscription["endpoint"] = f"https://127.0.0.1:{closed_port()}/push/desktop"
    with pytest.raises(PushUnavailable):
        await sender.send(json.dumps(subscription), MESSAGE)
