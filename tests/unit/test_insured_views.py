"""The insured pages format the services' plain values: French dates in Paris time, names, amounts."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from rxapp.models import Regime
from rxapp.services.formatting import format_greeting_name, format_partner_regime
from rxapp.services.information import PersonInformation
from rxapp.services.payments import PaymentLine
from rxapp.settings import PROJECT_ROOT
from rxapp.state.information import person_row
from rxapp.state.payments import payment_row

# The read models the pages show: they return dates, numbers and raw values, never display text.
READ_MODELS = ("information", "account", "delays", "inbox", "medialog/queue", "medialog/detail")
DISPLAY_FORMATTERS = {"rxapp.services.formatting", "format_nir"}


def _person(requested_at: datetime | None) -> PersonInformation:
    return PersonInformation(
        first_name="SERENA",
        birth_date=date(2005, 10, 10),
        is_insured=False,
        requested_at=requested_at,
        organisations=("LES MUTUELLES DE L'AIN 2", "PRO BTP"),
        transmission_blocked=True,
    )


def test_a_beneficiary_with_a_pending_request_shows_its_day_in_paris_time() -> None:
    row = person_row(_person(datetime(2026, 1, 6, 23, 30, tzinfo=UTC)))
    assert (row.first_name, row.birth_date, row.request_date) == ("SERENA", "10/10/2005", "07/01/2026")
    assert (row.organisations, row.transmission_blocked) == ("LES MUTUELLES DE L'AIN 2 / PRO BTP", True)


def test_a_beneficiary_without_a_request_shows_no_request_date() -> None:
    row = person_row(_person(None))
    assert row.request_date == ""
    assert _person(None).request_pending is False


def test_names_are_printed_in_capitals_and_greeted_with_a_capitalised_first_name() -> None:
    line = PaymentLine(
        payment_id=1,
        paid_on=date(2026, 1, 1),
        label="Consultation",
        beneficiary_first_name="Noémie",
        beneficiary_last_name="Zovi",
        amount_cents=3000,
        transmitted_to_oc=False,
    )
    row = payment_row(line)
    assert (row.beneficiary, row.paid_on, row.amount) == ("NOÉMIE ZOVI", "01/01/2026", "30,00\u00a0€")
    assert format_greeting_name("RENALDO", "Zovi") == "Renaldo ZOVI"


def test_a_partner_regime_is_named_after_its_regime() -> None:
    assert format_partner_regime(Regime.MGEN.value) == "Régime partenaire (MGEN)"


@pytest.mark.parametrize("module", READ_MODELS)
def test_the_read_models_leave_display_formatting_to_the_states(module: str) -> None:
    tree = ast.parse((Path(PROJECT_ROOT) / "rxapp" / "services" / f"{module}.py").read_text(encoding="utf-8"))
    imported = {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for name in (node.module or "", *(alias.name for alias in node.names))
    }
    assert not imported & DISPLAY_FORMATTERS
