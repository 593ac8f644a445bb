"""``refresh_token.successor_sealed``: the token a refresh issued, sealed with a key only the spent token gives, so that
the same spent token presented again within the grace window (another tab, a retried request) gets the same answer."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T09:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts: refresh_token.successor_sealed for the refresh grace window"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.accounts.tables import RefreshToken

        await RefreshToken.raw("ALTER TABLE refresh_token ADD COLUMN successor_sealed bytea NULL").run()

    manager.add_raw(run)
    return manager
