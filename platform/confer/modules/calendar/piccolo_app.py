from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.modules.calendar.tables import AvailabilityRule, DateOverride, ExternalCalendar, ImportedBusy, TimeOff

APP_CONFIG = AppConfig(
    app_name="calendar",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[AvailabilityRule, DateOverride, TimeOff, ExternalCalendar, ImportedBusy],
    migration_dependencies=["confer.modules.professionals.piccolo_app"],
    commands=[],
)
