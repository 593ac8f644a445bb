"""``rating_bayesian``: the Bayesian average search sorts by (written by reviews, like ``rating_avg``), so that one
5-star review does not outrank two hundred 4.9-star ones."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T14:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search: rating_bayesian column and its sort index"

STATEMENTS = [
    "ALTER TABLE professional_profile ADD COLUMN rating_bayesian numeric(5, 4) NULL",
    "CREATE INDEX professional_search_bayesian ON professional_profile "
    "((-coalesce(rating_bayesian, 0)), id) WHERE published",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="professionals", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.professionals.tables import ProfessionalProfile

        for statement in STATEMENTS:
            await ProfessionalProfile.raw(statement).run()

    manager.add_raw(run)
    return manager
