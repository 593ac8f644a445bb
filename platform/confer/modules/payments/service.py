"""Paying for bookings with Stripe: a PaymentIntent per booking waiting for payment, webhooks that move a
forward-only state machine, and refunds computed from the cancellation policy.

Stripe's word is the truth, read back rather than taken from the event: a webhook names what changed, Confer
re-fetches the PaymentIntent and applies its status only if it is further along than what is stored. So a
duplicated, late or out-of-order event changes nothing, and each event id is recorded once.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import stripe
import structlog

from confer.core.auth import Principal
from confer.core.errors import ConferError, Conflict, NotFound
from confer.core.events import EventEnvelope
from confer.core.runtime import Runtime
from confer.modules.booking import service as bookings
from confer.modules.booking.schemas import BookingOut
from confer.modules.payments import payouts
from confer.modules.payments.payouts import commission, destination_of
from confer.modules.payments.schemas import PaymentOut
from confer.modules.payments.stripe_api import PaymentsOff, settings_of, stripe_client
from confer.modules.payments.tables import Payment, Refund, StripeEvent
from confer.modules.professionals import service as professionals

log = structlog.get_logger("confer.payments")

RANK = {
    "requires_payment_method": 0,
    "requires_confirmation": 1,
    "requires_action": 1,
    "processing": 2,
    "requires_capture": 2,
    "succeeded": 3,
    "canceled": 3,
}
REFUND_EVENTS = frozenset({"refund.updated", "refund.failed", "charge.refund.updated"})
INTENT_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "payment_intent.processing",
        "payment_intent.requires_action",
    }
)


class NotPayable(Conflict):
    type = "not-payable"
    title = "This booking does not wait for a payment"


class BadSignature(ConferError):
    status = 400
    type = "bad-signature"
    title = "The webhook signature does not verify"


# --- paying -----------------------------------------------------------------------------------------------------------


async def payment_for(runtime: Runtime, principal: Principal, booking_id: UUID) -> PaymentOut:
    """The booking's PaymentIntent (made on the first call), with what the client's Payment Element needs. Only the
    booking's client pays; only a booking waiting for payment can be paid."""
    try:
        return await _payment_for(runtime, principal, booking_id)
    except stripe.StripeError as exc:
        log.warning("payments.stripe_error", booking=str(booking_id), error=type(exc).__name__)
        raise PaymentsOff("the payment service did not answer as expected; try again in a moment") from exc


async def _payment_for(runtime: Runtime, principal: Principal, booking_id: UUID) -> PaymentOut:
    booking = await bookings.booking_of(principal, booking_id)
    if booking.client_id != principal.user_id:
        raise NotFound("no such booking to pay")
    if booking.status != "pending_payment":
        paid = await _payment(booking_id)
        if paid is None or paid["status"] != "succeeded":
            raise NotPayable(f"this booking is {booking.status.replace('_', ' ')}")
        return PaymentOut(
            booking_id=booking_id,
            amount_minor=paid["amount_minor"],
            currency=paid["currency"],
            status=paid["status"],
            client_secret=None,
            publishable_key=settings_of(runtime).stripe_publishable_key,
            pay_before=None,
        )
    row, intent = await _ensure_intent(runtime, booking)
    return PaymentOut(
        booking_id=booking_id,
        amount_minor=row["amount_minor"],
        currency=row["currency"],
        status=intent.status,
        client_secret=intent.client_secret if intent.status not in ("succeeded", "canceled") else None,
        publishable_key=settings_of(runtime).stripe_publishable_key,
        pay_before=booking.hold_expires_at,
    )


