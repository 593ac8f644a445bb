"""Once per recipient and cause; one preference per person, kind and channel; one reminder per booking and offset."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T13:02:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "notification uniqueness, listing and delivery indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX notification_once_per_cause ON notification (recipient, event_key)",
    "CREATE INDEX notification_listing ON notification (recipient, created_at DESC, id DESC)",
    "CREATE INDEX notification_unread ON notification (recipient) WHERE read_at IS NULL",
    "CREATE UNIQUE INDEX notification_preference_one ON notification_preference (person, kind, channel)",
    "ALTER TABLE notification_preference ADD CONSTRAINT notification_preference_channel_known "
    "CHECK (channel IN ('in_app', 'email', 'push'))",
    "ALTER TABLE push_device ADD CONSTRAINT push_device_platform_known CHECK (platform IN ('apns', 'fcm'))",
    "ALTER TABLE notification_delivery ADD CONSTRAINT notification_delivery_status_known "
    "CHECK (status IN ('pending', 'sending', 'sent', 'dropped'))",
    "CREATE UNIQUE INDEX booking_reminder_one ON booking_reminder (booking, hours_before)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.notifications.tables import Notification

        for statement in STATEMENTS:
            await Notification.raw(statement).run()

    manager.add_raw(run)
    return manager
