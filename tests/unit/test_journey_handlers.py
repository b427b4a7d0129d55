"""Journey handlers called as any websocket client could: bad arguments, no session, a whole journey.

The handlers run against a fresh copy of the demo database.
"""

from __future__ import annotations

import logging
import re

import pytest
from sqlmodel import Session, select

from rxapp import routes
from rxapp.db import get_engine
from rxapp.models import OverlapRequest, SatisfactionAnswer
from rxapp.services.eligibility import EligibilityStatus
from rxapp.state.dashboard import DashboardState
from rxapp.state.gate import SERVICE_UNAVAILABLE
from rxapp.state.inbox import NotificationsState
from rxapp.state.information import InformationState
from rxapp.state.payments import PaymentsState
from rxapp.state.selection import BeneficiaryChoice, OptionView, SelectionState
from tests.support.handlers import (
    app_database,
    assert_refused_without_session,
    business_fingerprint,
    insured_session,
    redirects_to,
    run,
    same_tab,
    substate,
    with_insured_cookie,
)

RENALDO = "1741171270102 58"
JULIE = "2950701053089 53"
SOPHIE = "2900901004056 87"


# Celery's broker is not ours to reach from here: the tasks sent are recorded (tests/unit/conftest.py).
pytestmark = pytest.mark.usefixtures("sent_tasks")


@pytest.fixture
def selection() -> SelectionState:
    """Step 1 as loaded for two beneficiaries, without a database (choose and next_step use none)."""
    state = substate(SelectionState)
    state.status = EligibilityStatus.ELIGIBLE
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
    run(SelectionState.choose, selection, beneficiary_id, contract_id)
    assert [b.chosen for b in selection.beneficiaries] == ["", ""]


def test_choose_then_next_step_names_the_missing_beneficiary(selection: SelectionState) -> None:
    run(SelectionState.choose, selection, "11", "2")
    run(SelectionState.next_step, selection)
    assert selection.missing_names == ["SERENA ZOVI"]
    assert selection.page_title.startswith("Erreur : ")
    run(SelectionState.choose, selection, "12", "3")
    assert selection.missing_names == []
    assert selection.recap[1].organisation == "A"


# --- no session: redirected to the login page, logged, nothing written ------------------------------

HANDLERS = [
    (DashboardState, "load", ()),
    (DashboardState, "later", ()),
    (DashboardState, "dialog_open_change", (False,)),
    (DashboardState, "select", ()),
    (DashboardState, "close_banner", ()),
    (PaymentsState, "load", ()),
    (InformationState, "load", ()),
    (NotificationsState, "load", ()),
    (NotificationsState, "open_item", (1,)),
    (SelectionState, "load_selection", ()),
    (SelectionState, "load_recap", ()),
    (SelectionState, "confirm", ()),
    (SelectionState, "load_confirmation", ()),
    (SelectionState, "answer_satisfaction", (True,)),
]


@pytest.mark.parametrize("session_id", ["", "forged-or-expired"])
@pytest.mark.parametrize(
    ("cls", "name", "args"), HANDLERS, ids=lambda value: getattr(value, "__name__", None)
)
def test_without_a_session_every_handler_redirects_logs_and_writes_nothing(
    cls, name, args, session_id, demo_app, sent_tasks, caplog
) -> None:
    state = substate(cls)
    with_insured_cookie(state, session_id)
    if cls is SelectionState:
        state.reference = "DEM-2026-AAAAAAAA"
    if cls is DashboardState:
        state.display_name, state.show_dialog = "RENALDO", True
    assert_refused_without_session(
        state, name, args, login_route=routes.LOGIN, sent_tasks=sent_tasks, caplog=caplog
    )
    if cls is DashboardState:
        assert state.display_name == "" and state.show_dialog is False


@pytest.mark.parametrize("answer", ["true", 1, None, {"satisfied": True}])
def test_satisfaction_needs_a_boolean(answer, demo_app, caplog) -> None:
    state = substate(SelectionState)
    with_insured_cookie(state, insured_session(RENALDO))
    state.reference = "DEM-2026-AAAAAAAA"
    before = business_fingerprint()
    with caplog.at_level(logging.INFO, logger="rxapp.security"):
        assert run(SelectionState.answer_satisfaction, state, answer) == []
    assert any("input_refused" in r.getMessage() for r in caplog.records)
    assert state.satisfaction_recorded is False
    assert business_fingerprint() == before


