"""Access control tested from outside the UI: Reflex's websocket spoken directly, as an attacker would.

Each attack must be refused, leave a security event in the app's SECURITY_LOG and change
nothing in the business tables (compared by a fingerprint of their rows).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from rxapp.api.session import AGENT_SESSION_COOKIE, SESSION_COOKIE
from rxapp.db import make_engine
from rxapp.models import (
    Account,
    Beneficiary,
    ComplementaryContract,
    InsuredPerson,
    Message,
    Notification,
    OverlapRequest,
    Payment,
    WebSession,
    utcnow,
)
from rxapp.services import teleservice
from rxapp.services.audit import read_security_log
from rxapp.services.demo import AGENT_PASSWORD, DEMO_CODE
from rxapp.services.security import session_id_hash
from rxapp.state.admin import (
    NO_AFFAIRE,
    AdminAffaireState,
    AdminQueueState,
    AdminSimulationState,
    AdminSupervisionState,
    AgentLoginState,
)
from rxapp.state.auth import AuthState
from rxapp.state.dashboard import DashboardState
from rxapp.state.delays import DelaysState
from rxapp.state.errors import UNEXPECTED_ERROR
from rxapp.state.inbox import MessagesState, NotificationsState
from rxapp.state.information import InformationState
from rxapp.state.login import LoginState
from rxapp.state.payments import PaymentsState
from rxapp.state.selection import SelectionState
from tests.support.affaires import submitted_affaire
from tests.support.databases import scratch_database
from tests.support.fingerprint import fingerprint, fingerprint_table
from tests.support.processes import RunningApp
from tests.support.reflex_socket import ReflexTab, event_name, state_path
from tests.support.served import served_app

RENALDO, LUCIE = "1741171270102 58", "2851201053118 12"
SETTLE = 1.0
INSURED_COOKIE, AGENT_COOKIE = SESSION_COOKIE, AGENT_SESSION_COOKIE
run = asyncio.run
T = TypeVar("T")


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with scratch_database("wsattack") as url:
        yield url


@pytest.fixture(scope="module")
def app(database_url: str, security_log: Path) -> Iterator[RunningApp]:
    with served_app("wsattack", database_url, SECURITY_LOG=str(security_log)) as running:
        yield running


@pytest.fixture(scope="module")
def engine(app: RunningApp, database_url: str):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def attack_changes_nothing(engine, security_log: Path, attack: Callable[[], Awaitable[T]]) -> tuple[T, int]:
    """Run `attack`; the business tables must be as they were.

    Returns:
        What the attack returned, and the security log's mark before it (for `events_since`).
    """
    before = fingerprint(engine)
    mark = log_mark(security_log)
    result = run(attack())
    assert fingerprint(engine) == before
    return result, mark


def events_since(path: Path, mark: int, *, wanted: int = 1, timeout: float = 5) -> list[dict]:
    """The security events written after `mark` (the log is written by the app's process)."""
    deadline = time.monotonic() + timeout
    while True:
        events = read_security_log(path)[mark:]
        if len(events) >= wanted or time.monotonic() > deadline:
            return events
        time.sleep(0.1)


def log_mark(path: Path) -> int:
    return len(read_security_log(path))


async def logged_in_insured(app: RunningApp, nir: str) -> ReflexTab:
    """Log in as the browser does: the form's event, then the ticket's URL loaded as a whole page."""
    tab = ReflexTab(app.url)
    await tab.connect("/", settle=SETTLE)
    await tab.send(
        event_name(LoginState, "submit"), {"form_data": {"nir": nir, "code": DEMO_CODE}}, settle=SETTLE
    )
    await tab.follow_page_load(settle=SETTLE)
    assert tab.path == "/tableau-de-bord" and INSURED_COOKIE in tab.cookies, tab.received[-3:]
    return tab


async def logged_in_agent(app: RunningApp, login: str) -> ReflexTab:
    tab = ReflexTab(app.url)
    await tab.connect("/admin", settle=SETTLE)
    await tab.send(
        event_name(AgentLoginState, "submit"),
        {"form_data": {"login": login, "password": AGENT_PASSWORD}},
        settle=SETTLE,
    )
    await tab.follow_page_load(settle=SETTLE)
    assert tab.path == "/admin/affaires" and AGENT_COOKIE in tab.cookies, "agent login failed"
    return tab


def _ids(engine, nir: str) -> dict[str, list[int]]:
    """Ids belonging to one insured: their beneficiaries, contracts, notifications, messages, payments."""
    body = nir.replace(" ", "")[:13]
    with Session(engine) as session:
        person = session.exec(select(InsuredPerson).where(InsuredPerson.nir == body)).one()
        account = session.exec(select(Account).where(Account.insured_id == person.id)).one()
        beneficiaries = session.exec(select(Beneficiary.id).where(Beneficiary.insured_id == person.id)).all()
        return {
            "account": [account.id],
            "beneficiaries": list(beneficiaries),
            "contracts": list(
                session.exec(
                    select(ComplementaryContract.id).where(
                        ComplementaryContract.beneficiary_id.in_(beneficiaries)  # type: ignore[union-attr]
                    )
                ).all()
            ),
            "notifications": list(
                session.exec(select(Notification.id).where(Notification.account_id == account.id)).all()
            ),
            "messages": list(session.exec(select(Message.id).where(Message.account_id == account.id)).all()),
            "payments": list(session.exec(select(Payment.id).where(Payment.account_id == account.id)).all()),
        }


ADMIN_ATTACKS = [
    (AdminQueueState, "load", {}, "/admin/affaires"),
    (AdminQueueState, "filter_status", {"value": "nouvelle"}, "/admin/affaires"),
    (AdminQueueState, "next_page", {}, "/admin/affaires"),
    (AdminAffaireState, "load", {}, "/admin/affaire?ref=MDL-00000000"),
    (AdminAffaireState, "take_charge", {}, "/admin/affaire"),
    (AdminAffaireState, "update_progres", {}, "/admin/affaire"),
    (AdminAffaireState, "close_affaire", {}, "/admin/affaire"),
    (AdminAffaireState, "transfer_to_digne", {"form_data": {"reason": "test"}}, "/admin/affaire"),
    (AdminSupervisionState, "load", {}, "/admin/supervision"),
    (AdminSimulationState, "load", {}, "/admin/simulation"),
    (
        AdminSimulationState,
        "simulate",
        {
            "form_data": {
                "nir": "1741171270102",
                "first_name": "X",
                "organisation_id": "1",
                "member_number": "1",
            }
        },
        "/admin/simulation",
    ),
]


def test_admin_handlers_refuse_no_session_an_insured_session_and_its_id_in_the_agent_cookie(
    app: RunningApp, engine, security_log: Path
) -> None:
    async def attack() -> list[ReflexTab]:
        anonymous = ReflexTab(app.url)
        await anonymous.connect("/admin/affaires", settle=SETTLE)
        insured = await logged_in_insured(app, RENALDO)
        insured_session = insured.cookies[INSURED_COOKIE]
        # The insured's own session id, presented as an agent's.
        smuggled = ReflexTab(app.url, cookies={AGENT_COOKIE: insured_session})
        await smuggled.connect("/admin/affaires", settle=SETTLE)
        for tab in (anonymous, insured, smuggled):
            for state_cls, handler, payload, path in ADMIN_ATTACKS:
                tab.path = path
                await tab.send(event_name(state_cls, handler), payload, settle=0.2)
            await tab.wait_idle(settle=SETTLE)
            await tab.close()
        return [anonymous, insured, smuggled]

    tabs, mark = attack_changes_nothing(engine, security_log, attack)
    for tab in tabs:
        # Nothing from the back office reached any of them: no queue row, no affaire.
        assert not tab.var(AdminQueueState, "rows"), tab.state
        assert not tab.var(AdminAffaireState, "reference")
        assert "/admin" in tab.redirects
        assert not tab.errors
    events = events_since(security_log, mark, wanted=3 * len(ADMIN_ATTACKS))
    refused = [e for e in events if e["event"] == "access_refused" and e.get("kind") == "agent"]
    assert len(refused) >= 3 * len(ADMIN_ATTACKS), events
    assert {e["reason"] for e in refused} == {"no_session", "invalid_session"}
    assert any(e["event"] == "session_refused" and e["reason"] == "other_kind" for e in events)
    assert {e["action"] for e in refused} >= {"AdminAffaireState.close_affaire", "AdminQueueState.load"}


async def _open_selection(tab: ReflexTab) -> list[dict]:
    """Step 1's page and its beneficiaries, once its on_load has sent them.

    A quiet second after the first update is not enough on a loaded machine: the list can come later.
    """
    await tab.navigate("/complementaire/selection", settle=SETTLE)
    await tab.wait_for(
        lambda update: bool(
            (update.get("delta") or {}).get(state_path(SelectionState), {}).get("beneficiaries_rx_state_")
        )
    )
    beneficiaries = tab.var(SelectionState, "beneficiaries")
    assert beneficiaries, "the selection page did not load"
    return beneficiaries


async def _to_recap(tab: ReflexTab) -> None:
    """Step 1 done as the page does it: one option chosen for each beneficiary shown."""
    for beneficiary in await _open_selection(tab):
        await tab.send(
            event_name(SelectionState, "choose"),
            {"beneficiary_id": beneficiary["id"], "contract_id": beneficiary["options"][0]["id"]},
            settle=0.2,
        )
    await tab.send(event_name(SelectionState, "next_step"), settle=SETTLE)
    assert tab.path == "/complementaire/recapitulatif", tab.received[-3:]


@pytest.mark.server_errors_expected("the forged setvar fails in the handler: the app logs its traceback")
def test_a_choice_naming_another_insureds_contract_is_refused_and_nothing_is_recorded(
    app: RunningApp, engine, security_log: Path
) -> None:
    lucie = _ids(engine, LUCIE)

    async def attack() -> ReflexTab:
        tab = await logged_in_insured(app, RENALDO)
        own = await _open_selection(tab)
        # Lucie's contract for Renaldo's beneficiary, and for Lucie's own beneficiary.
        # Refused, these change nothing and get no answer (`send` would wait out its timeout): the
        # answer to `confirm` below, handled after them in order, shows they were handled.
        for beneficiary_id in (own[0]["id"], str(lucie["beneficiaries"][0])):
            await tab.post(
                event_name(SelectionState, "choose"),
                {"beneficiary_id": beneficiary_id, "contract_id": str(lucie["contracts"][0])},
            )
        # Nor can the list of options be rewritten from the browser.
        forged = [dict(b, options=[{"id": str(lucie["contracts"][0]), "label": "x"}]) for b in own]
        await tab.send(
            event_name(SelectionState, "setvar"), {"var_name": "beneficiaries", "value": forged}, settle=0.2
        )
        await tab.send(event_name(SelectionState, "confirm"), settle=SETTLE)
        await tab.close()
        return tab

    tab, mark = attack_changes_nothing(engine, security_log, attack)
    assert all(not b["chosen"] for b in tab.var(SelectionState, "beneficiaries"))
    assert not tab.var(SelectionState, "reference")
    assert "Sélectionnez un organisme" in tab.var(SelectionState, "refusal")
    events = events_since(security_log, mark, wanted=2)
    assert [e["reason"] for e in events if e.get("action") == "SelectionState.choose"] == [
        "contract_outside_overlap",
        "contract_outside_overlap",
    ], events


def test_confirming_with_another_accounts_session_is_refused_and_nothing_is_recorded(
    app: RunningApp, engine, security_log: Path
) -> None:
    async def attack() -> ReflexTab:
        lucie = await logged_in_insured(app, LUCIE)
        lucie_session = lucie.cookies[INSURED_COOKIE]
        await lucie.close()
        tab = await logged_in_insured(app, RENALDO)
        await _to_recap(tab)
        # Renaldo's choices, confirmed from a socket that presents Lucie's session (same tab token).
        tab.cookies[INSURED_COOKIE] = lucie_session
        await tab.close()
        tab._sio = tab._new_socket()
        await tab.connect("/demarches", settle=SETTLE)  # a page without on_load: the choices stay
        tab.path = "/complementaire/recapitulatif"
        await tab.send(event_name(SelectionState, "confirm"), settle=SETTLE)
        await tab.close()
        return tab

    tab, mark = attack_changes_nothing(engine, security_log, attack)
    assert not tab.var(SelectionState, "reference")
    assert tab.var(SelectionState, "refusal") == teleservice.NOT_YOUR_SITUATION
    events = events_since(security_log, mark)
    assert any(e.get("action") == "submit_request" and e["foreign_beneficiaries"] for e in events), events


def test_another_insureds_items_and_statements_cannot_be_read_by_changing_an_id(
    app: RunningApp, engine, security_log: Path
) -> None:
    with Session(engine) as session:
        for account_id in (_ids(engine, LUCIE)["account"][0], _ids(engine, RENALDO)["account"][0]):
            session.add(
                Notification(account_id=account_id, title="Votre demande a été traitée", body="Texte.")
            )
        session.commit()
    lucie = _ids(engine, LUCIE)
    refusals = len(lucie["notifications"]) + len(lucie["messages"])  # one per foreign item opened

    async def attack() -> tuple[ReflexTab, str]:
        tab = await logged_in_insured(app, RENALDO)
        for path, state_cls, ids in (
            ("/notifications", NotificationsState, lucie["notifications"]),
            ("/messages", MessagesState, lucie["messages"]),
        ):
            await tab.navigate(path, settle=SETTLE)
            assert tab.var(state_cls, "loaded"), f"{path} did not load"
            for item_id in ids:  # refused: no answer, but a line in the security log
                await tab.post(event_name(state_cls, "open_item"), {"item_id": item_id})
        await asyncio.to_thread(events_since, security_log, mark, wanted=refusals, timeout=15)
        await tab.close()
        return tab, tab.cookies[INSURED_COOKIE]

    before = fingerprint(engine)
    mark = log_mark(security_log)
    tab, renaldo_session = run(attack())
    assert lucie["notifications"] and lucie["messages"] and lucie["payments"]
    for state_cls, foreign in (
        (NotificationsState, lucie["notifications"]),
        (MessagesState, lucie["messages"]),
    ):
        assert not any(item["item_id"] in foreign for item in tab.var(state_cls, "items"))
    # The PDF: 404 for another's payment with a live session, 401 with a forged one.
    other = httpx.get(
        f"{app.url}/api/releves/{lucie['payments'][0]}.pdf", cookies={"ameli_session": renaldo_session}
    )
    forged = httpx.get(
        f"{app.url}/api/releves/{lucie['payments'][0]}.pdf", cookies={"ameli_session": "x" * 43}
    )
    assert (other.status_code, forged.status_code) == (404, 401)
    assert "%PDF" not in other.text + forged.text
    assert fingerprint(engine) == before
    events = events_since(security_log, mark, wanted=refusals + 2)
    reasons = [e.get("reason") for e in events if e["event"] == "access_refused"]
    assert reasons.count("item_not_listed") == refusals, events
    assert {"not_the_accounts", "invalid_session"} <= set(reasons)


def test_an_agent_cannot_open_or_act_on_another_cpams_affaire(
    app: RunningApp, engine, security_log: Path
) -> None:
    with Session(engine) as session:
        affaire = submitted_affaire(session, LUCIE[:13])
        reference = affaire.reference
    assert affaire.is_complex  # Lucie's case goes to Digne, not to the Ain

    async def attack() -> ReflexTab:
        tab = await logged_in_agent(app, "agent.ain")
        await tab.navigate(f"/admin/affaire?ref={reference}", settle=SETTLE)
        for handler, payload in (
            ("take_charge", {}),
            ("update_progres", {}),
            ("close_affaire", {}),
            ("transfer_to_digne", {"form_data": {"reason": "essai"}}),
        ):
            await tab.send(event_name(AdminAffaireState, handler), payload, settle=0.2)
        await tab.wait_idle(settle=SETTLE)
        await tab.close()
        return tab

    tab, mark = attack_changes_nothing(engine, security_log, attack)
    assert tab.var(AdminAffaireState, "error") == NO_AFFAIRE
    assert not tab.var(AdminAffaireState, "reference")
    # Nothing of the affaire reached the agent: neither the insured's name nor the CPAM's data.
    assert "MICHEL" not in json.dumps([r.update for r in tab.received])
    events = events_since(security_log, mark)
    assert any(e["event"] == "access_refused" and e.get("agent") == "agent.ain" for e in events), events


def test_forged_and_expired_session_ids_are_refused(app: RunningApp, engine, security_log: Path) -> None:
    async def visit(cookie: str) -> ReflexTab:
        tab = ReflexTab(app.url, cookies={INSURED_COOKIE: cookie})
        await tab.connect("/tableau-de-bord", settle=SETTLE)
        await tab.close()
        return tab

    async def log_in() -> str:
        tab = await logged_in_insured(app, RENALDO)
        await tab.close()
        return tab.cookies[INSURED_COOKIE]

    idle, old = run(log_in()), run(log_in())
    with Session(engine) as session:
        for session_id, column, age in (
            (idle, "last_seen_at", timedelta(minutes=31)),
            (old, "created_at", timedelta(hours=9)),
        ):
            web_session = session.exec(
                select(WebSession).where(WebSession.token_hash == session_id_hash(session_id))
            ).one()
            setattr(web_session, column, utcnow() - age)
            session.add(web_session)
        session.commit()
    mark = log_mark(security_log)
    tabs = [run(visit(cookie)) for cookie in ("forged-" + "A" * 36, idle, old)]
    for tab in tabs:
        assert tab.redirects == ["/"], tab.received
        assert not tab.var(DashboardState, "display_name")
    events = events_since(security_log, mark, wanted=6)
    assert {e["reason"] for e in events if e["event"] == "session_refused"} >= {
        "unknown",
        "idle_expired",
        "absolute_expired",
    }, events


def test_the_medialog_api_refuses_calls_without_the_service_token(
    app: RunningApp, engine, security_log: Path
) -> None:
    before = fingerprint(engine)
    mark = log_mark(security_log)
    with Session(engine) as session:
        request_id = session.exec(select(OverlapRequest.id)).first()
    for headers in ({}, {"Authorization": "Bearer faux"}, {"Authorization": "Basic eDp5"}):
        response = httpx.post(
            f"{app.url}/api/medialog/affaires", json={"request_id": request_id or 1}, headers=headers
        )
        assert response.status_code == 401
        assert response.json() == {"erreur": "Jeton de service manquant ou invalide."}
    assert fingerprint(engine) == before
    events = events_since(security_log, mark, wanted=3)
    assert [e.get("reason") for e in events] == ["bad_service_token"] * 3


def test_the_frames_of_a_whole_journey_carry_no_one_elses_data_and_no_session_id(
    app: RunningApp, engine
) -> None:
    """Walk Renaldo's journey, login to logout, and read every frame the server sent to his tab."""
    from rxapp.services.demo import PERSONAS
    from rxapp.settings import get_settings

    async def walk() -> tuple[ReflexTab, str, str]:
        other = await logged_in_insured(app, LUCIE)  # a live session that must never show up
        await other.close()
        tab = await logged_in_insured(app, RENALDO)
        own_session = tab.cookies[INSURED_COOKIE]
        await tab.send(event_name(DashboardState, "later"), settle=0.2)
        await _to_recap(tab)
        await tab.send(event_name(SelectionState, "confirm"), settle=SETTLE)
        assert tab.path == "/complementaire/confirmation", tab.received[-3:]
        for path in (
            "/vos-informations",
            "/frais-de-sante",
            "/notifications",
            "/messages",
            "/tableau-de-bord",
        ):
            await tab.navigate(path, settle=SETTLE)
        await tab.send(event_name(AuthState, "logout"), settle=SETTLE)
        await tab.follow_page_load(settle=SETTLE)
        await tab.close()
        return tab, own_session, other.cookies[INSURED_COOKIE]

    tab, own_session, other_session = run(walk())
    assert tab.path == "/" and INSURED_COOKIE not in tab.cookies  # logged out: the cookie expired
    sent = "\n".join(tab.frames)
    # The walk really carried Renaldo's data (otherwise the checks below prove nothing).
    assert "ZOVI" in sent and tab.var(SelectionState, "reference") in sent
    assert tab.var(DashboardState, "payments") and tab.var(InformationState, "full_name")
    others = [p for p in PERSONAS if not p.email.startswith("renaldo")]
    forbidden = {
        "another person's NIR": [p.nir.replace(" ", "")[:13] for p in others],
        "another person's name": [p.insured.last_name for p in others],
        "another person's email": [p.email for p in others],
        "an agent's name": ["Agnès Morel", "agent.ain", "agent.digne", "agent.paris"],
        "a code or password": [DEMO_CODE, AGENT_PASSWORD],
        "a hash": ["$argon2", session_id_hash(own_session), session_id_hash(other_session)],
        "a session id": [own_session, other_session],
        "a server secret": [get_settings().medialog_api_token, get_settings().secret_key],
    }
    for what, values in forbidden.items():
        for value in values:
            assert value not in sent, f"{what} sent to Renaldo's browser: {value!r}"
    # The ticket did travel (it is how the browser gets the cookie), and it is spent.
    assert tab.page_loads[0].startswith("/api/session/ouvrir?ticket=")
    replay = httpx.get(f"{app.url}{tab.page_loads[0]}", follow_redirects=False)
    assert (replay.status_code, replay.headers["location"]) == (303, "/")
    assert "set-cookie" not in replay.headers


def test_a_websocket_opened_from_a_foreign_origin_is_refused(app: RunningApp) -> None:
    async def attempt(origin: str) -> ReflexTab:
        tab = ReflexTab(app.url, origin=origin)
        try:
            await tab.connect("/", settle=0.2, timeout=5)
        except Exception as error:  # socketio.exceptions.ConnectionError
            tab.errors.append(f"refused: {error}")
        await tab.close()
        return tab

    own = run(attempt(app.url))
    assert own.received and not own.errors, own.errors  # the app's own pages connect
    for origin in ("https://evil.example", "http://127.0.0.1:1", "null"):
        foreign = run(attempt(origin))
        assert not foreign.received and foreign.errors, origin


# -- Every handler's arguments, fuzzed over the socket ---------------------------------------------

FUZZED_STATES = (
    LoginState,
    DashboardState,
    SelectionState,
    InformationState,
    DelaysState,
    PaymentsState,
    NotificationsState,
    MessagesState,
    AgentLoginState,
    AdminQueueState,
    AdminAffaireState,
    AdminSupervisionState,
    AdminSimulationState,
)
# Logging out only ends the fuzzing tab's own session.
NOT_FUZZED = {"logout", "logout_agent"}
FOREIGN_WRITE_TABLES = (
    "overlap_request",
    "overlap_request_line",
    "affaire",
    "affaire_event",
    "affaire_outbox",
    "payment",
    "complementary_contract",
)


def _handlers() -> list[tuple[str, list[str]]]:
    handlers = []
    for state_cls in FUZZED_STATES:
        for name, handler in state_cls.event_handlers.items():
            if name in NOT_FUZZED:
                continue
            parameters = [p for p in inspect.signature(handler.fn).parameters if p != "self"]
            handlers.append((event_name(state_cls, name), parameters))
    return handlers


HANDLERS = _handlers()
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def forged_events(draw) -> dict:
    name, parameters = draw(st.sampled_from(HANDLERS))
    keys = draw(st.lists(st.sampled_from([*parameters, "var_name", "value", "x"]), unique=True, max_size=4))
    payload = {key: draw(json_values) for key in (keys if draw(st.booleans()) else parameters)}
    if name.endswith(".setvar"):
        payload["var_name"] = draw(
            st.sampled_from(["beneficiaries", "reference", "session_id", "_affaire_id", "x"])
        )
    return {"name": name, "payload": payload}


junk_packets = st.one_of(
    json_values,
    st.fixed_dictionaries({"name": st.text(max_size=80), "payload": json_values}),
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(
                [
                    f"{state_path(AuthState)}._current_account_id",
                    f"{state_path(SelectionState)}._choices",
                    f"{state_path(SelectionState)}.__init__",
                    f"{state_path(AdminAffaireState)}._act",
                    "reflex___state____state.nope.handler",
                ]
            ),
            "payload": st.dictionaries(st.text(max_size=8), json_values, max_size=3),
        }
    ),
)


