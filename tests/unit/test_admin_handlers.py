"""Medialog+ handlers called as any websocket client could: no session, bad arguments, forged ids.

No database: the session check and the services are replaced where a test
needs a live agent, and any database access otherwise fails the test.
"""

from __future__ import annotations

import asyncio
import inspect
from contextlib import contextmanager

import pytest
import reflex as rx
from reflex.istate.data import RouterData

from rxapp import routes
from rxapp.services import medialog
from rxapp.state import admin as admin_state
from rxapp.state import auth as auth_state
from rxapp.state.admin import (
    AdminAffaireState,
    AdminQueueState,
    AdminSimulationState,
    AdminSupervisionState,
    AgentLoginState,
)
from rxapp.state.auth import AgentAuthState, AgentIdentity

AFFAIRE_ID = 7
FORGED_ID = 99
VALID_SIMULATION = {
    "nir": "2 95 07 01 053 089 53",
    "first_name": "Julie",
    "organisation": "3",
    "member_number": "",
}


def _substate(cls):
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(cls.get_full_name().split("."))


def _run(handler, state, *args):
    """Run a handler as Reflex would; the list of the events it returned or yielded."""

    async def run():
        result = handler.fn(state, *args)
        if hasattr(result, "__aiter__"):
            return [event async for event in result]
        if asyncio.iscoroutine(result):
            result = await result
        return [] if result is None else [result]

    return asyncio.run(run())


def _redirects_to(events, route: str) -> bool:
    """Whether one of the events is `rx.redirect(route)`."""
    return any(
        str(event.args[0][0]) == "path" and getattr(event.args[0][1], "_var_value", None) == route
        for event in events
        if event.args
    )


