"""Integration tests for the demo data and the overlap scan (PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, SQLModel, col, select

from rxapp.models import (
    Account,
    Agent,
    Beneficiary,
    ComplementaryContract,
    ComplementaryOrganisation,
    Cpam,
    InsuredPerson,
    NoemieLink,
    Payment,
)
from rxapp.services import demo
from rxapp.services.detection import detect_overlaps, detect_overlaps_batch
from rxapp.services.nir import parse_nir
from rxapp.services.security import verify_secret

TODAY = date(2026, 1, 7)
RENALDO_BODY = "1741171270102"
JULIE_BODY = "2950701053089"


@pytest.fixture
def session(db_session: Session) -> Session:
    """The test's session, with the demo data seeded."""
    demo.seed_demo_data(session=db_session, today=TODAY)
    db_session.flush()
    return db_session


def _row_counts(session: Session) -> dict[str, int]:
    """Row count of every table of the models."""
    return {
        table.name: session.exec(select(func.count()).select_from(table)).one()
        for table in SQLModel.metadata.sorted_tables
    }


def _insured(session: Session, body: str) -> InsuredPerson:
    return session.exec(select(InsuredPerson).where(InsuredPerson.nir == body)).one()


def _account(session: Session, body: str) -> Account:
    return session.exec(select(Account).join(InsuredPerson).where(InsuredPerson.nir == body)).one()


def _contracts_by_beneficiary(session: Session, insured_id: int) -> dict[str, list[ComplementaryContract]]:
    rows = session.exec(
        select(Beneficiary, ComplementaryContract)
        .join(ComplementaryContract, col(ComplementaryContract.beneficiary_id) == Beneficiary.id)
        .where(Beneficiary.insured_id == insured_id)
    ).all()
    result: dict[str, list[ComplementaryContract]] = {}
    for beneficiary, contract in rows:
        result.setdefault(beneficiary.first_name, []).append(contract)
    return result


# --- seeding ------------------------------------------------------------------


def test_seed_twice_creates_nothing_the_second_time(db_session: Session) -> None:
    before = _row_counts(db_session)
    first = demo.seed_demo_data(session=db_session, today=TODAY)
    db_session.flush()
    after_first = _row_counts(db_session)

    second = demo.seed_demo_data(session=db_session, today=TODAY)
    db_session.flush()
    after_second = _row_counts(db_session)

    assert first.personas_created == len(demo.PERSONAS) == 8
    assert first.agents_created == 3
    assert first.links_blocked > 0
    assert after_first != before
    for table in (
        "cpam",
        "complementary_organisation",
        "insured_person",
        "account",
        "beneficiary",
        "complementary_contract",
        "payment",
        "message",
        "agent",
    ):
        assert after_first[table] > before[table], table

    assert (second.personas_created, second.agents_created, second.links_blocked) == (0, 0, 0)
    assert after_second == after_first


def test_reference_data_is_seeded(session: Session) -> None:
    codes = set(session.exec(select(Cpam.code_organisme)).all())
    assert codes == set(demo.CPAMS)
    amc_numbers = set(session.exec(select(ComplementaryOrganisation.amc_number)).all())
    assert amc_numbers == set(demo.OCS.values())


def test_every_persona_exists_with_nir_and_email(session: Session) -> None:
    assert len(demo.PERSONAS) == 8
    for persona in demo.PERSONAS:
        nir = parse_nir(persona.nir)
        insured = _insured(session, nir.body)
        assert insured.nir_key == nir.key
        assert insured.email == persona.email
        assert insured.first_name == persona.insured.first_name
        assert insured.last_name == persona.insured.last_name
        assert insured.regime is persona.regime
        beneficiaries = session.exec(select(Beneficiary).where(Beneficiary.insured_id == insured.id)).all()
        assert len(beneficiaries) == 1 + len(persona.dependants)
        assert [b.first_name for b in beneficiaries if b.is_insured] == [persona.insured.first_name]
    assert session.exec(select(func.count()).select_from(InsuredPerson)).one() == 8


