from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.modules.reviews.tables import Review, ReviewAggregate

APP_CONFIG = AppConfig(
    app_name="reviews",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Review, ReviewAggregate],
    migration_dependencies=["confer.modules.booking.piccolo_app", "confer.modules.professionals.piccolo_app"],
    commands=[],
)
