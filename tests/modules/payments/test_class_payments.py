"""Paid class seats against localstripe and its real signed webhooks: the same PaymentIntent, webhook, expiry and
refund-by-policy path as paid bookings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.modules.classes.service import expire_offers
from confer.modules.classes.tables import Enrolment
from confer.modules.payments.tables import Payment, Refund
from tests.modules.booking.test_booking import many_clients
from tests.modules.classes.test_classes import enrol, one_session, open_class, place
from tests.modules.payments.test_payments import _stripe_status, pay_like_the_payment_element
from tests.support import assert_problem, bearer, login

SEAT_PRICE = 1500


def payment_of(enrolment: dict[str, Any]) -> str:
    return f"/api/v1/classes/enrolments/{enrolment['id']}/payment"


async def status_of(enrolment_id: str) -> str:
    row = await Enrolment.select(Enrolment.status).where(Enrolment.id == UUID(enrolment_id)).first()
    assert row is not None
    return str(row["status"])


async def wait_status(enrolment_id: str, status: str, timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while await status_of(enrolment_id) != status:  # noqa: ASYNC110 - the webhook (another task) changes it
            await asyncio.sleep(0.05)


async def intent_of(enrolment: dict[str, Any]) -> str:
    row = await Payment.select(Payment.intent).where(Payment.paid_for == UUID(enrolment["id"])).first()
    assert row is not None
    return str(row["intent"])


async def a_paid_class(client: httpx.AsyncClient, **terms: Any) -> tuple[Any, dict[str, Any]]:
    practice, class_id = await open_class(client, capacity=1, price_minor=SEAT_PRICE, **terms)
    return practice, await one_session(client, practice, class_id)


async def test_a_paid_seat_is_held_until_the_signed_webhook_says_it_is_paid(
    client: httpx.AsyncClient, stripe_configured: str, clock: OffsetClock
) -> None:
    _practice, session = await a_paid_class(client)
    ada, bea = await many_clients(client, 2)
    held = await enrol(client, ada, session["id"])
    assert held["status"] == "pending_payment"
    assert timedelta(minutes=14) < datetime.fromisoformat(held["pay_before"]) - clock.now() <= timedelta(minutes=15)
    # the unpaid seat counts against the capacity of one
    assert (await enrol(client, bea, session["id"]))["status"] == "waitlisted"

    first = await client.post(payment_of(held), headers=ada)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert (answer["enrolment_id"], answer["amount_minor"], answer["currency"]) == (held["id"], SEAT_PRICE, "EUR")
    assert answer["client_secret"]
    assert answer["pay_before"] is not None
    assert (await client.post(payment_of(held), headers=ada)).json()["client_secret"] == answer["client_secret"]
    assert_problem(await client.post(payment_of(held), headers=bea), 404)  # someone else's seat

    assert (
        await asyncio.to_thread(pay_like_the_payment_element, stripe_configured, await intent_of(held)) == "succeeded"
    )
    await wait_status(held["id"], "enrolled")  # localstripe's own signed webhook did it
    paid = await place(client, ada, session["id"])
    assert (paid["status"], paid["pay_before"]) == ("enrolled", None)
    assert (await client.post(payment_of(held), headers=ada)).json()["status"] == "succeeded"
    assert await Payment.select(Payment.kind, Payment.status).first() == {"kind": "enrolment", "status": "succeeded"}


async def test_an_unpaid_seat_lapses_goes_to_the_waitlist_and_its_intent_is_cancelled(
    client: httpx.AsyncClient, stripe_configured: str, runtime: Runtime, clock: OffsetClock
) -> None:
    _practice, session = await a_paid_class(client)
    ada, bea = await many_clients(client, 2)
    held = await enrol(client, ada, session["id"])
    await enrol(client, bea, session["id"])
    assert (await client.post(payment_of(held), headers=ada)).status_code == 200

    clock.advance(timedelta(minutes=16))
    assert await expire_offers({"runtime": runtime}) == 1
    assert await status_of(held["id"]) == "expired"
    ada, bea = [bearer(await login(client, f"client{n}@example.org")) for n in range(2)]
    assert (await place(client, bea, session["id"]))["status"] == "offered"  # the seat went to the first waiter
    intent = await intent_of(held)
    async with asyncio.timeout(15):
        while await _stripe_status(stripe_configured, intent) != "canceled":  # noqa: ASYNC110 - the worker does it
            await asyncio.sleep(0.1)
    assert_problem(await client.post(payment_of(held), headers=ada), 409, "not-payable")
    # the waiter accepting a seat of a priced class holds it unpaid in turn
    accepted = await client.post(f"/api/v1/classes/sessions/{session['id']}/accept", headers=bea)
    assert accepted.json()["status"] == "pending_payment"


@pytest.mark.parametrize(
    ("before_start", "percent"),
    [(timedelta(hours=24, minutes=1), 100), (timedelta(hours=23, minutes=59), 40)],
)
async def test_leaving_a_paid_seat_refunds_by_the_class_policy_once(
    client: httpx.AsyncClient, stripe_configured: str, clock: OffsetClock, before_start: timedelta, percent: int
) -> None:
    _practice, session = await a_paid_class(client, cancellation_free_hours=24, late_cancellation_refund_percent=40)
    [ada] = await many_clients(client, 1)
    held = await enrol(client, ada, session["id"])
    await client.post(payment_of(held), headers=ada)
    await asyncio.to_thread(pay_like_the_payment_element, stripe_configured, await intent_of(held))
    await wait_status(held["id"], "enrolled")

    clock.advance(datetime.fromisoformat(session["starts_at"]) - datetime.now(UTC) - before_start)
    ada = bearer(await login(client, "client0@example.org"))
    left = await client.post(f"/api/v1/classes/sessions/{session['id']}/leave", headers=ada)
    assert (left.status_code, left.json()["refund_percent"]) == (200, percent), left.text
    async with asyncio.timeout(15):
        while not await Refund.exists().where(Refund.stripe_refund.is_not_null()):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    refund = await Refund.select(Refund.paid_for, Refund.amount_minor, Refund.status).first()
    assert refund == {"paid_for": UUID(held["id"]), "amount_minor": SEAT_PRICE * percent // 100, "status": "succeeded"}
    assert await Payment.select(Payment.refunded_minor).first() == {"refunded_minor": SEAT_PRICE * percent // 100}


async def test_a_session_the_professional_cancels_refunds_its_paid_seats_in_full(
    client: httpx.AsyncClient, stripe_configured: str, clock: OffsetClock
) -> None:
    _practice, session = await a_paid_class(client, cancellation_free_hours=24, late_cancellation_refund_percent=0)
    [ada] = await many_clients(client, 1)
    held = await enrol(client, ada, session["id"])
    await client.post(payment_of(held), headers=ada)
    await asyncio.to_thread(pay_like_the_payment_element, stripe_configured, await intent_of(held))
    await wait_status(held["id"], "enrolled")
    clock.advance(datetime.fromisoformat(session["starts_at"]) - datetime.now(UTC) - timedelta(hours=1))
    pro = bearer(await login(client, "coach@example.org"))
    cancelled = await client.post(f"/api/v1/me/classes/sessions/{session['id']}/cancel", headers=pro)
    assert cancelled.status_code == 200, cancelled.text
    async with asyncio.timeout(15):
        while not await Refund.exists().where(Refund.stripe_refund.is_not_null()):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert await Refund.select(Refund.amount_minor).first() == {"amount_minor": SEAT_PRICE}


async def test_a_free_class_enrols_at_once_with_nothing_to_pay(
    client: httpx.AsyncClient, stripe_configured: str
) -> None:
    practice, class_id = await open_class(client, capacity=1)
    session = await one_session(client, practice, class_id)
    [ada] = await many_clients(client, 1)
    seat = await enrol(client, ada, session["id"])
    assert (seat["status"], seat["pay_before"]) == ("enrolled", None)
    assert_problem(await client.post(payment_of(seat), headers=ada), 409, "not-payable")
    left = await client.post(f"/api/v1/classes/sessions/{session['id']}/leave", headers=ada)
    assert left.json()["refund_percent"] is None
    assert await Payment.count() == 0
