"""The command line run as an operator runs it (`python -m rxapp.cli ...`), and its refusals."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

from rxapp.settings import PROJECT_ROOT


def run_cli(env: Mapping[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m rxapp.cli ARGS` from the project, in `env`, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "rxapp.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The line a refused command printed: it exited with 2 and one line on stderr, no traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]
