"""What `make cluster` and a second beat refuse, each on one French line."""

from __future__ import annotations

import os

import pytest

from rxapp.commands.roles import BEAT_LOCK_NAME
from tests.cluster.conftest import SETTING_VARIABLES, RunningCluster
from tests.support.cli import one_line_refusal, run_cli


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_cluster_names_the_missing_variable(missing: str) -> None:
    env = {key: value for key, value in os.environ.items() if key.upper() not in SETTING_VARIABLES}
    env |= {
        "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    del env[missing]
    line = one_line_refusal(run_cli(env, "cluster"))
    assert line.startswith(f"make cluster : {missing} manque")
    assert "embarqué" in line


def test_a_second_beat_refuses(cluster: RunningCluster) -> None:
    line = one_line_refusal(run_cli(cluster.plan.env, "beat"))
    assert f"Un autre beat tourne déjà sur ce Redis (verrou {BEAT_LOCK_NAME})" in line
    assert cluster.processes["beat"].poll() is None
