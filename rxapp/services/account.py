"""What the insured's own pages show about their account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from rxapp.models import Account, InsuredPerson

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Greeting:
    first_name: str
    last_name: str
    last_connection: str

    @property
    def display_name(self) -> str:
        """`Renaldo ZOVI`: first name capitalised, last name in capitals."""
        return f"{self.first_name.title()} {self.last_name.upper()}"


def format_connection(moment: datetime | None) -> str:
    """`07/01/2026 - 10:00` in Paris time, or an empty string."""
    if moment is None:
        return ""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y - %H:%M")


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
        format_connection(account.previous_login_at or account.last_login_at),
    )
