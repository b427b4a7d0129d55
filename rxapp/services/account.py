"""What the insured's own pages show about their account."""

from __future__ import annotations

from dataclasses import dataclass
from sqlmodel import Session

from rxapp.models import Account, InsuredPerson
from rxapp.services.formatting import format_moment


@dataclass(frozen=True)
class Greeting:
    first_name: str
    last_name: str
    last_connection: str

    @property
    def display_name(self) -> str:
        """`Renaldo ZOVI`: first name capitalised, last name in capitals."""
        return f"{self.first_name.title()} {self.last_name.upper()}"


def greeting_for(*, session: Session, account_id: int) -> Greeting:
    """The name and previous connection of the account's insured person."""
    account = session.get(Account, account_id)
    if account is None:
        raise LookupError(account_id)
    insured = session.get(InsuredPerson, account.insured_id)
    if insured is None:
        raise LookupError(account.insured_id)
    return Greeting(
        insured.first_name,
        insured.last_name,
        format_moment(account.previous_login_at or account.last_login_at),
    )
