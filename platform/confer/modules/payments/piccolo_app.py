from pathlib import Path

from piccolo.conf.apps import AppConfig

from confer.modules.payments.tables import Payment, PayoutAccount, Refund, StripeEvent

APP_CONFIG = AppConfig(
    app_name="payments",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Payment, PayoutAccount, StripeEvent, Refund],
    migration_dependencies=["confer.modules.booking.piccolo_app"],
    commands=[],
)
