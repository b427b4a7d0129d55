"""The whole back-office loop with the real app, the real worker on Redis and a real SMTP server:
request → outbox → task → Medialog+ API → affaire → agent → closure → notification and email."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from celery import Celery
from sqlalchemy import func
from sqlmodel import Session, select

from rxapp.db import make_engine
from rxapp.models import (
    Account,
    Affaire,
    AffaireOutbox,
    Agent,
    Beneficiary,
    ComplementaryContract,
    Cpam,
    InsuredPerson,
    NoemieLink,
    Notification,
    OverlapRequest,
    OverlapRequestLine,
    RequestStatus,
)
from rxapp.services import medialog, teleservice
from rxapp.services.demo import seed_demo_data
from rxapp.services.detection import detect_overlaps
from rxapp.services.mail import AVIS_SUBJECT
from rxapp.settings import VAR_DIR
from tests.support.databases import scratch_database
from tests.support.faulty_proxy import faulty_proxy
from tests.support.processes import RunningApp
from tests.support.served import served_app
from tests.support.smtp import Inbox, smtp_server
from tests.support.worker import running_worker, wait_for

RENALDO, LUCIE, CHANTAL, MARC, JULIE = (
    "1741171270102",
    "2851201053118",
    "2680301283047",
    "1810404070012",
    "2950701053089",
)


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[str, Inbox]]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with scratch_database("loop") as url:
        yield url


@pytest.fixture(scope="module")
def app(database_url: str, smtp: tuple[str, Inbox]) -> Iterator[RunningApp]:
    """The app and its worker, as `make run` starts them, on Redis and PostgreSQL."""
    with served_app("loop", database_url, SMTP_URL=smtp[0]) as running:
        yield running


@pytest.fixture(scope="module")
def engine(app: RunningApp, database_url: str):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _send(app: RunningApp, task: str, *args: int) -> None:
    client = Celery("tests", broker=app.env["REDIS_URL"])
    client.send_task(task, args=args, queue=app.env["CELERY_QUEUE"])


def _submit(engine, nir: str, option: int = 0) -> int:
    """Record a request as the Confirmer button does (request + outbox in one commit)."""
    with Session(engine) as session:
        account_id = session.exec(
            select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == nir)
        ).one()
        situation = teleservice.overlap_situation(session=session, account_id=account_id)
        choices = {str(b.beneficiary_id): str(b.options[option].contract_id) for b in situation.beneficiaries}
        request = teleservice.submit_request(session=session, account_id=account_id, choices=choices)
        session.commit()
        return request.request_id


def _affaire(engine, request_id: int) -> Affaire | None:
    with Session(engine) as session:
        return session.exec(select(Affaire).where(Affaire.request_id == request_id)).first()


def _cpam_code(engine, cpam_id: int) -> str:
    with Session(engine) as session:
        return session.get(Cpam, cpam_id).code_organisme


def _agent_id(engine, login: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Agent.id).where(Agent.login == login)).one()


def _transmits_to_oc(session: Session, beneficiary_id: int) -> bool:
    """Whether the beneficiary's reimbursements go to their OC: an active NOEMIE link and none blocked."""
    links = session.exec(
        select(ComplementaryContract.noemie_link).where(
            ComplementaryContract.beneficiary_id == beneficiary_id
        )
    ).all()
    return NoemieLink.ACTIVE in links and NoemieLink.BLOCKED not in links


def test_requests_become_affaires_routed_to_the_right_cpam(app: RunningApp, engine) -> None:
    renaldo = _submit(engine, RENALDO)
    lucie = _submit(engine, LUCIE, option=0)  # MGEN SOLUTIONS has no member number
    _send(app, "backoffice.create_affaire", renaldo)
    _send(app, "backoffice.create_affaire", lucie)

    renaldo_affaire = wait_for(lambda: _affaire(engine, renaldo), message="l'affaire de Renaldo")
    lucie_affaire = wait_for(lambda: _affaire(engine, lucie), message="l'affaire de Lucie")
    assert _cpam_code(engine, renaldo_affaire.cpam_id) == "01 011 1411" and not renaldo_affaire.is_complex
    assert _cpam_code(engine, lucie_affaire.cpam_id) == "04 011 1411" and lucie_affaire.is_complex
    assert (renaldo_affaire.due_at - renaldo_affaire.created_at).days == 7
    with Session(engine) as session:
        request = session.get(OverlapRequest, renaldo)
        assert request.affaire_reference == renaldo_affaire.reference
        outbox = session.exec(select(AffaireOutbox).where(AffaireOutbox.request_id == renaldo)).one()
        assert outbox.done_at is not None


