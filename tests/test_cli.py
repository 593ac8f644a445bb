"""The operator's commands against a fresh database: migrate, seed-demo (idempotent), create-admin, check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import redis

from confer.core.embedded import EmbeddedServices, start_postgres, start_redis


def _confer(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "confer.cli", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def test_an_operator_migrates_seeds_creates_an_admin_and_checks(
    empty_database_url: str, test_environ: dict[str, str]
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONFER_")},
        **test_environ,
        "CONFER_DATABASE_URL": empty_database_url,
        "CONFER_ADMIN_PASSWORD": "an admin passphrase of length",
    }
    for args in (
        ["migrate"],
        ["migrate"],
        ["seed-demo"],
        ["seed-demo"],
        ["create-admin", "--email", "Root@Example.org", "--name", "Root"],
        ["check"],
    ):
        result = _confer(args, env)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    again = _confer(["create-admin", "--email", "root@example.org"], env)
    assert again.returncode == 1
    assert "An account with this e-mail address exists" in again.stderr

    connection = await asyncpg.connect(empty_database_url)
    try:
        rows = await connection.fetch(
            "SELECT email, role, email_verified_at IS NOT NULL AS verified FROM account "
            "WHERE email NOT LIKE 'pro__@demo.confer.dev'"
        )
        demo_professionals = await connection.fetchval(
            "SELECT count(*) FROM professional_profile WHERE published AND id IN "
            "(SELECT id FROM account WHERE email LIKE 'pro__@demo.confer.dev')"
        )
        demo_bookings = await connection.fetchval(
            "SELECT count(*) FROM booking b JOIN account a ON a.id = b.client WHERE a.email = 'client@demo.confer.dev'"
        )
        classes_per_teacher = await connection.fetch(
            "SELECT count(*) AS n FROM offering WHERE kind = 'class' GROUP BY professional"
        )
        demo_sessions = await connection.fetchval("SELECT count(*) FROM class_session WHERE status = 'scheduled'")
        # With payments configured the demo classes are priced: the demo client's seats await payment.
        demo_seats = await connection.fetchval(
            "SELECT count(*) FROM enrolment WHERE status IN ('enrolled', 'pending_payment')"
        )
    finally:
        await connection.close()
    accounts = {row["email"]: (row["role"], row["verified"]) for row in rows}
    assert accounts == {
        "client@demo.confer.dev": ("client", True),
        "professional@demo.confer.dev": ("professional", True),
        "admin@demo.confer.dev": ("admin", True),
        "root@example.org": ("admin", True),
    }
    # Seeded twice, still one set of each.
    assert demo_professionals >= 50
    assert demo_bookings == 5
    assert [row["n"] for row in classes_per_teacher] == [1] * 6
    assert demo_sessions == 6 * 8
    assert demo_seats == 6


def test_check_reports_an_unreachable_database(test_environ: dict[str, str]) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONFER_")},
        **test_environ,
        "CONFER_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere",
    }
    result = _confer(["check"], env)
    assert result.returncode == 1
    assert "FAIL database" in result.stdout
    assert test_environ["CONFER_JWT_SIGNING_KEY"].splitlines()[1] not in result.stdout + result.stderr


def test_demo_data_is_refused_in_production(test_environ: dict[str, str]) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONFER_")},
        **test_environ,
        "CONFER_ENV": "production",
    }
    result = _confer(["seed-demo"], env)
    assert result.returncode == 2
    assert "demo data is refused in production" in result.stderr


def test_the_embedded_database_of_confer_dev_takes_every_migration(
    test_environ: dict[str, str], tmp_path: Path
) -> None:
    """`confer dev` on a fresh machine runs on the embedded PostgreSQL: it must have what the migrations need."""
    services = EmbeddedServices()
    try:
        url = start_postgres(tmp_path, services)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CONFER_")},
            **test_environ,
            "CONFER_DATABASE_URL": url,
        }
        result = _confer(["migrate"], env)
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        services.stop()


async def test_the_demo_of_a_server_without_payments_has_only_free_offerings(
    empty_database_url: str, test_environ: dict[str, str]
) -> None:
    """As `confer dev` runs it out of the box: no Stripe keys, so nothing paid may be published."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONFER_")},
        **{k: v for k, v in test_environ.items() if not k.startswith("CONFER_PAYMENTS_")},
        "CONFER_DATABASE_URL": empty_database_url,
    }
    for args in (["migrate"], ["seed-demo"]):
        result = _confer(args, env)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    connection = await asyncpg.connect(empty_database_url)
    try:
        prices = await connection.fetch("SELECT DISTINCT price_minor FROM offering")
    finally:
        await connection.close()
    assert [row["price_minor"] for row in prices] == [0]


def test_the_embedded_redis_of_confer_dev_speaks_redis_7(tmp_path: Path) -> None:
    """Production runs Redis 7 (ElastiCache, Memorystore): `confer dev` must take the same commands (its Redis 6.2
    answered EXPIRE ... NX with an error, and a wrong password with a 500)."""
    services = EmbeddedServices()
    try:
        client = redis.Redis.from_url(start_redis(tmp_path, services))
        version = client.info("server")["redis_version"]
        client.set("counter", 1)
        assert client.expire("counter", 60, nx=True) is True
        assert client.expire("counter", 30, nx=True) is False
        assert 0 < client.ttl("counter") <= 60
        client.close()
    finally:
        services.stop()
    assert int(version.split(".")[0]) >= 7, version
