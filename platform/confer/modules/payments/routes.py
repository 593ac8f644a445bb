"""The payments API: paying a booking or a class seat, and Stripe's webhook (its body is read raw: the signature
covers it)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter

from confer.core.dependencies import CurrentPrincipal, IdempotencyKey, RuntimeDep
from confer.modules.accounts import service as accounts
from confer.modules.payments import payouts, service
from confer.modules.payments.schemas import (
    EarningsOut,
    EnrolmentPaymentOut,
    OnboardingLink,
    PaymentOut,
    PayoutAccountOut,
    WebhookAnswer,
)

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


class BookingPaymentController(Controller):
    path = "/api/v1/bookings/{booking_id:uuid}/payment"
    tags = ["payments"]
    security = BEARER

    @post("/", status_code=200)
    async def pay(
        self,
        booking_id: FromPath[UUID],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
        idempotency_key: IdempotencyKey = None,
    ) -> PaymentOut:
        """The booking's Stripe PaymentIntent (made once), with the client secret for the Payment Element; pay
        before ``pay_before`` or the booking is released."""
        await accounts.require_verified_email(runtime, principal)
        details = await service.payment_for(runtime, principal, "booking", booking_id, idempotency_key)
        return PaymentOut(booking_id=booking_id, **msgspec.structs.asdict(details))


class EnrolmentPaymentController(Controller):
    path = "/api/v1/classes/enrolments/{enrolment_id:uuid}/payment"
    tags = ["payments"]
    security = BEARER

    @post("/", status_code=200)
    async def pay(
        self,
        enrolment_id: FromPath[UUID],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
        idempotency_key: IdempotencyKey = None,
    ) -> EnrolmentPaymentOut:
        """The Stripe PaymentIntent of a seat held in a priced class (``pending_payment``), like a booking's; pay
        before ``pay_before`` or the seat goes to the next on the waitlist."""
        await accounts.require_verified_email(runtime, principal)
        details = await service.payment_for(runtime, principal, "enrolment", enrolment_id, idempotency_key)
        return EnrolmentPaymentOut(enrolment_id=enrolment_id, **msgspec.structs.asdict(details))


class StripeWebhookController(Controller):
    path = "/api/v1/payments/stripe/webhook"
    tags = ["payments"]

    @post("/", status_code=200)
    async def receive(self, request: Request[Any, Any, Any], runtime: RuntimeDep) -> WebhookAnswer:
        """Stripe's events, verified with the endpoint's signing secret (400 when the signature fails)."""
        body = await request.body()
        outcome = await service.handle_webhook(runtime, body, request.headers.get("stripe-signature"))
        return WebhookAnswer(outcome)


class PayoutController(Controller):
    path = "/api/v1/me"
    tags = ["payments"]
    security = BEARER

    @post("/payouts/onboarding", status_code=200)
    async def onboarding(self, runtime: RuntimeDep, principal: CurrentPrincipal) -> OnboardingLink:
        """A link to Stripe's onboarding of the professional's Express account (made on first use)."""
        return await payouts.onboarding_link(runtime, principal)

    @get("/payouts")
    async def account(self, principal: CurrentPrincipal) -> PayoutAccountOut:
        return await payouts.payout_account(principal)

    @get("/earnings")
    async def earnings(
        self,
        principal: CurrentPrincipal,
        format: Annotated[Literal["json", "csv"], QueryParameter(required=False)] = "json",
    ) -> EarningsOut | Response[str]:
        """Gross, commission, refunds and net per currency; ``?format=csv`` gives one line per paid booking."""
        if format == "csv":
            return Response(
                await payouts.earnings_csv(principal),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="earnings.csv"'},
            )
        return await payouts.earnings(principal)
