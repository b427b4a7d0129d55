"""The retention purge and the removal of the demo accounts, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from rxapp.models import (
    Account,
    Affaire,
    AffaireEvent,
    Agent,
    ComplementaryOrganisation,
    Cpam,
    InsuredPerson,
    LoginFailure,
    SessionKind,
    WebSession,
)
from rxapp.services import medialog, teleservice
from rxapp.services.agents import add_agent
from rxapp.services.auth import (
    LOGIN_FAILURE_RETENTION,
    SESSION_RETENTION,
    login_agent,
    login_insured,
    purge_expired,
)
from rxapp.services.demo import AGENT_PASSWORD, DEMO_CODE, seed_demo_data
from rxapp.services.demo_accounts import demo_credentials_in_use, purge_demo_data
from tests.support.population import choices_for, create_population

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
RENALDO = "1 74 11 71 270 102 58"
REAL_PASSWORD = "Tq7-vlB2#pWz9e"


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_purge_removes_only_the_sessions_and_failures_past_their_retention(db_session: Session) -> None:
    seed_demo_data(session=db_session)
    old = NOW - SESSION_RETENTION - timedelta(minutes=1)
    recent = NOW - SESSION_RETENTION + timedelta(minutes=1)
    login_insured(session=db_session, nir=RENALDO, code=DEMO_CODE, now=old)
    login_agent(session=db_session, login="agent.ain", password=AGENT_PASSWORD, now=old)
    kept = login_agent(session=db_session, login="agent.ain", password=AGENT_PASSWORD, now=recent)
    db_session.add(LoginFailure(subject="agent:x", client_ip="10.0.0.1", at=NOW - LOGIN_FAILURE_RETENTION - timedelta(seconds=1)))  # fmt: skip
    db_session.add(LoginFailure(subject="agent:x", client_ip="10.0.0.1", at=NOW - LOGIN_FAILURE_RETENTION + timedelta(seconds=1)))  # fmt: skip
    db_session.flush()

    report = purge_expired(session=db_session, now=NOW)

    assert (report.sessions, report.login_failures) == (2, 1)
    remaining = db_session.exec(select(WebSession)).all()
    assert [(row.kind, row.agent_id) for row in remaining] == [(SessionKind.AGENT, kept.agent_id)]
    assert _count(db_session, LoginFailure) == 1
    assert purge_expired(session=db_session, now=NOW) == type(report)(sessions=0, login_failures=0)


def test_purge_demo_removes_the_personas_and_agents_and_keeps_the_rest(db_session: Session) -> None:
    seed_demo_data(session=db_session)
    real = add_agent(
        session=db_session, login="marie.curie", cpam_code="01 011 1411", display_name="Marie Curie", password=REAL_PASSWORD
    )  # fmt: skip
    login_insured(session=db_session, nir=RENALDO, code=DEMO_CODE, now=NOW)
    login_agent(session=db_session, login="agent.ain", password=AGENT_PASSWORD, now=NOW)
    real_session = login_agent(session=db_session, login="marie.curie", password=REAL_PASSWORD, now=NOW)
    db_session.flush()
    found = demo_credentials_in_use(session=db_session)
    assert found.agent_logins == ("agent.ain", "agent.digne", "agent.paris")
    assert found.demo_insured == 8
    cpams, ocs = _count(db_session, Cpam), _count(db_session, ComplementaryOrganisation)

    report = purge_demo_data(session=db_session)
    db_session.expire_all()

    assert report.count("insured_person") == 8 and report.count("agent") == 3
    assert _count(db_session, InsuredPerson) == _count(db_session, Account) == 0
    assert [agent.login for agent in db_session.exec(select(Agent)).all()] == ["marie.curie"]
    sessions = db_session.exec(select(WebSession)).all()
    assert [row.agent_id for row in sessions] == [real_session.agent_id] == [real.id]
    assert (_count(db_session, Cpam), _count(db_session, ComplementaryOrganisation)) == (cpams, ocs)
    assert not demo_credentials_in_use(session=db_session).any


def test_purge_demo_takes_the_demo_requests_and_keeps_a_real_affaire_handled_by_a_demo_agent(
    db_session: Session,
) -> None:
    seed_demo_data(session=db_session)
    real_account = create_population(session=db_session, count=1).account_ids[0]
    renaldo = db_session.exec(
        select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == "1741171270102")
    ).one()
    request_ids = [
        teleservice.submit_request(
            session=db_session,
            account_id=account_id,
            choices=choices_for(session=db_session, account_id=account_id),
        ).request_id
        for account_id in (real_account, renaldo)
    ]
    created = medialog.create_affaires_for_requests(session=db_session, request_ids=request_ids)
    real_affaire = created[request_ids[0]].affaire_id
    agent_ain = db_session.exec(select(Agent.id).where(Agent.login == "agent.ain")).one()
    medialog.take_charge(session=db_session, agent_id=agent_ain, affaire_id=real_affaire)
    db_session.flush()

    report = purge_demo_data(session=db_session)
    db_session.expire_all()

    assert report.count("overlap_request") == 1 and report.count("affaire") == 1
    remaining = db_session.exec(select(Affaire)).all()
    assert [(affaire.id, affaire.owner_agent_id) for affaire in remaining] == [(real_affaire, None)]
    events = db_session.exec(select(AffaireEvent).where(AffaireEvent.affaire_id == real_affaire)).all()
    assert events and all(event.agent_id is None for event in events)
    assert db_session.exec(select(Account.id)).all() == [real_account]
