"""localstripe (a local Stripe API, as the recipe says: bound to 127.0.0.1, its state kept in memory only), and Confer
configured to use it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest

from confer.core.runtime import Runtime
from confer.modules.payments.settings import PaymentsSettings

WEBHOOK_SECRET = "whsec_confer_tests_0123456789"


@pytest.fixture
async def stripe_configured(runtime: Runtime, localstripe_url: str, server: str) -> AsyncIterator[str]:
    """Confer's payments on localstripe, whose webhooks (signed) go to the running app; yields localstripe's URL."""
    before = runtime.module_settings["payments"]
    runtime.module_settings["payments"] = msgspec.structs.replace(
        runtime.section("payments", PaymentsSettings),
        stripe_secret_key="sk_test_confer",
        stripe_publishable_key="pk_test_confer",
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=localstripe_url,
    )
    runtime.extras.pop("stripe", None)
    async with httpx.AsyncClient() as http:
        configured = await http.post(
            f"{localstripe_url}/_config/webhooks/confer",
            data={"url": f"{server}/api/v1/payments/stripe/webhook", "secret": WEBHOOK_SECRET},
        )
        assert configured.status_code < 300, configured.text
    try:
        yield localstripe_url
    finally:
        runtime.module_settings["payments"] = before
        runtime.extras.pop("stripe", None)
