"""The journey of a request is counted and logged, with its reference, from the rows committed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlmodel import Session, select

from rxapp.logging_setup import JsonFormatter
from rxapp.models import Account, InsuredPerson, OverlapRequest
from rxapp.observability.tracking import install_tracking
from rxapp.services import auth, medialog, teleservice
from rxapp.services.demo import AGENT_PASSWORD, DEMO_CODE, seed_demo_data
from tests.support.affaires import submitted_affaire

LUCIE = "2851201053118"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def journey_log() -> Iterator[io.StringIO]:
    install_tracking()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    journey = logging.getLogger("rxapp.journey")
    journey.addHandler(handler)
    journey.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        journey.removeHandler(handler)


def test_a_request_is_followed_from_confirmation_to_the_email(
    db_session: Session, journey_log: io.StringIO
) -> None:
    seed_demo_data(session=db_session)
    db_session.commit()
    before = {
        name: sample(name)
        for name in (
            "ameli_requests_submitted_total",
            "ameli_affaires_created_total",
            "ameli_affaires_closed_total",
            "ameli_notifications_sent_total",
            "ameli_emails_sent_total",
        )
    }
    logins_before = sample("ameli_login_successes_total", kind="assure")
    failures_before = sample("ameli_login_failures_total")

    auth.login_insured(session=db_session, nir=LUCIE, code=DEMO_CODE, client_ip="192.0.2.1")
    db_session.commit()
    with pytest.raises(auth.LoginRefused):
        auth.login_insured(session=db_session, nir=LUCIE, code="Mauvais1!", client_ip="192.0.2.1")
    db_session.commit()

    created = submitted_affaire(db_session, LUCIE)
    request = db_session.get(OverlapRequest, created.request_id)
    assert request is not None
    digne = auth.login_agent(session=db_session, login="agent.digne", password=AGENT_PASSWORD)
    db_session.commit()
    agent_id = auth.agent_for_session(session=db_session, session_id=digne.session_id).id
    medialog.take_charge(session=db_session, agent_id=agent_id, affaire_id=created.id)
    medialog.update_progres(session=db_session, agent_id=agent_id, affaire_id=created.id)
    medialog.close_affaire(session=db_session, agent_id=agent_id, affaire_id=created.id)
    db_session.commit()
    medialog.apply_closure(session=db_session, affaire_id=created.id)
    db_session.commit()
    medialog.mark_avis_sent(session=db_session, affaire_id=created.id)
    db_session.commit()

    for name, value in before.items():
        assert sample(name) == value + 1, name
    assert sample("ameli_login_successes_total", kind="assure") == logins_before + 1
    assert sample("ameli_login_successes_total", kind="agent") >= 1
    assert sample("ameli_login_failures_total") == failures_before + 1

    lines = [json.loads(line) for line in journey_log.getvalue().splitlines()]
    ours = [line for line in lines if line.get("reference") == request.reference]
    assert [line["message"].split(" ")[0] for line in ours] == ["Request", "Affaire", "Affaire", "Avis"]
    assert {line["logger"] for line in ours} == {"rxapp.journey"}
    assert all({"time", "level", "message"} <= line.keys() for line in ours)


def test_a_rolled_back_request_is_not_counted(db_session: Session, journey_log: io.StringIO) -> None:
    seed_demo_data(session=db_session)
    db_session.commit()
    before = sample("ameli_requests_submitted_total")
    account_id = db_session.exec(
        select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == LUCIE)
    ).one()
    situation = teleservice.overlap_situation(session=db_session, account_id=account_id)
    choices = {str(b.beneficiary_id): str(b.options[0].contract_id) for b in situation.beneficiaries}
    teleservice.submit_request(session=db_session, account_id=account_id, choices=choices)
    db_session.flush()
    db_session.rollback()
    assert sample("ameli_requests_submitted_total") == before