async def _ensure_intent(runtime: Runtime, booking: BookingOut) -> tuple[dict[str, Any], Any]:
    """The booking's payment row and PaymentIntent, made once: the row is locked while the intent is created, so a
    concurrent caller (the client asking, the hold's subscriber) waits and reuses it."""
    offering = await professionals.offering_by_id(booking.offering_id)
    async with runtime.engine.transaction():
        destination = await destination_of(booking.professional_id)
        fee = commission(offering.price_minor, settings_of(runtime).commission_percent) if destination else 0
        await Payment.raw(
            "INSERT INTO payment (id, booking, professional, destination, fee_minor, amount_minor, currency, status, "
            "rank, refunded_minor, created_at, updated_at) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, 'creating', 0, 0, {}, {}) ON CONFLICT (booking) DO NOTHING",
            uuid4(),
            booking.id,
            booking.professional_id,
            destination,
            fee,
            offering.price_minor,
            offering.currency,
            runtime.clock.now(),
            runtime.clock.now(),
        )
        row = (await Payment.raw("SELECT * FROM payment WHERE booking = {} FOR UPDATE", booking.id))[0]
        if row["intent"] is None:
            intent = await stripe_client(runtime).v1.payment_intents.create_async(
                params=_intent_params(row, offering.title),  # type: ignore[arg-type]
                options={"idempotency_key": f"confer-intent-{booking.id}"},
            )
            await Payment.update({Payment.intent: intent.id, Payment.status: intent.status}).where(
                Payment.id == row["id"]
            )
        else:
            intent = await stripe_client(runtime).v1.payment_intents.retrieve_async(row["intent"])
    return row, intent


async def prepare_payment(runtime: Runtime, event: EventEnvelope) -> None:
    """Subscriber of booking.pending_payment: the PaymentIntent is made as the booking is held, so the client's
    request for it answers at once. (Stripe down: the subscriber is retried; the client's request makes it too.)"""
    booking = await bookings.booking_by_id(UUID(event.payload["booking_id"]))
    if booking is not None and booking.status == "pending_payment":
        await _ensure_intent(runtime, booking)


def _intent_params(payment: dict[str, Any], title: str) -> dict[str, Any]:
    """A card PaymentIntent; when the professional has a connected account, a destination charge whose
    ``application_fee_amount`` is the platform's commission."""
    params: dict[str, Any] = {
        "amount": payment["amount_minor"],
        "currency": payment["currency"].lower(),
        "payment_method_types": ["card"],
        "metadata": {"booking_id": str(payment["booking"]), "offering": title[:200]},
    }
    if payment["destination"]:
        params["transfer_data"] = {"destination": payment["destination"]}
        params["application_fee_amount"] = payment["fee_minor"]
    return params


