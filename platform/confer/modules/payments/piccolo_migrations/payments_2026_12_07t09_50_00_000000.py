"""A payment is for a booking or for a seat in a priced class: ``kind`` says which, ``paid_for`` names it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T09:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payment.kind; payment.booking and payment_refund.booking become paid_for"

STATEMENTS = [
    "ALTER TABLE payment ADD COLUMN kind varchar(20) NOT NULL DEFAULT 'booking'",
    "ALTER TABLE payment ADD CONSTRAINT payment_kind_known CHECK (kind IN ('booking', 'enrolment'))",
    "ALTER TABLE payment RENAME COLUMN booking TO paid_for",
    "ALTER TABLE payment_refund RENAME COLUMN booking TO paid_for",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.payments.tables import Payment

        for statement in STATEMENTS:
            await Payment.raw(statement).run()

    manager.add_raw(run)
    return manager
