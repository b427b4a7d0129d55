"""Unit tests for `rxapp.settings`: reading and checking the environment."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from rxapp.settings import (
    DEFAULT_MEDIALOG_TOKEN,
    DEFAULT_SECRET_KEY,
    PROJECT_ROOT,
    AppEnv,
    ConfigurationError,
    Settings,
    load_settings,
)
from tests.support.cli import one_line_refusal, run_cli

# Every variable Settings reads (names are case-insensitive; the usual spelling is upper case).
SETTING_VARIABLES = [name.upper() for name in Settings.model_fields]
STRONG_SECRET = "s" * 40
PRODUCTION_TOKEN = "medialog-production-token-0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting from the caller's environment, and no `.env` file, leaks into a test."""
    for name in SETTING_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", None)


def _refusal(monkeypatch: pytest.MonkeyPatch, **variables: str) -> str:
    """Set `variables`, load the settings, and return the refusal message."""
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as excinfo:
        load_settings()
    message = str(excinfo.value)
    assert "\n" not in message, "the message must be a single line"
    assert message.startswith("Configuration invalide")
    return message


def test_defaults_are_a_valid_development_configuration() -> None:
    settings = load_settings()
    assert settings.app_env is AppEnv.DEVELOPMENT
    assert settings.secret_key == DEFAULT_SECRET_KEY
    assert settings.database_url.startswith("sqlite:///")
    assert settings.is_sqlite is True
    assert settings.redis_url is None
    assert settings.uses_redis is False


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///var/test.db",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "postgresql://user:secret@db.example.fr/ameli",
    ],
)
def test_supported_database_urls_are_accepted(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert load_settings().database_url == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://x", "seuls sqlite:// et postgresql:// sont pris en charge"),
        ("not a url", "URL illisible"),
        ("postgresql+psycopg://postgres@127.0.0.1:5432", "le nom de la base de données manque"),
    ],
)
def test_malformed_database_url_is_refused(monkeypatch: pytest.MonkeyPatch, url: str, reason: str) -> None:
    message = _refusal(monkeypatch, DATABASE_URL=url)
    assert "DATABASE_URL" in message
    assert reason in message


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://x", "redis://"),
        ("redis://", "redis://"),
        ("redis://h:port/0", "port ou numéro de base invalide"),
        ("redis://h:6379/zero", "port ou numéro de base invalide"),
    ],
)
def test_malformed_redis_url_is_refused(monkeypatch: pytest.MonkeyPatch, url: str, reason: str) -> None:
    message = _refusal(monkeypatch, REDIS_URL=url)
    assert "REDIS_URL" in message
    assert reason in message


def test_empty_redis_url_means_no_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "")
    settings = load_settings()
    assert settings.redis_url is None
    assert settings.uses_redis is False
    assert settings.reflex_redis_url is None


def test_unknown_app_env_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "APP_ENV" in _refusal(monkeypatch, APP_ENV="staging")


def test_production_refuses_the_default_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, APP_ENV="production", MEDIALOG_API_TOKEN=PRODUCTION_TOKEN)
    assert "SECRET_KEY" in message
    assert "32 caractères" in message


def test_production_refuses_a_short_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(
        monkeypatch, APP_ENV="production", SECRET_KEY="x" * 31, MEDIALOG_API_TOKEN=PRODUCTION_TOKEN
    )
    assert "SECRET_KEY" in message


def test_production_refuses_the_default_medialog_token(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, APP_ENV="production", SECRET_KEY=STRONG_SECRET)
    assert "MEDIALOG_API_TOKEN" in message
    assert "SECRET_KEY" not in message


PRODUCTION_SERVICES = {
    "FRANCECONNECT_ISSUER": "https://fcp-low.integ01.dev-franceconnect.fr/api/v2",
    "FRANCECONNECT_CLIENT_SECRET": "franceconnect-client-secret-0123456789",
    "DATABASE_URL": "postgresql+psycopg://ameli:secret@db.example.fr/ameli",
    "REDIS_URL": "redis://redis.example.fr:6379/0",
    "SMTP_URL": "smtp://smtp.example.fr:25",
}


