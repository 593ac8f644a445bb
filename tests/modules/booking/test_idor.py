"""Another person's booking is "not found" (DESIGN §5) for every action on it, through real HTTP, and the attempt
changes nothing: each case re-reads the booking as its owner, and then shows that the owner could do what the other
person could not (so the 404 came from who asked, not from the booking's state)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from confer.core.clock import OffsetClock
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.video.test_join_rules import at
from tests.support import assert_problem, bearer, signed_in

OWNER = "owner@example.org"
STRANGER = "stranger@example.org"
PRO = "pro@example.org"
OTHER_PRO = "other-pro@example.org"


async def as_owner(client: httpx.AsyncClient, headers: dict[str, str], booking_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/bookings/{booking_id}", headers=headers)
    assert response.status_code == 200, response.text
    booking: dict[str, Any] = response.json()
    return booking


async def all_not_found(*attempts: Any) -> None:
    for attempt in attempts:
        assert_problem(await attempt, 404, "not-found")


async def test_a_client_cannot_read_cancel_or_reschedule_another_clients_booking(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client, PRO)
    owner = bearer(await signed_in(client, OWNER))
    stranger = bearer(await signed_in(client, STRANGER))
    first, elsewhere = (await free_slots(client, practice))[:2]
    booking = await book(client, owner, practice, first)
    before = await as_owner(client, owner, booking["id"])
    path = f"/api/v1/bookings/{booking['id']}"

    await all_not_found(
        client.get(path, headers=stranger),
        client.get(f"{path}/ics", headers=stranger),
        client.post(f"{path}/cancel", headers=stranger, json={"reason": "not mine"}),
        client.post(f"{path}/reschedule", headers=stranger, json={"starts_at": elsewhere["starts_at"]}),
    )

    assert await as_owner(client, owner, booking["id"]) == before
    still_free = await free_slots(client, practice)
    assert first not in still_free
    assert elsewhere in still_free
    assert (await client.get("/api/v1/bookings", headers=stranger)).json()["items"] == []
    moved = await client.post(f"{path}/reschedule", headers=owner, json={"starts_at": elsewhere["starts_at"]})
    assert moved.status_code == 200, moved.text


async def test_another_professional_cannot_confirm_decline_or_move_a_booking_waiting_for_approval(
    client: httpx.AsyncClient,
) -> None:
    practice = await open_practice(client, PRO, requires_approval=True)
    other = bearer((await open_practice(client, OTHER_PRO)).tokens)
    owner = bearer(await signed_in(client, OWNER))
    first, elsewhere = (await free_slots(client, practice))[:2]
    held = await book(client, owner, practice, first)
    assert held["status"] == "held"
    before = await as_owner(client, owner, held["id"])
    path = f"/api/v1/bookings/{held['id']}"

    await all_not_found(
        client.post(f"{path}/confirm", headers=other),
        client.post(f"{path}/cancel", headers=other, json={"reason": "declined"}),  # how a professional declines
        client.post(f"{path}/reschedule", headers=other, json={"starts_at": elsewhere["starts_at"]}),
        client.get(path, headers=other),
    )

    assert await as_owner(client, owner, held["id"]) == before
    assert (await as_owner(client, bearer(practice.tokens), held["id"]))["status"] == "held"
    confirmed = await client.post(f"{path}/confirm", headers=bearer(practice.tokens))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"


async def test_only_its_own_professional_marks_an_ended_booking_completed_or_a_no_show(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice = await open_practice(client, PRO)
    await open_practice(client, OTHER_PRO)
    booking = await book(
        client, bearer(await signed_in(client, OWNER)), practice, (await free_slots(client, practice))[0]
    )
    await signed_in(client, STRANGER)
    # after it has ended, when its own professional may mark it (tokens of the real present have expired by then)
    owner, pro, other, stranger = await at(
        client, clock, booking["ends_at"], timedelta(minutes=1), OWNER, PRO, OTHER_PRO, STRANGER
    )
    before = await as_owner(client, owner, booking["id"])
    assert before["status"] == "confirmed"
    path = f"/api/v1/bookings/{booking['id']}"

    await all_not_found(
        *(
            client.post(f"{path}/{action}", headers=who)
            for action in ("complete", "no-show")
            for who in (other, stranger)
        )
    )

    assert await as_owner(client, owner, booking["id"]) == before
    marked = await client.post(f"{path}/no-show", headers=pro)
    assert marked.status_code == 200, marked.text
    assert (await as_owner(client, owner, booking["id"]))["status"] == "no_show"
