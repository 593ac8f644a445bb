"""Accounts: registration, e-mail verification, sign-in, sessions and passwords (DESIGN §6).

A session is one signed-in device: a family of refresh tokens rotated on every use. A refresh token used twice means
it leaked, so the whole family ends. Each use case runs in one transaction, with its events written alongside.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import msgspec
import structlog
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from email_validator import EmailNotValidError, validate_email
from piccolo.columns.combination import Where

from confer.core import events, realtime
from confer.core.auth import Principal, Role
from confer.core.db import UNIQUE_VIOLATION, is_violation
from confer.core.errors import ConferError, Conflict, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from confer.core.events import AfterCommit, EventEnvelope
from confer.core.mail import Mail
from confer.core.runtime import Runtime
from confer.core.timezones import checked_zone
from confer.modules.accounts import events as topics
from confer.modules.accounts.account_cache import account_cache, announce_change
from confer.modules.accounts.passwords import Passwords, weakness
from confer.modules.accounts.schemas import (
    AccountOut,
    AccountUpdate,
    ChangePasswordIn,
    LoginIn,
    RegisterIn,
    ResetPasswordIn,
    SessionOut,
    TokenPair,
)
from confer.modules.accounts.settings import AccountsSettings
from confer.modules.accounts.tables import Account, AuthSession, EmailToken, RefreshToken
from confer.modules.accounts.throttle import login_throttle

log = structlog.get_logger("confer.accounts")

VERIFY = "verify"
RESET = "reset"
TOKEN_LIFETIMES = {VERIFY: timedelta(hours=48), RESET: timedelta(hours=1)}
LINK_PATHS = {VERIFY: "verify-email", RESET: "reset-password"}
"""Pages of the web client that take a mailed token."""
FORGOT_PASSWORD_COOLDOWN_SECONDS = 60
SEALING_INFO = b"confer refresh-token successor"
"""HKDF's context for the key that seals a refresh token's successor (distinct from the stored SHA-256 hash)."""
ACCOUNT_COLUMNS = (
    Account.id,
    Account.email,
    Account.name,
    Account.role,
    Account.timezone,
    Account.locale,
    Account.avatar_url,
    Account.email_verified_at,
    Account.created_at,
)


OWN_ACCOUNT_SQL = (
    "SELECT id, email, name, role, timezone, locale, avatar_url, email_verified_at, created_at "
    "FROM account WHERE id = $1"
)


class EmailTaken(Conflict):
    type = "email-taken"
    title = "An account with this e-mail address exists"


class InvalidCredentials(Unauthenticated):
    type = "invalid-credentials"
    title = "The e-mail address or the password is wrong"


class InvalidLink(ConferError):
    status = 400
    type = "invalid-token"
    title = "This link is invalid, used or expired"


class EmailUnverified(ConferError):
    status = 403
    type = "email-unverified"
    title = "Confirm your e-mail address first"

    def __init__(self) -> None:
        super().__init__("open the link we mailed you (or ask for a new one) before doing this")


class ClientInfo(msgspec.Struct, frozen=True):
    """Where a sign-in comes from, shown in the list of sessions."""

    ip: str
    user_agent: str


# --- registration and e-mail verification -------------------------------------------------------------------------


async def register(runtime: Runtime, data: RegisterIn) -> AccountOut:
    email = normalized_email(data.email, strict=True)
    checked_zone("timezone", data.timezone)
    _check_strength("password", data.password, email, data.name)
    password_hash = await passwords(runtime).hash(data.password)
    now = runtime.clock.now()
    account = Account(
        id=uuid4(),
        email=email,
        password_hash=password_hash,
        name=_checked_name(data.name),
        role=data.role,
        timezone=data.timezone,
        locale=data.locale,
        created_at=now,
        updated_at=now,
    )
    await _insert_account(runtime, account, announce=True)
    return await get_account(account.id)


async def verify_email(runtime: Runtime, token: str) -> AccountOut:
    now = runtime.clock.now()
    async with runtime.engine.transaction():
        account_id = await _consume_email_token(token, VERIFY, now)
        await Account.update({Account.email_verified_at: now, Account.updated_at: now}).where(
            (Account.id == account_id) & Account.email_verified_at.is_null()
        )
        await events.publish(topics.EMAIL_VERIFIED, topics.AccountEvent(account_id=account_id))
    await announce_change(runtime, account_id)
    return await get_account(account_id)


async def request_verification(runtime: Runtime, principal: Principal) -> None:
    """Mail a new verification link, at most once per cooldown per account (429 with ``Retry-After`` sooner)."""
    account = await get_account(principal.user_id)
    if not account.email_verified:
        cooldown = runtime.key("verification-resend-cooldown", account.id)
        seconds = _settings(runtime).verification_resend_seconds
        if not await runtime.redis.set(cooldown, b"1", nx=True, ex=seconds):
            left = await runtime.redis.ttl(cooldown)
            raise TooManyRequests(left if left > 0 else seconds, "a new link was sent a moment ago; try again later")
        async with runtime.engine.transaction():
            await events.publish(topics.VERIFICATION_REQUESTED, topics.AccountEvent(account_id=account.id))


async def require_verified_email(runtime: Runtime, principal: Principal) -> None:
    """Refuse (403 email-unverified) what needs a confirmed address while the caller's is not confirmed: booking,
    paying, enrolling and publishing a profile, when ``CONFER_ACCOUNTS_REQUIRE_VERIFIED_EMAIL`` is on. Read from
    the process's account cache, so the check costs no query on the hot path."""
    if _settings(runtime).require_verified_email and not (await get_own_account(runtime, principal)).email_verified:
        raise EmailUnverified()


