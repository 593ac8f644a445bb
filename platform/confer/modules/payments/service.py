"""Paying with Stripe for what a client takes: a booking, or a seat in a priced class. One PaymentIntent per thing
waiting for payment, webhooks that move a forward-only state machine, and refunds computed from the cancellation
policy.

What is paid for belongs to another module (booking, classes): this one knows it only as a :class:`Payable`, read
through that module's service, settled through it (``settle_payment``), and followed through its events (waiting
for payment -> make the intent; ended -> refund what its ``refund_percent`` says, or cancel an intent never paid).

Stripe's word is the truth, read back rather than taken from the event: a webhook names what changed, Confer
re-fetches the PaymentIntent and applies its status only if it is further along than what is stored. So a
duplicated, late or out-of-order event changes nothing, and each event id is recorded once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid4

import msgspec
import stripe
import structlog

from confer.core.auth import Principal
from confer.core.errors import ConferError, Conflict, NotFound
from confer.core.events import AfterCommit, EventEnvelope
from confer.core.runtime import Runtime
from confer.modules.booking import service as bookings
from confer.modules.classes import service as classes
from confer.modules.payments import payouts
from confer.modules.payments.payouts import commission, destination_of
from confer.modules.payments.schemas import PaymentDetails
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
    title = "This does not wait for a payment"


class BadSignature(ConferError):
    status = 400
    type = "bad-signature"
    title = "The webhook signature does not verify"


# --- what is paid for -------------------------------------------------------------------------------------------------

Kind = Literal["booking", "enrolment"]
SUBJECT_KEYS = ("booking_id", "enrolment_id")
"""How events and PaymentIntents' metadata name what is paid for."""


class Payable(msgspec.Struct, frozen=True, kw_only=True):
    """A booking or a place in a class session, as its own module describes it to payments."""

    kind: Kind
    id: UUID
    client_id: UUID
    professional_id: UUID
    offering_id: UUID
    status: str
    """``pending_payment`` while it waits to be paid."""
    pay_before: datetime | None


async def _payable(kind: Kind, subject_id: UUID) -> Payable | None:
    if kind == "enrolment":
        place = await classes.place_to_pay(subject_id)
        return None if place is None else Payable(kind=kind, **msgspec.structs.asdict(place))
    booking = await bookings.booking_by_id(subject_id)
    if booking is None or booking.client_id == booking.professional_id:  # a class's block of time, not a booking
        return None
    return Payable(
        kind=kind,
        id=booking.id,
        client_id=booking.client_id,
        professional_id=booking.professional_id,
        offering_id=booking.offering_id,
        status=booking.status,
        pay_before=booking.hold_expires_at,
    )


def _settler(kind: Kind) -> Callable[..., Awaitable[bool]]:
    """The owning module's ``settle_payment(runtime, id, *, paid)``: confirm once paid, release once failed."""
    return classes.settle_payment if kind == "enrolment" else bookings.settle_payment


def _subject_of(payload: dict[str, Any]) -> tuple[Kind, UUID]:
    """Which payable an event (or a PaymentIntent's metadata) is about."""
    if "booking_id" in payload:
        return "booking", UUID(payload["booking_id"])
    return "enrolment", UUID(payload["enrolment_id"])


# --- paying -----------------------------------------------------------------------------------------------------------


async def payment_for(
    runtime: Runtime, principal: Principal, kind: Kind, subject_id: UUID, idempotency_key: str | None
) -> PaymentDetails:
    """The PaymentIntent of a booking or a class seat waiting for payment (made on the first call), with what the
    client's Payment Element needs. Only its client pays; anyone else's is 'not found'. A repeated
    ``Idempotency-Key`` gets the first answer; one first sent to pay something else is refused (422)."""
    fingerprint = bookings.request_fingerprint(f"POST /{kind}s/payment", subject_id)
    if idempotency_key:
        earlier = await bookings.earlier_answer(principal.user_id, idempotency_key, fingerprint, PaymentDetails)
        if earlier is not None:
            return earlier[1]
    try:
        answer = await _payment_for(runtime, principal, kind, subject_id)
    except stripe.StripeError as exc:
        log.warning("payments.stripe_error", kind=kind, paid_for=str(subject_id), error=type(exc).__name__)
        raise PaymentsOff("the payment service did not answer as expected; try again in a moment") from exc
    if idempotency_key:
        _, answer = await bookings.remember_answer(
            runtime, principal.user_id, idempotency_key, fingerprint, 200, answer
        )
    return answer


