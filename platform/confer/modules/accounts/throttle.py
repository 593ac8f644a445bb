"""Throttling of password guesses in Redis (DESIGN §6): sign-in, and the current password of a password change.

Every attempt is counted *before* its password is checked, in one Lua script that reads the counters, decides and
increments atomically, so parallel guesses cannot slip past a limit; an attempt that succeeds is refunded. Scripts
use only commands Redis 6.2, Redis 7 and Valkey 8 share.

Sign-in keeps three counts, all derived from the address typed (whether or not an account has it, so the answers for
a known and an unknown address are the same) and the client's address:

- per account and client address: the fast limit, a fixed window; a guesser at one address stops here without
  touching anyone else's sign-in;
- per client address, as a fixed window: one address guessing many accounts;
- per account from anywhere: a higher threshold past which the account locks for a time that doubles with every
  further failure (capped), against guesses spread over many addresses. It is slow to reach on purpose: an attacker
  at one address cannot lock out a user who signs in from another. It counts failures, after the check, so that a
  burst of right passwords in flight (a script, a load test) never locks its own account; the per-address counts
  above are what hold parallel guesses back.
"""

from __future__ import annotations

import hashlib
import math
from uuid import UUID

from redis.asyncio import Redis

from confer.core.errors import TooManyRequests
from confer.core.runtime import Runtime

# KEYS[1] lock, KEYS[2..] fixed-window counters. ARGV[1] window ms, ARGV[2..] the limit of each counter.
# Returns 0 (counted: go on) or the ms to wait (refused, not counted).
_ATTEMPT = """
local function ttl(key)
  local left = redis.call('PTTL', key)
  if left < 0 then return 1000 end
  return left
end
local wait = math.max(redis.call('PTTL', KEYS[1]), 0)
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then wait = math.max(wait, ttl(KEYS[i])) end
end
if wait > 0 then return wait end
for i = 2, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
return 0
"""

# KEYS[1] lock, KEYS[2] the account's failure count. ARGV[1] window ms, ARGV[2] threshold, ARGV[3] first lock ms,
# ARGV[4] longest lock ms. From the threshold on, each failure locks the account for twice as long as the one before.
_FAILURE = """
local failures = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
local threshold = tonumber(ARGV[2])
if failures >= threshold then
  local lock = math.min(tonumber(ARGV[3]) * 2 ^ math.min(failures - threshold, 30), tonumber(ARGV[4]))
  redis.call('SET', KEYS[1], '1', 'PX', math.floor(lock))
end
return 0
"""

# KEYS[1] the shared counter to refund by one (if it still exists), KEYS[2..] keys to forget.
_REFUND = """
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then redis.call('DECR', KEYS[1]) end
if #KEYS > 1 then redis.call('DEL', unpack(KEYS, 2)) end
return 0
"""


class LoginThrottle:
    """Built once per runtime (see :func:`login_throttle`): it holds the registered scripts."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._settings = runtime.settings
        redis: Redis = runtime.redis
        self._attempt = redis.register_script(_ATTEMPT)
        self._failure = redis.register_script(_FAILURE)
        self._refund = redis.register_script(_REFUND)

    async def sign_in_attempt(self, email: str, ip: str) -> None:
        """Count one sign-in attempt, or raise 429 (counting nothing) while any of its limits is reached."""
        settings = self._settings
        account = _digest(email)
        await self._count(
            lock=self._runtime.key("login-lock", account),
            counters={
                self._runtime.key("login-failures", "account-address", account, ip): (
                    settings.login_failures_per_account_and_address
                ),
                self._runtime.key("login-failures", "address", ip): settings.login_failures_per_ip,
            },
        )

    async def sign_in_failed(self, email: str) -> None:
        """The password was wrong: one more failure towards the account's lock, wherever it came from."""
        account = _digest(email)
        settings = self._settings
        await self._failure(
            keys=[self._runtime.key("login-lock", account), self._runtime.key("login-failures", "account", account)],
            args=[
                settings.login_failure_window_seconds * 1000,
                settings.login_failures_per_account,
                settings.login_lockout_seconds * 1000,
                settings.login_lockout_max_seconds * 1000,
            ],
        )

    async def signed_in(self, email: str, ip: str) -> None:
        """The password was right: refund the address's attempt and clear the account's counts."""
        account = _digest(email)
        await self._refund(
            keys=[
                self._runtime.key("login-failures", "address", ip),
                self._runtime.key("login-failures", "account-address", account, ip),
                self._runtime.key("login-failures", "account", account),
                self._runtime.key("login-lock", account),
            ]
        )

    async def password_change_attempt(self, account_id: UUID) -> None:
        """Count one try at an account's current password (its own counter: one user's typos block no one else)."""
        key = self._runtime.key("password-change-failures", account_id)
        await self._count(lock=key + ":lock", counters={key: self._settings.login_failures_per_account_and_address})

    async def current_password_confirmed(self, account_id: UUID) -> None:
        await self._runtime.redis.delete(self._runtime.key("password-change-failures", account_id))

    async def _count(self, *, lock: str, counters: dict[str, int]) -> None:
        wait_ms: int = await self._attempt(
            keys=[lock, *counters], args=[self._settings.login_failure_window_seconds * 1000, *counters.values()]
        )
        if wait_ms:
            raise TooManyRequests(math.ceil(wait_ms / 1000), "too many failed attempts; try again later")


def login_throttle(runtime: Runtime) -> LoginThrottle:
    """The process's throttle (built once per runtime)."""
    throttle = runtime.extras.get("accounts.login-throttle")
    if not isinstance(throttle, LoginThrottle):
        throttle = LoginThrottle(runtime)
        runtime.extras["accounts.login-throttle"] = throttle
    return throttle


def _digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()
