"""Settings: every wrong variable is named on its own line with an example; secrets never shown."""

from __future__ import annotations

import pytest

from confer.settings import SettingsError, load_settings

VALID = {
    "CONFER_ENV": "test",
    "CONFER_DATABASE_URL": "postgresql://confer:s3cret@db/confer",
    "CONFER_REDIS_URL": "redis://:r3dis@redis:6379/0",
}


def test_each_wrong_value_gives_one_line_with_the_variable_and_an_example() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(
            {
                **VALID,
                "CONFER_PORT": "eighty",
                "CONFER_ENV": "staging",
                "CONFER_LOG_JSON": "maybe",
                "CONFER_JWT_VERIFICATION_KEYS": "{not json",
                "CONFER_PUBLIC_URL": "ftp://x",
            }
        )
    problems = caught.value.problems
    assert len(problems) == 5
    by_variable = {line.split(":", 1)[0]: line for line in problems}
    assert set(by_variable) == {
        "CONFER_PORT",
        "CONFER_ENV",
        "CONFER_LOG_JSON",
        "CONFER_JWT_VERIFICATION_KEYS",
        "CONFER_PUBLIC_URL",
    }
    assert "example: CONFER_PORT=8000" in by_variable["CONFER_PORT"]
    assert "not valid JSON" in by_variable["CONFER_JWT_VERIFICATION_KEYS"]
    assert all("\n" not in line for line in problems)


def test_production_requires_its_services_and_a_signing_key() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"CONFER_PORT": "8080"})
    assert [line.split(":", 1)[0] for line in caught.value.problems] == [
        "CONFER_DATABASE_URL",
        "CONFER_REDIS_URL",
        "CONFER_JWT_SIGNING_KEY",
    ]


def test_values_are_read_with_their_types() -> None:
    settings = load_settings(
        {
            **VALID,
            "CONFER_MODULES": "accounts, notes",
            "CONFER_PORT": "9000",
            "CONFER_LOG_JSON": "false",
            "CONFER_CORS_ORIGINS": "https://a.example,https://b.example",
        }
    )
    assert settings.modules == ("accounts", "notes")
    assert settings.port == 9000
    assert settings.log_json is False
    assert settings.cors_origins == ("https://a.example", "https://b.example")


def test_secrets_and_url_passwords_never_appear_when_settings_are_shown() -> None:
    settings = load_settings(
        {
            **VALID,
            "CONFER_SMTP_URL": "smtp://mailer:m4il@smtp.example:587",
            "CONFER_JWT_SIGNING_KEY": "-----BEGIN PRIVATE KEY-----abc",
            "CONFER_METRICS_TOKEN": "scrape-token-0123456789",
        }
    )
    shown = repr(settings) + str(settings)
    for secret in ("s3cret", "r3dis", "m4il", "BEGIN PRIVATE KEY", "scrape-token-0123456789"):
        assert secret not in shown
    assert "db/confer" in shown
