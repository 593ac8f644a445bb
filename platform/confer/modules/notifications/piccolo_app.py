from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.modules.notifications.tables import (
    Delivery,
    Device,
    Notification,
    Preference,
    Reminder,
    WebPushSubscription,
)

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Notification, Preference, Device, WebPushSubscription, Delivery, Reminder],
    migration_dependencies=["confer.modules.chat.piccolo_app"],
    commands=[],
)