def test_every_account_code_is_an_argon2_hash_of_the_demo_code(session: Session) -> None:
    accounts = session.exec(select(Account)).all()
    assert len(accounts) == 8
    for account in accounts:
        assert account.code_hash != "Demo2026!"
        assert "Demo2026!" not in account.code_hash
        assert account.code_hash.startswith("$argon2")
        assert verify_secret(account.code_hash, "Demo2026!")
        assert not verify_secret(account.code_hash, "Demo2026")


def test_three_agents_with_their_cpam(session: Session) -> None:
    agents = session.exec(select(Agent, Cpam).join(Cpam)).all()
    assert {(agent.login, cpam.code_organisme) for agent, cpam in agents} == {
        (login, code) for login, _, code in demo.AGENTS
    }
    assert len(agents) == 3
    for agent, _ in agents:
        assert agent.password_hash != demo.AGENT_PASSWORD
        assert verify_secret(agent.password_hash, demo.AGENT_PASSWORD)


def test_renaldo_overlaps_are_blocked_except_noemie(session: Session) -> None:
    insured = _insured(session, RENALDO_BODY)
    contracts = _contracts_by_beneficiary(session, insured.id)

    assert set(contracts) == {"RENALDO", "NOEMIE", "SERENA", "BATISTE"}
    for name in ("RENALDO", "SERENA", "BATISTE"):
        assert len(contracts[name]) == 2, name
        assert {c.noemie_link for c in contracts[name]} == {NoemieLink.BLOCKED}, name
    assert [c.noemie_link for c in contracts["NOEMIE"]] == [NoemieLink.ACTIVE]


def test_only_julie_petit_has_no_unresolved_overlap(session: Session) -> None:
    for persona in demo.PERSONAS:
        account = _account(session, parse_nir(persona.nir).body)
        expected = persona.insured.last_name != "PETIT"
        assert account.has_unresolved_overlap is expected, persona.insured.first_name


def test_every_persona_has_payments_and_overlaps_have_untransmitted_ones(session: Session) -> None:
    for persona in demo.PERSONAS:
        account = _account(session, parse_nir(persona.nir).body)
        payments = session.exec(select(Payment).where(Payment.account_id == account.id)).all()
        assert payments, persona.insured.first_name
        untransmitted = [p for p in payments if not p.transmitted_to_oc]
        if account.has_unresolved_overlap:
            assert untransmitted, persona.insured.first_name
        else:
            assert untransmitted == [], persona.insured.first_name


def test_seeded_blocked_links_match_the_report(db_session: Session) -> None:
    report = demo.seed_demo_data(session=db_session, today=TODAY)
    db_session.flush()
    blocked = db_session.exec(
        select(func.count())
        .select_from(ComplementaryContract)
        .where(ComplementaryContract.noemie_link == NoemieLink.BLOCKED)
    ).one()
    assert report.links_blocked == blocked
    # Every contract of the demo belongs to an overlap except Julie's and Noémie's.
    total = db_session.exec(select(func.count()).select_from(ComplementaryContract)).one()
    assert blocked == total - 2


# --- the overlap scan -------------------------------------------------------------


def _reset_links(session: Session) -> int:
    """Unblock every link and lower every flag, as before any scan; returns the blocked count."""
    blocked = session.exec(
        select(func.count())
        .select_from(ComplementaryContract)
        .where(ComplementaryContract.noemie_link == NoemieLink.BLOCKED)
    ).one()
    session.exec(update(ComplementaryContract).values(noemie_link=NoemieLink.ACTIVE))
    session.exec(update(Account).values(has_unresolved_overlap=False))
    session.expire_all()
    return blocked


