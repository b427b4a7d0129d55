"""Start-up refuses bad or unreachable services with one line naming them."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.support.cli import one_line_refusal, run_cli
from tests.support.processes import free_port


def _cli(command: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli({**os.environ, **env}, command)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "DATABASE_URL",
            "postgresql+psycopg://postgres@127.0.0.1:{port}/test",
            "Base de données injoignable",
        ),
        ("REDIS_URL", "redis://127.0.0.1:{port}/0", "Redis injoignable"),
        ("DATABASE_URL", "mysql://root@localhost/test", "Configuration invalide"),
        ("REDIS_URL", "http://localhost:6379", "Configuration invalide"),
    ],
)
def test_serve_stops_with_one_line_naming_the_variable(variable: str, value: str, expected: str) -> None:
    line = one_line_refusal(_cli("serve", **{variable: value.format(port=free_port())}))
    assert expected in line
    assert variable in line


def test_production_mode_refuses_the_default_secret() -> None:
    result = _cli("check", APP_ENV="production")
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_twice_through_the_cli(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    assert _cli("migrate", DATABASE_URL=url).returncode == 0
    first = _cli("seed", DATABASE_URL=url)
    second = _cli("seed", DATABASE_URL=url)
    assert first.returncode == second.returncode == 0
    assert "8 assurés et 3 agents ajoutés" in first.stdout
    assert "0 assurés et 0 agents ajoutés" in second.stdout
