"""Demo accounts for ``confer dev`` / ``confer seed-demo``: one of each role, all verified."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from confer.core.runtime import Runtime
from confer.modules.accounts.service import normalized_email, passwords
from confer.modules.accounts.tables import Account

DEMO_PASSWORD = "confer-demo-2026"
DEMO_ACCOUNTS = (
    ("client@demo.confer.dev", "Chloé Client", "client", "Europe/Paris"),
    ("professional@demo.confer.dev", "Priya Professional", "professional", "Asia/Kolkata"),
    ("admin@demo.confer.dev", "Ada Admin", "admin", "UTC"),
)


async def seed_demo(runtime: Runtime) -> list[str]:
    now = runtime.clock.now() - timedelta(days=1)
    password_hash = await passwords(runtime).hash(DEMO_PASSWORD)
    lines = []
    for address, name, role, zone in DEMO_ACCOUNTS:
        email = normalized_email(address, strict=True)
        await Account.raw(
            "INSERT INTO account (id, email, password_hash, name, role, timezone, locale, email_verified_at, "
            "created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, 'en', {}, {}, {}) ON CONFLICT (email) DO NOTHING",
            uuid4(),
            email,
            password_hash,
            name,
            role,
            zone,
            now,
            now,
            now,
        )
        lines.append(f"{role:<13} {email}  password: {DEMO_PASSWORD}")
    return lines
