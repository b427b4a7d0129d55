"""Medialog+ handlers called as any websocket client could: no session, bad arguments, forged ids.

Each test runs the handlers against a fresh copy of the demo database and checks
what an agent (or an attacker) would see: the state, the redirects, the rows.
"""

from __future__ import annotations

import inspect
import logging

import pytest
from sqlmodel import Session, select

from rxapp import routes
from rxapp.db import get_engine
from rxapp.models import Affaire, AffaireStatus, Agent, SessionKind
from rxapp.services import auth, medialog
from rxapp.settings import get_settings
from rxapp.state import admin as admin_state
from rxapp.state.admin import (
    AdminAffaireState,
    AdminQueueState,
    AdminSimulationState,
    AdminSupervisionState,
    AgentLoginState,
)
from rxapp.state.auth import AgentAuthState
from rxapp.state.gate import SERVICE_UNAVAILABLE
from tests.support.affaires import submitted_affaire
from tests.support.handlers import (
    agent_session,
    app_database,
    assert_refused_without_session,
    business_fingerprint,
    in_tab,
    redeem,
    run,
    substate,
    with_agent_cookie,
)

RENALDO = "1741171270102"
VALID_SIMULATION = {
    "nir": "2 95 07 01 053 089 53",
    "first_name": "Julie",
    "organisation": "3",
    "member_number": "",
}


# Celery's broker is not ours to reach from here: the tasks sent are recorded (tests/unit/conftest.py).
pytestmark = pytest.mark.usefixtures("sent_tasks")


@pytest.fixture
def renaldo_affaire(demo_app) -> Affaire:
    """Renaldo's request and its affaire, routed to the CPAM de l'Ain."""
    with Session(get_engine()) as session:
        return submitted_affaire(session, RENALDO)


def _affaire(affaire_id: int) -> Affaire:
    with Session(get_engine()) as session:
        affaire = session.get(Affaire, affaire_id)
        assert affaire is not None
        return affaire


def _at(state: AdminAffaireState, reference: str) -> AdminAffaireState:
    return in_tab(state, path=routes.admin_affaire_url(reference))


def _opened(reference: str, login: str = "agent.ain") -> AdminAffaireState:
    """The affaire page of a live agent, loaded through its on_load handler."""
    state = _at(substate(AdminAffaireState), reference)
    with_agent_cookie(state, agent_session(login))
    assert run(AdminAffaireState.load, state) == []
    return state


# --- no session: redirected, logged, nothing read or written ---------------------------------------

HANDLERS = [
    (AdminQueueState, "load", ()),
    (AdminQueueState, "filter_status", ("nouvelle",)),
    (AdminQueueState, "filter_complex", (True,)),
    (AdminQueueState, "filter_overdue", (True,)),
    (AdminQueueState, "previous_page", ()),
    (AdminQueueState, "next_page", ()),
    (AdminAffaireState, "load", ()),
    (AdminAffaireState, "take_charge", ()),
    (AdminAffaireState, "update_progres", ()),
    (AdminAffaireState, "close_affaire", ()),
    (AdminAffaireState, "transfer_to_digne", ({"reason": "Adhérent inconnu"},)),
    (AdminAffaireState, "transfer_to_digne", ({"reason": ""},)),
    (AdminSupervisionState, "load", ()),
    (AdminSimulationState, "load", ()),
    (AdminSimulationState, "simulate", (VALID_SIMULATION,)),
    (AdminSimulationState, "simulate", (None,)),
]


@pytest.mark.parametrize("session_id", ["", "forged-or-expired"])
@pytest.mark.parametrize(
    ("cls", "name", "args"), HANDLERS, ids=lambda value: getattr(value, "__name__", None)
)
def test_without_a_session_every_handler_redirects_logs_and_changes_nothing(
    cls, name, args, session_id, renaldo_affaire, sent_tasks, caplog
) -> None:
    state = substate(cls)
    if cls is AdminAffaireState:
        _at(state, renaldo_affaire.reference)
        state._affaire_id = renaldo_affaire.id  # left over from a previous agent of this tab
    if cls is AdminQueueState:
        state.status_filter = "en_cours"
    with_agent_cookie(state, session_id)
    assert_refused_without_session(
        state, name, args, login_route=routes.ADMIN_LOGIN, sent_tasks=sent_tasks, caplog=caplog
    )
    assert state.agent_name == ""
    if cls is AdminQueueState:
        assert state.status_filter == "en_cours"
        assert state.rows == []
    if cls is AdminAffaireState:
        assert state._affaire_id is None
        assert state.lines == []


