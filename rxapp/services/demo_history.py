"""Demo history: affaires closed over the last 90 days, so that the délais page and
the agents' supervision have figures on a fresh `make run`.

The history belongs to demo personas of each CPAM (processed requests, closed
affaires, no request lines), so that `purge_demo_data` removes it with them. It
is seeded once: its references start with `DEM-HIST-` and `AFF-HIST-`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from rxapp.models import (
    Account,
    Affaire,
    AffaireEvent,
    AffaireStatus,
    Cpam,
    InsuredPerson,
    OverlapRequest,
    RequestStatus,
    utcnow,
)
from rxapp.models._types import persisted_id
from rxapp.services.nir import parse_nir
from rxapp.services.routing import DIGNE_CODE_ORGANISME

HISTORY_AFFAIRE_PREFIX = "AFF-HIST-"
HISTORY_REQUEST_PREFIX = "DEM-HIST-"
HISTORY_DAYS = 90


@dataclass(frozen=True)
class HistoryBatch:
    """Closed affaires of one CPAM, owned by one demo persona's account."""

    persona_nir: str
    cpam_code: str
    is_complex: bool
    count: int
    # Days from the request to its closure are drawn between these bounds, most near the low one.
    shortest_days: float
    longest_days: float


BATCHES = (
    HistoryBatch("2 95 07 01 053 089 53", "01 011 1411", False, 40, 0.5, 16),  # Julie PETIT, Ain
    HistoryBatch("1 79 06 75 112 034 68", "75 011 1411", False, 30, 1, 21),  # Karim BENALI, Paris
    HistoryBatch("1 81 04 04 070 012 33", DIGNE_CODE_ORGANISME, False, 15, 0.5, 12),  # Marc LEROY, Digne
    HistoryBatch("2 85 12 01 053 118 12", DIGNE_CODE_ORGANISME, True, 12, 3, 35),  # Lucie MICHEL, complex
)


def seed_closure_history(*, session: Session, now: datetime | None = None, seed: int = 2026) -> int:
    """Add the closed affaires of the last 90 days, unless a history is already there.

    The caller commits. Personas or CPAMs missing from the database are skipped.

    Args:
        session: the database session.
        now: the current time (injected by tests).
        seed: the random draw's seed: the same seed draws the same history.

    Returns:
        The number of affaires added.
    """
    now = now or utcnow()
    already = session.exec(
        select(Affaire.id).where(col(Affaire.reference).startswith(HISTORY_AFFAIRE_PREFIX)).limit(1)
    ).first()
    if already is not None:
        return 0
    draw = random.Random(seed)
    cpams = {cpam.code_organisme: cpam for cpam in session.exec(select(Cpam)).all()}
    number = 0
    for batch in BATCHES:
        account_id = session.exec(
            select(Account.id)
            .join(InsuredPerson, col(InsuredPerson.id) == col(Account.insured_id))
            .where(InsuredPerson.nir == parse_nir(batch.persona_nir).body)
        ).first()
        cpam = cpams.get(batch.cpam_code)
        if account_id is None or cpam is None:
            continue
        for _ in range(batch.count):
            number += 1
            span = batch.longest_days - batch.shortest_days
            delay = timedelta(days=batch.shortest_days + span * draw.random() ** 2.5)
            closed_at = now - timedelta(
                days=draw.uniform(0.2, HISTORY_DAYS - 1), minutes=draw.randint(0, 600)
            )
            created_at = closed_at - delay
            request = OverlapRequest(
                reference=f"{HISTORY_REQUEST_PREFIX}{number:04d}",
                account_id=account_id,
                created_at=created_at,
                status=RequestStatus.PROCESSED,
                processed_at=closed_at,
                affaire_reference=f"{HISTORY_AFFAIRE_PREFIX}{number:04d}",
            )
            session.add(request)
            session.flush()
            affaire = Affaire(
                reference=f"{HISTORY_AFFAIRE_PREFIX}{number:04d}",
                request_id=persisted_id(request),
                cpam_id=persisted_id(cpam),
                is_complex=batch.is_complex,
                status=AffaireStatus.CLOSED,
                created_at=created_at,
                due_at=created_at + timedelta(days=7),
                progres_updated_at=closed_at,
                closed_at=closed_at,
                notified_at=closed_at,
                avis_sent_at=closed_at,
            )
            session.add(affaire)
            session.flush()
            affaire_id = persisted_id(affaire)
            session.add(AffaireEvent(affaire_id=affaire_id, at=created_at, action="CREATION"))
            session.add(AffaireEvent(affaire_id=affaire_id, at=closed_at, action="CLOTURE"))
    session.flush()
    return number
