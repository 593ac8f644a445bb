"""Only a booking's client pays for it: anyone else asking for its payment gets "not found" (DESIGN §5), through
real HTTP against localstripe, and the booking and its payment stay as they were."""

from __future__ import annotations

from uuid import UUID

import httpx

from confer.modules.payments.tables import Payment
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.booking.test_idor import as_owner
from tests.support import assert_problem, bearer, signed_in


async def test_a_stranger_or_a_professional_asking_for_someone_elses_payment_is_not_found(
    client: httpx.AsyncClient, stripe_configured: str
) -> None:
    practice = await open_practice(client, price_minor=5000, currency="EUR")
    other_pro = bearer((await open_practice(client, "other-pro@example.org")).tokens)
    patient = bearer(await signed_in(client, "patient@example.org"))
    stranger = bearer(await signed_in(client, "stranger@example.org"))
    booking = await book(client, patient, practice, (await free_slots(client, practice))[0])
    assert booking["status"] == "pending_payment"
    before = await as_owner(client, patient, booking["id"])
    pay = f"/api/v1/bookings/{booking['id']}/payment"

    # its own professional is a party to the booking, yet not the one who pays
    for who in (stranger, other_pro, bearer(practice.tokens)):
        assert_problem(await client.post(pay, headers=who), 404, "not-found")

    assert await as_owner(client, patient, booking["id"]) == before
    mine = await client.post(pay, headers=patient)
    assert mine.status_code == 200, mine.text
    assert (mine.json()["amount_minor"], mine.json()["status"]) == (5000, "requires_payment_method")
    assert mine.json()["client_secret"]
    assert await Payment.count().where(Payment.paid_for == UUID(booking["id"])) == 1