# --- sign-in, refresh, sessions -----------------------------------------------------------------------------------


async def login(runtime: Runtime, data: LoginIn, client: ClientInfo) -> TokenPair:
    """Same answer, and about the same time, for a wrong password and an unknown address. The attempt is counted
    before the password is checked (and refunded when it is right), so parallel guesses cannot pass the limits."""
    email = normalized_email(data.email, strict=False)
    throttle = login_throttle(runtime)
    await throttle.sign_in_attempt(email, client.ip)
    row = await Account.select(Account.id, Account.password_hash, Account.role).where(Account.email == email).first()
    if not await passwords(runtime).verify(row["password_hash"] if row else None, data.password):
        await throttle.sign_in_failed(email)
        raise InvalidCredentials()
    assert row is not None  # verify() is False without a stored hash
    await throttle.signed_in(email, client.ip)
    await _upgrade_hash_if_needed(runtime, row["id"], row["password_hash"], data.password)
    return await _start_session(runtime, row["id"], row["role"], client)


async def refresh(runtime: Runtime, raw_token: str, client: ClientInfo) -> TokenPair:
    """Rotate: the presented refresh token is spent and its successor issued, in one transaction.

    Tabs of one browser share a refresh token and a request may be retried after its answer was lost, so one token
    can legitimately arrive several times within moments. Within ``refresh_grace_seconds`` of its use, a spent token
    is answered again with the *same* successor (and a new access token) instead of being taken for a leak: the tabs
    end up holding one token, and the family stays whole. Later, a spent token is reuse, and its session ends.

    Only hashes of tokens are stored, so the successor is kept sealed (AES-GCM) under a key derived by HKDF from the
    spent token itself: a database reader can open it no more than they can use the hashes, and whoever presents the
    spent token within the window could have been the first to present it anyway.
    """
    now = runtime.clock.now()
    successor = _new_refresh_token()
    async with runtime.engine.transaction():
        spent = (
            await RefreshToken.update(
                {RefreshToken.used_at: now, RefreshToken.successor_sealed: _seal(successor, raw_token)}
            )
            .where((RefreshToken.token_hash == _digest(raw_token)) & RefreshToken.used_at.is_null())
            .returning(RefreshToken.session, RefreshToken.expires_at)
        )
        if spent:
            session = await _rotate(runtime, spent[0], successor, client, now)
        else:
            session, successor = await _successor_within_grace(runtime, raw_token, now, client)
    if session is None:
        raise Unauthenticated("this refresh token is invalid, expired or already used; sign in again")
    principal = Principal(user_id=session["account"], session_id=session["id"], role=session["role"])
    return _token_pair(runtime, principal, successor)


async def logout(runtime: Runtime, principal: Principal) -> None:
    await end_session(runtime, principal, principal.session_id)


