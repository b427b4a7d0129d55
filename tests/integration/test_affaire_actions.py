"""Agent actions on an affaire against PostgreSQL: the transfer to Digne, and who may act at all."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from sqlmodel import Session, col, select

from rxapp.models import Account, Affaire, AffaireEvent, AffaireStatus, Agent, Cpam, InsuredPerson
from rxapp.services import medialog, teleservice
from rxapp.services.demo import seed_demo_data
from rxapp.services.routing import DIGNE_CODE_ORGANISME
from tests.support.population import choices_for

RENALDO = "1741171270102"  # an insured of the CPAM de l'Ain, with a simple case


@pytest.fixture
def session(db_session: Session) -> Session:
    """The demo data."""
    seed_demo_data(session=db_session)
    return db_session


@pytest.fixture
def affaire(session: Session) -> Affaire:
    """Renaldo's affaire: simple, handled by his own CPAM (Ain), new."""
    account_id = session.exec(
        select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == RENALDO)
    ).one()
    assert account_id is not None
    request = teleservice.submit_request(
        session=session, account_id=account_id, choices=choices_for(session=session, account_id=account_id)
    )
    created = medialog.create_affaire_for_request(session=session, request_id=request.request_id)
    affaire = session.get(Affaire, created.affaire_id)
    assert affaire is not None and not affaire.is_complex and created.cpam_code == "01 011 1411"
    return affaire


def _agent_id(session: Session, login: str) -> int:
    agent_id = session.exec(select(Agent.id).where(Agent.login == login)).one()
    assert agent_id is not None
    return agent_id


def _id(affaire: Affaire) -> int:
    assert affaire.id is not None
    return affaire.id


def _digne_id(session: Session) -> int | None:
    return session.exec(select(Cpam.id).where(Cpam.code_organisme == DIGNE_CODE_ORGANISME)).one()


def _events(session: Session, affaire: Affaire) -> list[tuple[str, int | None, str]]:
    return [
        (event.action, event.agent_id, event.detail)
        for event in session.exec(
            select(AffaireEvent)
            .where(AffaireEvent.affaire_id == affaire.id)
            .order_by(col(AffaireEvent.at), col(AffaireEvent.id))
        ).all()
    ]


def _fingerprint(session: Session, affaire: Affaire) -> tuple:
    session.flush()
    session.refresh(affaire)
    return (
        affaire.cpam_id,
        affaire.is_complex,
        affaire.status,
        affaire.owner_agent_id,
        affaire.progres_updated_at,
        _events(session, affaire),
    )


# --- the transfer to Digne --------------------------------------------------------------


def test_a_transfer_hands_the_affaire_to_digne_as_a_new_complex_case(
    session: Session, affaire: Affaire
) -> None:
    ain, digne = _agent_id(session, "agent.ain"), _agent_id(session, "agent.digne")
    medialog.take_charge(session=session, agent_id=ain, affaire_id=affaire.id)

    medialog.transfer_to_digne(
        session=session, agent_id=ain, affaire_id=affaire.id, reason="  Contrat à vérifier  "
    )
    session.flush()
    session.refresh(affaire)

    assert affaire.cpam_id == _digne_id(session)
    assert affaire.is_complex
    assert affaire.status is AffaireStatus.NEW
    assert affaire.owner_agent_id is None
    assert _events(session, affaire)[-1] == ("TRANSFERT", ain, "Contrat à vérifier")
    # It leaves the Ain queue for Digne's.
    assert affaire.reference not in [
        row.reference for row in medialog.affaire_queue(session=session, agent_id=ain).rows
    ]
    assert affaire.reference in [
        row.reference for row in medialog.affaire_queue(session=session, agent_id=digne).rows
    ]
    with pytest.raises(medialog.AffaireRefused, match=medialog.NOT_YOURS):
        medialog.affaire_detail(session=session, agent_id=ain, affaire_id=affaire.id)


def test_a_reason_of_exactly_the_limit_is_accepted(session: Session, affaire: Affaire) -> None:
    reason = "x" * medialog.MAX_TRANSFER_REASON
    medialog.transfer_to_digne(
        session=session, agent_id=_agent_id(session, "agent.ain"), affaire_id=affaire.id, reason=reason
    )
    assert _events(session, affaire)[-1][2] == reason


