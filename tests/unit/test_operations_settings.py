"""The operations settings: trusted proxies, metrics access, log format, SMTP URL."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from rxapp.settings import ConfigurationError, LogFormat, Settings, load_settings

STRONG_SECRET = "s" * 40
PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": STRONG_SECRET,
    "MEDIALOG_API_TOKEN": "medialog-production-token-0123456789",
    # What production demands besides (rxapp/settings.py, the production block).
    "DATABASE_URL": "postgresql+psycopg://ameli@db.example.fr/ameli",
    "REDIS_URL": "redis://cache.example.fr:6379/0",
    "SMTP_URL": "smtp+starttls://ameli:secret@smtp.example.fr:587",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", None)


def _load(monkeypatch: pytest.MonkeyPatch, **variables: str) -> Settings:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def _refusal(monkeypatch: pytest.MonkeyPatch, **variables: str) -> str:
    with pytest.raises(ConfigurationError) as excinfo:
        _load(monkeypatch, **variables)
    message = str(excinfo.value)
    assert "\n" not in message
    return message


def test_by_default_no_proxy_is_trusted_and_metrics_are_local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _load(monkeypatch)
    assert settings.trusted_proxy_networks == ()
    assert settings.metrics_allowed_networks == (ip_network("127.0.0.1/32"), ip_network("::1/128"))
    assert settings.metrics_token is None


def test_trusted_proxies_are_ips_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _load(monkeypatch, TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8,fd00::/8")
    assert settings.trusted_proxy_networks == (
        ip_network("127.0.0.1/32"),
        ip_network("10.0.0.0/8"),
        ip_network("fd00::/8"),
    )
    message = _refusal(monkeypatch, TRUSTED_PROXIES="proxy.example.fr")
    assert message.startswith("Configuration invalide — TRUSTED_PROXIES : ")


def test_a_short_metrics_token_is_refused_in_production_only(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _load(monkeypatch, METRICS_TOKEN="short").metrics_token == "short"
    message = _refusal(monkeypatch, METRICS_TOKEN="short", **PRODUCTION)
    assert message == (
        "Configuration invalide — METRICS_TOKEN : en production, au moins 32 caractères sont obligatoires"
    )
    assert _load(monkeypatch, METRICS_TOKEN="t" * 32, **PRODUCTION).metrics_token == "t" * 32


def test_logs_are_json_in_production_and_text_in_development(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _load(monkeypatch).effective_log_format is LogFormat.TEXT
    assert _load(monkeypatch, **PRODUCTION).effective_log_format is LogFormat.JSON
    assert _load(monkeypatch, LOG_FORMAT="json").effective_log_format is LogFormat.JSON
    assert (
        _refusal(monkeypatch, LOG_FORMAT="xml")
        == "Configuration invalide — LOG_FORMAT : attendu : json ou text"
    )
    monkeypatch.delenv("LOG_FORMAT")
    assert _load(monkeypatch, LOG_LEVEL="warning").log_level == "WARNING"
    assert _refusal(monkeypatch, LOG_LEVEL="bavard").startswith("Configuration invalide — LOG_LEVEL : ")


def test_smtp_urls_name_a_known_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    for url in ("smtp://h:25", "smtp+starttls://u:p@h:587", "smtps://u:p@h:465"):
        assert _load(monkeypatch, SMTP_URL=url).smtp_url == url
    message = _refusal(monkeypatch, SMTP_URL="http://u:secret@h")
    assert message.startswith("Configuration invalide — SMTP_URL : ") and "secret" not in message
