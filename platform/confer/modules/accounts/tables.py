"""Accounts' tables: people, their sign-in sessions (refresh-token families), refresh tokens and e-mail tokens.

Only hashes of tokens are stored: a database leak gives nobody a way in.
"""

from __future__ import annotations

from piccolo.columns import UUID, Bytea, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table


class Account(Table, tablename="account"):
    id = UUID(primary_key=True)
    email = Varchar(length=320, unique=True)
    """Normalised (lower-case) address; uniqueness is the database's."""
    password_hash = Text()
    name = Varchar(length=200)
    role = Varchar(length=20, index=True)
    timezone = Varchar(length=64)
    locale = Varchar(length=35, default="en")
    avatar_url = Varchar(length=2048, null=True, default=None)
    email_verified_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AuthSession(Table, tablename="auth_session"):
    """One signed-in device: the family of refresh tokens rotated from one login."""

    id = UUID(primary_key=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz()
    expires_at = Timestamptz()
    """Absolute end of the session, however often it is refreshed."""
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=40, null=True, default=None)
    user_agent = Varchar(length=300, default="")
    ip = Varchar(length=64, default="")


class RefreshToken(Table, tablename="refresh_token"):
    id = UUID(primary_key=True)
    session = ForeignKey(AuthSession, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    successor_sealed = Bytea(null=True, default=None)
    """The token this one was rotated into, sealed with a key derived from this token itself (see
    ``accounts.service.refresh``): only whoever presents the spent token can open it, within the grace window."""


class EmailToken(Table, tablename="email_token"):
    """A single-use link sent by mail: e-mail verification or password reset."""

    id = UUID(primary_key=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=20)
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
