"""No two active bookings of one professional overlap, buffers included: PostgreSQL's guarantee (DESIGN §4)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T11:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "exclusion constraint against double booking; one answer per idempotency key"

STATEMENTS = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE booking ADD CONSTRAINT booking_status_known CHECK "
    "(status IN ('held', 'pending_payment', 'confirmed', 'completed', 'cancelled', 'no_show'))",
    "ALTER TABLE booking ADD CONSTRAINT booking_times_ordered CHECK "
    "(starts_at < ends_at AND blocked_from <= starts_at AND ends_at <= blocked_until)",
    "ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist "
    "(professional WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&) "
    "WHERE (status IN ('held', 'pending_payment', 'confirmed'))",
    "CREATE INDEX booking_client_starts ON booking (client, starts_at)",
    "CREATE INDEX booking_professional_starts ON booking (professional, starts_at)",
    "CREATE INDEX booking_hold_expiry ON booking (hold_expires_at) WHERE status IN ('held', 'pending_payment')",
    "CREATE UNIQUE INDEX idempotent_request_key ON idempotent_request (client, key)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.booking.tables import Booking

        for statement in STATEMENTS:
            await Booking.raw(statement).run()

    manager.add_raw(run)
    return manager
