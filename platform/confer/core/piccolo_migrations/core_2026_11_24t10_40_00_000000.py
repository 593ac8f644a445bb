"""Index the outbox's pending events, the only rows the relay ever scans."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T10:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial index on pending outbox events"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run() -> None:
        from confer.core.tables import OutboxEvent

        await OutboxEvent.raw(
            "CREATE INDEX IF NOT EXISTS outbox_event_pending ON outbox_event (id) WHERE relayed_at IS NULL"
        ).run()

    manager.add_raw(run)
    return manager