@pytest.mark.server_errors_expected("forged arguments make handlers fail: the app logs each traceback")
@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    events=st.lists(forged_events(), min_size=15, max_size=30),
    junk=st.lists(junk_packets, min_size=3, max_size=8),
)
def test_every_handler_answers_any_arguments_without_a_traceback_or_a_foreign_write(
    app: RunningApp, engine, events: list[dict], junk: list
) -> None:
    async def fuzz() -> list[ReflexTab]:
        insured = await logged_in_insured(app, RENALDO)
        anonymous = ReflexTab(app.url)
        await anonymous.connect("/admin/affaires", settle=0.3)
        for tab in (insured, anonymous):
            tab.follow_events = False  # only what the forged events themselves cause
            for event in events:
                # Not `send`: a forged event that changes nothing gets no answer, and waiting
                # for one cost its whole timeout. The tab's events are handled in order.
                await tab.post(event["name"], event["payload"])
            for packet in junk:
                await tab.emit_raw(packet)
            await tab.wait_idle(settle=0.8)
            assert tab.connected, "the server dropped the socket"
            await tab.close()
        return [insured, anonymous]

    with engine.connect() as connection:
        before = {t: fingerprint_table(connection, t) for t in FOREIGN_WRITE_TABLES}
    tabs = run(fuzz())
    with engine.connect() as connection:
        assert {t: fingerprint_table(connection, t) for t in FOREIGN_WRITE_TABLES} == before
    for tab in tabs:
        sent = json.dumps([item.update for item in tab.received], ensure_ascii=False)
        for leak in ("Traceback", 'File "', "Exception", "An error occurred", "Contact the website"):
            assert leak not in sent, f"{leak!r} reached the browser"
        for event in tab.frontend_events:
            script = json.dumps(event)
            if "backend_error" in script:  # the toast's id: its text is French, and only that
                assert UNEXPECTED_ERROR.split(".")[0] in script, script
