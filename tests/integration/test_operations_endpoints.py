"""Health, readiness, metrics and JSON logs of the real app and worker (`rxapp.cli serve`)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.databases import scratch_database
from tests.support.processes import RunningApp, free_port
from tests.support.served import served_app

from .test_client_address_throttling import _own_address

TOKEN = "m" * 40


@pytest.fixture(scope="module")
def app() -> Iterator[RunningApp]:
    with (
        scratch_database("operations") as database_url,
        served_app(
            "operations",
            database_url,
            METRICS_TOKEN=TOKEN,
            WORKER_METRICS_PORT=str(free_port()),
            LOG_FORMAT="json",
        ) as running,
    ):
        yield running


def wait_until(condition, *, timeout: float = 60, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def test_liveness_is_tiny(app: RunningApp) -> None:
    response = httpx.get(f"{app.url}/healthz", timeout=5)
    assert response.status_code == 200 and response.text == "ok"


def test_readiness_names_every_part_and_reports_the_outbox(app: RunningApp) -> None:
    def ready():
        response = httpx.get(f"{app.url}/readyz", timeout=10)
        return response if response.status_code == 200 else None

    response = wait_until(ready)
    assert response is not None, httpx.get(f"{app.url}/readyz", timeout=10).text
    body = response.json()
    assert body["status"] == "ready" and body["failing"] == []
    assert set(body["checks"]) == {"database", "redis", "broker", "worker"}
    assert body["checks"]["worker"]["heartbeat_age_seconds"] <= 60
    assert body["outbox"] == {
        "ok": True,
        "pending": 0,
        "oldest_age_seconds": 0.0,
        "seconds": pytest.approx(0, abs=5),
    }


def test_metrics_are_served_locally_or_with_the_token(app: RunningApp) -> None:
    local = httpx.get(f"{app.url}/metrics", timeout=10)
    assert local.status_code == 200
    assert "ameli_outbox_pending 0.0" in local.text
    assert "ameli_outbox_oldest_age_seconds" in local.text
    # Log in once so the latency histogram and the login counter have a sample.
    assert "# TYPE ameli_login_failures_total counter" in local.text or "ameli_login_failures" in local.text
    peer = _own_address()
    if peer.startswith("127."):
        pytest.skip("no non-loopback address on this machine")
    remote = f"http://{peer}:{app.port}/metrics"
    assert httpx.get(remote, timeout=10).status_code == 403
    assert httpx.get(remote, headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 403
    assert httpx.get(remote, headers={"X-Forwarded-For": "127.0.0.1"}, timeout=10).status_code == 403
    with_token = httpx.get(remote, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert with_token.status_code == 200 and "ameli_outbox_pending" in with_token.text


def test_the_worker_serves_its_own_metrics(app: RunningApp) -> None:
    port = app.env["WORKER_METRICS_PORT"]

    def scrape():
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        except httpx.HTTPError:
            return None
        return response if response.status_code == 200 else None

    response = wait_until(scrape)
    assert response is not None
    assert "ameli_emails_sent_total" in response.text
    peer = _own_address()
    if peer.startswith("127."):
        pytest.skip("no non-loopback address on this machine")
    remote = f"http://{peer}:{port}/metrics"
    assert httpx.get(remote, timeout=5).status_code == 403
    assert httpx.get(remote, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).status_code == 200


def test_app_and_worker_write_json_lines_without_periodic_noise(app: RunningApp) -> None:
    def json_lines():
        lines = []
        for line in app.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    lines.append(json.loads(line))
        return lines

    lines = wait_until(lambda: [line for line in json_lines() if line.get("logger", "").startswith("celery")])
    assert lines, app.log_path.read_text()[-3000:]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in json_lines())
    text = app.log_path.read_text(errors="replace")
    assert "Sending due task" not in text
    routine = [line for line in text.splitlines() if "received" in line or "succeeded in" in line]
    assert not [line for line in routine if "relay_outbox" in line or "detect_overlaps" in line]


def test_every_backend_worker_answers_the_same_figures(app: RunningApp) -> None:
    """A failed login over the websocket, then scrapes: whichever worker answers, the sums agree."""
    from tests.integration.test_client_address_throttling import login, unknown_nirs

    login(app.url, unknown_nirs(47)[46], "Mauvais1!")
    wanted = "ameli_login_failures_total 1.0"

    def scrape() -> str:
        return httpx.get(f"{app.url}/metrics", timeout=10).text

    assert wait_until(lambda: wanted in scrape(), timeout=10)
    for _ in range(8):  # several scrapes land on several granian workers
        body = scrape()
        assert wanted in body
        assert 'ameli_event_handler_seconds_count{handler="LoginState.submit"} 1.0' in body
