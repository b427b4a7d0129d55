"""The agents' queue against PostgreSQL: filters, order and pages over more than one page."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from rxapp.models import Affaire, AffaireStatus, Agent
from rxapp.services import medialog, teleservice
from rxapp.services.demo import seed_demo_data
from tests.support.population import choices_for, create_population
from tests.support.statements import counted_statements


@pytest.fixture
def session(db_session: Session) -> Session:
    """The demo data, and 45 synthetic insured persons (Ain or Paris) with an open affaire each."""
    seed_demo_data(session=db_session)
    population = create_population(session=db_session, count=45)
    request_ids = []
    for account_id in population.account_ids:
        choices = choices_for(session=db_session, account_id=account_id)
        request_ids.append(
            teleservice.submit_request(session=db_session, account_id=account_id, choices=choices).request_id
        )
    medialog.create_affaires_for_requests(session=db_session, request_ids=request_ids)
    db_session.flush()
    return db_session


def _agent(session: Session, login: str) -> Agent:
    return session.exec(select(Agent).where(Agent.login == login)).one()


def _expected(session: Session, agent: Agent, status: AffaireStatus | None = None) -> list[str]:
    query = select(Affaire.reference).where(Affaire.cpam_id == agent.cpam_id)
    if status is not None:
        query = query.where(Affaire.status == status)
    return list(session.exec(query.order_by(col(Affaire.due_at), col(Affaire.id))).all())


@pytest.mark.parametrize("login", ["agent.ain", "agent.paris"])
def test_the_pages_list_the_agents_affaires_once_each_in_due_date_order(session: Session, login: str) -> None:
    agent = _agent(session, login)
    expected = _expected(session, agent)
    assert len(expected) > 20, "the population should fill more than one page"

    first = medialog.affaire_queue(session=session, agent_id=agent.id, per_page=10)
    assert first.total == len(expected)
    assert first.pages == -(-len(expected) // 10)
    seen = [row.reference for row in first.rows]
    for number in range(2, first.pages + 1):
        page = medialog.affaire_queue(session=session, agent_id=agent.id, page=number, per_page=10)
        assert page.page == number
        seen += [row.reference for row in page.rows]
    assert seen == expected
    # Each synthetic insured chose for themself and one dependant.
    assert {row.beneficiaries for row in first.rows} == {2}
    assert all(row.insured and row.status for row in first.rows)


def test_a_page_past_the_end_shows_the_last_one_and_a_filter_narrows_the_count(session: Session) -> None:
    agent = _agent(session, "agent.paris")
    everything = _expected(session, agent)
    last = medialog.affaire_queue(session=session, agent_id=agent.id, page=999, per_page=10)
    assert last.page == last.pages
    assert [row.reference for row in last.rows] == everything[(last.pages - 1) * 10 :]

    new = medialog.affaire_queue(session=session, agent_id=agent.id, status="nouvelle", per_page=100)
    assert [row.reference for row in new.rows] == _expected(session, agent, AffaireStatus.NEW)
    closed = medialog.affaire_queue(session=session, agent_id=agent.id, status="cloturee")
    assert closed.total == 0 and closed.rows == [] and closed.pages == 1


def test_a_page_is_read_in_the_same_statements_whatever_its_number(session: Session) -> None:
    agent = _agent(session, "agent.paris")
    counts = []
    for number in (1, 3):
        session.expire_all()
        with counted_statements(session) as statements:
            medialog.affaire_queue(session=session, agent_id=agent.id, page=number, per_page=10)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 4
