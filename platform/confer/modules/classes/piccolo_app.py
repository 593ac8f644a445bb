from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.modules.classes.tables import ClassSession, Enrolment

APP_CONFIG = AppConfig(
    app_name="classes",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ClassSession, Enrolment],
    migration_dependencies=["confer.modules.booking.piccolo_app"],
    commands=[],
)
