"""Stripe as this process reaches it: one client, made from the payments settings on first use."""

from __future__ import annotations

import stripe

from confer.core.errors import Unavailable
from confer.core.runtime import Runtime
from confer.modules.payments.settings import PaymentsSettings


class PaymentsOff(Unavailable):
    type = "payments-unavailable"
    title = "Payments are not configured on this server"


def settings_of(runtime: Runtime) -> PaymentsSettings:
    return runtime.section("payments", PaymentsSettings)


def stripe_client(runtime: Runtime) -> stripe.StripeClient:
    """One Stripe client per process, on httpx so that calls do not block the event loop."""
    client: stripe.StripeClient | None = runtime.extras.get("stripe")
    if client is None:
        settings = settings_of(runtime)
        if not settings.enabled or settings.stripe_secret_key is None:
            raise PaymentsOff("set CONFER_PAYMENTS_STRIPE_SECRET_KEY and CONFER_PAYMENTS_STRIPE_WEBHOOK_SECRET")
        client = stripe.StripeClient(
            settings.stripe_secret_key,
            base_addresses={"api": settings.stripe_api_base} if settings.stripe_api_base else None,
            http_client=stripe.HTTPXClient(),
            max_network_retries=2,
        )
        runtime.extras["stripe"] = client
    return client
