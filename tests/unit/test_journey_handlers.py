"""Journey handlers called as any websocket client could: bad arguments, no session."""

from __future__ import annotations

import asyncio

import pytest
import reflex as rx

from rxapp import routes
from rxapp.state.dashboard import DashboardState
from rxapp.state.selection import BeneficiaryChoice, OptionView, SelectionState


def _substate(cls):
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(cls.get_full_name().split("."))


def _run(handler, state, *args):
    async def run():
        result = handler.fn(state, *args)
        if hasattr(result, "__aiter__"):
            return [event async for event in result]
        if asyncio.iscoroutine(result):
            return await result
        return result

    return asyncio.run(run())


def _redirect_target(event) -> str:
    return str(event.args[0][1]) if event is not None else ""


@pytest.fixture
def selection() -> SelectionState:
    state = _substate(SelectionState)
    state.status = "eligible"
    state.beneficiaries = [
        BeneficiaryChoice(
            "11",
            "RENALDO ZOVI",
            "22/11/1974",
            options=[OptionView("1", "A", "X", "01/01/2020"), OptionView("2", "B", "", "01/01/2021")],
        ),
        BeneficiaryChoice(
            "12",
            "SERENA ZOVI",
            "10/10/2005",
            options=[OptionView("3", "A", "X", "01/01/2020"), OptionView("4", "B", "", "01/01/2021")],
        ),
    ]
    return state


@pytest.mark.parametrize(
    ("beneficiary_id", "contract_id"),
    [("11", "3"), ("99", "1"), (11, 1), (None, "1"), ("11", ["1"]), ("12", "1")],
)
def test_choose_accepts_only_a_beneficiarys_own_option(
    selection: SelectionState, beneficiary_id, contract_id
) -> None:
    _run(SelectionState.choose, selection, beneficiary_id, contract_id)
    assert [b.chosen for b in selection.beneficiaries] == ["", ""]


def test_choose_then_next_step_names_the_missing_beneficiary(selection: SelectionState) -> None:
    _run(SelectionState.choose, selection, "11", "2")
    _run(SelectionState.next_step, selection)
    assert selection.missing_names == ["SERENA ZOVI"]
    assert selection.page_title.startswith("Erreur : ")
    _run(SelectionState.choose, selection, "12", "3")
    assert selection.missing_names == []
    assert selection.recap[1].organisation == "A"


def test_confirm_without_a_session_redirects_to_login_and_records_nothing(selection: SelectionState) -> None:
    _run(SelectionState.choose, selection, "11", "2")
    _run(SelectionState.choose, selection, "12", "3")
    event = _run(SelectionState.confirm, selection)
    assert routes.LOGIN in _redirect_target(event)
    assert selection.reference == ""


@pytest.mark.parametrize("answer", ["true", 1, None, {"satisfied": True}])
def test_satisfaction_needs_a_boolean(selection: SelectionState, answer) -> None:
    selection.reference = "DEM-2026-AAAAAAAA"
    assert _run(SelectionState.answer_satisfaction, selection, answer) is None
    assert selection.satisfaction_recorded is False


def test_dashboard_without_a_session_redirects_to_login() -> None:
    state = _substate(DashboardState)
    event = _run(DashboardState.load, state)
    assert routes.LOGIN in _redirect_target(event)
    assert state.display_name == ""


def test_dismissing_without_a_session_writes_nothing() -> None:
    state = _substate(DashboardState)
    state.show_dialog = True
    _run(DashboardState.later, state)
    assert state.show_dialog is False  # closes locally; nothing to record without a session
