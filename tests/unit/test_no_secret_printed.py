"""No password or token is printed in a log, a banner or an error: one test per place."""

from __future__ import annotations

import httpx
import pytest

from rxapp.cli import StartupError, check_redis, wait_for_database
from rxapp.services.mail import MailDeliveryError, avis_de_depot, deliver
from rxapp.settings import Settings
from tests.support.processes import free_port

SECRET = "Tr3s-S3cret-pw"


def _settings(**values) -> Settings:
    return Settings.model_construct(**{**Settings().model_dump(), **values})


def test_an_unreachable_redis_is_named_without_its_password() -> None:
    url = f"redis://:{SECRET}@127.0.0.1:{free_port()}/0"
    with pytest.raises(StartupError) as refused:
        check_redis(_settings(redis_url=url))
    assert SECRET not in str(refused.value)
    assert "REDIS_URL=redis://:***@127.0.0.1:" in str(refused.value)


def test_an_unreachable_database_is_named_without_its_password() -> None:
    url = f"postgresql+psycopg://ameli:{SECRET}@127.0.0.1:{free_port()}/ameli"
    with pytest.raises(StartupError) as refused:
        wait_for_database(_settings(database_url=url), timeout=0)
    assert SECRET not in str(refused.value)
    assert "DATABASE_URL=postgresql+psycopg://ameli:***@127.0.0.1:" in str(refused.value)


def test_an_smtp_failure_carries_neither_user_nor_password() -> None:
    message = avis_de_depot(
        to="a@example.fr", first_name="A", last_name="B", sender="n@example.fr", account_url="http://x"
    )
    with pytest.raises(MailDeliveryError) as refused:
        deliver(message, smtp_url=f"smtps://robot:{SECRET}@127.0.0.1:{free_port()}", mail_dir=None, timeout=2)  # type: ignore[arg-type]
    assert SECRET not in str(refused.value) and "robot" not in str(refused.value)


def test_a_medialog_outage_carries_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from backoffice_worker import tasks

    settings = _settings(
        medialog_api_token=SECRET, medialog_api_url=f"http://127.0.0.1:{free_port()}/api/medialog"
    )
    monkeypatch.setattr(tasks, "get_settings", lambda: settings)
    monkeypatch.setattr(tasks, "HTTP_TIMEOUT", httpx.Timeout(2.0))
    tasks._clients.clear()
    with pytest.raises(tasks.MedialogUnavailable) as refused:
        tasks._post("/affaires", {"request_id": 1})
    assert SECRET not in str(refused.value)
    assert SECRET not in repr(refused.value.__cause__)
