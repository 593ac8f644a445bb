from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.modules.accounts.tables import Account, AuthSession, EmailToken, RefreshToken

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Account, AuthSession, RefreshToken, EmailToken],
    migration_dependencies=["confer.core.piccolo_app"],
    commands=[],
)
