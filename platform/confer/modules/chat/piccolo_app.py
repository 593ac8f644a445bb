from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.modules.chat.tables import ChatMessage, Conversation, ReadMark, Restriction

APP_CONFIG = AppConfig(
    app_name="chat",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Conversation, ChatMessage, ReadMark, Restriction],
    migration_dependencies=["confer.modules.classes.piccolo_app"],
    commands=[],
)
