"""The accounts module's settings section, read from ``CONFER_ACCOUNTS_*``."""

from __future__ import annotations

from typing import Annotated

import msgspec


class AccountsSettings(msgspec.Struct, frozen=True):
    require_verified_email: Annotated[bool, msgspec.Meta(examples=["true"])] = True
    """Booking, paying, enrolling in a class and publishing a professional profile need a confirmed e-mail address."""
    verification_resend_seconds: Annotated[int, msgspec.Meta(ge=1, examples=[60])] = 60
    """How long an account waits between two requests for a new verification link."""
