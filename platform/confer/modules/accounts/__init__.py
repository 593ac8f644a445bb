"""Accounts: registration, e-mail verification, sign-in, sessions and passwords."""

from confer.core.modules import Module
from confer.modules.accounts import events, service
from confer.modules.accounts.demo import seed_demo
from confer.modules.accounts.routes import AuthController, MeController
from confer.modules.accounts.settings import AccountsSettings

module = Module(
    name="accounts",
    route_handlers=[AuthController, MeController],
    piccolo_app="confer.modules.accounts.piccolo_app",
    subscribers={
        events.REGISTERED: [service.send_verification_mail],
        events.VERIFICATION_REQUESTED: [service.send_verification_mail],
        events.PASSWORD_RESET_REQUESTED: [service.send_password_reset_mail],
        events.PASSWORD_CHANGED: [service.send_password_changed_notice],
    },
    seed_demo=seed_demo,
    settings=AccountsSettings,
)
