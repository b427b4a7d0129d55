"""`make bench` with `PARTS=` keeps the sections of the parts it did not measure."""

from __future__ import annotations

from pathlib import Path

from bench.report import _earlier_sections


def test_earlier_sections_are_found_by_part_number_and_stop_at_the_next_heading(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    report.write_text(
        "# Benchmarks\n\nMachine : 2 cœurs.\n\n"
        "## 1. Chargement des pages\n\n_Mesuré le hier._\n\n| a |\n\n"
        "## 3. Débit du worker\n\n834 affaires/s\n\n"
        "## Optimisations\n\nAvant / après.\n"
    )
    sections = _earlier_sections(report)
    assert sorted(sections) == [1, 3]
    assert sections[1][0] == "## 1. Chargement des pages" and "_Mesuré le hier._" in sections[1]
    assert sections[3][-2:] == ["834 affaires/s", ""]
    assert _earlier_sections(tmp_path / "absent.md") == {}


def test_each_part_says_which_machine_measured_it(tmp_path: Path, monkeypatch) -> None:
    from bench import report

    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path / "var")
    monkeypatch.setattr(report, "ROOT", tmp_path)
    monkeypatch.setattr(report, "OPTIMISATIONS", tmp_path / "absent.md")
    report.save_part("worker", {"title": "3. Débit du worker", "tables": [], "budgets": []})
    # A part saved before parts recorded their machine: only its date.
    (tmp_path / "var" / "data.json").write_text('{"title": "4. Volume des données", "measured_at": "hier"}')
    report.write_report()
    text = (tmp_path / "BENCHMARKS.md").read_text()
    here = report.machine()
    assert f"sur : {here['cores']} cœurs" in text.split("## 3.")[1].split("\n\n")[1]
    assert f"{here['platform']}._" in text
    assert "_Mesuré le hier._" in text