def test_production_with_own_secrets_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_SECRET)
    monkeypatch.setenv("MEDIALOG_API_TOKEN", PRODUCTION_TOKEN)
    for name, value in PRODUCTION_SERVICES.items():
        monkeypatch.setenv(name, value)

    settings = load_settings()

    assert settings.app_env is AppEnv.PRODUCTION
    assert settings.is_production is True
    assert settings.secret_key == STRONG_SECRET
    assert settings.medialog_api_token == PRODUCTION_TOKEN != DEFAULT_MEDIALOG_TOKEN


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "sqlite:///var/ameli.db", "SQLite est refusé"),
        ("REDIS_URL", None, "broker embarqué est refusé"),
        ("SMTP_URL", None, "serveur d'envoi des courriels est obligatoire"),
        ("MEDIALOG_AUTO_PROCESS_AFTER", "30", "refusé en production"),
    ],
)
def test_production_refuses_what_only_the_demo_may_use(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str | None, expected: str
) -> None:
    services = {**PRODUCTION_SERVICES, variable: value}
    message = _refusal(
        monkeypatch,
        APP_ENV="production",
        SECRET_KEY=STRONG_SECRET,
        MEDIALOG_API_TOKEN=PRODUCTION_TOKEN,
        **{name: v for name, v in services.items() if v is not None},
    )
    assert variable in message
    assert expected in message


def test_development_accepts_what_production_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIALOG_AUTO_PROCESS_AFTER", "30")
    settings = load_settings()
    assert settings.is_sqlite and not settings.uses_redis and settings.smtp_url is None
    assert settings.medialog_auto_process_after == 30


def test_development_accepts_the_default_secrets() -> None:
    settings = load_settings()
    assert settings.secret_key == DEFAULT_SECRET_KEY
    assert settings.medialog_api_token == DEFAULT_MEDIALOG_TOKEN


def test_celery_broker_is_redis_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://cache.example.fr:6379/3")
    assert load_settings().celery_broker_url == "redis://cache.example.fr:6379/3"


def test_a_visibility_timeout_shorter_than_a_task_hold_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from backoffice_worker.tasks import TASK_HOLD_MAX

    assert load_settings().broker_visibility_timeout == 10 >= TASK_HOLD_MAX
    message = _refusal(monkeypatch, BROKER_VISIBILITY_TIMEOUT="5")
    assert "BROKER_VISIBILITY_TIMEOUT" in message and "10" in message


def test_celery_broker_is_embedded_sqlite_without_redis() -> None:
    broker = load_settings().celery_broker_url
    assert broker.startswith("sqla+sqlite:///")
    assert broker.endswith("celery-broker.db")


