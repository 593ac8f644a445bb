from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.modules.video.tables import Attendance, Room, RoomPass

APP_CONFIG = AppConfig(
    app_name="video",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Room, RoomPass, Attendance],
    migration_dependencies=["confer.modules.classes.piccolo_app"],
    commands=[],
)
