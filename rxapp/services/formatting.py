"""French display formats, in Paris time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
MONTHS_SHORT = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def format_day(moment: date | datetime) -> str:
    """`04/12/1985`; a datetime is first converted to Paris time."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(PARIS)
    return moment.strftime("%d/%m/%Y")


def format_short_day(moment: date | datetime) -> str:
    """`19 nov.`, as the dashboard lists notifications."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(PARIS)
    return f"{moment.day} {MONTHS_SHORT[moment.month - 1]}"


def format_moment(moment: datetime | None) -> str:
    """`07/01/2026 - 10:00` in Paris time, or an empty string."""
    if moment is None:
        return ""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y - %H:%M")


def format_person_name(first_name: str, last_name: str) -> str:
    """`RENALDO ZOVI`: a person's name as the pages and documents print it, in capitals."""
    return f"{first_name} {last_name}".upper()


def format_greeting_name(first_name: str, last_name: str) -> str:
    """`Renaldo ZOVI`: the first name capitalised, the last name in capitals (the dashboard's greeting)."""
    return f"{first_name.title()} {last_name.upper()}"


def format_partner_regime(regime: str) -> str:
    """`Régime partenaire (MGEN)`: the organisation of an insured whose basic regime is not a CPAM."""
    return f"Régime partenaire ({regime})"


def format_rate(rate: float) -> str:
    """A rate as the accessibility statement writes it: "93,5 %" (one decimal, French comma)."""
    return f"{rate:.1f}".replace(".", ",").replace(",0", "") + " %"


def format_amount(cents: int) -> str:
    """`1 120,00 €` with a narrow no-break space between thousands."""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", "\u202f")
    sign = "-" if cents < 0 else ""
    return f"{sign}{grouped},{rest:02d}\u00a0€"


def format_days(value: float | None) -> str:
    """`3,5 jours`, `1 jour`, or `-` when there is no figure (French decimal comma)."""
    if value is None:
        return "-"
    rounded = round(value, 1)
    text = f"{rounded:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} jour" if rounded < 2 else f"{text} jours"
