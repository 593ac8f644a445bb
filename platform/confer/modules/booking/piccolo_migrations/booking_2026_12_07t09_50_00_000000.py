"""Cancellation terms that a late move cannot escape, and idempotency keys bound to the request they came with."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T09:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking.free_cancel_until; idempotent_request.fingerprint"

STATEMENTS = [
    "ALTER TABLE booking ADD COLUMN free_cancel_until timestamptz NULL",
    "ALTER TABLE idempotent_request ADD COLUMN fingerprint varchar(64) NULL",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.booking.tables import Booking

        for statement in STATEMENTS:
            await Booking.raw(statement).run()

    manager.add_raw(run)
    return manager
