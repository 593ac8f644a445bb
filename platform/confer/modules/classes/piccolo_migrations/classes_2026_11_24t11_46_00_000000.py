"""A session never holds more seats than its capacity; a client has at most one live place per session."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T11:46:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "capacity and status constraints; one live enrolment per client and session; waitlist indexes"

STATEMENTS = [
    "ALTER TABLE class_session ADD CONSTRAINT class_session_status_known CHECK (status IN ('scheduled', 'cancelled'))",
    "ALTER TABLE class_session ADD CONSTRAINT class_session_seats_within_capacity CHECK "
    "(capacity > 0 AND seats_taken >= 0 AND seats_taken <= capacity)",
    "ALTER TABLE class_session ADD CONSTRAINT class_session_times_ordered CHECK (starts_at < ends_at)",
    "CREATE INDEX class_session_offering_starts ON class_session (offering, starts_at)",
    "ALTER TABLE enrolment ADD CONSTRAINT enrolment_status_known CHECK "
    "(status IN ('enrolled', 'waitlisted', 'offered', 'cancelled', 'expired'))",
    "CREATE UNIQUE INDEX enrolment_one_live_per_client ON enrolment (session, client) "
    "WHERE status IN ('enrolled', 'waitlisted', 'offered')",
    "CREATE INDEX enrolment_waitlist_order ON enrolment (session, position) WHERE status = 'waitlisted'",
    "CREATE INDEX enrolment_offer_expiry ON enrolment (offer_expires_at) WHERE status = 'offered'",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="classes", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.classes.tables import ClassSession

        for statement in STATEMENTS:
            await ClassSession.raw(statement).run()

    manager.add_raw(run)
    return manager
