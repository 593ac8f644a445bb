"""APNs through aioapns against a local HTTP/2 TLS server that checks the provider token like Apple does."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from confer.modules.notifications.push import PushMessage, PushOutcome, PushUnavailable
from confer.modules.notifications.push.apns import ApnsSender
from tests.modules.notifications.push.conftest import KEY_ID, TEAM_ID, TOPIC, apns_settings
from tests.modules.notifications.push.peers import ApnsPeer, Tls, closed_port

MESSAGE = PushMessage(
    title="Booking confirmed",
    body="Tuesday 10:00 with Dr. Lind",
    data={"kind": "booking.confirmed", "booking_id": "b-42"},
    collapse_key="booking-b-42",
    ttl_seconds=3600,
)


async def test_an_alert_reaches_apns_over_http2_with_a_provider_token_signed_by_the_team_key(
    apns: tuple[ApnsPeer, ApnsSender],
) -> None:
    peer, sender = apns
    assert await sender.send("a1b2c3", MESSAGE) is PushOutcome.DELIVERED

    [request] = peer.accepted
    assert request.alpn == "h2"  # and the peer parses nothing but HTTP/2 frames
    assert request.token == "a1b2c3"
    assert request.headers["apns-topic"] == TOPIC
    assert request.headers["apns-push-type"] == "alert"
    assert request.headers["apns-collapse-id"] == "booking-b-42"
    assert request.headers["authorization"].startswith("bearer ")
    assert request.jwt_header == {"alg": "ES256", "kid": KEY_ID, "typ": "JWT"}
    assert request.jwt_claims["iss"] == TEAM_ID
    assert request.payload == {
        "aps": {"alert": {"title": "Booking confirmed", "body": "Tuesday 10:00 with Dr. Lind"}},
        "kind": "booking.confirmed",
        "booking_id": "b-42",
    }


async def test_many_concurrent_alerts_share_one_http2_connection(apns: tuple[ApnsPeer, ApnsSender]) -> None:
    peer, sender = apns
    outcomes = await asyncio.gather(*(sender.send(f"device{i}", MESSAGE) for i in range(25)))
    assert set(outcomes) == {PushOutcome.DELIVERED}
    assert len(peer.accepted) == 25
    assert len({request.client_port for request in peer.accepted}) == 1


@pytest.mark.parametrize("answer", ["unregistered", "bad"])
async def test_a_device_apns_calls_unregistered_or_bad_is_an_invalid_token(
    apns: tuple[ApnsPeer, ApnsSender], answer: str
) -> None:
    peer, sender = apns
    getattr(peer, answer).add("deadbeef")
    assert await sender.send("deadbeef", MESSAGE) is PushOutcome.INVALID_TOKEN
    assert await sender.send("livebeef", MESSAGE) is PushOutcome.DELIVERED


async def test_an_apns_server_error_is_transient(apns: tuple[ApnsPeer, ApnsSender]) -> None:
    peer, sender = apns
    peer.failing.add("cafe")
    with pytest.raises(PushUnavailable, match="500"):
        await sender.send("cafe", MESSAGE)


async def test_an_unreachable_apns_host_is_transient(tls: Tls, apns_key: ec.EllipticCurvePrivateKey) -> None:
    sender = ApnsSender(apns_settings(apns_key, tls, f"https://127.0.0.1:{closed_port()}"))
    try:
        with pytest.raises(PushUnavailable):
            await sender.send("a1b2c3", MESSAGE)
    finally:
        await sender.close()