async def list_sessions(runtime: Runtime, principal: Principal) -> list[SessionOut]:
    rows = (
        await AuthSession.select(
            AuthSession.id,
            AuthSession.created_at,
            AuthSession.last_used_at,
            AuthSession.expires_at,
            AuthSession.user_agent,
            AuthSession.ip,
        )
        .where(
            (AuthSession.account == principal.user_id)
            & AuthSession.revoked_at.is_null()
            & (AuthSession.expires_at > runtime.clock.now())
        )
        .order_by(AuthSession.last_used_at, ascending=False)
    )
    return [SessionOut(**row, current=row["id"] == principal.session_id) for row in rows]


async def end_session(runtime: Runtime, principal: Principal, session_id: UUID) -> None:
    """End one of the caller's sessions; another person's session is 'not found'."""
    async with runtime.engine.transaction():
        ended = await _revoke_sessions(
            runtime, (AuthSession.id == session_id) & (AuthSession.account == principal.user_id), "signed-out"
        )
    if not ended:
        raise NotFound("no such session")


# --- passwords ------------------------------------------------------------------------------------------------------


async def change_password(runtime: Runtime, principal: Principal, data: ChangePasswordIn) -> None:
    """Change the caller's password and end every other session."""
    row = (
        await Account.select(Account.email, Account.name, Account.password_hash)
        .where(Account.id == principal.user_id)
        .first()
    )
    if row is None:
        raise Unauthenticated("this account no longer exists")
    throttle = login_throttle(runtime)
    await throttle.password_change_attempt(principal.user_id)
    if not await passwords(runtime).verify(row["password_hash"], data.current_password):
        raise InvalidInput("current_password", "is not your current password")
    await throttle.current_password_confirmed(principal.user_id)
    _check_strength("new_password", data.new_password, row["email"], row["name"])
    new_hash = await passwords(runtime).hash(data.new_password)
    async with runtime.engine.transaction():
        await _set_password(runtime, principal.user_id, new_hash)
        await _revoke_sessions(
            runtime,
            (AuthSession.account == principal.user_id) & (AuthSession.id != principal.session_id),
            "password-changed",
        )


async def forgot_password(runtime: Runtime, email_address: str) -> None:
    """Mail a reset link if the address has an account; the caller is told the same either way."""
    email = normalized_email(email_address, strict=False)
    account_id = await Account.select(Account.id).where(Account.email == email).first()
    if account_id is None:
        return
    cooldown = runtime.key("password-reset-cooldown", _digest(email))
    if not await runtime.redis.set(cooldown, b"1", nx=True, ex=FORGOT_PASSWORD_COOLDOWN_SECONDS):
        return
    async with runtime.engine.transaction():
        await events.publish(topics.PASSWORD_RESET_REQUESTED, topics.AccountEvent(account_id=account_id["id"]))


async def reset_password(runtime: Runtime, data: ResetPasswordIn) -> None:
    """Set a new password from a mailed link; every session ends, and the address counts as verified."""
    now = runtime.clock.now()
    token_hash = _digest(data.token)
    pending = (
        await EmailToken.select(EmailToken.account.email, EmailToken.account.name)
        .where(
            (EmailToken.token_hash == token_hash)
            & (EmailToken.purpose == RESET)
            & EmailToken.used_at.is_null()
            & (EmailToken.expires_at > now)
        )
        .first()
    )
    if pending is None:
        raise InvalidLink()
    _check_strength("new_password", data.new_password, pending["account.email"], pending["account.name"])
    new_hash = await passwords(runtime).hash(data.new_password)
    async with runtime.engine.transaction():
        account_id = await _consume_email_token(data.token, RESET, now)
        await _set_password(runtime, account_id, new_hash)
        await Account.update({Account.email_verified_at: now}).where(
            (Account.id == account_id) & Account.email_verified_at.is_null()
        )
        await _revoke_sessions(runtime, AuthSession.account == account_id, "password-reset")
    await announce_change(runtime, account_id)


# --- the caller's own account ---------------------------------------------------------------------------------------


async def get_account(account_id: UUID) -> AccountOut:
    row = await Account.select(*ACCOUNT_COLUMNS).where(Account.id == account_id).first()
    if row is None:
        raise NotFound("no such account")
    return _account_out(row)


async def names_of(account_ids: Iterable[UUID]) -> dict[UUID, str]:
    """The names of several accounts in one query, for lists that show who is who (a professional's bookings)."""
    wanted = list(set(account_ids))
    if not wanted:
        return {}
    rows = await Account.select(Account.id, Account.name).where(Account.id.is_in(wanted))
    return {row["id"]: row["name"] for row in rows}


