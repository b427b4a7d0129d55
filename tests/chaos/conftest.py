"""Fixtures of the chaos suite: exactly-once under faults."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter) -> None:
    """The figures of every scenario run, at the end of the output (captured or not)."""
    from tests.chaos.harness import FIGURES_PATH, RECORDED

    if RECORDED:
        terminalreporter.section("chaos: figures")
        for figures in RECORDED:
            terminalreporter.line(figures.line())
        terminalreporter.line(f"(also appended to {FIGURES_PATH})")
