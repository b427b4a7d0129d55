"""Integration tests for `rxapp.services.payments` and `rxapp.services.inbox`
on the demo data (PostgreSQL)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import Session, col, select

from rxapp.models import Account, InsuredPerson, Message, Notification, Payment
from rxapp.services import inbox
from rxapp.services.demo import seed_demo_data
from rxapp.services.payments import PaymentLine, payment_statement, payments_for, statement_pdf
from rxapp.services.pdf_document import pdf_text
from rxapp.state.inbox import inbox_row
from rxapp.state.payments import payment_row
from tests.support.statements import counted_statements

TODAY = date(2026, 1, 7)
RENALDO_BODY = "1741171270102"
LUCIE_BODY = "2851201053118"
T0 = datetime(2026, 1, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def session(db_session: Session) -> Session:
    """The test's session, with the demo data seeded (payments dated from TODAY)."""
    seed_demo_data(session=db_session, today=TODAY)
    db_session.flush()
    return db_session


def _account_id(session: Session, nir_body: str) -> int:
    account = session.exec(select(Account).join(InsuredPerson).where(InsuredPerson.nir == nir_body)).one()
    assert account.id is not None
    return account.id


@pytest.fixture
def renaldo(session: Session) -> int:
    return _account_id(session, RENALDO_BODY)


@pytest.fixture
def lucie(session: Session) -> int:
    return _account_id(session, LUCIE_BODY)


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _payment(session: Session, account_id: int, *, transmitted: bool) -> Payment:
    return session.exec(
        select(Payment)
        .where(Payment.account_id == account_id, Payment.transmitted_to_oc == transmitted)
        .order_by(col(Payment.paid_on).desc())
    ).first()


# --- payments_for -------------------------------------------------------------------------------


def test_payments_are_listed_newest_first_with_their_beneficiaries(session: Session, renaldo: int) -> None:
    lines = payments_for(session=session, account_id=renaldo)

    assert [line.paid_on for line in lines] == [
        date(2026, 1, 1),
        date(2025, 12, 23),
        date(2025, 12, 14),
        date(2025, 12, 5),
    ]
    assert [line.beneficiary_first_name for line in lines] == ["RENALDO", "NOEMIE", "SERENA", "BATISTE"]
    assert [line.transmitted_to_oc for line in lines] == [False, False, True, True]
    assert payment_row(lines[0]).beneficiary == "RENALDO ZOVI"
    assert lines[0] == PaymentLine(
        payment_id=lines[0].payment_id,
        paid_on=date(2026, 1, 1),
        label="Consultation médecin généraliste",
        beneficiary_first_name="RENALDO",
        beneficiary_last_name="ZOVI",
        amount_cents=3000,
        transmitted_to_oc=False,
    )


def test_same_day_payments_come_newest_row_first(session: Session, renaldo: int) -> None:
    newest = _payment(session, renaldo, transmitted=False)
    twin = Payment(
        account_id=renaldo,
        beneficiary_id=newest.beneficiary_id,
        paid_on=newest.paid_on,
        label="Radiologie",
        amount_cents=112000,
    )
    session.add(twin)
    session.flush()

    lines = payments_for(session=session, account_id=renaldo, limit=2)

    assert [line.payment_id for line in lines] == [twin.id, newest.id]
    assert lines[0].amount_cents == 112000
    assert payment_row(lines[0]).amount == "1\u202f120,00\u00a0€"


def test_limit_keeps_the_newest(session: Session, renaldo: int) -> None:
    everything = payments_for(session=session, account_id=renaldo)
    assert payments_for(session=session, account_id=renaldo, limit=1) == everything[:1]
    assert payments_for(session=session, account_id=renaldo, limit=3) == everything[:3]
    assert payments_for(session=session, account_id=renaldo, limit=0) == []


def test_payments_of_another_account_are_never_listed(session: Session, renaldo: int, lucie: int) -> None:
    renaldo_ids = {line.payment_id for line in payments_for(session=session, account_id=renaldo)}
    lucie_lines = payments_for(session=session, account_id=lucie)

    assert len(lucie_lines) == 4
    assert {payment_row(line).beneficiary for line in lucie_lines} == {"LUCIE MICHEL"}
    assert renaldo_ids.isdisjoint(line.payment_id for line in lucie_lines)


