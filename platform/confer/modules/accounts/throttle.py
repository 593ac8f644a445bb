"""Sign-in throttling in Redis, per account and per client address (DESIGN §6).

The account key is derived from the address typed, whether or not an account has it, so the answers for a known
and an unknown address are the same. Each key counts failures in a fixed window.
"""

from __future__ import annotations

import hashlib

from confer.core.errors import TooManyRequests
from confer.core.runtime import Runtime


class LoginThrottle:
    def __init__(self, runtime: Runtime) -> None:
        self._redis = runtime.redis
        self._settings = runtime.settings
        self._namespace = runtime.settings.redis_namespace

    def _account_key(self, email: str) -> str:
        return f"{self._namespace}:login-failures:account:{hashlib.sha256(email.encode()).hexdigest()}"

    def _ip_key(self, ip: str) -> str:
        return f"{self._namespace}:login-failures:ip:{ip}"

    async def check(self, email: str, ip: str) -> None:
        """Raise 429 while either counter is at its limit."""
        account_key, ip_key = self._account_key(email), self._ip_key(ip)
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in (account_key, ip_key):
                pipe.get(key)
            for key in (account_key, ip_key):
                pipe.ttl(key)
            account_count, ip_count, account_ttl, ip_ttl = await pipe.execute()
        waits = []
        if int(account_count or 0) >= self._settings.login_failures_per_account:
            waits.append(account_ttl)
        if int(ip_count or 0) >= self._settings.login_failures_per_ip:
            waits.append(ip_ttl)
        if waits:
            raise TooManyRequests(max(int(w) for w in waits), "too many failed sign-ins; try again later")

    async def failed(self, email: str, ip: str) -> None:
        window = self._settings.login_failure_window_seconds
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in (self._account_key(email), self._ip_key(ip)):
                pipe.incr(key)
                pipe.expire(key, window, nx=True)
            await pipe.execute()

    async def succeeded(self, email: str) -> None:
        await self._redis.delete(self._account_key(email))
