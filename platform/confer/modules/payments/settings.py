"""The payments module's settings section, read from ``CONFER_PAYMENTS_*``. Payments are off until Stripe's keys
are set."""

from __future__ import annotations

from typing import Annotated

import msgspec


class PaymentsSettings(msgspec.Struct, frozen=True, kw_only=True):
    stripe_secret_key: (
        Annotated[str, msgspec.Meta(pattern=r"^(sk|rk)_(test|live)_", examples=["sk_test_..."])] | None
    ) = None
    stripe_publishable_key: (
        Annotated[str, msgspec.Meta(pattern=r"^pk_(test|live)_", examples=["pk_test_..."])] | None
    ) = None
    """Handed to the web and mobile clients for Stripe's Payment Element and PaymentSheet."""
    stripe_webhook_secret: Annotated[str, msgspec.Meta(pattern=r"^whsec_", examples=["whsec_..."])] | None = None
    stripe_api_base: Annotated[str, msgspec.Meta(pattern=r"^https?://", examples=["http://127.0.0.1:8420"])] | None = (
        None
    )
    """Another Stripe API address (localstripe in tests); unset means Stripe."""
    webhook_tolerance_seconds: Annotated[int, msgspec.Meta(ge=30, le=3600)] = 300
    """A signed event older than this is refused (replay protection)."""
    commission_percent: Annotated[float, msgspec.Meta(ge=0, le=50)] = 10.0
    """The platform's share of each payment to a professional's connected account (``application_fee_amount``)."""
    currencies: list[str] = msgspec.field(default_factory=lambda: ["EUR", "USD", "GBP", "CHF", "CAD", "AUD"])

    @property
    def enabled(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_webhook_secret)
