"""Stripe Connect, which localstripe lacks: the requests the real stripe library sends are checked at a local HTTP
server answering as Stripe would (onboarding, destination charges with the commission, refunds that reverse the
transfer), and Connect's webhooks are events the test signs itself."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx
import msgspec
import pytest
from aiohttp import web

from confer.core.runtime import Runtime
from confer.modules.payments.settings import PaymentsSettings
from confer.modules.payments.tables import Payment
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.payments.conftest import WEBHOOK_SECRET
from tests.modules.payments.test_payments import WEBHOOK, intent_event, signed, wait_status
from tests.support import bearer, signed_in


@dataclass
class FakeStripe:
    """Answers the few Stripe endpoints Connect uses, and keeps every request the library sent."""

    requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    account_ready: bool = False
    intent_status: str = "requires_payment_method"
    booking_id: str = ""
    refund_failures: int = 0
    """How many refund requests to answer with a server error before succeeding."""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        form = dict(parse_qsl(await request.text())) if request.method == "POST" else {}
        self.requests.append((request.method, request.path, form, dict(request.headers)))
        path = request.path
        if path == "/v1/accounts" or path.startswith("/v1/accounts/"):
            ready = self.account_ready
            return web.json_response(
                {
                    "id": "acct_pro",
                    "object": "account",
                    "charges_enabled": ready,
                    "payouts_enabled": ready,
                    "details_submitted": ready,
                }
            )
        if path == "/v1/account_links":
            return web.json_response(
                {
                    "object": "account_link",
                    "url": "https://connect.stripe.test/setup/e/acct_pro",
                    "created": 1,
                    "expires_at": int(time.time()) + 300,
                }
            )
        if path.startswith("/v1/payment_intents"):
            return web.json_response(
                {
                    "id": "pi_connect",
                    "object": "payment_intent",
                    "status": self.intent_status,
                    "client_secret": "pi_connect_secret_x",
                    "amount": 5000,
                    "currency": "eur",
                    "metadata": {"booking_id": self.booking_id or form.get("metadata[booking_id]", "")},
                }
            )
        if path == "/v1/refunds" and self.refund_failures > 0:
            self.refund_failures -= 1
            return web.json_response({"error": {"type": "api_error", "message": "try later"}}, status=500)
        if path == "/v1/refunds":
            return web.json_response({"id": "re_connect", "object": "refund", "status": "succeeded", "amount": 5000})
        return web.json_response({"error": {"message": f"unexpected {path}"}}, status=404)

    def sent(self, path: str) -> list[dict[str, str]]:
        return [form for method, where, form, _ in self.requests if method == "POST" and where == path]


@pytest.fixture
async def fake_stripe(runtime: Runtime) -> AsyncIterator[FakeStripe]:
    fake = FakeStripe()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    before = runtime.module_settings["payments"]
    runtime.module_settings["payments"] = msgspec.structs.replace(
        runtime.section("payments", PaymentsSettings),
        stripe_api_base=f"http://127.0.0.1:{port}",
        stripe_webhook_secret=WEBHOOK_SECRET,
        commission_percent=10.0,
    )
    runtime.extras.pop("stripe", None)
    try:
        yield fake
    finally:
        runtime.module_settings["payments"] = before
        runtime.extras.pop("stripe", None)
        await runner.cleanup()


async def test_a_connected_professional_is_paid_minus_the_commission_and_refunds_reverse_it(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    practice = await open_practice(client, price_minor=5000, currency="EUR")
    pro = bearer(practice.tokens)
    link = await client.post("/api/v1/me/payouts/onboarding", headers=pro)
    assert link.status_code == 200, link.text
    assert link.json()["url"].startswith("https://connect.stripe.test/")
    [account] = fake_stripe.sent("/v1/accounts")
    assert account["type"] == "express"
    assert account["capabilities[transfers][requested]"] == "true"
    [onboarding] = fake_stripe.sent("/v1/account_links")
    assert (onboarding["account"], onboarding["type"]) == ("acct_pro", "account_onboarding")
    assert (await client.get("/api/v1/me/payouts", headers=pro)).json()["charges_enabled"] is False

    fake_stripe.account_ready = True  # the professional finished onboarding at Stripe
    body, signature = signed(
        {
            "id": "evt_acct",
            "object": "event",
            "type": "account.updated",
            "created": int(time.time()),
            "data": {"object": {"id": "acct_pro", "object": "account"}},
        }
    )
    assert (await client.post(WEBHOOK, content=body, headers={"Stripe-Signature": signature})).json() == {
        "outcome": "account updated"
    }
    assert (await client.get("/api/v1/me/payouts", headers=pro)).json()["charges_enabled"] is True

    patient = bearer(await signed_in(client, "patient@example.org"))
    booking = await book(client, patient, practice, (await free_slots(client, practice))[0])
    fake_stripe.booking_id = booking["id"]
    assert (await client.post(f"/api/v1/bookings/{booking['id']}/payment", headers=patient)).status_code == 200
    [intent] = fake_stripe.sent("/v1/payment_intents")
    assert intent["transfer_data[destination]"] == "acct_pro"
    assert intent["application_fee_amount"] == "500"  # 10 % of 50.00 EUR
    assert intent["amount"] == "5000"
    idempotency = [h.get("Idempotency-Key") for _, p, _, h in fake_stripe.requests if p == "/v1/payment_intents"]
    assert idempotency == [f"confer-intent-{booking['id']}"]

    fake_stripe.intent_status = "succeeded"
    body, signature = signed(intent_event("evt_paid", "payment_intent.succeeded", "pi_connect"))
    assert (await client.post(WEBHOOK, content=body, headers={"Stripe-Signature": signature})).status_code == 200
    await wait_status(booking["id"], "confirmed")
    earned = (await client.get("/api/v1/me/earnings", headers=pro)).json()["totals"]
    assert earned == [
        {
            "currency": "EUR",
            "payments": 1,
            "gross_minor": 5000,
            "fees_minor": 500,
            "refunds_minor": 0,
            "net_minor": 4500,
        }
    ]

    cancelled = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=pro, json={"reason": "ill"})
    assert cancelled.json()["refund_percent"] == 100  # the professional cancelled: everything back
    async with asyncio.timeout(15):
        while not fake_stripe.sent("/v1/refunds"):  # noqa: ASYNC110 - the worker sends it
            await asyncio.sleep(0.05)
    [refund] = fake_stripe.sent("/v1/refunds")
    assert (refund["amount"], refund["reverse_transfer"], refund["refund_application_fee"]) == ("5000", "true", "true")
    async with asyncio.timeout(15):  # recorded once Stripe has answered (the worker, after the request above)
        while not await Payment.exists().where(Payment.refunded_minor == 5000):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    report = await client.get("/api/v1/me/earnings", headers=pro, params={"format": "csv"})
    assert report.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert [(r["kind"], r["paid_for"], r["gross"], r["fee"], r["refunded"], r["net"]) for r in rows] == [
        ("booking", booking["id"], "50.00", "5.00", "50.00", "0.00")
    ]


async def test_a_refund_stripe_failed_to_make_is_sent_again_until_it_is_made_once(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    practice = await open_practice(client, price_minor=5000, currency="EUR")
    patient = bearer(await signed_in(client, "patient@example.org"))
    booking = await book(client, patient, practice, (await free_slots(client, practice))[0])
    fake_stripe.booking_id = booking["id"]
    assert (await client.post(f"/api/v1/bookings/{booking['id']}/payment", headers=patient)).status_code == 200
    fake_stripe.intent_status = "succeeded"
    body, signature = signed(intent_event("evt_paid_then_refunded", "payment_intent.succeeded", "pi_connect"))
    assert (await client.post(WEBHOOK, content=body, headers={"Stripe-Signature": signature})).status_code == 200
    await wait_status(booking["id"], "confirmed")

    fake_stripe.refund_failures = 5  # more than the Stripe client's own retries: the delivery itself fails
    pro = bearer(practice.tokens)
    assert (await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=pro, json={})).status_code == 200
    async with asyncio.timeout(30):  # the delivery is retried (with backoff) and sends the same refund again
        while not await Payment.exists().where(Payment.refunded_minor == 5000):  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    refunds = fake_stripe.sent("/v1/refunds")
    assert len(refunds) > 5
    assert {(r["amount"], r["payment_intent"]) for r in refunds} == {("5000", "pi_connect")}
    keys = {h.get("Idempotency-Key") for _, p, _, h in fake_stripe.requests if p == "/v1/refunds"}
    assert keys == {f"confer-refund-{booking['id']}"}  # one refund at Stripe, however often it was asked for
