"""Password hashing with argon2id, bounded so that a burst of sign-ins cannot exhaust memory or CPU.

Each hash takes ``memory_kib`` of memory and runs in a worker thread; a semaphore admits at most ``concurrency`` at
once, the rest wait their turn. Unknown accounts are checked against a dummy hash so that the answer takes as long.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "passw0rd",
        "qwerty",
        "qwertyuiop",
        "qwerty123",
        "qwerty1234",
        "1234567890",
        "12345678",
        "123456789",
        "0123456789",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "abc123456",
        "iloveyou",
        "letmein123",
        "welcome123",
        "admin12345",
        "administrator",
        "changeme123",
        "sunshine123",
        "football123",
        "baseball123",
        "dragon1234",
        "monkey1234",
        "trustno1234",
        "princess123",
        "superman123",
        "starwars123",
        "aaaaaaaaaa",
        "abcdefghij",
        "1111111111",
        "0000000000",
    }
)
MIN_LENGTH = 10


def weakness(password: str, *, email: str, name: str) -> str | None:
    """Why ``password`` is too weak, or None. Length is checked by the schema; this catches guessable ones."""
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or lowered.rstrip("!.?1") in COMMON_PASSWORDS:
        return "is one of the most common passwords"
    if len(set(password)) < 4:
        return "uses too few different characters"
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return "must not contain your e-mail address"
    if len(name) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", ""):
        return "must not contain your name"
    return None


class Passwords:
    def __init__(self, *, concurrency: int, memory_kib: int, time_cost: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1, type=Type.ID)
        self._slots = asyncio.Semaphore(concurrency)
        self._dummy_hash = self._hasher.hash("confer-dummy-password-for-timing")

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """True if ``password`` matches; with no stored hash, spend the same effort and answer False."""
        async with self._slots:
            return await asyncio.to_thread(self._verify, stored_hash or self._dummy_hash, password, stored_hash is None)

    def _verify(self, stored_hash: str, password: str, dummy: bool) -> bool:
        try:
            return self._hasher.verify(stored_hash, password) and not dummy
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
