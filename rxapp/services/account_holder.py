"""An account and the insured person who holds it: the lookup every account page starts with."""

from __future__ import annotations

from sqlmodel import Session

from rxapp.models import Account, InsuredPerson


def account_holder(session: Session, account_id: int) -> tuple[Account, InsuredPerson]:
    """The account and its insured person.

    Raises:
        LookupError: no such account, or (a broken row) no such insured person.
    """
    account = session.get(Account, account_id)
    if account is None:
        raise LookupError(account_id)
    insured = session.get(InsuredPerson, account.insured_id)
    if insured is None:
        raise LookupError(account.insured_id)
    return account, insured
