from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.core.tables import HandledEvent, OutboxEvent

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[OutboxEvent, HandledEvent],
    migration_dependencies=[],
    commands=[],
)
