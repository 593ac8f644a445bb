"""One's notifications are one's own: naming someone else's in "mark read" changes nothing of theirs."""

from __future__ import annotations

from typing import Any

import httpx

from tests.modules.notifications.test_notifications import a_booking, wait_until
from tests.support import bearer, signed_in


async def test_marking_someone_elses_notification_read_leaves_it_unread(client: httpx.AsyncClient) -> None:
    _, patient, _ = await a_booking(client)
    stranger = bearer(await signed_in(client, "stranger@example.org"))
    mine = bearer(patient)
    await wait_until(lambda: _has_notifications(client, mine))
    before = await _notifications(client, mine)
    assert before["unread"] == 1
    theirs = [item["id"] for item in before["items"]]

    marked = await client.post("/api/v1/notifications/read", headers=stranger, json={"ids": theirs})
    assert (marked.status_code, marked.json()) == (200, {"unread": 0})  # the stranger's own count: they have none
    assert await _notifications(client, mine) == before
    assert (await _notifications(client, stranger))["items"] == []
    read = await client.post("/api/v1/notifications/read", headers=mine, json={"ids": theirs})
    assert read.json() == {"unread": 0}  # its owner can


async def _notifications(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    listed = await client.get("/api/v1/notifications", headers=headers)
    assert listed.status_code == 200, listed.text
    page: dict[str, Any] = listed.json()
    return page


async def _has_notifications(client: httpx.AsyncClient, headers: dict[str, str]) -> bool:
    return bool((await _notifications(client, headers))["items"])