def test_payments_are_read_in_one_query_whatever_their_number(session: Session, renaldo: int) -> None:
    newest = _payment(session, renaldo, transmitted=False)
    for day in range(20):
        session.add(
            Payment(
                account_id=renaldo,
                beneficiary_id=newest.beneficiary_id,
                paid_on=TODAY - timedelta(days=40 + day),
                label="Pharmacie",
                amount_cents=1000 + day,
            )
        )
    session.flush()
    session.expire_all()

    with counted_statements(session) as statements:
        lines = payments_for(session=session, account_id=renaldo)

    assert len(lines) == 24
    assert len(statements) == 1, statements


# --- statement_pdf ------------------------------------------------------------------------------


def test_statement_of_a_non_transmitted_payment(session: Session, renaldo: int) -> None:
    payment = _payment(session, renaldo, transmitted=False)

    filename, pdf = statement_pdf(session=session, account_id=renaldo, payment_id=payment.id)

    assert filename == f"releve-2026-01-01-{payment.id}.pdf"
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    assert "Relevé de paiement" in text
    assert "RENALDO ZOVI" in text
    assert "1 74 11 71 270 102 58" in text
    assert "01/01/2026" in text
    assert "Consultation médecin généraliste" in text
    assert "30,00 €" in text
    assert "non transmis à votre organisme complémentaire" in text


def test_the_statement_pdf_is_drawn_from_the_statement_its_accessible_version_shows(
    session: Session, renaldo: int
) -> None:
    payment = _payment(session, renaldo, transmitted=False)

    statement = payment_statement(session=session, account_id=renaldo, payment_id=payment.id)
    filename, pdf = statement_pdf(session=session, account_id=renaldo, payment_id=payment.id)

    assert filename == statement.filename
    text = _pdf_text(pdf)
    assert [caption for caption, _ in statement.lines] == [
        "Assuré",
        "Numéro de sécurité sociale",
        "Date du paiement",
        "Acte",
        "Bénéficiaire",
        "Montant remboursé",
    ]
    for caption, value in statement.lines:
        assert caption in text and pdf_text(value) in text, caption
    assert statement.emphasis in text
    assert " ".join(statement.note.split()[:6]) in text
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Relevé de paiement"
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"


def test_statement_names_the_beneficiary_and_prints_large_amounts(session: Session, renaldo: int) -> None:
    second = payments_for(session=session, account_id=renaldo)[1]
    payment = session.get(Payment, second.payment_id)
    payment.amount_cents = 112_050
    session.add(payment)
    session.flush()

    _, pdf = statement_pdf(session=session, account_id=renaldo, payment_id=second.payment_id)

    text = _pdf_text(pdf)
    assert "NOEMIE ZOVI" in text
    assert "Pharmacie" in text
    # The narrow no-break space of the French format becomes a plain space in the PDF.
    assert "1 120,50 €" in text


def test_statement_of_another_accounts_payment_is_not_found(
    session: Session, renaldo: int, lucie: int
) -> None:
    lucie_payment = _payment(session, lucie, transmitted=False)
    with pytest.raises(LookupError):
        statement_pdf(session=session, account_id=renaldo, payment_id=lucie_payment.id)


def test_transmitted_payment_has_no_statement(session: Session, renaldo: int) -> None:
    transmitted = _payment(session, renaldo, transmitted=True)
    with pytest.raises(LookupError):
        statement_pdf(session=session, account_id=renaldo, payment_id=transmitted.id)


def test_unknown_payment_has_no_statement(session: Session, renaldo: int) -> None:
    with pytest.raises(LookupError):
        statement_pdf(session=session, account_id=renaldo, payment_id=987_654)


# --- notifications and messages -----------------------------------------------------------------


def _notification(session: Session, account_id: int, title: str, created_at: datetime) -> Notification:
    notification = Notification(
        account_id=account_id, title=title, body=f"{title} : détail", created_at=created_at
    )
    session.add(notification)
    session.flush()
    return notification


def _message(session: Session, account_id: int, subject: str, created_at: datetime) -> Message:
    message = Message(
        account_id=account_id, subject=subject, body=f"{subject} : détail", created_at=created_at
    )
    session.add(message)
    session.flush()
    return message


def test_notifications_are_listed_newest_first(session: Session, renaldo: int, lucie: int) -> None:
    older = _notification(session, renaldo, "Ma complémentaire santé", T0 - timedelta(days=49))
    newer = _notification(session, renaldo, "Ma mutuelle", T0)
    same_time = _notification(session, renaldo, "Même instant", T0)
    _notification(session, lucie, "Pas pour Renaldo", T0 + timedelta(days=1))

    items = inbox.notifications_for(session=session, account_id=renaldo)

    assert [item.item_id for item in items] == [same_time.id, newer.id, older.id]
    assert items[2] == inbox.InboxItem(
        item_id=older.id,
        created_at=older.created_at,
        title="Ma complémentaire santé",
        body="Ma complémentaire santé : détail",
        unread=True,
    )
    row = inbox_row(items[2])
    assert (row.day, row.short_day) == ("19/11/2025", "19 nov.")
    assert [
        item.item_id for item in inbox.notifications_for(session=session, account_id=renaldo, limit=1)
    ] == [same_time.id]


