"""The teleservice rules against PostgreSQL: situation, submission, satisfaction, prompts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from rxapp.models import (
    Account,
    InsuredPerson,
    Message,
    OverlapRequest,
    OverlapRequestLine,
    RequestStatus,
    SatisfactionAnswer,
    WebSession,
    utcnow,
)
from rxapp.services import auth, security, teleservice, tickets
from rxapp.services.account import dashboard_for
from rxapp.services.demo import DEMO_CODE, seed_demo_data
from rxapp.services.eligibility import Refusal
from rxapp.services.information import information_for
from tests.support.statements import counted_statements

RENALDO, LUCIE, KARIM, JULIE = "1741171270102", "2851201053118", "1790675112034", "2950701053089"


@pytest.fixture
def session(db_session: Session) -> Session:
    seed_demo_data(session=db_session)
    db_session.flush()
    return db_session


def _account_id(session: Session, nir: str) -> int:
    return session.exec(select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == nir)).one()


def _all_choices(situation: teleservice.OverlapSituation, index: int = 0) -> dict[str, str]:
    return {str(b.beneficiary_id): str(b.options[index].contract_id) for b in situation.beneficiaries}


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_renaldo_has_three_beneficiaries_in_overlap_with_two_options_each(session: Session) -> None:
    situation = teleservice.overlap_situation(session=session, account_id=_account_id(session, RENALDO))
    assert [b.full_name for b in situation.beneficiaries] == ["RENALDO ZOVI", "SERENA ZOVI", "BATISTE ZOVI"]
    for beneficiary in situation.beneficiaries:
        assert [o.organisation for o in beneficiary.options] == [
            "LES MUTUELLES DE L'AIN 2",
            "LA BALOISE ASSURANCES",
        ]
    assert situation.eligibility.eligible and situation.prompts_selection and not situation.is_excluded


def test_excluded_and_no_overlap_situations(session: Session) -> None:
    karim = teleservice.overlap_situation(session=session, account_id=_account_id(session, KARIM))
    assert karim.eligibility.refusal is Refusal.TOO_MANY_BENEFICIARIES and karim.is_excluded
    assert not karim.prompts_selection
    julie = teleservice.overlap_situation(session=session, account_id=_account_id(session, JULIE))
    assert julie.eligibility.refusal is Refusal.NO_OVERLAP and not julie.is_excluded
    assert julie.beneficiaries == ()


def test_submit_records_one_request_with_lines_and_acknowledgement(session: Session) -> None:
    account_id = _account_id(session, RENALDO)
    situation = teleservice.overlap_situation(session=session, account_id=account_id)
    messages_before = _count(session, Message)
    request = teleservice.submit_request(
        session=session, account_id=account_id, choices=_all_choices(situation, 1)
    )
    assert request.reference.startswith("DEM-")
    lines = session.exec(
        select(OverlapRequestLine).where(OverlapRequestLine.request_id == request.request_id)
    ).all()
    assert len(lines) == 3
    for line in lines:
        assert line.chosen_contract_id != line.rejected_contract_id
    acknowledgement = session.exec(
        select(Message).where(Message.subject == teleservice.ACKNOWLEDGEMENT_SUBJECT)
    ).one()
    assert request.reference in acknowledgement.body
    assert _count(session, Message) == messages_before + 1

    again = teleservice.submit_request(
        session=session, account_id=account_id, choices=_all_choices(situation, 1)
    )
    assert again == request
    assert _count(session, OverlapRequest) == 1
    with pytest.raises(teleservice.RequestRefused, match="7 jours"):
        teleservice.submit_request(session=session, account_id=account_id, choices=_all_choices(situation, 0))
    assert _count(session, OverlapRequest) == 1


@pytest.mark.parametrize(
    "choices",
    [None, [], "1=2", {"x": "y"}, {"1": "abc"}],
)
def test_malformed_choices_are_refused_without_writing(session: Session, choices: object) -> None:
    before = _count(session, OverlapRequest), _count(session, Message)
    with pytest.raises(teleservice.RequestRefused):
        teleservice.submit_request(session=session, account_id=_account_id(session, RENALDO), choices=choices)
    assert (_count(session, OverlapRequest), _count(session, Message)) == before


def test_missing_beneficiary_is_named(session: Session) -> None:
    account_id = _account_id(session, RENALDO)
    situation = teleservice.overlap_situation(session=session, account_id=account_id)
    choices = _all_choices(situation)
    choices.pop(str(situation.beneficiaries[1].beneficiary_id))
    with pytest.raises(teleservice.RequestRefused) as refused:
        teleservice.submit_request(session=session, account_id=account_id, choices=choices)
    assert refused.value.missing == ("SERENA ZOVI",)
    assert "Sélectionnez un organisme pour SERENA ZOVI" in str(refused.value)
    assert _count(session, OverlapRequest) == 0


def test_another_insureds_contract_or_beneficiary_is_refused(session: Session) -> None:
    renaldo_id, lucie_id = _account_id(session, RENALDO), _account_id(session, LUCIE)
    renaldo = teleservice.overlap_situation(session=session, account_id=renaldo_id)
    lucie = teleservice.overlap_situation(session=session, account_id=lucie_id)
    lucie_beneficiary = lucie.beneficiaries[0]
    # Lucie's beneficiary in Renaldo's request.
    with_foreign = {
        **_all_choices(renaldo),
        str(lucie_beneficiary.beneficiary_id): str(lucie_beneficiary.options[0].contract_id),
    }
    with pytest.raises(teleservice.RequestRefused, match="ne correspond pas"):
        teleservice.submit_request(session=session, account_id=renaldo_id, choices=with_foreign)
    # Renaldo's beneficiary with Lucie's contract.
    wrong_contract = _all_choices(renaldo)
    wrong_contract[str(renaldo.beneficiaries[0].beneficiary_id)] = str(
        lucie_beneficiary.options[0].contract_id
    )
    with pytest.raises(teleservice.RequestRefused, match="ne correspond pas"):
        teleservice.submit_request(session=session, account_id=renaldo_id, choices=wrong_contract)
    # Renaldo's choices, submitted for Lucie's account.
    with pytest.raises(teleservice.RequestRefused):
        teleservice.submit_request(session=session, account_id=lucie_id, choices=_all_choices(renaldo))
    assert _count(session, OverlapRequest) == 0


def test_excluded_insured_cannot_submit(session: Session) -> None:
    account_id = _account_id(session, KARIM)
    situation = teleservice.overlap_situation(session=session, account_id=account_id)
    with pytest.raises(teleservice.RequestRefused, match="Plus de 4"):
        teleservice.submit_request(session=session, account_id=account_id, choices=_all_choices(situation))
    assert _count(session, OverlapRequest) == 0


def test_database_allows_one_pending_request_per_account(session: Session) -> None:
    account_id = _account_id(session, JULIE)
    session.add(OverlapRequest(account_id=account_id, reference="DEM-TEST-1"))
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(OverlapRequest(account_id=account_id, reference="DEM-TEST-2"))
        session.flush()
    session.add(OverlapRequest(account_id=account_id, reference="DEM-TEST-3", status=RequestStatus.PROCESSED))
    session.flush()


def test_lock_lifts_after_seven_days(session: Session) -> None:
    account_id = _account_id(session, LUCIE)
    situation = teleservice.overlap_situation(session=session, account_id=account_id)
    request = teleservice.submit_request(
        session=session, account_id=account_id, choices=_all_choices(situation)
    )
    later = request.created_at + timedelta(days=7, seconds=1)
    assert teleservice.overlap_situation(
        session=session, account_id=account_id, now=later
    ).eligibility.eligible
    sooner = request.created_at + timedelta(days=6, hours=23)
    assert not teleservice.overlap_situation(
        session=session, account_id=account_id, now=sooner
    ).eligibility.eligible


def test_satisfaction_once_per_request_and_only_for_the_owner(session: Session) -> None:
    account_id = _account_id(session, LUCIE)
    situation = teleservice.overlap_situation(session=session, account_id=account_id)
    request = teleservice.submit_request(
        session=session, account_id=account_id, choices=_all_choices(situation)
    )
    assert not teleservice.record_satisfaction(
        session=session, account_id=_account_id(session, RENALDO), reference=request.reference, satisfied=True
    )
    assert teleservice.record_satisfaction(
        session=session, account_id=account_id, reference=request.reference, satisfied=False
    )
    assert teleservice.record_satisfaction(
        session=session, account_id=account_id, reference=request.reference, satisfied=True
    )
    answers = session.exec(select(SatisfactionAnswer)).all()
    assert [a.satisfied for a in answers] == [False]


def test_dialog_and_banner_dismissals_last_for_one_login(session: Session) -> None:
    first = auth.login_insured(session=session, nir=RENALDO, code=DEMO_CODE)
    view = dashboard_for(session=session, session_id=first.session_id)
    assert view is not None and view.show_dialog and view.show_banner
    assert not teleservice.dismiss_prompt(session=session, session_id=first.session_id, prompt="other")
    assert not teleservice.dismiss_prompt(
        session=session, session_id="forged", prompt=teleservice.Prompt.DIALOG
    )
    assert teleservice.dismiss_prompt(
        session=session, session_id=first.session_id, prompt=teleservice.Prompt.DIALOG
    )
    view = dashboard_for(session=session, session_id=first.session_id)
    assert view is not None and not view.show_dialog and view.show_banner
    assert teleservice.dismiss_prompt(
        session=session, session_id=first.session_id, prompt=teleservice.Prompt.BANNER
    )
    view = dashboard_for(session=session, session_id=first.session_id)
    assert view is not None and not view.show_banner

    second = auth.login_insured(session=session, nir=RENALDO, code=DEMO_CODE)
    view = dashboard_for(session=session, session_id=second.session_id)
    assert view is not None and view.show_dialog and view.show_banner
    assert dashboard_for(session=session, session_id="forged") is None


def test_the_dashboard_is_read_in_eight_statements_without_writing(session: Session) -> None:
    opened = auth.login_insured(session=session, nir=RENALDO, code=DEMO_CODE)
    session.flush()
    session.expire_all()
    with counted_statements(session) as statements:
        view = dashboard_for(session=session, session_id=opened.session_id)
        session.flush()
    assert view is not None and (view.greeting.first_name, view.greeting.last_name) == ("RENALDO", "ZOVI")
    assert isinstance(view.greeting.last_connection, datetime)  # this login, the first one
    # Session, account with its insured person, contracts, pending request (none here), unread
    # counts, payments, notifications, messages: no lookup twice, and no write (the idle clock
    # was set at login, less than a minute ago).
    assert len(statements) == 8, "\n".join(statements)
    assert not any(s.lstrip().upper().startswith(("UPDATE", "INSERT")) for s in statements)


def test_a_login_writes_its_session_with_its_ticket_in_one_insert(session: Session) -> None:
    with counted_statements(session) as statements:
        opened = auth.login_insured(session=session, nir=RENALDO, code=DEMO_CODE)
        ticket = tickets.issue_ticket(session=session, session_id=opened.session_id)
        session.flush()
    written = [s for s in statements if "web_session" in s]
    assert len(written) == 1 and written[0].lstrip().upper().startswith("INSERT"), "\n".join(statements)
    stored = session.exec(select(WebSession).where(WebSession.account_id == opened.account_id)).all()
    assert [row.ticket_hash for row in stored] == [security.session_id_hash(ticket)]


def test_information_shows_pending_request_for_the_persons_concerned(session: Session) -> None:
    account_id = _account_id(session, RENALDO)
    situation = teleservice.overlap_situation(session=session, account_id=account_id, now=utcnow())
    teleservice.submit_request(session=session, account_id=account_id, choices=_all_choices(situation))
    view = information_for(session=session, account_id=account_id)
    assert view.nir == "1741171270102"  # as stored: the page groups it
    assert view.doctor_declared_on == date(2008, 4, 24)
    assert view.cpam_code == "01 011 1411"
    assert view.doctor == "PRUDHON PHILIPPE"
    pending = {p.first_name: p.request_pending for p in view.persons}
    assert pending == {"RENALDO": True, "NOEMIE": False, "SERENA": True, "BATISTE": True}
    renaldo = next(p for p in view.persons if p.first_name == "RENALDO")
    assert renaldo.birth_date == date(1974, 11, 22) and isinstance(renaldo.requested_at, datetime)
    noemie = next(p for p in view.persons if p.first_name == "NOEMIE")
    assert noemie.organisations == ("LES MUTUELLES DE L'AIN 2",)