@pytest.fixture(autouse=True)
def no_database(monkeypatch):
    """Any database access fails the test."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("no database access expected")

    monkeypatch.setattr(admin_state, "session_scope", refuse)
    monkeypatch.setattr(auth_state, "session_scope", refuse)


@pytest.fixture
def calls(monkeypatch) -> list[tuple]:
    """The services replaced by recorders, behind a fake transaction that logs its commit."""
    log: list[tuple] = []

    @contextmanager
    def fake_scope():
        yield "session"
        log.append(("commit",))

    def recorder(name, result=None):
        def record(**kwargs):
            log.append((name, kwargs.get("affaire_id"), kwargs))
            return result

        return record

    monkeypatch.setattr(admin_state, "session_scope", fake_scope)
    for name in ("take_charge", "update_progres", "transfer_to_digne", "simulate_noemie_flow"):
        monkeypatch.setattr(medialog, name, recorder(name))
    monkeypatch.setattr(
        medialog,
        "close_affaire",
        lambda **kw: log.append(("close_affaire", kw["affaire_id"], kw)) or kw["affaire_id"],
    )
    monkeypatch.setattr(
        medialog,
        "affaire_detail",
        lambda **kw: log.append(("affaire_detail", kw["affaire_id"], kw)) or _detail(kw["affaire_id"]),
    )
    monkeypatch.setattr(medialog, "affaire_queue", recorder("affaire_queue", medialog.QueuePage([], 0, 1, 1)))
    monkeypatch.setattr(
        admin_state.task_queue, "queue_closure", lambda affaire_id: log.append(("queued", affaire_id))
    )
    return log


@pytest.fixture
def live_agent(monkeypatch) -> None:
    """A live agent session, without a database."""
    monkeypatch.setattr(
        auth_state,
        "_agent_identity_for",
        lambda session_id: AgentIdentity(1, "Agnès Morel", "CPAM de l'Ain") if session_id == "live" else None,
    )


def _detail(affaire_id: int) -> medialog.AffaireDetail:
    contract = medialog.ContractSummary("LES MUTUELLES DE L'AIN 2", "4789563P", "01/07/2018")
    return medialog.AffaireDetail(
        affaire_id=affaire_id,
        reference="AFF-2026-ABCDEFGH",
        insured="RENALDO ZOVI",
        nir="1 74 11 71 270 102",
        cpam="CPAM de l'Ain",
        status="Nouvelle",
        owner="",
        is_complex=False,
        created="01/03/2026 à 10:00",
        due="08/03/2026",
        progres_updated=False,
        closed=False,
        lines=[medialog.DetailLine("RENALDO ZOVI", "22/11/1974", contract, contract)],
        history=[],
    )


def _opened_affaire(session_id: str = "live") -> AdminAffaireState:
    state = _substate(AdminAffaireState)
    state.agent_session_id = session_id
    state._affaire_id = AFFAIRE_ID
    state.reference = "AFF-2026-ABCDEFGH"
    state.loaded = True
    return state


# --- no session: redirected, nothing read or written -----------------------------------------------

HANDLERS = [
    (AdminQueueState, AdminQueueState.load, ()),
    (AdminQueueState, AdminQueueState.filter_status, ("nouvelle",)),
    (AdminQueueState, AdminQueueState.filter_complex, (True,)),
    (AdminQueueState, AdminQueueState.filter_overdue, (True,)),
    (AdminQueueState, AdminQueueState.previous_page, ()),
    (AdminQueueState, AdminQueueState.next_page, ()),
    (AdminAffaireState, AdminAffaireState.load, ()),
    (AdminAffaireState, AdminAffaireState.take_charge, ()),
    (AdminAffaireState, AdminAffaireState.update_progres, ()),
    (AdminAffaireState, AdminAffaireState.close_affaire, ()),
    (AdminAffaireState, AdminAffaireState.transfer_to_digne, ({"reason": "Adhérent inconnu"},)),
    (AdminAffaireState, AdminAffaireState.transfer_to_digne, ({"reason": ""},)),
    (AdminSupervisionState, AdminSupervisionState.load, ()),
    (AdminSimulationState, AdminSimulationState.load, ()),
    (AdminSimulationState, AdminSimulationState.simulate, (VALID_SIMULATION,)),
    (AdminSimulationState, AdminSimulationState.simulate, (None,)),
]


@pytest.mark.parametrize("session_id", ["", "forged-or-expired"])
@pytest.mark.parametrize(
    ("cls", "handler", "args"), HANDLERS, ids=lambda value: getattr(value, "__name__", None)
)
def test_without_a_session_every_handler_redirects_and_changes_nothing(
    cls, handler, args, session_id, calls, live_agent
) -> None:
    state = _substate(cls)
    state.agent_session_id = session_id
    if cls is AdminAffaireState:
        state._affaire_id = AFFAIRE_ID  # left over from a previous agent of this tab
    if cls is AdminQueueState:
        state.status_filter = "en_cours"
    events = _run(handler, state, *args)
    assert _redirects_to(events, routes.ADMIN_LOGIN)
    assert calls == []  # no service called, nothing committed
    assert state.agent_name == ""
    if cls is AdminQueueState:
        assert state.status_filter == "en_cours"
        assert state.rows == []
    if cls is AdminAffaireState:
        assert state._affaire_id is None
        assert state.lines == []


def test_logout_revokes_forgets_every_back_office_state_and_the_cookie(monkeypatch) -> None:
    revoked: list[str] = []
    monkeypatch.setattr(auth_state, "_end", revoked.append)
    root = rx.State(_reflex_internal_init=True)
    base = root.get_substate(AgentAuthState.get_full_name().split("."))
    affaire = root.get_substate(AdminAffaireState.get_full_name().split("."))
    base.agent_session_id, base.agent_name = "live", "Agnès Morel"
    affaire._affaire_id, affaire.reference, affaire.insured = AFFAIRE_ID, "AFF-2026-ABCDEFGH", "RENALDO ZOVI"
    events = _run(AgentAuthState.logout_agent, base)
    assert revoked == ["live"]
    assert _redirects_to(events, routes.ADMIN_LOGIN)
    assert base.agent_session_id == "" and base.agent_name == ""
    assert affaire._affaire_id is None and affaire.reference == "" and affaire.insured == ""


# --- wrong-typed arguments are ignored -------------------------------------------------------------


@pytest.mark.parametrize(
    "form_data", [None, [], "agent.ain", {"login": 1, "password": 2}, {"login": "agent.ain"}]
)
def test_agent_login_refuses_malformed_form_data_without_a_lookup(form_data) -> None:
    state = _substate(AgentLoginState)
    assert _run(AgentLoginState.submit, state, form_data) == []
    assert state.error == "Identifiant ou mot de passe incorrect."
    assert state.agent_session_id == ""


@pytest.mark.parametrize(
    ("handler", "argument"),
    [
        (AdminQueueState.filter_status, 5),
        (AdminQueueState.filter_status, "pirate"),
        (AdminQueueState.filter_status, ["nouvelle"]),
        (AdminQueueState.filter_complex, "true"),
        (AdminQueueState.filter_complex, 1),
        (AdminQueueState.filter_overdue, None),
        (AdminQueueState.filter_overdue, {"checked": True}),
    ],
)
def test_queue_filters_ignore_wrong_values(handler, argument, calls, live_agent) -> None:
    state = _substate(AdminQueueState)
    state.agent_session_id = "live"
    assert _run(handler, state, argument) == []
    assert (state.status_filter, state.complex_only, state.overdue_only) == ("", False, False)
    assert calls == []


def test_queue_filter_reloads_the_first_page_for_a_live_agent(calls, live_agent) -> None:
    state = _substate(AdminQueueState)
    state.agent_session_id, state.page_number = "live", 3
    assert _run(AdminQueueState.filter_status, state, "nouvelle") == []
    (name, _, kwargs), _commit = calls
    assert name == "affaire_queue"
    assert kwargs["agent_id"] == 1 and kwargs["status"] == "nouvelle" and kwargs["page"] == 1
    assert state.loaded and state.summary == "Aucune affaire."


@pytest.mark.parametrize(
    "form_data",
    [None, "Adhérent inconnu", {"reason": 5}, {"reason": ["x"]}, {"reason": "   "}, {"reason": "x" * 301}],
)
def test_transfer_refuses_a_malformed_reason(form_data, calls, live_agent) -> None:
    state = _opened_affaire()
    assert _run(AdminAffaireState.transfer_to_digne, state, form_data) == []
    assert state.error == medialog.REASON_NEEDED
    assert calls == []


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
def test_simulation_refuses_malformed_form_data(form_data, calls, live_agent) -> None:
    state = _substate(AdminSimulationState)
    state.agent_session_id = "live"
    assert _run(AdminSimulationState.simulate, state, form_data) == []
    assert state.error and state.message == ""
    assert calls == []


def test_simulation_calls_the_service_with_the_agent_of_the_session(calls, live_agent) -> None:
    state = _substate(AdminSimulationState)
    state.agent_session_id = "live"
    _run(AdminSimulationState.simulate, state, {**VALID_SIMULATION, "agent_id": 3})
    (name, _, kwargs), _commit = calls
    assert name == "simulate_noemie_flow"
    assert kwargs["agent_id"] == 1 and kwargs["organisation_id"] == 3
    assert state.message == admin_state.SIMULATED


# --- the affaire acted on is the one the state loaded ----------------------------------------------


@pytest.mark.parametrize(
    "handler",
    [AdminAffaireState.take_charge, AdminAffaireState.update_progres, AdminAffaireState.close_affaire],
)
def test_action_handlers_take_no_affaire_id(handler) -> None:
    assert list(inspect.signature(handler.fn).parameters) == ["self"]
    state = _opened_affaire()
    with pytest.raises(TypeError):
        _run(handler, state, FORGED_ID)


@pytest.mark.parametrize(
    ("handler", "args", "service"),
    [
        (AdminAffaireState.take_charge, (), "take_charge"),
        (AdminAffaireState.update_progres, (), "update_progres"),
        (AdminAffaireState.close_affaire, (), "close_affaire"),
        (
            AdminAffaireState.transfer_to_digne,
            ({"reason": "Adhérent inconnu", "affaire_id": FORGED_ID, "id": FORGED_ID},),
            "transfer_to_digne",
        ),
    ],
)
def test_actions_use_the_loaded_affaire_and_the_session_agent(
    handler, args, service, calls, live_agent
) -> None:
    state = _opened_affaire()
    assert _run(handler, state, *args) == []
    assert state.error == ""
    acted = [call for call in calls if call[0] == service]
    assert [call[1] for call in acted] == [AFFAIRE_ID]
    assert acted[0][2]["agent_id"] == 1
    # The detail read again afterwards is the same affaire.
    assert [call[1] for call in calls if call[0] == "affaire_detail"] == [AFFAIRE_ID]


def test_closure_is_queued_after_the_commit(calls, live_agent) -> None:
    state = _opened_affaire()
    _run(AdminAffaireState.close_affaire, state)
    names = [call[0] for call in calls]
    assert names[:3] == ["close_affaire", "commit", "queued"]
    assert ("queued", AFFAIRE_ID) in calls


def test_a_refused_action_shows_the_services_message_and_queues_nothing(
    calls, live_agent, monkeypatch
) -> None:
    def refuse(**_kwargs):
        raise medialog.AffaireRefused(medialog.UPDATE_FIRST)

    monkeypatch.setattr(medialog, "close_affaire", refuse)
    state = _opened_affaire()
    _run(AdminAffaireState.close_affaire, state)
    assert state.error == medialog.UPDATE_FIRST
    assert not any(call[0] == "queued" for call in calls)


def test_actions_without_a_loaded_affaire_do_nothing(calls, live_agent) -> None:
    state = _substate(AdminAffaireState)
    state.agent_session_id = "live"
    for handler in (AdminAffaireState.take_charge, AdminAffaireState.close_affaire):
        assert _run(handler, state) == []
        assert state.error == admin_state.NO_AFFAIRE
    assert calls == []


def test_the_affaire_id_never_reaches_the_browser() -> None:
    state = _opened_affaire()
    sent = state.dict()[state.get_full_name()]
    assert not any("affaire_id" in key for key in sent)
    assert "_affaire_id" not in AdminAffaireState._frontend_var_names


@pytest.mark.parametrize("reference", ["", "1", "AFF-2026-abcdefgh", "AFF-2026-ABCDEFGH' OR 1=1", "x" * 500])
def test_a_malformed_reference_is_refused_without_a_lookup(reference, live_agent) -> None:
    state = _substate(AdminAffaireState)
    state.agent_session_id = "live"
    state._affaire_id = AFFAIRE_ID
    state.router = RouterData.from_router_data(
        {"asPath": f"{routes.admin_affaire_url(reference)}", "headers": {"origin": "http://localhost"}}
    )
    assert _run(AdminAffaireState.load, state) == []
    assert state.error == medialog.NOT_YOURS
    assert state._affaire_id is None and not state.loaded
