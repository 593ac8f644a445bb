"""Reading one booking by its id: its two parties may, nobody else can tell it exists."""

from __future__ import annotations

import httpx

from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.support import assert_problem, bearer, signed_in


async def test_a_booking_is_read_by_its_client_and_its_professional_and_by_nobody_else(
    client: httpx.AsyncClient,
) -> None:
    practice = await open_practice(client)
    owner = bearer(await signed_in(client, "owner@example.org", name="Olive Owner"))
    stranger = bearer(await signed_in(client, "stranger@example.org"))
    booking = await book(client, owner, practice, (await free_slots(client, practice))[0])

    for reader in (owner, bearer(practice.tokens)):
        answer = await client.get(f"/api/v1/bookings/{booking['id']}", headers=reader)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {**booking, "client_name": "Olive Owner"}  # the professional sees whom they meet

    assert_problem(await client.get(f"/api/v1/bookings/{booking['id']}", headers=stranger), 404, "not-found")
    assert_problem(await client.get(f"/api/v1/bookings/{booking['id']}"), 401)
