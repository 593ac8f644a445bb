"""One pass per person and room; known states and roles; a room's end after its start."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T12:32:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "video constraints: one pass per user and room, known states and roles"

STATEMENTS = [
    "ALTER TABLE video_room ADD CONSTRAINT video_room_state_known CHECK "
    "(state IN ('scheduled', 'open', 'ended', 'destroyed'))",
    "ALTER TABLE video_room ADD CONSTRAINT video_room_kind_known CHECK (kind IN ('booking', 'class'))",
    "ALTER TABLE video_room ADD CONSTRAINT video_room_times_ordered CHECK (starts_at < ends_at)",
    'CREATE UNIQUE INDEX video_pass_one_per_user ON video_pass (room, "user")',
    "ALTER TABLE video_pass ADD CONSTRAINT video_pass_role_known CHECK (role IN ('host', 'guest', 'attendee'))",
    "CREATE INDEX video_attendance_open ON video_attendance (handle) WHERE left_at IS NULL",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="video", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.video.tables import Room

        for statement in STATEMENTS:
            await Room.raw(statement).run()

    manager.add_raw(run)
    return manager
