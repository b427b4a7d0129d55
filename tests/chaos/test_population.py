"""The synthetic population: fast, valid, eligible, and able to log in."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select
from stdnum.fr import nir as stdnum_nir

from rxapp.models import AffaireOutbox, ComplementaryContract, NoemieLink, OverlapRequest
from rxapp.services import auth, teleservice
from rxapp.services.demo import PERSONAS
from rxapp.services.nir import parse_nir
from tests.support.population import create_population, submit_choices


def test_two_hundred_eligible_accounts_in_a_few_seconds(db_session: Session) -> None:
    started = time.monotonic()
    population = create_population(session=db_session, count=200)
    elapsed = time.monotonic() - started
    again = create_population(session=db_session, count=10)

    assert elapsed < 5, f"{elapsed:.1f} s pour 200 comptes"
    assert len(population.account_ids) == len(set(population.nirs)) == 200
    demo_nirs = {parse_nir(persona.nir).body for persona in PERSONAS}
    bodies = {nir[:13] for nir in population.nirs + again.nirs}
    assert len(bodies) == 210 and not bodies & demo_nirs
    assert all(stdnum_nir.is_valid(nir) for nir in population.nirs)
    assert again.prefix != population.prefix
    for account_id in (population.account_ids[0], population.account_ids[-1], again.account_ids[5]):
        situation = teleservice.overlap_situation(session=db_session, account_id=account_id)
        assert situation.prompts_selection and len(situation.beneficiaries) == 2
    blocked = db_session.exec(
        select(func.count())
        .select_from(ComplementaryContract)
        .where(ComplementaryContract.noemie_link == NoemieLink.BLOCKED)
    ).one()
    assert blocked >= 4 * 210
    opened = auth.login_insured(session=db_session, nir=population.nirs[7], code=population.code)
    assert opened.account_id == population.account_ids[7]


def test_a_used_prefix_is_refused(db_session: Session) -> None:
    create_population(session=db_session, count=1, prefix=998)
    with pytest.raises(ValueError):
        create_population(session=db_session, count=1, prefix=998)


def test_submit_choices_records_one_request_and_outbox_row_per_account(engine) -> None:
    with Session(engine) as session:
        population = create_population(session=session, count=20)
        session.commit()
    queued: list[int] = []
    request_ids = submit_choices(
        engine=engine, account_ids=population.account_ids, after_commit=queued.append
    )

    assert queued == request_ids and len(set(request_ids)) == 20
    with Session(engine) as session:
        requests = session.exec(select(OverlapRequest).where(col(OverlapRequest.id).in_(request_ids))).all()
        outbox = session.exec(
            select(func.count())
            .select_from(AffaireOutbox)
            .where(col(AffaireOutbox.request_id).in_(request_ids))
        ).one()
    assert sorted(r.account_id for r in requests) == sorted(population.account_ids)
    assert outbox == 20