@pytest.mark.parametrize(
    ("redis_url", "reflex_url"),
    [
        ("redis://h:6379/3", "redis://h:6379/4"),
        ("redis://h:6379", "redis://h:6379/1"),
        ("redis://h:6379/", "redis://h:6379/1"),
        ("redis://h:6379/0", "redis://h:6379/1"),
        ("rediss://:secret@h:6380/14", "rediss://:secret@h:6380/15"),
        ("redis://h:6379/2?ssl_cert_reqs=none", "redis://h:6379/3?ssl_cert_reqs=none"),
    ],
)
def test_reflex_redis_url_uses_the_next_database(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, reflex_url: str
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    settings = load_settings()
    assert settings.reflex_redis_url == reflex_url
    assert settings.celery_broker_url == redis_url


def test_base_url_defaults_to_localhost_and_the_app_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_PORT", "3100")
    assert load_settings().base_url == "http://localhost:3100"
    monkeypatch.setenv("PUBLIC_URL", "https://ameli.example.fr")
    assert load_settings().base_url == "https://ameli.example.fr"


def test_cli_check_reports_a_bad_database_url_in_one_line() -> None:
    """`python -m rxapp.cli check` exits with 2 and one line naming DATABASE_URL, no traceback."""
    env = {key: value for key, value in os.environ.items() if key.upper() not in SETTING_VARIABLES}
    env["DATABASE_URL"] = "mysql://x"

    completed = run_cli(env, "check")

    assert "DATABASE_URL" in one_line_refusal(completed)
    assert "Configuration valide" not in completed.stdout


def test_the_served_app_writes_each_events_state_to_redis_as_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rxapp.commands import child_env as _child_env

    monkeypatch.delenv("REFLEX_OPLOCK_ENABLED", raising=False)
    monkeypatch.delenv("GRANIAN_WORKERS", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    with_redis = _child_env(load_settings())
    assert with_redis["REFLEX_OPLOCK_ENABLED"] == "0"
    assert "GRANIAN_WORKERS" not in with_redis

    monkeypatch.delenv("REDIS_URL")
    embedded = _child_env(load_settings())
    assert embedded["GRANIAN_WORKERS"] == "1"
    assert "REFLEX_OPLOCK_ENABLED" not in embedded


def test_the_database_pool_is_sized_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "4")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "0")
    settings = load_settings()
    assert (settings.db_pool_size, settings.db_max_overflow) == (4, 0)

    monkeypatch.setenv("DB_POOL_SIZE", "0")
    with pytest.raises(ConfigurationError) as excinfo:
        load_settings()
    assert "DB_POOL_SIZE" in str(excinfo.value)


def test_every_setting_is_documented_in_the_example_environment() -> None:
    documented = {
        line.split("=", 1)[0].strip().lstrip("# ")
        for line in (PROJECT_ROOT / ".env.example").read_text().splitlines()
        if "=" in line
    }
    assert set(SETTING_VARIABLES) <= documented, set(SETTING_VARIABLES) - documented


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "FRANCECONNECT_ISSUER : en production, le fournisseur FranceConnect local est refusé"),
        (
            {"FRANCECONNECT_ISSUER": "https://fcp-low.integ01.dev-franceconnect.fr/api/v2"},
            "FRANCECONNECT_CLIENT_SECRET : en production, la valeur par défaut est refusée",
        ),
    ],
)
def test_production_refuses_the_local_franceconnect(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: str
) -> None:
    services = {k: v for k, v in PRODUCTION_SERVICES.items() if not k.startswith("FRANCECONNECT")}
    message = _refusal(
        monkeypatch,
        APP_ENV="production",
        SECRET_KEY=STRONG_SECRET,
        MEDIALOG_API_TOKEN=PRODUCTION_TOKEN,
        **services,
        **variables,
    )
    assert expected in message


def test_session_expiry_defaults_and_short_test_values(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().idle_timeout == timedelta(minutes=30)
    assert load_settings().expiry_warning == timedelta(minutes=2)
    monkeypatch.setenv("SESSION_IDLE_TIMEOUT", "24")
    monkeypatch.setenv("SESSION_EXPIRY_WARNING", "16")
    assert (load_settings().idle_timeout, load_settings().expiry_warning) == (
        timedelta(seconds=24),
        timedelta(seconds=16),
    )


@pytest.mark.parametrize(
    ("idle", "warning", "name"),
    [
        ("10", "5", "SESSION_IDLE_TIMEOUT"),
        ("60", "60", "SESSION_EXPIRY_WARNING"),
        ("60", "1", "SESSION_EXPIRY_WARNING"),
    ],
)
def test_session_expiry_out_of_range_is_refused(
    monkeypatch: pytest.MonkeyPatch, idle: str, warning: str, name: str
) -> None:
    assert name in _refusal(monkeypatch, SESSION_IDLE_TIMEOUT=idle, SESSION_EXPIRY_WARNING=warning)
