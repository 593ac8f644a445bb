"""The payments API's shapes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class PaymentDetails(msgspec.Struct, frozen=True, kw_only=True):
    """A payment as the client's Payment Element needs it, whatever is paid for."""

    amount_minor: int
    currency: str
    status: str
    """Stripe's PaymentIntent status: ``requires_payment_method`` until the client pays, then ``succeeded``."""
    client_secret: str | None
    """For Stripe's Payment Element (web) or PaymentSheet (mobile); none once paid or cancelled."""
    publishable_key: str | None
    pay_before: datetime | None
    """The hold ends then: unpaid, the booking or the seat is released."""


class PaymentOut(PaymentDetails, frozen=True, kw_only=True):
    booking_id: UUID


class EnrolmentPaymentOut(PaymentDetails, frozen=True, kw_only=True):
    enrolment_id: UUID


class WebhookAnswer(msgspec.Struct, frozen=True):
    outcome: str


class OnboardingLink(msgspec.Struct, frozen=True):
    url: str
    """Stripe-hosted onboarding for the professional's Express account; send the browser there."""
    expires_at: datetime


class PayoutAccountOut(msgspec.Struct, frozen=True, kw_only=True):
    connected: bool
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool


class EarningsTotal(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    payments: int = 0
    gross_minor: int = 0
    fees_minor: int = 0
    refunds_minor: int = 0
    net_minor: int = 0


class EarningsOut(msgspec.Struct, frozen=True):
    totals: list[EarningsTotal]
    """One line per currency."""
