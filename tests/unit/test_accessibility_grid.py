"""The RGAA 4.1 grid: complete, honest (every conforme has evidence that exists), and the
statement's figures are what the grid computes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from rxapp.services.accessibility.grid import (
    CRITERIA_COUNT,
    GRID_FILE,
    CriterionStatus,
    GridError,
    load_audit,
    parse_grid,
)
from rxapp.services.formatting import format_rate
from rxapp.settings import PROJECT_ROOT
from tests.support.rgaa_sample import AGENT_SAMPLE_PAGES, INSURED_SAMPLE_PAGES

GRID = GRID_FILE.read_text(encoding="utf-8")


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_the_grid_has_the_106_criteria_of_rgaa_4_1_in_order() -> None:
    audit = load_audit()
    numbers = [criterion.number for criterion in audit.criteria]
    assert len(numbers) == CRITERIA_COUNT
    topics = [criterion.topic for criterion in audit.criteria]
    assert topics == sorted(topics) and set(topics) == set(range(1, 14))
    assert audit.criteria[0].title.startswith("Chaque image porteuse d'information")
    assert next(c for c in audit.criteria if c.number == "10.7").title == (
        "Dans chaque page web, pour chaque élément recevant le focus, la prise de focus est-elle visible ?"
    )


def test_every_conforme_entry_names_a_test_that_exists_or_a_dated_manual_check() -> None:
    audit = load_audit()
    missing = []
    for criterion in audit.criteria:
        if criterion.status != CriterionStatus.CONFORME:
            continue
        assert criterion.tests or (criterion.manual_check and criterion.checked_on), criterion.number
        for node_id in criterion.tests:
            path, _, function = node_id.partition("::")
            file = PROJECT_ROOT / path
            if not file.is_file() or function not in _test_functions(file):
                missing.append(f"{criterion.number}: {node_id}")
    assert not missing, f"Preuves introuvables : {missing}"


def test_the_sample_covers_the_pages_the_method_asks_for() -> None:
    keys = {page.key for page in load_audit().pages}
    public = {
        "connexion",
        "retour_franceconnect",
        "aide",
        "declaration",
        "mentions_legales",
        "donnees_personnelles",
        "plan_du_site",
    }
    assert public | set(INSURED_SAMPLE_PAGES) | set(AGENT_SAMPLE_PAGES) <= keys


def test_rate_and_status_follow_rgaa_method() -> None:
    audit = load_audit()
    conforme = audit.count(CriterionStatus.CONFORME)
    non_conforme = audit.count(CriterionStatus.NON_CONFORME)
    assert conforme + non_conforme + audit.count(CriterionStatus.NON_APPLICABLE) == CRITERIA_COUNT
    assert audit.rate == pytest.approx(100 * conforme / (conforme + non_conforme))
    expected = "totalement conforme" if non_conforme == 0 else "partiellement conforme"
    assert audit.compliance == expected


PDF_PAGES = 'pages = { paiements = "conforme", attestation_de_droits = "conforme" }'


def test_a_criterion_non_conforme_on_one_page_is_non_conforme() -> None:
    broken = PDF_PAGES.replace('paiements = "conforme"', 'paiements = "non conforme"')
    grid = GRID.replace(PDF_PAGES, broken + '\nraison = "Pas de version accessible."', 1)
    criterion = next(c for c in parse_grid(grid).criteria if c.number == "13.3")
    assert criterion.pages_with(CriterionStatus.NON_CONFORME) == ["paiements"]
    assert criterion.pages_with(CriterionStatus.CONFORME) == ["attestation_de_droits"]
    assert criterion.status == CriterionStatus.NON_CONFORME


def test_the_downloadable_pdfs_have_their_accessible_version() -> None:
    """13.3 and 13.4: conforme where the PDFs are offered (the relevés, the attestation de droits)."""
    audit = load_audit()
    for number in ("13.3", "13.4"):
        criterion = next(c for c in audit.criteria if c.number == number)
        assert criterion.status == CriterionStatus.CONFORME
        assert criterion.pages_with(CriterionStatus.CONFORME) == ["paiements", "attestation_de_droits"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('numero = "13.12"', 'numero = "13.11"', "106 critères distincts"),
        ('statut = "conforme"\npreuves', 'statut = "conforme"\nx', "sans preuve"),
        ('"non applicable"\nraison =', '"non applicable"\nx =', "sans raison"),
        (PDF_PAGES, 'pages = { nulle_part = "conforme" }', "pages inconnues"),
        ('statut = "conforme"', 'statut = "conforme partiel"', "statut inconnu"),
    ],
)
def test_a_broken_grid_is_refused(old: str, new: str, message: str) -> None:
    assert old in GRID
    with pytest.raises(GridError, match=message):
        parse_grid(GRID.replace(old, new, 1))


@pytest.mark.parametrize(("rate", "text"), [(100.0, "100 %"), (96.875, "96,9 %"), (50.0, "50 %")])
def test_rate_is_written_the_french_way(rate: float, text: str) -> None:
    assert format_rate(rate) == text


# Pages reached only through a step of the journey, the back office behind its login, files, and
# the accessible versions of the PDF files, linked beside each PDF.
NOT_IN_SITE_MAP = {
    "STATEMENT_PAGE",
    "ATTESTATION_PAGE",
    "RECAP",
    "CONFIRMATION",
    "ADMIN_QUEUE",
    "ADMIN_AFFAIRE",
    "ADMIN_SUPERVISION",
    "ADMIN_SIMULATION",
}


def test_the_site_map_lists_every_page() -> None:
    from rxapp import routes
    from rxapp.pages.legal import SITE_MAP_SECTIONS

    listed = {href for _, links in SITE_MAP_SECTIONS for _, href in links}
    pages = {
        value
        for name, value in vars(routes).items()
        if name.isupper()
        and isinstance(value, str)
        and value.startswith("/")
        and not value.startswith(("/api", routes.SITE_MAP))
        and "." not in value
        and name not in NOT_IN_SITE_MAP
    }
    assert pages - listed == set()


def test_no_link_points_to_a_bare_hash() -> None:
    pattern = re.compile(r"""href\s*=\s*["']#["']""")
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for folder in ("rxapp", "assets")
        for path in (PROJECT_ROOT / folder).rglob("*")
        if path.suffix in {".py", ".js", ".html"} and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
