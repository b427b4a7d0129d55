"""Regressions found by the chaos suite: two closings or two deliveries of one closure at
the same moment (overlapping auto-processing runs, a redelivered retry, the sweep) made two
notifications and two emails. The affaire row is now locked; these tests hold the lock in
one session and check that a second session waits, then does nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from rxapp.models import AffaireEvent, Notification
from rxapp.services import medialog
from tests.support.population import create_population, submit_choices


def _new_affaire(engine: Engine) -> int:
    with Session(engine) as session:
        population = create_population(session=session, count=1)
        session.commit()
    (request_id,) = submit_choices(engine=engine, account_ids=population.account_ids)
    with Session(engine) as session:
        created = medialog.create_affaire_for_request(session=session, request_id=request_id)
        session.commit()
    return created.affaire_id


def _close(session: Session, affaire_id: int) -> None:
    medialog.take_charge(session=session, agent_id=None, affaire_id=affaire_id)
    medialog.update_progres(session=session, agent_id=None, affaire_id=affaire_id)
    medialog.close_affaire(session=session, agent_id=None, affaire_id=affaire_id)


def _in_other_session(engine: Engine, work: Callable[[Session], object]) -> tuple[threading.Thread, list]:
    """Run `work` in a new session on a thread; its result (or exception) lands in the list."""
    outcome: list = []

    def run() -> None:
        with Session(engine) as session:
            try:
                outcome.append(work(session))
                session.commit()
            except Exception as error:  # handed to the test
                session.rollback()
                outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _count(engine: Engine, statement) -> int:
    with Session(engine) as session:
        return session.exec(statement).one()


def test_a_second_closing_at_the_same_moment_is_refused(engine: Engine) -> None:
    affaire_id = _new_affaire(engine)
    with Session(engine) as first:
        _close(first, affaire_id)
        thread, outcome = _in_other_session(engine, lambda session: _close(session, affaire_id))
        thread.join(timeout=1)
        assert thread.is_alive(), "the second closing must wait for the first one's commit"
        first.commit()
    thread.join(timeout=10)
    assert len(outcome) == 1 and isinstance(outcome[0], medialog.AffaireRefused)
    closings = (
        select(func.count())
        .select_from(AffaireEvent)
        .where(AffaireEvent.affaire_id == affaire_id, AffaireEvent.action == "CLOTURE")
    )
    assert _count(engine, closings) == 1


def test_two_deliveries_of_one_closure_notify_once(engine: Engine) -> None:
    affaire_id = _new_affaire(engine)
    with Session(engine) as session:
        _close(session, affaire_id)
        session.commit()
    with Session(engine) as first:
        assert medialog.apply_closure(session=first, affaire_id=affaire_id) is True
        thread, outcome = _in_other_session(
            engine, lambda session: medialog.apply_closure(session=session, affaire_id=affaire_id)
        )
        thread.join(timeout=1)
        assert thread.is_alive()
        first.commit()
        account_id = first.exec(select(Notification.account_id).order_by(Notification.id.desc())).first()
    thread.join(timeout=10)
    assert outcome == [False]
    notifications = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.account_id == account_id, Notification.title == medialog.CLOSURE_TITLE)
    )
    assert _count(engine, notifications) == 1


@pytest.mark.parametrize("first_sends", [True, False])
def test_the_email_check_waits_for_the_delivery_in_progress(engine: Engine, first_sends: bool) -> None:
    affaire_id = _new_affaire(engine)
    with Session(engine) as session:
        _close(session, affaire_id)
        session.commit()
    with Session(engine) as first:
        recipient = medialog.closure_recipient(session=first, affaire_id=affaire_id)
        assert recipient is not None
        thread, outcome = _in_other_session(
            engine, lambda session: medialog.closure_recipient(session=session, affaire_id=affaire_id)
        )
        thread.join(timeout=1)
        assert thread.is_alive(), "a second delivery must wait while the first one sends"
        if first_sends:
            medialog.mark_avis_sent(session=first, affaire_id=affaire_id)
            first.commit()
        else:  # the SMTP server refused: nothing written, the other delivery sends it
            first.rollback()
    thread.join(timeout=10)
    assert outcome == [None] if first_sends else outcome == [recipient]