async def _payment(booking_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await Payment.select().where(Payment.booking == booking_id).first()
    return row


# --- webhooks ---------------------------------------------------------------------------------------------------------


async def handle_webhook(runtime: Runtime, body: bytes, signature: str | None) -> str:
    """Verify, record once, re-fetch, move forward. Returns what was done (for logs and tests)."""
    settings = settings_of(runtime)
    if not settings.enabled or settings.stripe_webhook_secret is None:
        raise PaymentsOff()
    try:
        event = stripe.Webhook.construct_event(
            body, signature or "", settings.stripe_webhook_secret, tolerance=settings.webhook_tolerance_seconds
        )
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise BadSignature(str(exc)[:200]) from None
    recorded = await StripeEvent.raw(
        "INSERT INTO stripe_event (id, type, received_at) VALUES ({}, {}, {}) ON CONFLICT (id) DO NOTHING RETURNING id",
        event.id,
        event.type,
        runtime.clock.now(),
    )
    if not recorded:
        return "duplicate"
    if event.type in INTENT_EVENTS:
        failed = event.type == "payment_intent.payment_failed"
        return await _sync_intent(runtime, event.data.object["id"], failed=failed)
    if event.type == "account.updated":
        return await payouts.account_updated(runtime, event.data.object["id"])
    if event.type in REFUND_EVENTS:
        return await _sync_refund(runtime, event.data.object["id"])
    return "ignored"


async def _sync_refund(runtime: Runtime, refund_id: str) -> str:
    """A refund's outcome (``succeeded``, ``failed``, ``canceled``) as Stripe says it now."""
    refund = await stripe_client(runtime).v1.refunds.retrieve_async(refund_id)
    changed = (
        await Refund.update({Refund.status: refund.status or "pending"})
        .where(Refund.stripe_refund == refund_id)
        .returning(Refund.booking)
    )
    if changed and refund.status in ("failed", "canceled"):
        log.error("payments.refund_failed", booking=str(changed[0]["booking"]), status=refund.status)
    return f"refund {refund.status}" if changed else "unknown refund"


async def _sync_intent(runtime: Runtime, intent_id: str, *, failed: bool) -> str:
    intent = await stripe_client(runtime).v1.payment_intents.retrieve_async(intent_id)
    booking_id = UUID(intent.metadata["booking_id"]) if intent.metadata and "booking_id" in intent.metadata else None
    moved = await Payment.raw(
        "UPDATE payment SET status = {}, rank = {}, updated_at = {} WHERE intent = {} AND rank < {} RETURNING booking",
        intent.status,
        RANK.get(intent.status, 0),
        runtime.clock.now(),
        intent_id,
        RANK.get(intent.status, 0),
    )
    if booking_id is None:
        return "unknown intent"
    if intent.status == "succeeded" and moved:
        if not await bookings.settle_payment(runtime, booking_id, paid=True):
            await _refund_all(runtime, booking_id, intent_id, why="paid after the booking was released")
        return "confirmed"
    if failed or intent.status == "canceled":
        await bookings.settle_payment(runtime, booking_id, paid=False)
        return "released"
    return "recorded" if moved else "stale"


# --- refunds ----------------------------------------------------------------------------------------------------------


async def refund_cancelled(runtime: Runtime, event: EventEnvelope) -> None:
    """Subscriber of booking.cancelled: refund what the policy said at the moment of cancelling (``refund_percent``),
    once (Stripe idempotency key from the booking; one refund row per booking)."""
    payment = await _payment(UUID(event.payload["booking_id"]))
    if payment is None or payment["status"] != "succeeded":
        return
    amount = payment["amount_minor"] * int(event.payload.get("refund_percent") or 0) // 100
    if amount > 0:
        await _refund(runtime, payment, amount)


async def cancel_unpaid(runtime: Runtime, event: EventEnvelope) -> None:
    """Subscriber of booking.expired: an unpaid hold that ran out must not be paid later."""
    payment = await _payment(UUID(event.payload["booking_id"]))
    if payment is None or payment["intent"] is None or payment["status"] in ("succeeded", "canceled"):
        return
    try:
        await stripe_client(runtime).v1.payment_intents.cancel_async(
            payment["intent"], options={"idempotency_key": f"confer-cancel-{payment['booking']}"}
        )
    except stripe.InvalidRequestError as exc:  # already succeeded or canceled: the webhook will say which
        log.info("payments.cancel_refused", booking=str(payment["booking"]), error=exc.user_message)


async def _refund_all(runtime: Runtime, booking_id: UUID, intent_id: str, *, why: str) -> None:
    payment = await _payment(booking_id)
    if payment is not None:
        log.warning("payments.refund_all", booking=str(booking_id), reason=why)
        await _refund(runtime, payment, payment["amount_minor"] - payment["refunded_minor"])


async def _refund(runtime: Runtime, payment: dict[str, Any], amount: int) -> None:
    booking_id = payment["booking"]
    claimed = await Refund.raw(
        "INSERT INTO payment_refund (id, booking, amount_minor, status, created_at) VALUES ({}, {}, {}, 'pending', {}) "
        "ON CONFLICT (booking) DO NOTHING RETURNING id",
        uuid4(),
        booking_id,
        amount,
        runtime.clock.now(),
    )
    if not claimed:
        return
    params: dict[str, Any] = {
        "payment_intent": payment["intent"],
        "amount": amount,
        "metadata": {"booking_id": str(booking_id)},
    }
    if payment["destination"]:  # take the money back from the professional's account, and our fee's share
        params |= {"reverse_transfer": True, "refund_application_fee": True}
    refund = await stripe_client(runtime).v1.refunds.create_async(
        params=params,  # type: ignore[arg-type]
        options={"idempotency_key": f"confer-refund-{booking_id}"},
    )
    await Refund.update({Refund.stripe_refund: refund.id, Refund.status: refund.status or "pending"}).where(
        Refund.booking == booking_id
    )
    await Payment.update({Payment.refunded_minor: Payment.refunded_minor + amount}).where(Payment.id == payment["id"])