def test_duplicate_delivery_gives_one_affaire(app: RunningApp, engine) -> None:
    request_id = _submit(engine, CHANTAL)
    for _ in range(3):
        _send(app, "backoffice.create_affaire", request_id)
    affaire = wait_for(lambda: _affaire(engine, request_id), message="l'affaire de Chantal")
    # Every delivery answered with the same affaire (201 once, then 200).
    wait_for(
        lambda: app.log_path.read_text(errors="replace").count(f"'reference': '{affaire.reference}'") >= 3,
        message="les trois livraisons traitées",
    )
    with Session(engine) as session:
        count = session.exec(
            select(func.count()).select_from(Affaire).where(Affaire.request_id == request_id)
        ).one()
    assert count == 1


def test_api_failing_twice_then_answering_gives_one_affaire(
    app: RunningApp, engine, database_url: str
) -> None:
    with Session(engine) as session:
        account_id = session.exec(
            select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == MARC)
        ).one()
        situation = teleservice.overlap_situation(session=session, account_id=account_id)
        # Build the request directly (no outbox row): only this test's worker may create its affaire.
        request = OverlapRequest(account_id=account_id, reference="DEM-TEST-PROXY1")
        session.add(request)
        session.flush()
        for beneficiary in situation.beneficiaries:
            session.add(
                OverlapRequestLine(
                    request_id=request.id,
                    beneficiary_id=beneficiary.beneficiary_id,
                    chosen_contract_id=beneficiary.options[0].contract_id,
                    rejected_contract_id=beneficiary.options[1].contract_id,
                )
            )
        session.commit()
        request_id = request.id
    with (
        faulty_proxy(f"{app.url}", failures=2) as proxy,
        running_worker(
            database_url,
            VAR_DIR / "tests" / "proxy-worker.log",
            extra_env={"MEDIALOG_API_URL": f"{proxy.url}/api/medialog"},
        ) as worker,
    ):
        worker.send("backoffice.create_affaire", request_id)
        affaire = wait_for(
            lambda: _affaire(engine, request_id), timeout=60, message="l'affaire après deux pannes"
        )
        assert proxy.calls == 3
    assert _cpam_code(engine, affaire.cpam_id) == "04 011 1411"


def test_queueing_with_the_broker_down_fails_fast_without_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    import backoffice_worker.celery_app as celery_module
    from rxapp import queue
    from rxapp.settings import get_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    try:
        monkeypatch.setattr(celery_module, "app", celery_module.make_celery())
        assert queue.queue_affaire_creation(1) is False
    finally:
        get_settings.cache_clear()


def test_a_request_never_queued_gets_its_affaire_from_the_outbox_relay(app: RunningApp, engine) -> None:
    # A NOEMIE flow gives Julie PETIT an overlap; the scan blocks it; she submits,
    # and the task never reaches the broker (nothing is sent here).
    with Session(engine) as session:
        julie = session.exec(select(InsuredPerson).where(InsuredPerson.nir == JULIE)).one()
        beneficiary_id = session.exec(select(Beneficiary.id).where(Beneficiary.insured_id == julie.id)).one()
        existing = session.exec(
            select(ComplementaryContract).where(ComplementaryContract.beneficiary_id == beneficiary_id)
        ).one()
        session.add(
            ComplementaryContract(
                beneficiary_id=beneficiary_id,
                organisation_id=existing.organisation_id + 1,
                member_number="RELAY-1",
                start_date=date(2026, 1, 1),
            )
        )
        detect_overlaps(session=session)
        session.commit()
    request_id = _submit(engine, JULIE)
    affaire = wait_for(
        lambda: _affaire(engine, request_id), timeout=90, message="l'affaire relancée par le relais"
    )
    with Session(engine) as session:
        outbox = session.exec(select(AffaireOutbox).where(AffaireOutbox.request_id == request_id)).one()
    assert outbox.attempts >= 1 and outbox.done_at is not None
    assert affaire.reference.startswith("AFF-")


