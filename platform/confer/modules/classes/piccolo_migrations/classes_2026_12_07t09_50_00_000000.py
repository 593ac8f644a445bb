"""Paid seats: a seat in a priced class is held unpaid (``pending_payment``) until its payment comes through or its
hold lapses; a place that ends records the share of its price refunded."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T09:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "enrolment status pending_payment; enrolment.refund_percent"

STATEMENTS = [
    "ALTER TABLE enrolment ADD COLUMN refund_percent smallint NULL",
    "ALTER TABLE enrolment DROP CONSTRAINT enrolment_status_known",
    "ALTER TABLE enrolment ADD CONSTRAINT enrolment_status_known CHECK "
    "(status IN ('enrolled', 'pending_payment', 'waitlisted', 'offered', 'cancelled', 'expired'))",
    "DROP INDEX enrolment_one_live_per_client",
    "CREATE UNIQUE INDEX enrolment_one_live_per_client ON enrolment (session, client) "
    "WHERE status IN ('enrolled', 'pending_payment', 'waitlisted', 'offered')",
    "DROP INDEX enrolment_offer_expiry",
    "CREATE INDEX enrolment_hold_expiry ON enrolment (offer_expires_at) WHERE status IN ('offered', 'pending_payment')",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="classes", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.classes.tables import ClassSession

        for statement in STATEMENTS:
            await ClassSession.raw(statement).run()

    manager.add_raw(run)
    return manager
