"""Password guessing is throttled before any password is checked, and the throttle cannot be turned against users:
counters per account and client address, per address, a slower per-account backoff, per-account password-change
counters, and a cooldown on verification mail."""

from __future__ import annotations

import asyncio
import copy
import hashlib
from collections import Counter
from uuid import uuid4

import httpx
import msgspec
from redis.asyncio import Redis

from confer.core.errors import TooManyRequests
from confer.core.runtime import Runtime
from confer.modules.accounts.throttle import LoginThrottle
from tests.support import PASSWORD, Mailbox, assert_problem, bearer, login, register, signed_in

NEW_PASSWORD = "another long and unusual passphrase"


def client_at(address: str, base_url: str) -> httpx.AsyncClient:
    """A client whose connections leave from ``address`` (any of 127.0.0.0/8 is this machine's loopback)."""
    return httpx.AsyncClient(base_url=base_url, timeout=30, transport=httpx.AsyncHTTPTransport(local_address=address))


async def guess(client: httpx.AsyncClient, email: str, typed: str = "a wrong guess") -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": typed})


async def test_thirty_parallel_guesses_for_one_account_admit_only_the_limit(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await register(client, "target@example.org", verified=False)
    answers = await asyncio.gather(*(guess(client, "target@example.org", f"guess number {i}") for i in range(30)))
    limit = runtime.settings.login_failures_per_account_and_address
    assert Counter(a.status_code for a in answers) == {401: limit, 429: 30 - limit}
    for refused in (a for a in answers if a.status_code == 429):
        assert_problem(refused, 429, "too-many-requests")
        assert 0 < int(refused.headers["retry-after"]) <= runtime.settings.login_failure_window_seconds
    # the right password while the limit holds is refused too: the throttle answers before any password is checked
    assert_problem(await guess(client, "target@example.org", PASSWORD), 429, "too-many-requests")


async def test_an_attacker_at_one_address_cannot_lock_out_the_owner_at_another(server: str, runtime: Runtime) -> None:
    limit = runtime.settings.login_failures_per_account_and_address
    async with client_at("127.0.0.2", server) as attacker, client_at("127.0.0.3", server) as owner:
        await register(owner, "owner@example.org", verified=False)
        answers = [await guess(attacker, "owner@example.org") for _ in range(limit + 3)]
        assert [a.status_code for a in answers] == [401] * limit + [429] * 3
        assert_problem(await guess(attacker, "owner@example.org", PASSWORD), 429)

        tokens = await login(owner, "owner@example.org")
        assert (await owner.get("/api/v1/me", headers=bearer(tokens))).status_code == 200
        # and a typo of the owner's own is still just a 401 at their address
        assert (await guess(owner, "owner@example.org")).status_code == 401


async def test_a_known_and_an_unknown_address_are_throttled_alike(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client, "known@example.org", verified=False)
    limit = runtime.settings.login_failures_per_account_and_address
    for email in ("known@example.org", "nobody@example.org"):
        answers = [await guess(client, email) for _ in range(limit + 1)]
        assert [a.status_code for a in answers] == [401] * limit + [429]


async def test_guesses_from_many_addresses_lock_the_account_for_a_while(server: str, runtime: Runtime) -> None:
    """The slower per-account limit: failures spread over addresses add up, and past the threshold the account
    locks for everyone for ``login_lockout_seconds`` (then longer with each further failure)."""
    settings = runtime.settings
    per_address = settings.login_failures_per_account_and_address
    addresses = -(-settings.login_failures_per_account // per_address)  # enough addresses to reach the threshold
    async with client_at("127.0.1.1", server) as anyone:
        await register(anyone, "popular@example.org", verified=False)
    admitted = 0
    for i in range(addresses):
        async with client_at(f"127.0.2.{i + 1}", server) as attacker:
            for _ in range(per_address):
                admitted += (await guess(attacker, "popular@example.org")).status_code == 401
    assert admitted == settings.login_failures_per_account
    async with client_at("127.0.3.1", server) as elsewhere:
        locked = await guess(elsewhere, "popular@example.org", PASSWORD)
    assert_problem(locked, 429, "too-many-requests")
    assert 0 < int(locked.headers["retry-after"]) <= settings.login_lockout_seconds


async def test_right_passwords_in_flight_at_once_never_lock_their_account(server: str, runtime: Runtime) -> None:
    """More sign-ins in flight than the account's failure threshold (a script, a load test, many devices at once):
    only failures count towards the account's lock, so every one succeeds and so does the next."""
    async with client_at("127.0.5.1", server) as anyone:
        await register(anyone, "busy@example.org", verified=False)
    devices = [client_at(f"127.0.6.{i + 1}", server) for i in range(runtime.settings.login_failures_per_account + 5)]
    try:
        answers = await asyncio.gather(*(guess(device, "busy@example.org", PASSWORD) for device in devices))
        assert [a.status_code for a in answers] == [200] * len(devices)
        assert (await guess(devices[0], "busy@example.org", PASSWORD)).status_code == 200
    finally:
        await asyncio.gather(*(device.aclose() for device in devices))


async def test_the_account_lock_doubles_with_each_failure_past_the_threshold(runtime: Runtime) -> None:
    """Straight on the throttle with one-second locks, so the growth is seen without waiting minutes."""
    quick = msgspec.structs.replace(
        runtime.settings, login_failures_per_account=3, login_lockout_seconds=1, login_lockout_max_seconds=4
    )
    quick_runtime = copy.copy(runtime)
    quick_runtime.settings = quick
    throttle = LoginThrottle(quick_runtime)
    email = f"{uuid4()}@example.org"
    redis: Redis = runtime.redis
    lock = runtime.key("login-lock", _digest(email))
    locks = []
    for failure in range(6):
        await _attempt_when_unlocked(throttle, redis, lock, email, f"127.0.4.{failure}")
        locks.append(await redis.pttl(lock))
    # failures 1 and 2 lock nothing; the 3rd locks 1 s, then 2 s, 4 s, and 4 s is the cap
    assert locks[:2] == [-2, -2]
    assert [_seconds_bucket(ms) for ms in locks[2:]] == [1, 2, 4, 4]
    await throttle.signed_in(email, "127.0.4.9")
    assert await redis.exists(lock) == 0


async def test_one_users_wrong_current_passwords_do_not_block_anyone_elses_password_change(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    limit = runtime.settings.login_failures_per_account_and_address
    # more wrong current passwords in all than the old shared counter allowed (50), spread over ten accounts
    for n in range(-(-50 // limit)):
        careless = await signed_in(client, f"careless{n}@example.org", verified=False)
        for _ in range(limit):
            wrong = await client.post(
                "/api/v1/auth/password/change",
                headers=bearer(careless),
                json={"current_password": "not my password", "new_password": NEW_PASSWORD},
            )
            assert_problem(wrong, 422, "validation")
    blocked = await client.post(
        "/api/v1/auth/password/change",
        headers=bearer(careless),
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert_problem(blocked, 429, "too-many-requests")

    other = await signed_in(client, "bystander@example.org", verified=False)
    changed = await client.post(
        "/api/v1/auth/password/change",
        headers=bearer(other),
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 204, changed.text


async def test_a_new_verification_link_can_be_asked_for_once_a_minute(
    client: httpx.AsyncClient, mailbox: Mailbox, runtime: Runtime
) -> None:
    first = await signed_in(client, "waiting@example.org", verified=False)
    second = await signed_in(client, "patient@example.org", verified=False)
    assert (await client.post("/api/v1/auth/verify-email/resend", headers=bearer(first))).status_code == 202
    again = await client.post("/api/v1/auth/verify-email/resend", headers=bearer(first))
    problem = assert_problem(again, 429, "too-many-requests")
    assert problem["detail"]
    assert 0 < int(again.headers["retry-after"]) <= 60
    # the cooldown is the account's own
    assert (await client.post("/api/v1/auth/verify-email/resend", headers=bearer(second))).status_code == 202
    for address in ("waiting@example.org", "patient@example.org"):
        await _mails_about(mailbox, address, "confirm", 2)
    assert len([m for m in mailbox.to("waiting@example.org") if "onfirm" in str(m["Subject"])]) == 2


async def _mails_about(mailbox: Mailbox, address: str, subject: str, count: int) -> None:
    for _ in range(400):
        if len([m for m in mailbox.to(address) if subject in str(m["Subject"]).lower()]) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} mails about {subject!r} reached {address}")


async def _attempt_when_unlocked(throttle: LoginThrottle, redis: Redis, lock: str, email: str, ip: str) -> None:
    """Count one failed attempt, waiting (by Redis's own clock) for a lock from the previous one to pass."""
    async with asyncio.timeout(20):
        while True:
            try:
                await throttle.sign_in_attempt(email, ip)
                await throttle.sign_in_failed(email)
                return
            except TooManyRequests:
                await asyncio.sleep(max(await redis.pttl(lock), 10) / 1000)


def _seconds_bucket(milliseconds: int) -> int:
    """The lock's length in whole seconds, read just after it was set (1000 ms reads as 999 or 1000)."""
    return -(-milliseconds // 1000)


def _digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()
