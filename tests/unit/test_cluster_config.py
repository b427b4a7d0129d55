"""deploy/ and `make cluster`: what can be checked without starting anything."""

from __future__ import annotations

import re

import pytest

from rxapp.api.headers import SECURITY_HEADERS
from rxapp.commands.cluster import CADDYFILE, ClusterError, missing_variable, plan_cluster
from rxapp.settings import ConfigurationError, Settings, load_settings

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "MEDIALOG_API_TOKEN": "medialog-production-token-0123456789",
    "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/ameli",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SMTP_URL": "smtp://127.0.0.1:25",
    "FRANCECONNECT_ISSUER": "https://fcp.example/api/v2",
    "FRANCECONNECT_CLIENT_SECRET": "franceconnect-client-secret-0123456789",
}


def test_caddy_sets_the_web_roles_security_headers_on_static_files() -> None:
    caddyfile = CADDYFILE.read_text()
    for name, value in SECURITY_HEADERS:
        pattern = rf'^\s*{re.escape(name.decode())}\s+"{re.escape(value.decode())}"\s*$'
        assert re.search(pattern, caddyfile, re.IGNORECASE | re.MULTILINE), name.decode()


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_the_cluster_names_the_missing_variable(missing: str) -> None:
    environ = {"DATABASE_URL": PRODUCTION["DATABASE_URL"], "REDIS_URL": PRODUCTION["REDIS_URL"], missing: " "}
    assert (missing_variable(environ) or "").startswith(f"make cluster : {missing} manque")
    with pytest.raises(ClusterError, match=missing):
        plan_cluster(environ)


def test_the_cluster_plan_is_production_with_throwaway_secrets() -> None:
    plan = plan_cluster({"DATABASE_URL": PRODUCTION["DATABASE_URL"], "REDIS_URL": PRODUCTION["REDIS_URL"]})
    assert plan.web_ports == [8081, 8082] and plan.url == "http://localhost:8080"
    env = plan.env
    assert env["APP_ENV"] == "production" and env["REFLEX_OPLOCK_ENABLED"] == "0"
    assert len(env["SECRET_KEY"]) >= 32 and "DEMO_CLUSTER" not in env
    assert env["FRANCECONNECT_ISSUER"].startswith("http://localhost:") and env["SMTP_URL"].startswith(
        "smtp://"
    )
    Settings.model_validate(
        {key.lower(): value for key, value in env.items() if key.lower() in Settings.model_fields}
    )


def test_demo_cluster_is_refused_outside_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DEMO_CLUSTER", "1")
    monkeypatch.setenv("PUBLIC_URL", "https://compte.ameli.example")
    with pytest.raises(ConfigurationError, match="DEMO_CLUSTER"):
        load_settings()
    monkeypatch.setenv("PUBLIC_URL", "http://localhost:8080")
    assert load_settings().demo_cluster
