"""An account and the insured person who holds it: the lookup every account page starts with."""

from __future__ import annotations

from sqlmodel import Session, col, select

from rxapp.models import Account, InsuredPerson


def account_holder(session: Session, account_id: int) -> tuple[Account, InsuredPerson]:
    """The account and its insured person: from the session's identity map when both are
    there already, else in one statement.

    Raises:
        LookupError: no such account, or (a broken row) no such insured person.
    """
    account = session.identity_map.get(session.identity_key(Account, account_id))
    if isinstance(account, Account):
        insured = session.get(InsuredPerson, account.insured_id)  # from the map when it is there
        if insured is None:
            raise LookupError(account.insured_id)
        return account, insured
    row = session.exec(
        select(Account, InsuredPerson)
        .join(InsuredPerson, col(InsuredPerson.id) == Account.insured_id, isouter=True)
        .where(Account.id == account_id)
    ).first()
    if row is None:
        raise LookupError(account_id)
    account, found = row
    if found is None:
        raise LookupError(account.insured_id)
    return account, found
