"""The accounts API's shapes (msgspec at the edge). Constraints are declared here; rules that need more live in
the service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320, examples=["ada@example.org"])]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=256, description="10 to 256 characters")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, examples=["Ada Lovelace"])]
TimeZone = Annotated[str, msgspec.Meta(min_length=1, max_length=64, examples=["Europe/Paris"])]
Locale = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35, examples=["fr-FR"])]
AvatarUrl = Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s]+$", max_length=2048)]
Token = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]


class RegisterIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    name: Name
    timezone: TimeZone
    role: Literal["client", "professional"] = "client"
    locale: Locale = "en"


class AccountOut(msgspec.Struct):
    id: UUID
    email: str
    name: str
    role: str
    timezone: str
    locale: str
    avatar_url: str | None
    email_verified: bool
    created_at: datetime


class AccountUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    timezone: TimeZone | msgspec.UnsetType = msgspec.UNSET
    locale: Locale | msgspec.UnsetType = msgspec.UNSET
    avatar_url: AvatarUrl | msgspec.UnsetType | None = msgspec.UNSET


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    password: Annotated[str, msgspec.Meta(max_length=256)]


class TokenPair(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


class RefreshIn(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Token


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    token: Token


class ForgotPasswordIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]


class ResetPasswordIn(msgspec.Struct, forbid_unknown_fields=True):
    token: Token
    new_password: Password


class ChangePasswordIn(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, msgspec.Meta(max_length=256)]
    new_password: Password


class SessionOut(msgspec.Struct):
    id: UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str
    ip: str
    current: bool


class Accepted(msgspec.Struct):
    detail: str
