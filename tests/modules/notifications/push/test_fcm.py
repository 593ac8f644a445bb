"""FCM HTTP v1 against a local server playing Google's OAuth token endpoint and the v1 send endpoint."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from confer.core.clock import OffsetClock
from confer.modules.notifications.push import PushMessage, PushOutcome, PushRejected, PushUnavailable
from confer.modules.notifications.push.fcm import FcmSender
from confer.modules.notifications.push.settings import PushSettings
from tests.modules.notifications.push.peers import FcmPeer, Tls, closed_port

MESSAGE = PushMessage(
    title="Class starts soon",
    body="Yoga for beginners at 18:00",
    data={"kind": "class.reminder", "session_id": "s-7"},
    collapse_key="reminder-s-7",
    ttl_seconds=900,
)


async def test_a_message_reaches_fcm_in_the_v1_format_with_an_access_token_from_the_service_account(
    fcm: tuple[FcmPeer, FcmSender],
) -> None:
    peer, sender = fcm
    assert await sender.send("android-token-1", MESSAGE) is PushOutcome.DELIVERED

    assert peer.accepted == [
        {
            "token": "android-token-1",
            "notification": {"title": "Class starts soon", "body": "Yoga for beginners at 18:00"},
            "data": {"kind": "class.reminder", "session_id": "s-7"},
            "android": {"collapse_key": "reminder-s-7", "ttl": "900s"},
        }
    ]
    [(header, claims)] = peer.assertions
    assert header["alg"] == "RS256"
    assert header["kid"] == "key-1"
    assert claims["iss"] == peer.client_email


async def test_the_access_token_is_fetched_once_for_many_sends(fcm: tuple[FcmPeer, FcmSender]) -> None:
    peer, sender = fcm
    outcomes = await asyncio.gather(*(sender.send(f"token-{i}", MESSAGE) for i in range(10)))
    outcomes.append(await sender.send("token-late", MESSAGE))
    assert set(outcomes) == {PushOutcome.DELIVERED}
    assert len(peer.accepted) == 11
    assert len(peer.issued) == 1


async def test_the_access_token_is_renewed_shortly_before_it_expires(
    fcm: tuple[FcmPeer, FcmSender], fcm_clock: OffsetClock
) -> None:
    peer, sender = fcm
    await sender.send("token-a", MESSAGE)
    fcm_clock.advance(timedelta(minutes=50))
    await sender.send("token-b", MESSAGE)
    assert len(peer.issued) == 1
    fcm_clock.advance(timedelta(minutes=6))  # 4 minutes before expiry
    assert await sender.send("token-c", MESSAGE) is PushOutcome.DELIVERED
    assert len(peer.issued) == 2


@pytest.mark.parametrize("answer", ["unregistered", "garbled"])
async def test_a_token_fcm_calls_unregistered_or_invalid_is_an_invalid_token(
    fcm: tuple[FcmPeer, FcmSender], answer: str
) -> None:
    peer, sender = fcm
    getattr(peer, answer).add("stale-token")
    assert await sender.send("stale-token", MESSAGE) is PushOutcome.INVALID_TOKEN
    assert await sender.send("fresh-token", MESSAGE) is PushOutcome.DELIVERED


async def test_an_invalid_argument_about_another_field_is_our_fault_not_the_tokens(
    fcm: tuple[FcmPeer, FcmSender],
) -> None:
    peer, sender = fcm
    peer.malformed.add("good-token")
    with pytest.raises(PushRejected, match="INVALID_ARGUMENT"):
        await sender.send("good-token", MESSAGE)


async def test_fcm_unavailable_is_transient(fcm: tuple[FcmPeer, FcmSender]) -> None:
    peer, sender = fcm
    peer.overloaded.add("token-x")
    with pytest.raises(PushUnavailable, match="503"):
        await sender.send("token-x", MESSAGE)


async def test_an_unreachable_token_endpoint_is_transient(fcm: tuple[FcmPeer, FcmSender], tls: Tls) -> None:
    peer, _ = fcm
    account = json.loads(peer.service_account())
    account["token_uri"] = f"https://127.0.0.1:{closed_port()}/token"
    sender = FcmSender(
        PushSettings(fcm_service_account=json.dumps(account), fcm_url=peer.base_url, ca_file=str(tls.cert_file))
    )
    try:
        with pytest.raises(PushUnavailable, match="OAuth"):
            await sender.send("token-1", MESSAGE)
    finally:
        await sender.close()


async def test_a_refused_assertion_is_transient_and_sends_nothing(fcm: tuple[FcmPeer, FcmSender], tls: Tls) -> None:
    peer, _ = fcm
    account = json.loads(peer.service_account())
    account["client_email"] = "someone-else@confer-test.iam.gserviceaccount.com"
    sender = FcmSender(
        PushSettings(fcm_service_account=json.dumps(account), fcm_url=peer.base_url, ca_file=str(tls.cert_file))
    )
    try:
        with pytest.raises(PushUnavailable, match="400"):
            await sender.send("token-1", MESSAGE)
    finally:
        await sender.close()
    assert peer.accepted == []
