"""The délais de traitement figures, computed from affaires the test writes (PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from rxapp.models import Affaire, OverlapRequest
from rxapp.services.delays import delays_for_account, processing_delays
from rxapp.services.demo import AIN, PARIS, seed_demo_data
from rxapp.services.demo_accounts import purge_demo_data
from rxapp.services.demo_history import HISTORY_AFFAIRE_PREFIX, seed_closure_history
from rxapp.services.routing import DIGNE_CODE_ORGANISME
from tests.support.affaires import account_id_of, add_affaire, cpam_id_of

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
JULIE = "2 95 07 01 053 089 53"
PAUL = "1 72 02 04 070 021 45"


@pytest.fixture
def session(db_session: Session) -> Session:
    seed_demo_data(session=db_session, today=NOW.date())
    db_session.flush()
    return db_session


def test_figures_count_the_cpams_closures_of_the_last_90_days_and_the_complex_ones(session: Session) -> None:
    julie = account_id_of(session, JULIE)
    ain, paris, digne = (cpam_id_of(session, code) for code in (AIN, PARIS, DIGNE_CODE_ORGANISME))

    def closed(cpam_id: int, days: float, *, closed_days_ago: float = 10, is_complex: bool = False) -> None:
        delay = timedelta(days=days)
        created = NOW - timedelta(days=closed_days_ago) - delay
        add_affaire(
            session,
            account_id=julie,
            cpam_id=cpam_id,
            created_at=created,
            closed_after=delay,
            is_complex=is_complex,
        )

    for days in (1, 2, 3, 5, 8, 10, 20):
        closed(ain, days)
    closed(ain, 2, closed_days_ago=91)  # before the 90 days
    add_affaire(session, account_id=julie, cpam_id=ain, created_at=NOW - timedelta(days=3), closed_after=None)
    closed(paris, 1)  # another CPAM
    closed(ain, 4, is_complex=True)  # complex cases are counted apart, whichever CPAM holds them
    closed(digne, 12, is_complex=True)
    closed(digne, 2)  # Digne's own ordinary case: not the Ain's, not complex

    delays = processing_delays(session=session, cpam_id=ain, now=NOW)

    assert delays.cpam_name == "CPAM de l'Ain"
    assert delays.complex_cpam_name == "CPAM des Alpes-de-Haute-Provence"
    ordinary = delays.ordinary
    assert ordinary.closed == 7
    assert ordinary.median_days == pytest.approx(5)
    assert ordinary.p90_days == pytest.approx(20)
    assert ordinary.within_target_percent == 57
    assert [item.count for item in ordinary.ranges] == [2, 2, 2, 1, 0]
    complex_cases = delays.complex_cases
    assert complex_cases.closed == 2
    assert complex_cases.median_days == pytest.approx(8)
    assert complex_cases.within_target_percent == 50

    assert delays_for_account(session=session, account_id=julie, now=NOW) == delays


def test_an_insured_of_a_partner_regime_has_no_cpam_figures(session: Session) -> None:
    assert delays_for_account(session=session, account_id=account_id_of(session, PAUL), now=NOW) is None
    with pytest.raises(LookupError):
        delays_for_account(session=session, account_id=987_654, now=NOW)


def test_the_demo_history_fills_every_cpam_once_and_goes_with_the_demo_purge(session: Session) -> None:
    added = seed_closure_history(session=session, now=NOW)
    assert added > 0
    assert seed_closure_history(session=session, now=NOW) == 0
    history = session.exec(
        select(func.count())
        .select_from(Affaire)
        .where(col(Affaire.reference).startswith(HISTORY_AFFAIRE_PREFIX))
    ).one()
    assert history == added

    for code in (AIN, PARIS, DIGNE_CODE_ORGANISME):
        delays = processing_delays(session=session, cpam_id=cpam_id_of(session, code), now=NOW)
        assert delays.ordinary.closed > 0, code
        assert delays.ordinary.median_days is not None
        assert delays.complex_cases.closed > 0

    purge_demo_data(session=session)
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Affaire)).one() == 0
    assert session.exec(select(func.count()).select_from(OverlapRequest)).one() == 0
