"""The watch on the servers' logs: what counts as an error, and only what a test added."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import server_logs

pytest_plugins = ["pytester"]


@pytest.mark.parametrize(
    "line",
    [
        "[2026-11-30 17:00:00,123: ERROR/ForkPoolWorker-1] Task create_affaire raised unexpected: boom",
        "[2026-11-30 17:00:00,123: CRITICAL/MainProcess] Unrecoverable error",
        "ERROR:rxapp.state.errors:Event handler failed:",
        "ERROR:    Exception in ASGI application",
        "[ERROR] Application callable raised an exception",
        "Traceback (most recent call last):",
    ],
)
def test_error_lines_of_each_server_are_recognised(line: str) -> None:
    assert server_logs.ERROR_LINE.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "[2026-11-30 17:00:00,123: INFO/MainProcess] Task create_affaire succeeded in 0.1s: {'emailed': False}",
        "[2026-11-30 17:00:00,123: WARNING/MainProcess] Restoring 3 unacknowledged message(s)",
        "Failed to connect to registry.npmmirror.com",
        "App running at: http://127.0.0.1:3000",
    ],
)
def test_ordinary_lines_are_not_errors(line: str) -> None:
    assert not server_logs.ERROR_LINE.search(line)


def test_only_what_was_written_after_the_start_is_reported(tmp_path: Path) -> None:
    logs = server_logs.WatchedLogs()
    old, new = tmp_path / "old.log", tmp_path / "new.log"
    old.write_text("Traceback (most recent call last):\n  earlier test\n")
    logs.watch(old, "app")
    start = logs.positions()
    assert logs.errors_since(start) == []

    with old.open("a") as log:
        log.write("INFO ok\n[ERROR] boom\n  File x, line 1\n")
    new.write_text("ERROR:rxapp:started after the test began\n")
    logs.watch(new, "worker")

    found = logs.errors_since(start)
    assert [(error.name, error.excerpt.splitlines()[0]) for error in found] == [
        ("app", "[ERROR] boom"),
        ("worker", "ERROR:rxapp:started after the test began"),
    ]
    assert "File x, line 1" in found[0].excerpt


def test_a_log_rewritten_by_a_new_process_is_read_from_its_start(tmp_path: Path) -> None:
    logs = server_logs.WatchedLogs()
    log = tmp_path / "server.log"
    log.write_text("x" * 500 + "\n")
    logs.watch(log, "app")
    start = logs.positions()
    log.write_text("Traceback (most recent call last):\n")
    assert len(logs.errors_since(start)) == 1


INNER_TEST = """
import pytest

from tests.support import server_logs


def _serve_and_log(tmp_path, line):
    log = tmp_path / "server.log"
    server_logs.watch(log, "app")
    log.write_text(line + "\\n")


def test_quiet_server(tmp_path):
    _serve_and_log(tmp_path, "INFO all good")


def test_server_error(tmp_path):
    _serve_and_log(tmp_path, "[ERROR] boom")


@pytest.mark.server_errors_expected("this test breaks the server on purpose")
def test_expected_server_error(tmp_path):
    _serve_and_log(tmp_path, "[ERROR] expected boom")


@pytest.mark.server_errors_expected
def test_opt_out_without_a_reason(tmp_path):
    pass
"""


def test_the_autouse_fixture_fails_a_test_whose_server_logged_an_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The inner run shares this process: its servers go to a registry of their own.
    monkeypatch.setattr(server_logs, "SERVERS", server_logs.WatchedLogs())
    pytester.makeconftest("from tests.conftest import no_server_errors  # noqa: F401\n")
    pytester.makepyfile(test_inner=INNER_TEST)
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-o", f"markers={server_logs.MARKER}(reason): opt-out"
    )
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_server_error*",
            "*Le serveur sous test a journalisé des erreurs pendant ce test*",
            "*[[]ERROR[]] boom*",
            "*ERROR at setup of test_opt_out_without_a_reason*",
            "*server_errors_expected needs a reason*",
        ]
    )
