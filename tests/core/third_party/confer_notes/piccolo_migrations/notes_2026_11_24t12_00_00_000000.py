from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notes table"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="notes", description=DESCRIPTION)

    async def run() -> None:
        from confer_notes.tables import Note

        await Note.raw(
            "CREATE TABLE note (id uuid PRIMARY KEY, owner uuid NOT NULL "
            "REFERENCES account (id) ON DELETE CASCADE, text varchar(500) NOT NULL)"
        ).run()
        await Note.raw("CREATE INDEX note_owner ON note (owner)").run()

    manager.add_raw(run)
    return manager
