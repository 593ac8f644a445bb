"""A client's open bookings with one professional, found without walking the client's whole history."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index booking_open_by_client"

STATEMENTS = [
    "CREATE INDEX booking_open_by_client ON booking (client, professional, ends_at) "
    "WHERE status IN ('held', 'pending_payment', 'confirmed')",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.booking.tables import Booking

        for statement in STATEMENTS:
            await Booking.raw(statement).run()

    manager.add_raw(run)
    return manager