async def _payment_for(runtime: Runtime, principal: Principal, kind: Kind, subject_id: UUID) -> PaymentDetails:
    payable = await _payable(kind, subject_id)
    if payable is None or payable.client_id != principal.user_id:
        raise NotFound(f"no such {kind} to pay")
    publishable_key = settings_of(runtime).stripe_publishable_key
    if payable.status != "pending_payment":
        paid = await _payment(subject_id)
        if paid is None or paid["status"] != "succeeded":
            raise NotPayable(f"this {kind} is {payable.status.replace('_', ' ')}")
        return PaymentDetails(
            amount_minor=paid["amount_minor"],
            currency=paid["currency"],
            status=paid["status"],
            client_secret=None,
            publishable_key=publishable_key,
            pay_before=None,
        )
    row, intent = await _ensure_intent(runtime, payable)
    return PaymentDetails(
        amount_minor=row["amount_minor"],
        currency=row["currency"],
        status=intent.status,
        client_secret=intent.client_secret if intent.status not in ("succeeded", "canceled") else None,
        publishable_key=publishable_key,
        pay_before=payable.pay_before,
    )


async def _ensure_intent(runtime: Runtime, payable: Payable) -> tuple[dict[str, Any], Any]:
    """The payment row and PaymentIntent of what is paid for, made once: the row is locked while the intent is
    created, so a concurrent caller (the client asking, the hold's subscriber) waits and reuses it."""
    offering = await professionals.offering_by_id(payable.offering_id)
    async with runtime.engine.transaction():
        destination = await destination_of(payable.professional_id)
        fee = commission(offering.price_minor, settings_of(runtime).commission_percent) if destination else 0
        await Payment.raw(
            "INSERT INTO payment (id, kind, paid_for, professional, destination, fee_minor, amount_minor, currency, "
            "status, rank, refunded_minor, created_at, updated_at) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, 'creating', 0, 0, {}, {}) ON CONFLICT (paid_for) DO NOTHING",
            uuid4(),
            payable.kind,
            payable.id,
            payable.professional_id,
            destination,
            fee,
            offering.price_minor,
            offering.currency,
            runtime.clock.now(),
            runtime.clock.now(),
        )
        row = (await Payment.raw("SELECT * FROM payment WHERE paid_for = {} FOR UPDATE", payable.id))[0]
        if row["intent"] is None:
            intent = await stripe_client(runtime).v1.payment_intents.create_async(
                params=_intent_params(row, offering.title),  # type: ignore[arg-type]
                options={"idempotency_key": f"confer-intent-{payable.id}"},
            )
            await Payment.update({Payment.intent: intent.id, Payment.status: intent.status}).where(
                Payment.id == row["id"]
            )
        else:
            intent = await stripe_client(runtime).v1.payment_intents.retrieve_async(row["intent"])
    return row, intent


async def prepare_payment(runtime: Runtime, event: EventEnvelope) -> AfterCommit | None:
    """Subscriber of booking.pending_payment and classes.pending_payment: the PaymentIntent is made as the hold
    begins (after the delivery commits: Stripe is not called inside it), so the client's request for it answers at
    once. (Stripe down: the delivery is retried; the client's request makes it too.)"""
    payable = await _payable(*_subject_of(event.payload))
    if payable is None or payable.status != "pending_payment":
        return None

    async def make_intent() -> None:
        await _ensure_intent(runtime, payable)

    return make_intent


def _intent_params(payment: dict[str, Any], title: str) -> dict[str, Any]:
    """A card PaymentIntent; when the professional has a connected account, a destination charge whose
    ``application_fee_amount`` is the platform's commission."""
    params: dict[str, Any] = {
        "amount": payment["amount_minor"],
        "currency": payment["currency"].lower(),
        "payment_method_types": ["card"],
        "metadata": {f"{payment['kind']}_id": str(payment["paid_for"]), "offering": title[:200]},
    }
    if payment["destination"]:
        params["transfer_data"] = {"destination": payment["destination"]}
        params["application_fee_amount"] = payment["fee_minor"]
    return params


async def _payment(subject_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await Payment.select().where(Payment.paid_for == subject_id).first()
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
        .returning(Refund.paid_for)
    )
    if changed and refund.status in ("failed", "canceled"):
        log.error("payments.refund_failed", paid_for=str(changed[0]["paid_for"]), status=refund.status)
    return f"refund {refund.status}" if changed else "unknown refund"