def _walk(session: Session, limit: int) -> list:
    """Run the batches by hand, following `next_after`, and return them."""
    batches = []
    after = 0
    while True:
        batch = detect_overlaps_batch(session=session, after_beneficiary_id=after, limit=limit)
        session.flush()
        batches.append(batch)
        assert len(batches) < 100, "the scan does not end"
        if batch.next_after is None:
            return batches
        assert batch.next_after > after
        after = batch.next_after


def test_detect_overlaps_batch_walks_every_beneficiary(session: Session) -> None:
    expected_blocked = _reset_links(session)
    beneficiary_ids = session.exec(select(Beneficiary.id).order_by(Beneficiary.id)).all()

    batches = _walk(session, limit=2)

    assert all(batch.beneficiaries_scanned <= 2 for batch in batches)
    assert sum(batch.beneficiaries_scanned for batch in batches) == len(beneficiary_ids)
    # Each full batch hands over the id of its last beneficiary.
    handed_over = [b.next_after for b in batches if b.next_after is not None]
    assert handed_over == beneficiary_ids[1::2][: len(batches) - 1]
    assert sum(batch.links_blocked for batch in batches) == expected_blocked
    assert sum(batch.accounts_flagged for batch in batches) == len(demo.PERSONAS) - 1


def test_detect_overlaps_batch_is_idempotent(session: Session) -> None:
    _reset_links(session)
    first = _walk(session, limit=2)
    assert sum(batch.links_blocked for batch in first) > 0

    second = _walk(session, limit=2)
    assert sum(batch.links_blocked for batch in second) == 0
    assert sum(batch.accounts_flagged for batch in second) == 0
    assert sum(b.beneficiaries_scanned for b in second) == sum(b.beneficiaries_scanned for b in first)


def test_detect_overlaps_after_seeding_changes_nothing(session: Session) -> None:
    result = detect_overlaps(session=session)
    assert (result.links_blocked, result.accounts_flagged) == (0, 0)
    assert result.beneficiaries_scanned == session.exec(select(func.count()).select_from(Beneficiary)).one()


def _julie_beneficiary(session: Session) -> Beneficiary:
    insured = _insured(session, JULIE_BODY)
    return session.exec(select(Beneficiary).where(Beneficiary.insured_id == insured.id)).one()


def _organisation_id(session: Session, name: str) -> int:
    query = select(ComplementaryOrganisation.id).where(ComplementaryOrganisation.name == name)
    return session.exec(query).one()


def test_new_overlapping_contract_for_julie_blocks_both_and_flags_her(session: Session) -> None:
    beneficiary = _julie_beneficiary(session)
    assert _account(session, JULIE_BODY).has_unresolved_overlap is False
    session.add(
        ComplementaryContract(
            beneficiary_id=beneficiary.id,
            organisation_id=_organisation_id(session, "ALAN"),
            member_number="AL0042117",
            start_date=date(2025, 9, 1),
        )
    )
    session.flush()

    result = detect_overlaps(session=session)
    session.expire_all()

    assert result.links_blocked == 2
    assert result.accounts_flagged == 1
    contracts = session.exec(
        select(ComplementaryContract).where(ComplementaryContract.beneficiary_id == beneficiary.id)
    ).all()
    assert len(contracts) == 2
    assert {c.noemie_link for c in contracts} == {NoemieLink.BLOCKED}
    assert _account(session, JULIE_BODY).has_unresolved_overlap is True


def test_new_contract_after_julie_contract_ended_is_no_overlap(session: Session) -> None:
    """A contract that ended the day before Julie's UNEO contract began leaves her alone."""
    beneficiary = _julie_beneficiary(session)
    session.add(
        ComplementaryContract(
            beneficiary_id=beneficiary.id,
            organisation_id=_organisation_id(session, "ALAN"),
            member_number="AL0042117",
            start_date=date(2020, 1, 1),
            end_date=date(2022, 4, 30),
        )
    )
    session.flush()

    result = detect_overlaps(session=session)
    session.expire_all()

    assert result.links_blocked == 0
    assert _account(session, JULIE_BODY).has_unresolved_overlap is False
