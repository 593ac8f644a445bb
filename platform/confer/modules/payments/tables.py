"""Payments of what clients take — bookings and seats in priced classes — (one Stripe PaymentIntent each), the
Stripe events already handled, and refunds."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, Integer, SmallInt, Timestamptz, Varchar
from piccolo.table import Table


class Payment(Table, tablename="payment"):
    id = UUID(primary_key=True)
    kind = Varchar(length=20, default="booking")
    """What is paid for: ``booking`` or ``enrolment`` (a seat in a priced class session)."""
    paid_for = UUID(unique=True)
    """The booking's or the enrolment's id (owned by the booking or classes module)."""
    professional = UUID(index=True, null=True, default=None)
    destination = Varchar(length=100, null=True, default=None)
    """The professional's connected Stripe account the charge goes to (a destination charge), if they had one."""
    fee_minor = Integer(default=0)
    """The platform's commission (``application_fee_amount``)."""
    intent = Varchar(length=100, null=True, default=None, unique=True)
    """The Stripe PaymentIntent; null only while it is being created."""
    amount_minor = Integer()
    currency = Varchar(length=3)
    status = Varchar(length=30)
    """The PaymentIntent's status as Stripe last said it (``requires_payment_method`` ... ``succeeded``)."""
    rank = SmallInt(default=0)
    """How far along it is: statuses only ever move to a higher rank, so late and out-of-order events are harmless."""
    refunded_minor = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PayoutAccount(Table, tablename="payout_account"):
    """A professional's Stripe Connect (Express) account and what Stripe last said of it."""

    professional = UUID(primary_key=True)
    stripe_account = Varchar(length=100, unique=True)
    charges_enabled = Boolean(default=False)
    payouts_enabled = Boolean(default=False)
    details_submitted = Boolean(default=False)
    updated_at = Timestamptz()


class StripeEvent(Table, tablename="stripe_event"):
    """Every Stripe event id seen, kept once: a redelivered event does nothing."""

    id = Varchar(length=100, primary_key=True)
    type = Varchar(length=100)
    received_at = Timestamptz()


class Refund(Table, tablename="payment_refund"):
    id = UUID(primary_key=True)
    paid_for = UUID(unique=True)
    stripe_refund = Varchar(length=100, null=True, default=None)
    amount_minor = Integer()
    status = Varchar(length=20)
    created_at = Timestamptz()
