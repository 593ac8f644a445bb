"""A phone's push token or a browser's push subscription belongs to one account at a time, and never moves silently."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import httpx

from confer.modules.notifications.tables import Device, WebPushSubscription
from tests.support import assert_problem, bearer, signed_in

TOKEN = "fcm-token-of-one-phone-0001"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/one-browser-0001"
KEYS = {"p256dh": "B" + "a" * 86, "auth": "c" * 22}


async def _register_device(client: httpx.AsyncClient, tokens: dict[str, Any], token: str = TOKEN) -> httpx.Response:
    return await client.post("/api/v1/me/devices", headers=bearer(tokens), json={"platform": "fcm", "token": token})


async def _subscribe(client: httpx.AsyncClient, tokens: dict[str, Any], keys: dict[str, str]) -> httpx.Response:
    return await client.post(
        "/api/v1/me/web-push-subscriptions", headers=bearer(tokens), json={"endpoint": ENDPOINT, "keys": keys}
    )


async def _owners(table: type[Device] | type[WebPushSubscription]) -> list[Any]:
    return [row["owner"] for row in await table.select(table.owner)]


async def _id_of(client: httpx.AsyncClient, tokens: dict[str, Any]) -> UUID:
    return UUID((await client.get("/api/v1/me", headers=bearer(tokens))).json()["id"])


async def test_a_phone_signed_in_to_another_account_moves_its_token_and_says_so(client: httpx.AsyncClient) -> None:
    first = await signed_in(client, "first@example.org")
    second = await signed_in(client, "second@example.org")
    added = await _register_device(client, first)
    assert added.json() == {"outcome": "added"}
    assert (await _register_device(client, first)).json() == {"outcome": "renewed"}
    [before] = await Device.select(Device.id)

    moved = await _register_device(client, second)
    assert moved.status_code == 200
    assert moved.json() == {"outcome": "moved"}
    assert await _owners(Device) == [await _id_of(client, second)]  # one owner: the first account gets nothing more
    [after] = await Device.select(Device.id)
    assert after["id"] != before["id"]  # pushes queued for the first account targeted the old row: they find none


async def test_a_browser_subscription_moves_only_with_its_keys(client: httpx.AsyncClient) -> None:
    first = await signed_in(client, "first@example.org")
    second = await signed_in(client, "second@example.org")
    assert (await _subscribe(client, first, KEYS)).json() == {"outcome": "added"}

    stranger_keys = {"p256dh": "B" + "z" * 86, "auth": "y" * 22}
    assert_problem(await _subscribe(client, second, stranger_keys), 409, "push-target-taken")
    assert await _owners(WebPushSubscription) == [await _id_of(client, first)]  # nothing changed

    moved = await _subscribe(client, second, KEYS)  # the same browser, now signed in to the second account
    assert moved.json() == {"outcome": "moved"}
    assert await _owners(WebPushSubscription) == [await _id_of(client, second)]


async def test_two_accounts_registering_one_new_token_at_once_never_share_it(client: httpx.AsyncClient) -> None:
    people = [await signed_in(client, f"racer{n}@example.org") for n in range(6)]
    answers = await asyncio.gather(*(_register_device(client, person, "fcm-token-raced-0001") for person in people))
    assert {a.status_code for a in answers} <= {200, 409}, [a.text for a in answers]
    assert sum(a.json().get("outcome") == "added" for a in answers if a.status_code == 200) == 1
    assert await Device.count() == 1
