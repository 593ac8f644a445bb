"""Push end to end: a browser and an Android phone registered through the API get a booking's notification from
the worker, through the real senders, at local push services (the Web Push one decrypts what it receives); what
the services report gone is removed, and a subscription pointing anywhere but a push service is refused."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator

import httpx
import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from confer.core.clock import SystemClock
from confer.core.runtime import Runtime
from confer.modules.notifications.settings import NotificationsSettings
from confer.modules.notifications.tables import Device, WebPushSubscription
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.notifications.push.conftest import vapid_public, vapid_settings
from tests.modules.notifications.push.peers import FcmPeer, Tls, WebPushPeer, aiohttp_peer
from tests.support import assert_problem, bearer, signed_in


@contextlib.contextmanager
def push_configured(runtime: Runtime, settings: NotificationsSettings) -> Iterator[None]:
    before = runtime.module_settings["notifications"]
    runtime.module_settings["notifications"] = settings
    runtime.extras.pop("push_senders", None)
    try:
        yield
    finally:
        runtime.module_settings["notifications"] = before
        runtime.extras.pop("push_senders", None)


@pytest.fixture
async def push_services(
    tls: Tls, vapid_key: ec.EllipticCurvePrivateKey, runtime: Runtime
) -> AsyncIterator[tuple[WebPushPeer, FcmPeer]]:
    browser = WebPushPeer(application_server_key=vapid_public(vapid_key))
    phone = FcmPeer(SystemClock())  # the sender in the app signs its assertions with the real time
    async with aiohttp_peer(browser.app(), tls) as web_url, aiohttp_peer(phone.app(), tls) as fcm_url:
        browser.base_url = web_url
        phone.base_url = fcm_url
        settings = NotificationsSettings(
            **{
                **msgspec.structs.asdict(vapid_settings(vapid_key, tls)),
                "fcm_service_account": phone.service_account(),
                "fcm_url": fcm_url,
                "web_push_hosts": ["127.0.0.1"],
            }
        )
        with push_configured(runtime, settings):
            yield browser, phone


async def test_a_browser_and_a_phone_get_the_booking_and_gone_ones_are_removed(
    client: httpx.AsyncClient, push_services: tuple[WebPushPeer, FcmPeer]
) -> None:
    browser, phone = push_services
    practice = await open_practice(client)
    patient = bearer(await signed_in(client, "patient@example.org"))
    laptop = json.loads(browser.subscribe("laptop"))
    old_tablet = json.loads(browser.subscribe("old-tablet"))
    browser.gone.add("old-tablet")
    for subscription in (laptop, old_tablet):
        added = await client.post("/api/v1/me/web-push-subscriptions", headers=patient, json=subscription)
        assert added.status_code == 200, added.text
    for token in ("android-token-alive-0001", "android-token-gone-0002"):
        added = await client.post("/api/v1/me/devices", headers=patient, json={"platform": "fcm", "token": token})
        assert added.status_code == 200, added.text
    phone.unregistered.add("android-token-gone-0002")

    await book(client, patient, practice, (await free_slots(client, practice))[0])

    async with asyncio.timeout(20):
        while not (browser.received and len(phone.accepted) == 2 and await _gone_removed()):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    [receipt] = browser.received  # decrypted by the push service with the browser's keys
    assert receipt.payload["title"] == "Booking confirmed"
    assert receipt.payload["data"]["kind"] == "booking.confirmed"
    assert sorted(m["token"] for m in phone.accepted) == ["android-token-alive-0001", "android-token-gone-0002"]
    assert {m["notification"]["title"] for m in phone.accepted} == {"Booking confirmed"}
    assert [row["token"] for row in await Device.select(Device.token)] == ["android-token-alive-0001"]


async def test_subscriptions_to_anything_but_a_push_service_are_refused(
    client: httpx.AsyncClient, push_services: tuple[WebPushPeer, FcmPeer]
) -> None:
    patient = bearer(await signed_in(client, "patient@example.org"))
    keys = json.loads(push_services[0].subscribe("x"))["keys"]
    for endpoint in ("https://10.0.0.5/push/x", "http://127.0.0.1/push/x", "https://metadata.internal/x"):
        refused = await client.post(
            "/api/v1/me/web-push-subscriptions", headers=patient, json={"endpoint": endpoint, "keys": keys}
        )
        assert_problem(refused, 422)
    assert await WebPushSubscription.count() == 0
    assert_problem(
        await client.post("/api/v1/me/devices", headers=patient, json={"platform": "mms", "token": "x"}), 422
    )
    key = await client.get("/api/v1/notifications/web-push-key")
    assert key.json() == {"public_key": push_services[0].application_server_key}


async def _gone_removed() -> bool:
    tablets = await WebPushSubscription.count().where(WebPushSubscription.endpoint.like("%old-tablet"))
    phones = await Device.count().where(Device.token == "android-token-gone-0002")
    return tablets == 0 and phones == 0