@pytest.mark.parametrize(
    "reason",
    ["", "   ", "x" * (medialog.MAX_TRANSFER_REASON + 1), None, 42],
    ids=["empty", "blank", "one-over-the-limit", "none", "not-a-string"],
)
def test_a_transfer_without_a_valid_reason_changes_nothing(
    session: Session, affaire: Affaire, reason: object
) -> None:
    before = _fingerprint(session, affaire)
    with pytest.raises(
        medialog.AffaireRefused, match=r"Indiquez le motif du transfert \(300 caractères au plus\)\."
    ):
        medialog.transfer_to_digne(
            session=session, agent_id=_agent_id(session, "agent.ain"), affaire_id=affaire.id, reason=reason
        )
    assert _fingerprint(session, affaire) == before


def test_an_affaire_already_at_digne_cannot_be_transferred_again(session: Session, affaire: Affaire) -> None:
    ain, digne = _agent_id(session, "agent.ain"), _agent_id(session, "agent.digne")
    medialog.transfer_to_digne(session=session, agent_id=ain, affaire_id=affaire.id, reason="Cas complexe")
    before = _fingerprint(session, affaire)

    with pytest.raises(medialog.AffaireRefused) as refused:
        medialog.transfer_to_digne(session=session, agent_id=digne, affaire_id=affaire.id, reason="Encore")

    assert str(refused.value) == medialog.ALREADY_DIGNE
    assert _fingerprint(session, affaire) == before


# --- another CPAM's affaire ----------------------------------------------------------------

ACTIONS: dict[str, Callable[[Session, int, int], object]] = {
    "PRISE_EN_CHARGE": lambda s, agent, affaire: medialog.take_charge(
        session=s, agent_id=agent, affaire_id=affaire
    ),
    "MAJ_PROGRES": lambda s, agent, affaire: medialog.update_progres(
        session=s, agent_id=agent, affaire_id=affaire
    ),
    "CLOTURE": lambda s, agent, affaire: medialog.close_affaire(
        session=s, agent_id=agent, affaire_id=affaire
    ),
    "TRANSFERT": lambda s, agent, affaire: medialog.transfer_to_digne(
        session=s, agent_id=agent, affaire_id=affaire, reason="Motif valable"
    ),
    "CONSULTATION": lambda s, agent, affaire: medialog.affaire_detail(
        session=s, agent_id=agent, affaire_id=affaire
    ),
}


def _refusals(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [
        record.security_event  # type: ignore[attr-defined]
        for record in caplog.records
        if record.name == "rxapp.security" and record.security_event["event"] == "access_refused"  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("login", ["agent.paris", "agent.digne"])
def test_another_cpams_affaire_is_refused_logged_and_left_unchanged(
    session: Session, affaire: Affaire, caplog: pytest.LogCaptureFixture, login: str, action: str
) -> None:
    # Paris never sees Ain's affaires; Digne sees them only once they are complex.
    agent_id = _agent_id(session, login)
    before = _fingerprint(session, affaire)

    with (
        caplog.at_level(logging.WARNING, logger="rxapp.security"),
        pytest.raises(medialog.AffaireRefused) as refused,
    ):
        ACTIONS[action](session, agent_id, _id(affaire))

    assert str(refused.value) == medialog.NOT_YOURS
    assert _fingerprint(session, affaire) == before
    assert _refusals(caplog) == [
        {"event": "access_refused", "action": action, "agent": login, "affaire_id": affaire.id}
    ]


def test_the_owning_cpam_may_do_every_action(session: Session, affaire: Affaire) -> None:
    """The refusals above are about the CPAM, not the actions: Ain's agent does each of them."""
    ain = _agent_id(session, "agent.ain")
    assert (
        medialog.affaire_detail(session=session, agent_id=ain, affaire_id=affaire.id).reference
        == affaire.reference
    )
    for action in ("PRISE_EN_CHARGE", "MAJ_PROGRES", "CLOTURE"):
        ACTIONS[action](session, ain, _id(affaire))
    assert [event[0] for event in _events(session, affaire)] == [
        "CREATION",
        "PRISE_EN_CHARGE",
        "MAJ_PROGRES",
        "CLOTURE",
    ]


def test_a_reference_of_another_cpam_gets_the_same_answer_as_an_unknown_one(
    session: Session, affaire: Affaire
) -> None:
    paris, ain = _agent_id(session, "agent.paris"), _agent_id(session, "agent.ain")
    assert (
        medialog.affaire_id_for_reference(session=session, agent_id=ain, reference=affaire.reference)
        == affaire.id
    )
    for reference in (affaire.reference, "AFF-0000-UNKNOWN1"):
        with pytest.raises(medialog.AffaireRefused, match=medialog.NOT_YOURS):
            medialog.affaire_id_for_reference(session=session, agent_id=paris, reference=reference)