async def _sync_intent(runtime: Runtime, intent_id: str, *, failed: bool) -> str:
    intent = await stripe_client(runtime).v1.payment_intents.retrieve_async(intent_id)
    moved = await Payment.raw(
        "UPDATE payment SET status = {}, rank = {}, updated_at = {} WHERE intent = {} AND rank < {} RETURNING paid_for",
        intent.status,
        RANK.get(intent.status, 0),
        runtime.clock.now(),
        intent_id,
        RANK.get(intent.status, 0),
    )
    metadata: Any = intent.metadata or {}
    try:
        kind, subject_id = _subject_of({key: metadata[key] for key in SUBJECT_KEYS if key in metadata})
    except (KeyError, ValueError):
        return "unknown intent"
    settle = _settler(kind)
    if intent.status == "succeeded" and moved:
        if not await settle(runtime, subject_id, paid=True):
            await _refund_all(runtime, subject_id, why=f"paid after the {kind} was released")
        return "confirmed"
    if failed or intent.status == "canceled":
        await settle(runtime, subject_id, paid=False)
        return "released"
    return "recorded" if moved else "stale"


# --- refunds ----------------------------------------------------------------------------------------------------------


async def close_payment(runtime: Runtime, event: EventEnvelope) -> AfterCommit | None:
    """Subscriber of what ends a booking or a class place (cancelled, left, expired, lapsed): what was paid is refunded
    as the policy said at that moment (the event's ``refund_percent``), once (one refund row and one Stripe
    idempotency key per payment); an intent never paid is cancelled, so it cannot be paid later. Stripe is called
    after the delivery commits."""
    _kind, subject_id = _subject_of(event.payload)
    payment = await _payment(subject_id)
    if payment is None or payment["intent"] is None or payment["status"] == "canceled":
        return None
    if payment["status"] == "succeeded":
        amount = payment["amount_minor"] * int(event.payload.get("refund_percent") or 0) // 100
        if amount <= 0:
            return None

        async def refund() -> None:
            await _refund(runtime, payment, amount)

        return refund

    async def cancel_intent() -> None:
        try:
            await stripe_client(runtime).v1.payment_intents.cancel_async(
                payment["intent"], options={"idempotency_key": f"confer-cancel-{payment['paid_for']}"}
            )
        except stripe.InvalidRequestError as exc:  # already succeeded or canceled: the webhook will say which
            log.info("payments.cancel_refused", paid_for=str(payment["paid_for"]), error=exc.user_message)

    return cancel_intent


async def _refund_all(runtime: Runtime, subject_id: UUID, *, why: str) -> None:
    payment = await _payment(subject_id)
    if payment is not None:
        log.warning("payments.refund_all", paid_for=str(subject_id), reason=why)
        await _refund(runtime, payment, payment["amount_minor"] - payment["refunded_minor"])


async def _refund(runtime: Runtime, payment: dict[str, Any], amount: int) -> None:
    """One refund per payment: the first claim fixes its amount, and until Stripe's answer is recorded any retry
    sends that same refund again (Stripe's idempotency key makes it one), so a failure after the claim cannot lose
    it. This runs after the delivery's commit, where the claim is not undone by a failure."""
    subject_id = payment["paid_for"]
    await Refund.raw(
        "INSERT INTO payment_refund (id, paid_for, amount_minor, status, created_at) "
        "VALUES ({}, {}, {}, 'pending', {}) ON CONFLICT (paid_for) DO NOTHING",
        uuid4(),
        subject_id,
        amount,
        runtime.clock.now(),
    )
    claim = await Refund.select(Refund.amount_minor, Refund.stripe_refund).where(Refund.paid_for == subject_id).first()
    if claim is None or claim["stripe_refund"] is not None:
        return
    amount = claim["amount_minor"]
    params: dict[str, Any] = {
        "payment_intent": payment["intent"],
        "amount": amount,
        "metadata": {f"{payment['kind']}_id": str(subject_id)},
    }
    if payment["destination"]:  # take the money back from the professional's account, and our fee's share
        params |= {"reverse_transfer": True, "refund_application_fee": True}
    refund = await stripe_client(runtime).v1.refunds.create_async(
        params=params,  # type: ignore[arg-type]
        options={"idempotency_key": f"confer-refund-{subject_id}"},
    )
    async with runtime.engine.transaction():
        recorded = (
            await Refund.update({Refund.stripe_refund: refund.id, Refund.status: refund.status or "pending"})
            .where((Refund.paid_for == subject_id) & Refund.stripe_refund.is_null())
            .returning(Refund.id)
        )
        if recorded:
            await Payment.update({Payment.refunded_minor: Payment.refunded_minor + amount}).where(
                Payment.id == payment["id"]
            )
