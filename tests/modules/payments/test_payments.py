"""Paid bookings against localstripe and its real signed webhooks, plus events the tests sign themselves for what
localstripe cannot send (duplicates, out of order, stale, forged)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import msgspec
import pytest
import stripe

from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.modules.booking.service import release_expired_holds
from confer.modules.booking.tables import Booking
from confer.modules.payments.tables import Payment, Refund, StripeEvent
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.payments.conftest import WEBHOOK_SECRET
from tests.support import assert_problem, bearer, login, signed_in

WEBHOOK = "/api/v1/payments/stripe/webhook"


async def a_paid_booking(client: httpx.AsyncClient, **offering: Any) -> tuple[dict[str, Any], dict[str, str]]:
    practice = await open_practice(client, price_minor=5000, currency="EUR", **offering)
    patient = bearer(await signed_in(client, "patient@example.org"))
    booking = await book(client, patient, practice, (await free_slots(client, practice))[0])
    assert booking["status"] == "pending_payment"
    return booking, patient


def pay_like_the_payment_element(localstripe_url: str, intent_id: str) -> str:
    """What Stripe.js does in the browser with the card the client typed (localstripe takes the method by update)."""
    client = stripe.StripeClient("sk_test_confer", base_addresses={"api": localstripe_url})
    client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    return str(client.v1.payment_intents.confirm(intent_id).status)


async def status_of(booking_id: str) -> str:
    row = await Booking.select(Booking.status).where(Booking.id == UUID(booking_id)).first()
    assert row is not None
    return str(row["status"])


async def wait_status(booking_id: str, status: str, timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while await status_of(booking_id) != status:  # noqa: ASYNC110 - the webhook (another task) changes it
            await asyncio.sleep(0.05)


def signed(event: dict[str, Any], *, at: float | None = None, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    timestamp = int(at if at is not None else time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={digest}"


def intent_event(event_id: str, kind: str, intent_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "data": {"object": {"id": intent_id, "object": "payment_intent"}},
    }


async def test_a_client_pays_and_the_signed_webhook_confirms_the_booking_once(
    client: httpx.AsyncClient, stripe_configured: str
) -> None:
    booking, patient = await a_paid_booking(client)
    async with asyncio.timeout(15):  # the hold itself makes the PaymentIntent (the worker's subscriber)
        while not await Payment.exists().where(Payment.intent.is_not_null()):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    pay = f"/api/v1/bookings/{booking['id']}/payment"
    first = await client.post(pay, headers=patient)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["amount_minor"] == 5000
    assert answer["currency"] == "EUR"
    assert answer["client_secret"]
    assert answer["publishable_key"] == "pk_test_confer"
    again = (await client.post(pay, headers=patient)).json()
    assert again["client_secret"] == answer["client_secret"]  # one PaymentIntent per booking
    intent = (await Payment.select(Payment.intent).first())["intent"]

    assert await asyncio.to_thread(pay_like_the_payment_element, stripe_configured, intent) == "succeeded"
    await wait_status(booking["id"], "confirmed")  # localstripe's own signed webhook did it

    # the same event again, and an older one after it: nothing moves backwards, nothing happens twice
    for event in (intent_event("evt_dup_1", "payment_intent.succeeded", intent),) * 2 + (
        intent_event("evt_late_1", "payment_intent.processing", intent),
    ):
        body, signature = signed(event)
        answered = await client.post(WEBHOOK, content=body, headers={"Stripe-Signature": signature})
        assert answered.status_code == 200, answered.text
    outcomes = [await _outcome(client, intent_event("evt_dup_2", "payment_intent.succeeded", intent)) for _ in range(2)]
    assert outcomes == ["stale", "duplicate"]
    assert await status_of(booking["id"]) == "confirmed"
    payment = await Payment.select(Payment.status, Payment.rank).first()
    assert payment == {"status": "succeeded", "rank": 3}


async def test_the_payment_post_takes_an_idempotency_key_bound_to_what_it_pays(
    client: httpx.AsyncClient, stripe_configured: str
) -> None:
    practice = await open_practice(client, price_minor=5000, currency="EUR")
    patient = bearer(await signed_in(client, "patient@example.org"))
    first, second = [await book(client, patient, practice, slot) for slot in (await free_slots(client, practice))[:2]]
    headers = {**patient, "Idempotency-Key": "pay-attempt-1"}
    answers = await asyncio.gather(
        *(client.post(f"/api/v1/bookings/{first['id']}/payment", headers=headers) for _ in range(3))
    )
    assert [r.status_code for r in answers] == [200, 200, 200], answers[0].text
    assert len({r.json()["client_secret"] for r in answers}) == 1
    assert answers[0].json()["booking_id"] == first["id"]
    reused = await client.post(f"/api/v1/bookings/{second['id']}/payment", headers=headers)
    assert_problem(reused, 422, "idempotency-key-reused")  # not the first booking's answer
    fresh = await client.post(f"/api/v1/bookings/{second['id']}/payment", headers={**patient, "Idempotency-Key": "2"})
    assert fresh.json()["booking_id"] == second["id"]
    assert fresh.json()["client_secret"] != answers[0].json()["client_secret"]


async def test_forged_and_stale_webhooks_are_refused_and_change_nothing(
    client: httpx.AsyncClient, stripe_configured: str
) -> None:
    event = intent_event("evt_forged", "payment_intent.succeeded", "pi_whatever")
    body, signature = signed(event, secret="whsec_someone_else")
    assert_problem(await client.post(WEBHOOK, content=body, headers={"Stripe-Signature": signature}), 400)
    body, signature = signed(event, at=time.time() - 3600)
    assert_problem(await client.post(WEBHOOK, content=body, headers={"Stripe-Signature": signature}), 400)
    assert_problem(await client.post(WEBHOOK, content=body), 400)
    assert await StripeEvent.count() == 0


async def test_a_failed_payment_releases_the_booking(client: httpx.AsyncClient, stripe_configured: str) -> None:
    booking, patient = await a_paid_booking(client)
    await client.post(f"/api/v1/bookings/{booking['id']}/payment", headers=patient)
    intent = (await Payment.select(Payment.intent).first())["intent"]
    assert await _outcome(client, intent_event("evt_fail", "payment_intent.payment_failed", intent)) == "released"
    assert await status_of(booking["id"]) == "cancelled"


async def test_an_unpaid_hold_expires_frees_the_slot_and_its_intent_is_cancelled(
    client: httpx.AsyncClient, stripe_configured: str, runtime: Runtime, clock: OffsetClock
) -> None:
    booking, patient = await a_paid_booking(client)
    await client.post(f"/api/v1/bookings/{booking['id']}/payment", headers=patient)
    clock.advance(timedelta(minutes=31))
    assert await release_expired_holds({"runtime": runtime}) == 1
    assert await status_of(booking["id"]) == "cancelled"
    intent = (await Payment.select(Payment.intent).first())["intent"]
    async with asyncio.timeout(15):
        while (await _stripe_status(stripe_configured, intent)) != "canceled":  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    patient = bearer(await login(client, "patient@example.org"))
    assert_problem(await client.post(f"/api/v1/bookings/{booking['id']}/payment", headers=patient), 409)


@pytest.mark.parametrize(
    ("before_start", "percent"),
    [(timedelta(hours=24, minutes=1), 100), (timedelta(hours=23, minutes=59), 40), (timedelta(minutes=5), 40)],
)
async def test_cancelling_refunds_what_the_policy_says_at_that_moment_once(
    client: httpx.AsyncClient, stripe_configured: str, clock: OffsetClock, before_start: timedelta, percent: int
) -> None:
    booking, patient = await a_paid_booking(client, cancellation_free_hours=24, late_cancellation_refund_percent=40)
    await client.post(f"/api/v1/bookings/{booking['id']}/payment", headers=patient)
    intent = (await Payment.select(Payment.intent).first())["intent"]
    await asyncio.to_thread(pay_like_the_payment_element, stripe_configured, intent)
    await wait_status(booking["id"], "confirmed")
    clock.advance(datetime.fromisoformat(booking["starts_at"]) - clock.now() - before_start)
    patient = bearer(await login(client, "patient@example.org"))
    cancelled = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=patient, json={"reason": "ill"})
    assert cancelled.json()["refund_percent"] == percent
    async with asyncio.timeout(15):
        while not await Refund.exists().where(Refund.stripe_refund.is_not_null()):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    refund = await Refund.select(Refund.amount_minor, Refund.stripe_refund, Refund.status).first()
    assert refund is not None
    assert (refund["amount_minor"], refund["status"]) == (5000 * percent // 100, "succeeded")
    assert (await Payment.select(Payment.refunded_minor).first()) == {"refunded_minor": 5000 * percent // 100}
    # Stripe's word on the refund, twice: recorded once, status kept
    event = {
        "id": f"evt_refund_{percent}",
        "object": "event",
        "type": "refund.updated",
        "created": int(time.time()),
        "data": {"object": {"id": refund["stripe_refund"], "object": "refund"}},
    }
    assert await _outcome(client, event) == "refund succeeded"
    assert await _outcome(client, event) == "duplicate"


async def _outcome(client: httpx.AsyncClient, event: dict[str, Any]) -> str:
    body, signature = signed(event)
    answered = await client.post(WEBHOOK, content=body, headers={"Stripe-Signature": signature})
    assert answered.status_code == 200, answered.text
    outcome: str = answered.json()["outcome"]
    return outcome


async def _stripe_status(localstripe_url: str, intent: str) -> str:
    client = stripe.StripeClient("sk_test_confer", base_addresses={"api": localstripe_url})
    return str((await asyncio.to_thread(client.v1.payment_intents.retrieve, intent)).status)


async def test_paid_offerings_need_payments_and_a_currency_they_take(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    practice = await open_practice(client)
    headers = bearer(practice.tokens)
    offering = {"kind": "consultation", "title": "Paid", "duration_minutes": 30, "price_minor": 9000}
    refused = await client.post("/api/v1/me/offerings", headers=headers, json={**offering, "currency": "JPY"})
    assert "currency" in assert_problem(refused, 422)["detail"]
    before = runtime.module_settings["payments"]
    runtime.module_settings["payments"] = msgspec.structs.replace(before, stripe_secret_key=None)
    try:
        off = await client.post("/api/v1/me/offerings", headers=headers, json={**offering, "currency": "EUR"})
        assert "payments are not configured" in assert_problem(off, 422)["detail"]
        free = await client.post(
            "/api/v1/me/offerings", headers=headers, json={**offering, "price_minor": 0, "currency": "EUR"}
        )
        assert free.status_code == 201, free.text
        draft = {**offering, "currency": "EUR", "published": False}
        assert (await client.post("/api/v1/me/offerings", headers=headers, json=draft)).status_code == 201
    finally:
        runtime.module_settings["payments"] = before