async def get_own_account(runtime: Runtime, principal: Principal) -> AccountOut:
    """``GET /me``, the most frequent authenticated read: from this process's cache, else one prepared statement
    straight on the pool (Piccolo's query builder costs more than the query itself here)."""
    assert runtime.engine.pool is not None
    cache = account_cache(runtime)
    cached = cache.get(principal.user_id)
    if cached is not None:
        return cached
    generation = cache.generation
    async with runtime.engine.pool.acquire() as connection:
        row = await connection.fetchrow(OWN_ACCOUNT_SQL, principal.user_id)
    if row is None:
        raise Unauthenticated("this account no longer exists")
    account = _account_out(dict(row))
    cache.put(account, generation)
    return account


async def update_account(runtime: Runtime, principal: Principal, data: AccountUpdate) -> AccountOut:
    changes: dict[Any, Any] = {}
    if data.name is not msgspec.UNSET:
        changes[Account.name] = _checked_name(data.name)
    if data.timezone is not msgspec.UNSET:
        changes[Account.timezone] = checked_zone("timezone", data.timezone)
    if data.locale is not msgspec.UNSET:
        changes[Account.locale] = data.locale
    if data.avatar_url is not msgspec.UNSET:
        changes[Account.avatar_url] = data.avatar_url
    if changes:
        changes[Account.updated_at] = runtime.clock.now()
        await Account.update(changes).where(Account.id == principal.user_id)
        await announce_change(runtime, principal.user_id)
    return await get_account(principal.user_id)


async def create_admin(runtime: Runtime, email_address: str, name: str, password: str) -> AccountOut:
    """An administrator, verified from the start; only the ``confer create-admin`` command makes one."""
    email = normalized_email(email_address, strict=True)
    _check_strength("password", password, email, name)
    now = runtime.clock.now()
    account = Account(
        id=uuid4(),
        email=email,
        password_hash=await passwords(runtime).hash(password),
        name=name,
        role="admin",
        timezone="UTC",
        locale="en",
        email_verified_at=now,
        created_at=now,
        updated_at=now,
    )
    await _insert_account(runtime, account, announce=False)
    return await get_account(account.id)


# --- event subscribers (run by the worker) --------------------------------------------------------------------------


async def send_verification_mail(runtime: Runtime, event: EventEnvelope) -> AfterCommit | None:
    account = await get_account(UUID(event.payload["account_id"]))
    if account.email_verified:
        return None
    return await _mail_link(
        runtime,
        account,
        VERIFY,
        "Confirm your e-mail address for Confer",
        "Confirm your address by opening this link within 48 hours:",
        "If you did not create a Confer account, ignore this message.",
    )


async def send_password_reset_mail(runtime: Runtime, event: EventEnvelope) -> AfterCommit:
    account = await get_account(UUID(event.payload["account_id"]))
    return await _mail_link(
        runtime,
        account,
        RESET,
        "Reset your Confer password",
        "Choose a new password by opening this link within an hour:",
        "If you did not ask for this, ignore this message: your password stays as it is.",
    )


async def send_password_changed_notice(runtime: Runtime, event: EventEnvelope) -> AfterCommit:
    account = await get_account(UUID(event.payload["account_id"]))
    return partial(
        runtime.mailer.send,
        Mail(
            to=account.email,
            subject="Your Confer password was changed",
            text=f"Hello {account.name},\n\nYour password was just changed and your other sessions were ended.\n"
            "If this was not you, reset your password now and contact your administrator.\n",
        ),
    )


# --- internals ------------------------------------------------------------------------------------------------------


def _settings(runtime: Runtime) -> AccountsSettings:
    return runtime.section("accounts", AccountsSettings)


def passwords(runtime: Runtime) -> Passwords:
    """The process's bounded password hasher (built once per runtime)."""
    hasher = runtime.extras.get("accounts.passwords")
    if not isinstance(hasher, Passwords):
        settings = runtime.settings
        hasher = Passwords(
            concurrency=settings.password_hash_concurrency,
            memory_kib=settings.password_hash_memory_kib,
            time_cost=settings.password_hash_time_cost,
        )
        runtime.extras["accounts.passwords"] = hasher
    return hasher


def normalized_email(address: str, *, strict: bool) -> str:
    """The form addresses are stored and looked up in. ``strict`` turns a malformed address into a 422."""
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        if strict:
            raise InvalidInput("email", str(exc)) from None
        return address.strip().lower()