def test_logout_revokes_forgets_every_back_office_state_and_expires_the_cookie(renaldo_affaire) -> None:
    affaire = _opened(renaldo_affaire.reference)
    session_id = agent_session("agent.ain")
    with_agent_cookie(affaire, session_id)
    assert affaire.reference == renaldo_affaire.reference and affaire.insured
    base = affaire.parent_state
    assert isinstance(base, AgentAuthState)
    assert run(AgentAuthState.logout_agent, base) == []
    # The browser loads the route that expires the cookie, then the login page.
    assert base.page_load.startswith(routes.CLOSE_AGENT_SESSION + "?")
    assert base.agent_name == ""
    assert affaire._affaire_id is None and affaire.reference == "" and affaire.insured == ""
    with Session(get_engine()) as session:
        assert auth.agent_for_session(session=session, session_id=session_id) is None


def test_a_database_outage_shows_the_french_message(renaldo_affaire) -> None:
    state = _opened(renaldo_affaire.reference)
    with app_database("postgresql+psycopg://postgres@127.0.0.1:1/none"):
        assert run(AdminAffaireState.take_charge, state) == []
    assert state.error == SERVICE_UNAVAILABLE
    assert _affaire(renaldo_affaire.id).status is AffaireStatus.NEW


# --- wrong-typed arguments are ignored -------------------------------------------------------------


@pytest.mark.parametrize(
    "form_data", [None, [], "agent.ain", {"login": 1, "password": 2}, {"login": "agent.ain"}]
)
def test_agent_login_refuses_malformed_form_data(form_data, demo_app) -> None:
    state = substate(AgentLoginState)
    assert run(AgentLoginState.submit, state, form_data) == []
    assert state.error == "Identifiant ou mot de passe incorrect."
    assert state.page_load == ""


def test_agent_login_hands_a_ticket_for_the_agent_session_cookie(demo_app) -> None:
    state = substate(AgentLoginState)
    assert run(AgentLoginState.submit, state, {"login": "agent.ain", "password": "Agent2026!"}) == []
    assert state.page_load.startswith(routes.OPEN_AGENT_SESSION + "?ticket=")
    assert redeem(state.page_load, SessionKind.INSURED) is None  # an agent ticket opens no insured session
    session_id = redeem(state.page_load, SessionKind.AGENT)
    assert session_id and session_id not in state.page_load
    assert redeem(state.page_load, SessionKind.AGENT) is None  # once only
    with Session(get_engine()) as session:
        agent = auth.agent_for_session(session=session, session_id=session_id)
        assert agent is not None and agent.login == "agent.ain"


def test_agent_login_failures_count_towards_the_lock(demo_app) -> None:
    state = substate(AgentLoginState)
    for _ in range(5):
        run(AgentLoginState.submit, state, {"login": "agent.ain", "password": "wrong"})
        assert state.error == auth.BAD_AGENT_CREDENTIALS
    assert run(AgentLoginState.submit, state, {"login": "agent.ain", "password": "Agent2026!"}) == []
    assert state.error == auth.LOCKED and state.page_load == ""  # no ticket, so no cookie


@pytest.mark.parametrize(
    ("name", "argument"),
    [
        ("filter_status", 5),
        ("filter_status", "pirate"),
        ("filter_status", ["nouvelle"]),
        ("filter_complex", "true"),
        ("filter_complex", 1),
        ("filter_overdue", None),
        ("filter_overdue", {"checked": True}),
    ],
)
def test_queue_filters_ignore_wrong_values(name, argument, demo_app, caplog) -> None:
    state = substate(AdminQueueState)
    with_agent_cookie(state, agent_session("agent.ain"))
    with caplog.at_level(logging.INFO, logger="rxapp.security"):
        assert run(getattr(AdminQueueState, name), state, argument) == []
    refused = [r.getMessage() for r in caplog.records if "input_refused" in r.getMessage()]
    assert len(refused) == 1 and f"AdminQueueState.{name}" in refused[0]
    assert (state.status_filter, state.complex_only, state.overdue_only) == ("", False, False)
    assert not state.loaded