def test_messages_are_listed_newest_first_with_their_subject_as_title(session: Session, renaldo: int) -> None:
    welcome = session.exec(select(Message).where(Message.account_id == renaldo)).one()
    receipt = _message(
        session, renaldo, "Accusé de réception de votre demande", welcome.created_at + timedelta(hours=1)
    )

    items = inbox.messages_for(session=session, account_id=renaldo)

    assert [item.item_id for item in items] == [receipt.id, welcome.id]
    assert items[1].title == "L'Assurance Maladie vous invite à faire votre dépistage"
    assert items[1].body.startswith("Le dépistage permet")
    assert all(item.unread for item in items)
    assert len(inbox.messages_for(session=session, account_id=renaldo, limit=1)) == 1


def test_unread_counts_count_only_the_accounts_unread_items(
    session: Session, renaldo: int, lucie: int
) -> None:
    assert inbox.unread_counts(session=session, account_id=renaldo) == (0, 1)
    first = _notification(session, renaldo, "Ma mutuelle", T0)
    _notification(session, renaldo, "Ma complémentaire santé", T0 - timedelta(days=3))
    _notification(session, lucie, "Pour Lucie", T0)
    first.read_at = T0
    session.add(first)
    session.flush()

    with counted_statements(session) as statements:
        counts = inbox.unread_counts(session=session, account_id=renaldo)

    assert counts == (1, 1)
    assert len(statements) <= 2
    assert inbox.unread_counts(session=session, account_id=lucie) == (1, 1)


def test_marking_a_notification_read_is_idempotent(session: Session, renaldo: int) -> None:
    notification = _notification(session, renaldo, "Ma mutuelle", T0)

    assert inbox.mark_notification_read(session=session, account_id=renaldo, item_id=notification.id, now=T0)
    session.flush()
    assert inbox.mark_notification_read(
        session=session, account_id=renaldo, item_id=notification.id, now=T0 + timedelta(hours=2)
    )
    session.flush()
    session.expire_all()

    assert session.get(Notification, notification.id).read_at == T0
    assert inbox.unread_counts(session=session, account_id=renaldo) == (0, 1)
    assert inbox.notifications_for(session=session, account_id=renaldo)[0].unread is False


def test_marking_a_message_read_is_idempotent(session: Session, renaldo: int) -> None:
    message = session.exec(select(Message).where(Message.account_id == renaldo)).one()

    assert inbox.mark_message_read(session=session, account_id=renaldo, item_id=message.id, now=T0)
    assert inbox.mark_message_read(session=session, account_id=renaldo, item_id=message.id)
    session.flush()
    session.expire_all()

    assert session.get(Message, message.id).read_at == T0
    assert inbox.unread_counts(session=session, account_id=renaldo) == (0, 0)


def test_another_accounts_items_cannot_be_marked_read(session: Session, renaldo: int, lucie: int) -> None:
    lucie_notification = _notification(session, lucie, "Pour Lucie", T0)
    lucie_message = session.exec(select(Message).where(Message.account_id == lucie)).one()
    session.expire_all()

    with counted_statements(session) as statements:
        assert not inbox.mark_notification_read(
            session=session, account_id=renaldo, item_id=lucie_notification.id
        )
        assert not inbox.mark_message_read(session=session, account_id=renaldo, item_id=lucie_message.id)
        session.flush()

    assert not any(statement.lstrip().upper().startswith("UPDATE") for statement in statements)
    session.expire_all()
    assert session.get(Notification, lucie_notification.id).read_at is None
    assert session.get(Message, lucie_message.id).read_at is None
    assert inbox.unread_counts(session=session, account_id=lucie) == (1, 1)


@pytest.mark.parametrize("item_id", [987_654, "1", 1.0, True, None])
def test_unknown_or_malformed_ids_mark_nothing(session: Session, renaldo: int, item_id: object) -> None:
    assert not inbox.mark_notification_read(session=session, account_id=renaldo, item_id=item_id)  # type: ignore[arg-type]
    assert not inbox.mark_message_read(session=session, account_id=renaldo, item_id=item_id)  # type: ignore[arg-type]
    session.flush()
    assert inbox.unread_counts(session=session, account_id=renaldo) == (0, 1)
