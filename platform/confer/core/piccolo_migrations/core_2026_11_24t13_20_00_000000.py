"""Relayed events are looked up by when they were relayed (finding deliveries whose jobs were lost)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T13:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index outbox events by relay time"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run() -> None:
        from confer.core.tables import OutboxEvent

        await OutboxEvent.raw(
            "CREATE INDEX IF NOT EXISTS outbox_event_relayed ON outbox_event (relayed_at) WHERE relayed_at IS NOT NULL"
        ).run()

    manager.add_raw(run)
    return manager