def test_queue_filter_reloads_the_first_page_of_the_agents_cpam(renaldo_affaire) -> None:
    state = substate(AdminQueueState)
    with_agent_cookie(state, agent_session("agent.ain")).page_number = 3
    assert run(AdminQueueState.filter_status, state, "nouvelle") == []
    assert state.page_number == 1 and state.status_filter == "nouvelle"
    assert [row.reference for row in state.rows] == [renaldo_affaire.reference]
    assert state.summary == "1 affaire"
    assert state.agent_name == "Agnès Morel"
    paris = substate(AdminQueueState)
    with_agent_cookie(paris, agent_session("agent.paris"))
    run(AdminQueueState.load, paris)
    assert paris.loaded and paris.rows == [] and paris.summary == "Aucune affaire."


@pytest.mark.parametrize(
    "form_data",
    [None, "Adhérent inconnu", {"reason": 5}, {"reason": ["x"]}, {"reason": "   "}, {"reason": "x" * 301}],
)
def test_transfer_refuses_a_malformed_reason(form_data, renaldo_affaire) -> None:
    state = _opened(renaldo_affaire.reference)
    before = business_fingerprint()
    assert run(AdminAffaireState.transfer_to_digne, state, form_data) == []
    assert state.error == medialog.REASON_NEEDED
    assert business_fingerprint() == before


@pytest.mark.parametrize(
    "form_data",
    [
        None,
        ["nir"],
        {**VALID_SIMULATION, "nir": 174},
        {**VALID_SIMULATION, "first_name": None},
        {**VALID_SIMULATION, "organisation": 3},
        {**VALID_SIMULATION, "organisation": "3; DROP TABLE"},
        {**VALID_SIMULATION, "organisation": ""},
        {**VALID_SIMULATION, "member_number": 12},
        {**VALID_SIMULATION, "member_number": "X" * 31},
    ],
)
def test_simulation_refuses_malformed_form_data(form_data, demo_app) -> None:
    state = substate(AdminSimulationState)
    with_agent_cookie(state, agent_session("agent.ain"))
    before = business_fingerprint()
    assert run(AdminSimulationState.simulate, state, form_data) == []
    assert state.error and state.message == ""
    assert business_fingerprint() == before


def test_simulation_adds_a_contract_as_the_agent_of_the_session(demo_app) -> None:
    state = substate(AdminSimulationState)
    with_agent_cookie(state, agent_session("agent.ain"))
    run(AdminSimulationState.load, state)
    assert any(option.value == "3" for option in state.organisations)
    before = business_fingerprint()
    run(AdminSimulationState.simulate, state, {**VALID_SIMULATION, "agent_id": 3})
    assert state.message == admin_state.SIMULATED and state.error == ""
    assert business_fingerprint()["complementary_contract"] != before["complementary_contract"]


def test_simulation_for_another_cpams_insured_is_refused(demo_app) -> None:
    state = substate(AdminSimulationState)
    with_agent_cookie(state, agent_session("agent.paris"))
    before = business_fingerprint()
    run(AdminSimulationState.simulate, state, VALID_SIMULATION)
    assert state.error and state.message == ""
    assert business_fingerprint() == before


def test_supervision_shows_the_agents_figures(renaldo_affaire) -> None:
    state = substate(AdminSupervisionState)
    with_agent_cookie(state, agent_session("agent.ain"))
    assert run(AdminSupervisionState.load, state) == []
    assert state.loaded and state.error == ""
    assert state.satisfaction == "Aucune réponse"
    assert sum(int(row.count) for row in state.backlog) >= 1


# --- the affaire acted on is the one the state loaded ----------------------------------------------


@pytest.mark.parametrize(
    "handler",
    [AdminAffaireState.take_charge, AdminAffaireState.update_progres, AdminAffaireState.close_affaire],
)
def test_action_handlers_take_no_affaire_id(handler, renaldo_affaire) -> None:
    assert list(inspect.signature(handler.fn).parameters) == ["self"]
    state = _opened(renaldo_affaire.reference)
    before = business_fingerprint()
    with pytest.raises(TypeError):
        run(handler, state, renaldo_affaire.id)
    assert business_fingerprint() == before


