from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.modules.professionals.tables import Offering, ProfessionalProfile

APP_CONFIG = AppConfig(
    app_name="professionals",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ProfessionalProfile, Offering],
    migration_dependencies=["confer.modules.accounts.piccolo_app"],
    commands=[],
)