async def _insert_account(runtime: Runtime, account: Account, *, announce: bool) -> None:
    """Insert; the unique index on the address decides races between two registrations of one address."""
    try:
        async with runtime.engine.transaction():
            await Account.insert(account).run()
            if announce:
                await events.publish(topics.REGISTERED, topics.AccountEvent(account_id=account.id))
    except Exception as exc:
        if is_violation(exc, UNIQUE_VIOLATION):
            raise EmailTaken() from None
        raise


def _checked_name(name: str) -> str:
    stripped = name.strip()
    if not stripped:
        raise InvalidInput("name", "must not be blank")
    return stripped


def _check_strength(field: str, password: str, email: str, name: str) -> None:
    reason = weakness(password, email=email, name=name)
    if reason:
        raise InvalidInput(field, reason)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _account_out(row: dict[str, Any]) -> AccountOut:
    verified_at = row.pop("email_verified_at")
    return AccountOut(**row, email_verified=verified_at is not None)


async def _start_session(runtime: Runtime, account_id: UUID, role: Role, client: ClientInfo) -> TokenPair:
    now = runtime.clock.now()
    session_id = uuid4()
    expires_at = now + timedelta(seconds=runtime.settings.session_max_seconds)
    async with runtime.engine.transaction():
        await AuthSession.insert(
            AuthSession(
                id=session_id,
                account=account_id,
                created_at=now,
                last_used_at=now,
                expires_at=expires_at,
                ip=client.ip,
                user_agent=client.user_agent[:300],
            )
        ).run()
        refresh_token = _new_refresh_token()
        await _store_refresh_token(runtime, refresh_token, session_id, expires_at)
    return _token_pair(runtime, Principal(user_id=account_id, session_id=session_id, role=role), refresh_token)


def _new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


async def _store_refresh_token(runtime: Runtime, raw: str, session_id: UUID, session_expires_at: datetime) -> None:
    lifetime = timedelta(seconds=runtime.settings.refresh_token_seconds)
    await RefreshToken.insert(
        RefreshToken(
            id=uuid4(),
            session=session_id,
            token_hash=_digest(raw),
            expires_at=min(runtime.clock.now() + lifetime, session_expires_at),
        )
    ).run()


async def _rotate(
    runtime: Runtime, spent: dict[str, Any], successor: str, client: ClientInfo, now: datetime
) -> dict[str, Any] | None:
    """Issue ``successor`` for the session of the token just spent, if that token and its session are still valid."""
    if spent["expires_at"] <= now:
        return None
    session = await _live_session(spent["session"], now)
    if session is not None:
        await _store_refresh_token(runtime, successor, session["id"], session["expires_at"])
        await AuthSession.update(
            {AuthSession.last_used_at: now, AuthSession.ip: client.ip, AuthSession.user_agent: client.user_agent[:300]}
        ).where(AuthSession.id == session["id"])
    return session


async def _successor_within_grace(
    runtime: Runtime, raw_token: str, now: datetime, client: ClientInfo
) -> tuple[dict[str, Any] | None, str]:
    """A spent token again: its successor if it was spent within the grace window (and the session lives), else
    the token leaked and its whole session ends. Unknown tokens are simply refused."""
    row = (
        await RefreshToken.select(RefreshToken.session, RefreshToken.used_at, RefreshToken.successor_sealed)
        .where(RefreshToken.token_hash == _digest(raw_token))
        .first()
    )
    if row is None:
        return None, ""
    grace = timedelta(seconds=runtime.settings.refresh_grace_seconds)
    if now - row["used_at"] > grace or row["successor_sealed"] is None:
        await _revoke_sessions(runtime, AuthSession.id == row["session"], "refresh-token-reuse")
        log.warning("refresh_token_reused", ip=client.ip)
        return None, ""
    successor = _unseal(row["successor_sealed"], raw_token)
    issued = await RefreshToken.exists().where(
        (RefreshToken.token_hash == _digest(successor)) & (RefreshToken.session == row["session"])
    )
    return (await _live_session(row["session"], now) if issued else None), successor


def _sealing_key(spent_token: str) -> AESGCM:
    return AESGCM(HKDF(algorithm=SHA256(), length=32, salt=None, info=SEALING_INFO).derive(spent_token.encode()))