def test_an_agent_takes_charge_updates_and_closes_the_loaded_affaire(renaldo_affaire, sent_tasks) -> None:
    state = _opened(renaldo_affaire.reference)
    assert state.status and state.owner == "Non attribuée"

    run(AdminAffaireState.take_charge, state)
    assert (state.error, state.message) == ("", admin_state.TAKEN)
    assert state.owner == "Agnès Morel"

    run(AdminAffaireState.close_affaire, state)
    assert state.error == medialog.UPDATE_FIRST  # the service's rule, shown as is
    assert sent_tasks == []

    run(AdminAffaireState.update_progres, state)
    assert state.message == admin_state.PROGRES_UPDATED

    run(AdminAffaireState.close_affaire, state)
    assert state.message == admin_state.CLOSED
    affaire = _affaire(renaldo_affaire.id)
    with Session(get_engine()) as session:
        agent = session.exec(select(Agent).where(Agent.login == "agent.ain")).one()
    assert affaire.status is AffaireStatus.CLOSED and affaire.owner_agent_id == agent.id
    # The closure was queued, after its commit (the affaire was already closed for the worker).
    assert sent_tasks == [("backoffice.deliver_closure", (renaldo_affaire.id,))]
    assert len(state.history) >= 3


def test_a_transfer_with_a_forged_affaire_id_moves_the_loaded_affaire(renaldo_affaire) -> None:
    state = _opened(renaldo_affaire.reference)
    form = {"reason": "Adhérent inconnu", "affaire_id": 1, "id": 1}
    run(AdminAffaireState.transfer_to_digne, state, form)
    assert (state.error, state.message) == ("", admin_state.TRANSFERRED)
    assert _affaire(renaldo_affaire.id).is_complex


def test_another_cpams_agent_cannot_open_the_affaire(renaldo_affaire) -> None:
    state = _opened(renaldo_affaire.reference, login="agent.paris")
    assert state.error == medialog.NOT_YOURS
    assert state._affaire_id is None and state.insured == ""
    assert run(AdminAffaireState.take_charge, state) == []
    assert state.error == admin_state.NO_AFFAIRE
    assert _affaire(renaldo_affaire.id).status is AffaireStatus.NEW


def test_the_affaire_id_never_reaches_the_browser(renaldo_affaire) -> None:
    state = _opened(renaldo_affaire.reference)
    assert state._affaire_id == renaldo_affaire.id
    sent = state.dict()[state.get_full_name()]
    assert not any("affaire_id" in key for key in sent)
    assert "_affaire_id" not in AdminAffaireState._frontend_var_names


@pytest.mark.parametrize("reference", ["", "1", "AFF-2026-abcdefgh", "AFF-2026-ABCDEFGH' OR 1=1", "x" * 500])
def test_a_malformed_reference_is_refused(reference, renaldo_affaire) -> None:
    state = _opened(renaldo_affaire.reference)
    assert state.loaded
    assert run(AdminAffaireState.load, _at(state, reference)) == []
    assert state.error == medialog.NOT_YOURS
    assert state._affaire_id is None and not state.loaded


def test_simulation_is_refused_in_production(demo_app, monkeypatch) -> None:
    """The page is not registered in production; a forged event to its handlers changes nothing."""
    state = substate(AdminSimulationState)
    with_agent_cookie(state, agent_session("agent.ain"))
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("MEDIALOG_API_TOKEN", "medialog-production-token-0123456789")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:25")
    monkeypatch.setenv("FRANCECONNECT_ISSUER", "https://fcp-low.integ01.dev-franceconnect.fr/api/v2")
    monkeypatch.setenv("FRANCECONNECT_CLIENT_SECRET", "franceconnect-client-secret-0123456789")
    monkeypatch.delenv("MEDIALOG_AUTO_PROCESS_AFTER", raising=False)
    get_settings.cache_clear()
    before = business_fingerprint()
    try:
        run(AdminSimulationState.load, state)
        run(AdminSimulationState.simulate, state, VALID_SIMULATION)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert state.organisations == [] and state.message == ""
    assert business_fingerprint() == before