def test_closure_notifies_emails_and_restores_transmission(
    app: RunningApp, engine, smtp: tuple[str, Inbox]
) -> None:
    # Lucie's affaire exists (first test); Digne handles it.
    with Session(engine) as session:
        account_id = session.exec(
            select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == LUCIE)
        ).one()
        request_id = session.exec(
            select(OverlapRequest.id).where(OverlapRequest.account_id == account_id)
        ).first()
        affaire = session.exec(select(Affaire).where(Affaire.request_id == request_id)).one()
        beneficiary_id = session.exec(
            select(OverlapRequestLine.beneficiary_id).where(OverlapRequestLine.request_id == request_id)
        ).one()
        # The overlap scan blocked the links: no payment goes to the OC until the closure.
        assert not _transmits_to_oc(session, beneficiary_id)
        affaire_id = affaire.id

    digne = _agent_id(engine, "agent.digne")
    with Session(engine) as session:
        with pytest.raises(medialog.AffaireRefused):
            medialog.close_affaire(session=session, agent_id=digne, affaire_id=affaire_id)
        medialog.take_charge(session=session, agent_id=digne, affaire_id=affaire_id)
        medialog.update_progres(session=session, agent_id=digne, affaire_id=affaire_id)
        medialog.close_affaire(session=session, agent_id=digne, affaire_id=affaire_id)
        session.commit()
    _send(app, "backoffice.deliver_closure", affaire_id)

    messages = wait_for(lambda: smtp[1].to("lucie.michel@example.fr"), timeout=30, message="l'avis de dépôt")
    assert len(messages) == 1
    avis = messages[0]
    assert avis["Subject"] == AVIS_SUBJECT
    assert "ne-pas-repondre@assurance-maladie.fr" in avis["From"]
    assert avis["Auto-Submitted"] == "auto-generated"
    text = avis.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Bonjour Lucie Michel,")
    assert (
        "Une information importante vous attend dans la rubrique Notifications de votre compte ameli." in text
    )

    with Session(engine) as session:
        notification = session.exec(select(Notification).where(Notification.account_id == account_id)).one()
        assert notification.title == "Ma complémentaire santé"
        assert "Nous avons bien enregistré votre organisme complémentaire" in notification.body
        assert (
            "La transmission automatique des paiements à votre complémentaire est activée."
            in notification.body
        )
        assert session.get(OverlapRequest, request_id).status is RequestStatus.PROCESSED
        line = session.exec(
            select(OverlapRequestLine).where(OverlapRequestLine.request_id == request_id)
        ).one()
        assert session.get(ComplementaryContract, line.chosen_contract_id).noemie_link is NoemieLink.ACTIVE
        assert (
            session.get(ComplementaryContract, line.rejected_contract_id).noemie_link is NoemieLink.DETACHED
        )
        assert session.get(Account, account_id).has_unresolved_overlap is False
        assert _transmits_to_oc(session, beneficiary_id)

    # A second delivery of the closure changes nothing and sends nothing.
    _send(app, "backoffice.deliver_closure", affaire_id)
    wait_for(
        lambda: app.log_path.read_text(errors="replace").count("'emailed': False") >= 1,
        message="la seconde livraison de la clôture",
    )
    assert len(smtp[1].to("lucie.michel@example.fr")) == 1
    with Session(engine) as session:
        assert (
            session.exec(
                select(func.count()).select_from(Notification).where(Notification.account_id == account_id)
            ).one()
            == 1
        )


@pytest.fixture(scope="module", autouse=True)
def demo(engine) -> None:
    with Session(engine) as session:
        seed_demo_data(session=session)
        session.commit()


def test_auto_processing_plays_the_agent_for_simple_cases_only(
    app: RunningApp, engine, database_url: str, smtp: tuple[str, Inbox]
) -> None:
    # Chantal's affaire (simple, Ain) is still new; Lucie's went to Digne as complex.
    with Session(engine) as session:
        chantal = session.exec(
            select(Affaire)
            .join(OverlapRequest, OverlapRequest.id == Affaire.request_id)
            .join(Account, Account.id == OverlapRequest.account_id)
            .join(InsuredPerson, InsuredPerson.id == Account.insured_id)
            .where(InsuredPerson.nir == CHANTAL)
        ).one()
        complex_new = session.exec(
            select(func.count()).select_from(Affaire).where(Affaire.is_complex, Affaire.status == "NOUVELLE")
        ).one()
    assert chantal.status.value == "NOUVELLE" and not chantal.is_complex
    with running_worker(
        database_url,
        VAR_DIR / "tests" / "auto-worker.log",
        extra_env={"MEDIALOG_AUTO_PROCESS_AFTER": "0", "SMTP_URL": smtp[0]},
    ) as worker:
        worker.send("backoffice.auto_process")

        def closed_and_emailed() -> bool:
            with Session(engine) as session:
                affaire = session.get(Affaire, chantal.id)
                return affaire.status.value == "CLOTUREE" and affaire.avis_sent_at is not None

        wait_for(closed_and_emailed, timeout=60, message="le traitement automatique de l'affaire de Chantal")
    assert len(smtp[1].to("chantal.labonde@example.fr")) == 1
    with Session(engine) as session:
        still_new = session.exec(
            select(func.count()).select_from(Affaire).where(Affaire.is_complex, Affaire.status == "NOUVELLE")
        ).one()
    assert still_new == complex_new  # complex cases wait for an agent
