"""What `make cluster` and a second beat refuse, each on one French line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rxapp.commands.roles import BEAT_LOCK_NAME
from rxapp.settings import PROJECT_ROOT
from tests.cluster.conftest import SETTING_VARIABLES, RunningCluster


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rxapp.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_cluster_names_the_missing_variable(missing: str) -> None:
    env = {key: value for key, value in os.environ.items() if key.upper() not in SETTING_VARIABLES}
    env |= {
        "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    del env[missing]
    line = _one_line(_cli(env, "cluster"))
    assert line.startswith(f"make cluster : {missing} manque")
    assert "embarqué" in line


def test_a_second_beat_refuses(cluster: RunningCluster) -> None:
    line = _one_line(_cli(cluster.plan.env, "beat"))
    assert f"Un autre beat tourne déjà sur ce Redis (verrou {BEAT_LOCK_NAME})" in line
    assert cluster.processes["beat"].poll() is None