def _seal(successor: str, spent_token: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + _sealing_key(spent_token).encrypt(nonce, successor.encode(), None)


def _unseal(sealed: bytes, spent_token: str) -> str:
    return _sealing_key(spent_token).decrypt(sealed[:12], sealed[12:], None).decode()


def _token_pair(runtime: Runtime, principal: Principal, refresh_token: str) -> TokenPair:
    return TokenPair(
        access_token=runtime.access_tokens.issue(principal),
        refresh_token=refresh_token,
        expires_in=runtime.access_tokens.lifetime_seconds,
    )


async def _live_session(session_id: UUID, now: datetime) -> dict[str, Any] | None:
    session: dict[str, Any] | None = (
        await AuthSession.select(
            AuthSession.id, AuthSession.account, AuthSession.expires_at, AuthSession.account.role.as_alias("role")
        )
        .where((AuthSession.id == session_id) & AuthSession.revoked_at.is_null() & (AuthSession.expires_at > now))
        .first()
    )
    return session


async def _revoke_sessions(runtime: Runtime, which: Where | Any, reason: str) -> list[UUID]:
    """End the matching live sessions (call inside a transaction); their access tokens stop working at once."""
    rows = (
        await AuthSession.update({AuthSession.revoked_at: runtime.clock.now(), AuthSession.revoked_reason: reason})
        .where(which & AuthSession.revoked_at.is_null())
        .returning(AuthSession.id, AuthSession.account)
    )
    ended = [row["id"] for row in rows]
    await runtime.revoked_sessions.revoke(ended)
    await realtime.end_sessions(runtime, [(row["id"], row["account"]) for row in rows])
    return ended


async def _set_password(runtime: Runtime, account_id: UUID, password_hash: str) -> None:
    """Set the password; every reset link still out for the account dies with the old password (a stale mail must
    not undo the change)."""
    now = runtime.clock.now()
    await Account.update({Account.password_hash: password_hash, Account.updated_at: now}).where(
        Account.id == account_id
    )
    await EmailToken.update({EmailToken.used_at: now}).where(
        (EmailToken.account == account_id) & (EmailToken.purpose == RESET) & EmailToken.used_at.is_null()
    )
    await events.publish(topics.PASSWORD_CHANGED, topics.AccountEvent(account_id=account_id))


async def _upgrade_hash_if_needed(runtime: Runtime, account_id: UUID, stored_hash: str, password: str) -> None:
    """Re-hash on sign-in when the configured cost has changed since the hash was made."""
    if passwords(runtime).needs_rehash(stored_hash):
        new_hash = await passwords(runtime).hash(password)
        await Account.update({Account.password_hash: new_hash}).where(Account.id == account_id)


async def _mail_link(
    runtime: Runtime, account: AccountOut, purpose: str, subject: str, ask: str, otherwise: str
) -> AfterCommit:
    """A single-use link to the account's address: its token is written in the delivery's transaction, and the mail
    is the action the worker runs once that transaction has committed, so a link opened the moment it arrives (or
    by the mail client's preview) finds its token. No second pool connection: a busy worker cannot run dry."""
    token = await _new_email_token(runtime, account.id, purpose)
    link = f"{runtime.settings.public_url}/{LINK_PATHS[purpose]}?token={token}"
    return partial(
        runtime.mailer.send,
        Mail(to=account.email, subject=subject, text=f"Hello {account.name},\n\n{ask}\n{link}\n\n{otherwise}\n"),
    )


async def _new_email_token(runtime: Runtime, account_id: UUID, purpose: str) -> str:
    raw = secrets.token_urlsafe(32)
    await EmailToken.insert(
        EmailToken(
            id=uuid4(),
            account=account_id,
            purpose=purpose,
            token_hash=_digest(raw),
            expires_at=runtime.clock.now() + TOKEN_LIFETIMES[purpose],
        )
    ).run()
    return raw


async def _consume_email_token(raw: str, purpose: str, now: datetime) -> UUID:
    rows = (
        await EmailToken.update({EmailToken.used_at: now})
        .where(
            (EmailToken.token_hash == _digest(raw))
            & (EmailToken.purpose == purpose)
            & EmailToken.used_at.is_null()
            & (EmailToken.expires_at > now)
        )
        .returning(EmailToken.account)
    )
    if not rows:
        raise InvalidLink()
    account_id: UUID = rows[0]["account"]
    return account_id
