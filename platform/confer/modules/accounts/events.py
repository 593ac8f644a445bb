"""Events the accounts module publishes (topics and payloads)."""

from __future__ import annotations

from uuid import UUID

import msgspec

REGISTERED = "accounts.registered"
VERIFICATION_REQUESTED = "accounts.verification_requested"
EMAIL_VERIFIED = "accounts.email_verified"
PASSWORD_RESET_REQUESTED = "accounts.password_reset_requested"
PASSWORD_CHANGED = "accounts.password_changed"


class AccountEvent(msgspec.Struct, frozen=True):
    account_id: UUID
