from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.modules.booking.tables import Booking, CalendarFeed, IdempotentRequest

APP_CONFIG = AppConfig(
    app_name="booking",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Booking, IdempotentRequest, CalendarFeed],
    migration_dependencies=["confer.modules.calendar.piccolo_app"],
    commands=[],
)
