"""The RGAA 4.1 audit grid (rgaa_4_1.toml), read once, and the results RGAA's method computes.

Per RGAA's method, a criterion is conforme when it is conforme on at least one page of the
sample and non conforme on none; non applicable when it applies to no page. The conformance
rate is the share of conforme criteria among the applicable ones, and the status follows from
it: totalement conforme at 100 %, partiellement conforme from 50 %, non conforme below.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

GRID_FILE = Path(__file__).with_name("rgaa_4_1.toml")
CRITERIA_COUNT = 106


class CriterionStatus(StrEnum):
    CONFORME = "conforme"
    NON_CONFORME = "non conforme"
    NON_APPLICABLE = "non applicable"


class GridError(ValueError):
    """The grid file breaks one of its rules (a test reads it; the app refuses to start with it)."""


@dataclass(frozen=True)
class AuditedPage:
    key: str
    name: str
    address: str


@dataclass(frozen=True)
class Criterion:
    """One RGAA criterion: its status on each audited page and its evidence or reason."""

    number: str
    title: str
    statuses: dict[str, CriterionStatus]
    tests: tuple[str, ...] = ()
    manual_check: str = ""
    checked_on: date | None = None
    reason: str = ""
    note: str = ""

    @property
    def topic(self) -> int:
        return int(self.number.split(".")[0])

    @property
    def status(self) -> CriterionStatus:
        values = set(self.statuses.values())
        if CriterionStatus.NON_CONFORME in values:
            return CriterionStatus.NON_CONFORME
        if CriterionStatus.CONFORME in values:
            return CriterionStatus.CONFORME
        return CriterionStatus.NON_APPLICABLE

    def pages_with(self, status: CriterionStatus) -> list[str]:
        return [key for key, value in self.statuses.items() if value == status]


@dataclass(frozen=True)
class Audit:
    """The grid: the audit's facts, its sample of pages and its 106 criteria."""

    audited_on: date
    auditor: str
    method: str
    technologies: tuple[str, ...]
    tools: tuple[str, ...]
    environments: tuple[str, ...]
    pages: tuple[AuditedPage, ...]
    criteria: tuple[Criterion, ...]

    def count(self, status: CriterionStatus) -> int:
        return sum(1 for criterion in self.criteria if criterion.status == status)

    @property
    def rate(self) -> float:
        """Conforme criteria over applicable ones, in percent (100 when none applies)."""
        conforme = self.count(CriterionStatus.CONFORME)
        applicable = conforme + self.count(CriterionStatus.NON_CONFORME)
        return 100.0 * conforme / applicable if applicable else 100.0

    @property
    def compliance(self) -> str:
        """The status the law's statement gives: totalement, partiellement or non conforme."""
        if self.rate >= 100.0:
            return "totalement conforme"
        if self.rate >= 50.0:
            return "partiellement conforme"
        return "non conforme"

    def non_conformities(self) -> list[Criterion]:
        return [c for c in self.criteria if c.status == CriterionStatus.NON_CONFORME]

    def page_name(self, key: str) -> str:
        return next(page.name for page in self.pages if page.key == key)


def _criterion(raw: dict, page_keys: list[str]) -> Criterion:
    number = raw["numero"]
    try:
        default = CriterionStatus(raw["statut"])
        overrides = {key: CriterionStatus(value) for key, value in raw.get("pages", {}).items()}
    except ValueError as error:
        raise GridError(f"critère {number} : statut inconnu ({error})") from None
    unknown = set(overrides) - set(page_keys)
    if unknown:
        raise GridError(f"critère {number} : pages inconnues {sorted(unknown)}")
    checked_on = raw.get("date")
    criterion = Criterion(
        number=number,
        title=raw["titre"],
        statuses={key: overrides.get(key, default) for key in page_keys},
        tests=tuple(raw.get("preuves", ())),
        manual_check=raw.get("controle", ""),
        checked_on=date.fromisoformat(checked_on) if checked_on else None,
        reason=raw.get("raison", ""),
        note=raw.get("note", ""),
    )
    if criterion.status == CriterionStatus.CONFORME and not (
        criterion.tests or (criterion.manual_check and criterion.checked_on)
    ):
        raise GridError(f"critère {number} : conforme sans preuve (test ou contrôle daté)")
    if criterion.status != CriterionStatus.CONFORME and not criterion.reason:
        raise GridError(f"critère {number} : {criterion.status} sans raison")
    return criterion


def parse_grid(text: str) -> Audit:
    """Read a grid (the TOML format of rgaa_4_1.toml) and check its rules.

    Raises:
        GridError: a criterion missing, repeated, without evidence or reason, or an unknown page.
    """
    raw = tomllib.loads(text)
    audit, pages = raw["audit"], raw["pages"]
    page_keys = [page["cle"] for page in pages]
    criteria = tuple(_criterion(entry, page_keys) for entry in raw["criteres"])
    numbers = [criterion.number for criterion in criteria]
    if len(set(numbers)) != len(numbers) or len(numbers) != CRITERIA_COUNT:
        raise GridError(f"la grille doit compter {CRITERIA_COUNT} critères distincts ({len(set(numbers))})")
    return Audit(
        audited_on=date.fromisoformat(audit["date"]),
        auditor=audit["auditeur"],
        method=audit["methode"],
        technologies=tuple(audit["technologies"]),
        tools=tuple(audit["outils"]),
        environments=tuple(audit["environnements"]),
        pages=tuple(AuditedPage(page["cle"], page["nom"], page["adresse"]) for page in pages),
        criteria=criteria,
    )


@functools.cache
def load_audit() -> Audit:
    """The repository's grid, read once per process."""
    return parse_grid(GRID_FILE.read_text(encoding="utf-8"))
