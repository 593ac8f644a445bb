"""Amounts are positive minor units in a three-letter currency; a refund never exceeds what was paid."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T13:47:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payment constraints"

STATEMENTS = [
    "ALTER TABLE payment ADD CONSTRAINT payment_amount_positive CHECK (amount_minor > 0)",
    # (no regular expression here: Piccolo reads braces in raw SQL as placeholders)
    "ALTER TABLE payment ADD CONSTRAINT payment_currency_code "
    "CHECK (char_length(currency) = 3 AND currency = upper(currency))",
    "ALTER TABLE payment ADD CONSTRAINT payment_refund_within_amount "
    "CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor)",
    "ALTER TABLE payment_refund ADD CONSTRAINT payment_refund_positive CHECK (amount_minor > 0)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.payments.tables import Payment

        for statement in STATEMENTS:
            await Payment.raw(statement).run()

    manager.add_raw(run)
    return manager
