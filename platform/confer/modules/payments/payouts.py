"""Professionals' payouts with Stripe Connect (Express): onboarding, the account's state, the commission taken on
each destination charge, and earnings (gross, fees, refunds, net) as JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from uuid import UUID

import stripe
import structlog

from confer.core.auth import Principal
from confer.core.runtime import Runtime
from confer.modules.accounts import service as accounts
from confer.modules.payments.schemas import EarningsOut, EarningsTotal, OnboardingLink, PayoutAccountOut
from confer.modules.payments.stripe_api import PaymentsOff, stripe_client
from confer.modules.payments.tables import Payment, PayoutAccount

log = structlog.get_logger("confer.payments")


async def onboarding_link(runtime: Runtime, principal: Principal) -> OnboardingLink:
    """A Stripe-hosted onboarding link for the professional's Express account (made on the first call)."""
    principal.require_role("professional")
    try:
        return await _onboarding_link(runtime, principal)
    except stripe.StripeError as exc:
        log.warning("payments.stripe_error", operation="onboarding", error=type(exc).__name__)
        raise PaymentsOff("the payment service did not answer as expected; try again in a moment") from exc


async def _onboarding_link(runtime: Runtime, principal: Principal) -> OnboardingLink:
    client = stripe_client(runtime)
    account_id = await _account_id(principal.user_id)
    if account_id is None:
        account = await client.v1.accounts.create_async(
            params={
                "type": "express",
                "email": (await accounts.get_account(principal.user_id)).email,
                "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
                "metadata": {"professional_id": str(principal.user_id)},
            },
            options={"idempotency_key": f"confer-account-{principal.user_id}"},
        )
        account_id = account.id
        await PayoutAccount.raw(
            "INSERT INTO payout_account (professional, stripe_account, charges_enabled, payouts_enabled, "
            "details_submitted, updated_at) VALUES ({}, {}, false, false, false, {}) "
            "ON CONFLICT (professional) DO NOTHING",
            principal.user_id,
            account_id,
            runtime.clock.now(),
        )
        account_id = await _account_id(principal.user_id) or account_id
    base = runtime.settings.public_url
    link = await client.v1.account_links.create_async(
        params={
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": f"{base}/earnings/payouts?refresh=1",
            "return_url": f"{base}/earnings/payouts",
        }
    )
    return OnboardingLink(url=link.url, expires_at=datetime.fromtimestamp(link.expires_at).astimezone())


async def payout_account(principal: Principal) -> PayoutAccountOut:
    row = await PayoutAccount.select().where(PayoutAccount.professional == principal.user_id).first()
    if row is None:
        return PayoutAccountOut(connected=False, charges_enabled=False, payouts_enabled=False, details_submitted=False)
    return PayoutAccountOut(
        connected=True,
        charges_enabled=row["charges_enabled"],
        payouts_enabled=row["payouts_enabled"],
        details_submitted=row["details_submitted"],
    )


async def account_updated(runtime: Runtime, account_id: str) -> str:
    """Webhook ``account.updated``: re-read the account from Stripe and keep what it says."""
    account = await stripe_client(runtime).v1.accounts.retrieve_async(account_id)
    changed = (
        await PayoutAccount.update(
            {
                PayoutAccount.charges_enabled: bool(account.charges_enabled),
                PayoutAccount.payouts_enabled: bool(account.payouts_enabled),
                PayoutAccount.details_submitted: bool(account.details_submitted),
                PayoutAccount.updated_at: runtime.clock.now(),
            }
        )
        .where(PayoutAccount.stripe_account == account_id)
        .returning(PayoutAccount.professional)
    )
    return "account updated" if changed else "unknown account"


async def destination_of(professional: UUID) -> str | None:
    """The connected account a charge for this professional goes to: only one Stripe lets take charges."""
    row = (
        await PayoutAccount.select(PayoutAccount.stripe_account)
        .where((PayoutAccount.professional == professional) & PayoutAccount.charges_enabled.eq(True))
        .first()
    )
    return None if row is None else str(row["stripe_account"])


def commission(amount_minor: int, percent: float) -> int:
    """The platform's fee in minor units, rounded half up (never more than the amount)."""
    return min(amount_minor, int(amount_minor * percent / 100 + 0.5))


async def _account_id(professional: UUID) -> str | None:
    row = (
        await PayoutAccount.select(PayoutAccount.stripe_account)
        .where(PayoutAccount.professional == professional)
        .first()
    )
    return None if row is None else str(row["stripe_account"])


# --- earnings ---------------------------------------------------------------------------------------------------------


async def earnings(principal: Principal) -> EarningsOut:
    principal.require_role("professional")
    rows = await _paid(principal.user_id)
    totals: dict[str, EarningsTotal] = {}
    for row in rows:
        before = totals.get(row["currency"], EarningsTotal(currency=row["currency"]))
        totals[row["currency"]] = EarningsTotal(
            currency=row["currency"],
            payments=before.payments + 1,
            gross_minor=before.gross_minor + row["amount_minor"],
            fees_minor=before.fees_minor + row["fee_minor"],
            refunds_minor=before.refunds_minor + row["refunded_minor"],
            net_minor=before.net_minor + _net(row),
        )
    return EarningsOut(totals=sorted(totals.values(), key=lambda t: t.currency))


async def earnings_csv(principal: Principal) -> str:
    """One line per payment (a booking or a class seat): what a bookkeeper imports."""
    principal.require_role("professional")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["paid_at", "kind", "paid_for", "currency", "gross", "fee", "refunded", "net"])
    for row in await _paid(principal.user_id):
        writer.writerow(
            [
                row["updated_at"].isoformat(),
                row["kind"],
                row["paid_for"],
                row["currency"],
                _decimal(row["amount_minor"]),
                _decimal(row["fee_minor"]),
                _decimal(row["refunded_minor"]),
                _decimal(_net(row)),
            ]
        )
    return out.getvalue()


async def _paid(professional: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await Payment.select()
        .where((Payment.professional == professional) & (Payment.status == "succeeded"))
        .order_by(Payment.updated_at)
    )
    return rows


def _net(row: dict[str, Any]) -> int:
    """What reaches the professional: the charge less the commission less refunds (a refund reverses the transfer,
    and the commission's share of it comes back with it)."""
    gross: int = row["amount_minor"]
    refunded: int = row["refunded_minor"]
    fee: int = row["fee_minor"]
    kept_fee = fee - (fee * refunded // gross if gross else 0)
    return gross - refunded - kept_fee


def _decimal(minor: int) -> str:
    """Minor units as a decimal with two places (every currency Confer takes has two)."""
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"
