"""A confirmed e-mail address is needed to book, pay, enrol in a class and publish a professional profile
(``CONFER_ACCOUNTS_REQUIRE_VERIFIED_EMAIL``, on by default): before, a clear 403; after the mailed link, it works."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import msgspec
import pytest

from confer.core.runtime import Runtime
from confer.modules.accounts.settings import AccountsSettings
from confer.modules.booking.tables import Booking
from confer.modules.classes.tables import Enrolment
from confer.modules.payments.tables import Payment
from confer.settings import load_section
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.classes.test_classes import enrol, one_session, open_class
from tests.modules.payments.conftest import stripe_configured  # noqa: F401 - the fixture, for paying below
from tests.support import assert_problem, bearer, signed_in, verify_email

PROFILE = {
    "display_name": "Dr New",
    "timezone": "Europe/Paris",
    "country": "FR",
    "specialties": ["psychology"],
    "languages": ["fr"],
}


@pytest.fixture
def require_verified_email(runtime: Runtime) -> Iterator[Callable[[bool], None]]:
    """Turn the requirement on or off for this test, as an operator would with the setting."""
    before = runtime.module_settings["accounts"]

    def turn(on: bool) -> None:
        runtime.module_settings["accounts"] = msgspec.structs.replace(
            runtime.section("accounts", AccountsSettings), require_verified_email=on
        )

    yield turn
    runtime.module_settings["accounts"] = before


def test_the_requirement_is_on_unless_turned_off() -> None:
    assert AccountsSettings().require_verified_email is True
    off = load_section(AccountsSettings, "CONFER_ACCOUNTS_", {"CONFER_ACCOUNTS_REQUIRE_VERIFIED_EMAIL": "false"})
    assert off.require_verified_email is False


async def test_an_unverified_client_can_neither_book_nor_enrol_until_they_confirm_their_address(
    client: httpx.AsyncClient,
) -> None:
    practice = await open_practice(client)
    coach, class_id = await open_class(client, "coach@example.org")
    session = await one_session(client, coach, class_id)
    newcomer = bearer(await signed_in(client, "newcomer@example.org", verified=False))
    slot = (await free_slots(client, practice))[0]

    booking = await client.post(
        "/api/v1/bookings", headers=newcomer, json={"offering_id": practice.offering_id, "starts_at": slot["starts_at"]}
    )
    problem = assert_problem(booking, 403, "email-unverified")
    assert "link" in problem["detail"]
    assert_problem(
        await client.post(f"/api/v1/classes/sessions/{session['id']}/enrol", headers=newcomer), 403, "email-unverified"
    )
    assert await Booking.count() == 1  # the class session's own row, nothing of the newcomer's
    assert await Enrolment.count() == 0

    await verify_email(client, "newcomer@example.org")
    assert (await book(client, newcomer, practice, slot))["status"] == "confirmed"
    assert (await enrol(client, newcomer, session["id"]))["status"] == "enrolled"


async def test_an_unverified_professional_cannot_publish_a_profile_until_they_confirm_their_address(
    client: httpx.AsyncClient,
) -> None:
    pro = bearer(await signed_in(client, "fresh@example.org", role="professional", verified=False))
    published = await client.put("/api/v1/me/professional", headers=pro, json={**PROFILE, "published": True})
    assert_problem(published, 403, "email-unverified")
    assert (await client.get("/api/v1/me/professional", headers=pro)).json() is None

    draft = await client.put("/api/v1/me/professional", headers=pro, json={**PROFILE, "published": False})
    assert draft.status_code == 200, draft.text  # preparing a profile in private needs no confirmed address

    await verify_email(client, "fresh@example.org")
    published = await client.put("/api/v1/me/professional", headers=pro, json={**PROFILE, "published": True})
    assert published.status_code == 200, published.text
    assert (await client.get(f"/api/v1/professionals/{published.json()['id']}")).status_code == 200


@pytest.mark.usefixtures("stripe_configured")
async def test_paying_needs_a_confirmed_address(
    client: httpx.AsyncClient, require_verified_email: Callable[[bool], None]
) -> None:
    """A booking made while the requirement was off (an operator turning it on later) cannot be paid until the
    address is confirmed."""
    practice = await open_practice(client, price_minor=5000, currency="EUR")
    require_verified_email(False)
    patient = bearer(await signed_in(client, "patient@example.org", verified=False))
    booking = await book(client, patient, practice, (await free_slots(client, practice))[0])
    assert booking["status"] == "pending_payment"
    require_verified_email(True)

    pay = f"/api/v1/bookings/{booking['id']}/payment"
    assert_problem(await client.post(pay, headers=patient), 403, "email-unverified")

    await verify_email(client, "patient@example.org")
    async with asyncio.timeout(15):  # the hold itself makes the PaymentIntent (the worker's subscriber)
        while not await Payment.exists().where(Payment.intent.is_not_null()):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    paid = await client.post(pay, headers=patient)
    assert paid.status_code == 200, paid.text
    assert paid.json()["client_secret"]
