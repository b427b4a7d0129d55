"""What the "Données personnelles" page states about retention, computed from the rules
that enforce it, so that the page and the purge cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rxapp.services.auth import (
    ABSOLUTE_TIMEOUT,
    FAILURE_WINDOW,
    LOGIN_FAILURE_RETENTION,
    SESSION_RETENTION,
)


@dataclass(frozen=True)
class Retention:
    """One kind of data: what it holds, how long it is kept, and who deletes it."""

    data: str
    kept: str
    by: str


def duration(span: timedelta) -> str:
    """A duration in French words: "15 min", "8 h", "32 h", "1 jour"."""
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest_seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest_seconds} s" if rest_seconds else f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if rest:
        return f"{hours} h {rest} min"
    return f"{hours} h"


def retention_periods(*, idle_timeout: timedelta) -> tuple[Retention, ...]:
    """The retention of each kind of personal data the service holds (README, "Durée de conservation").

    Args:
        idle_timeout: the session's idle expiry in force (settings).
    """
    hourly_purge = "suppression automatique, vérifiée toutes les heures"
    return (
        Retention(
            "Sessions de connexion (empreinte de l'identifiant de session, compte, dates)",
            f"{duration(ABSOLUTE_TIMEOUT)} d'usage au plus ({duration(idle_timeout)} sans activité), "
            f"supprimées 1 jour après leur expiration, soit {duration(SESSION_RETENTION)} après l'ouverture",
            hourly_purge,
        ),
        Retention(
            "Échecs de connexion (numéro de sécurité sociale ou identifiant d'agent, adresse IP, date)",
            f"pris en compte {duration(FAILURE_WINDOW)}, supprimés "
            f"{duration(LOGIN_FAILURE_RETENTION - FAILURE_WINDOW).replace('24 h', '1 jour')} après",
            hourly_purge,
        ),
        Retention(
            "Journal de sécurité (numéros et identifiants tronqués à 5 caractères, adresses IP)",
            "jusqu'à sa rotation par l'exploitant du service",
            "l'exploitant",
        ),
        Retention(
            "Assuré, ayants droit, contrats de complémentaire, paiements, messages",
            "tant que l'assuré figure dans la base des bénéficiaires de l'Assurance Maladie",
            "la base des bénéficiaires",
        ),
        Retention(
            "Compte ameli (empreinte du code, dates de connexion) et notifications",
            "tant que le compte existe",
            "l'Assurance Maladie, à la fermeture du compte",
        ),
        Retention(
            "Demandes de choix de complémentaire, affaires et leur historique, réponses de satisfaction",
            "durée en cours de fixation avec le délégué à la protection des données ; "
            "d'ici là, elles sont conservées",
            "l'Assurance Maladie",
        ),
    )