def test_a_whole_journey_records_one_request_and_one_answer(demo_app, sent_tasks) -> None:
    dashboard = substate(DashboardState)
    with_insured_cookie(dashboard, insured_session(RENALDO))
    events = run(DashboardState.load, dashboard)
    assert events == []
    assert dashboard.show_dialog and dashboard.display_name
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} - \d{2}:\d{2}", dashboard.last_connection)
    assert redirects_to(run(DashboardState.select, dashboard), routes.SELECTION)
    assert dashboard.show_dialog is False

    state = same_tab(dashboard, SelectionState)
    run(SelectionState.load_selection, state)
    assert state.status == "eligible" and len(state.beneficiaries) == 3
    for beneficiary in state.beneficiaries:
        run(SelectionState.choose, state, beneficiary.id, beneficiary.options[0].id)
    assert redirects_to([run(SelectionState.next_step, state)[0]], routes.RECAP)
    assert run(SelectionState.load_recap, state) == []
    assert redirects_to(run(SelectionState.confirm, state), routes.CONFIRMATION)
    assert state.reference and state.refusal == ""
    with Session(get_engine()) as session:
        request = session.exec(
            select(OverlapRequest).where(OverlapRequest.reference == state.reference)
        ).one()
    assert sent_tasks == [("backoffice.create_affaire", (request.id,))]

    assert run(SelectionState.load_confirmation, state) == []
    run(SelectionState.answer_satisfaction, state, True)
    assert state.satisfaction_recorded is True
    with Session(get_engine()) as session:
        assert len(session.exec(select(SatisfactionAnswer)).all()) == 1

    # The request is pending now: step 1 says so, and the dashboard shows the notice.
    run(SelectionState.load_selection, state)
    assert state.status == "pending" and state.beneficiaries == []
    run(DashboardState.load, dashboard)
    assert dashboard.overlap_status == "pending" and dashboard.overlap_notice


def test_a_confirmation_whose_answer_was_lost_shows_the_recorded_request(demo_app, sent_tasks) -> None:
    """The confirmation was recorded, but its instance went before the tab got the answer, so
    the tab's state is the one saved before it. Confirming again from that state, or reloading
    the recap, shows the recorded request: no refusal, no second request."""

    def requests() -> int:
        with Session(get_engine()) as session:
            return len(session.exec(select(OverlapRequest)).all())

    before = requests()
    session_id = insured_session(RENALDO)
    state = with_insured_cookie(substate(SelectionState), session_id)
    run(SelectionState.load_selection, state)
    for beneficiary in state.beneficiaries:
        run(SelectionState.choose, state, beneficiary.id, beneficiary.options[0].id)
    run(SelectionState.next_step, state)
    lost = with_insured_cookie(substate(SelectionState), session_id)
    lost.status, lost.beneficiaries = state.status, list(state.beneficiaries)
    assert redirects_to(run(SelectionState.confirm, lost), routes.CONFIRMATION)

    assert redirects_to(run(SelectionState.confirm, state), routes.CONFIRMATION)
    assert state.reference == lost.reference and state.refusal == ""
    state.reference = ""
    assert redirects_to(run(SelectionState.load_recap, state), routes.CONFIRMATION)
    assert run(SelectionState.load_confirmation, state) == []
    assert state.reference == lost.reference and state.refusal == ""
    assert requests() == before + 1


def test_an_excluded_insured_sees_the_call_your_cpam_notice(demo_app) -> None:
    state = substate(SelectionState)
    with_insured_cookie(state, insured_session(SOPHIE))
    run(SelectionState.load_selection, state)
    assert state.status == "excluded" and "3646" in state.notice
    dashboard = same_tab(state, DashboardState)
    run(DashboardState.load, dashboard)
    assert dashboard.overlap_status == "excluded" and dashboard.show_dialog is False


def test_without_an_overlap_step_1_says_so(demo_app) -> None:
    state = substate(SelectionState)
    with_insured_cookie(state, insured_session(JULIE))
    run(SelectionState.load_selection, state)
    assert state.status == "no_overlap" and state.beneficiaries == []


def test_the_pages_of_a_live_session_read_the_accounts_data(demo_app) -> None:
    session_id = insured_session(RENALDO)
    payments = with_insured_cookie(substate(PaymentsState), session_id)
    assert run(PaymentsState.load, payments) == []
    assert payments.loaded and payments.payments and payments.has_untransmitted
    information = substate(InformationState)
    with_insured_cookie(information, session_id)
    run(InformationState.load, information)
    assert information.loaded and "ZOVI" in information.full_name
    assert (information.nir, information.doctor_declared_on) == ("1 74 11 71 270 102", "24/04/2008")
    renaldo = next(p for p in information.persons if p.first_name == "RENALDO")
    assert renaldo.birth_date == "22/11/1974"
    notifications = substate(NotificationsState)
    with_insured_cookie(notifications, session_id)
    run(NotificationsState.load, notifications)
    assert notifications.loaded


def test_opening_an_item_this_page_did_not_list_is_refused(demo_app, caplog) -> None:
    state = substate(NotificationsState)
    with_insured_cookie(state, insured_session(RENALDO))
    run(NotificationsState.load, state)
    before = business_fingerprint()
    with caplog.at_level(logging.INFO, logger="rxapp.security"):
        assert run(NotificationsState.open_item, state, 10**6) == []
    assert business_fingerprint() == before
    assert any("item_not_listed" in r.getMessage() for r in caplog.records)


def test_a_database_outage_shows_the_french_message(demo_app) -> None:
    state = substate(SelectionState)
    with_insured_cookie(state, insured_session(RENALDO))
    with app_database("postgresql+psycopg://postgres@127.0.0.1:1/none"):
        assert run(SelectionState.load_selection, state) == []
        assert (state.status, state.notice) == ("unavailable", SERVICE_UNAVAILABLE)
        run(SelectionState.confirm, state)
        assert (
            state.refusal
            == "Service momentanément indisponible, votre choix n'a pas été enregistré, réessayez."
        )
