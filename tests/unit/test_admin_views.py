"""The agent pages word and format the Medialog+ read models' plain values in one place."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rxapp.models import AffaireStatus
from rxapp.services import medialog
from rxapp.state.admin import views


def test_a_queue_row_is_worded_in_french_in_paris_time() -> None:
    row = medialog.QueueRow(
        affaire_id=1,
        reference="AFF-2026-000001",
        insured="Lucie Michel",
        beneficiaries=2,
        created=datetime(2026, 1, 6, 23, 30, tzinfo=UTC),
        due=datetime(2026, 1, 13, 23, 30, tzinfo=UTC),
        status=AffaireStatus.IN_PROGRESS,
        owner="",
        is_complex=True,
        overdue=False,
    )
    view = views.row_view(row)
    assert (view.insured, view.created, view.due, view.status) == (
        "LUCIE MICHEL",
        "07/01/2026",
        "14/01/2026",
        "En cours",
    )
    assert (view.owner, view.complex_label, view.beneficiaries) == ("Non attribuée", "Oui", "2")


def test_history_names_the_automatic_steps_and_words_the_action_codes() -> None:
    entry = medialog.HistoryEntry(datetime(2026, 1, 7, 9, 0, tzinfo=UTC), None, "CREATION", "")
    assert views.history_view(entry) == views.HistoryView(
        "07/01/2026 - 10:00", "Medialog+ (automatique)", "Création de l'affaire", ""
    )
    unknown = medialog.HistoryEntry(datetime(2026, 1, 7, 9, 0, tzinfo=UTC), "Agent", "AUTRE", "x")
    assert views.history_view(unknown).action == "AUTRE"


def test_a_detail_line_formats_its_dates() -> None:
    chosen = medialog.ContractSummary("MGEN SOLUTIONS", "", date(2025, 1, 1))
    rejected = medialog.ContractSummary("MUTUELLE PREVIFRANCE", "4338849", date(2021, 10, 1))
    line = views.line_view(medialog.DetailLine("Lucie Michel", date(1985, 12, 4), chosen, rejected))
    assert (line.beneficiary, line.birth_date, line.chosen_start, line.rejected_start) == (
        "LUCIE MICHEL",
        "04/12/1985",
        "01/01/2025",
        "01/10/2021",
    )


def test_the_processing_buckets_are_labelled_from_their_bounds() -> None:
    buckets = [(1, 4), (3, 2), (5, 0), (7, 1), (None, 3)]
    assert [(v.label, v.count) for v in views.processing_views(buckets)] == [
        ("≤ 1 j", "4"),
        ("2-3 j", "2"),
        ("4-5 j", "0"),
        ("6-7 j", "1"),
        ("> 7 j", "3"),
    ]
    bars = views.processing_bars(buckets)
    assert [bar["fill"] for bar in bars] == [views.theme.BRAND_BLUE] * 4 + [views.theme.ERROR_BORDER]
    assert [upper for upper, _ in buckets[:-1]] == list(medialog.PROCESSING_BUCKETS)


def test_the_backlog_and_the_sentences() -> None:
    backlog = {AffaireStatus.NEW: 2, AffaireStatus.IN_PROGRESS: 0, AffaireStatus.CLOSED: 1}
    assert [(v.label, v.count) for v in views.backlog_view(backlog)] == [
        ("Nouvelle", "2"),
        ("En cours", "0"),
        ("Clôturée", "1"),
    ]
    assert views.within_target_text(1, 3) == "1 affaire clôturée sur 3 dans le délai de 7 jours"
    assert views.satisfaction_text(None, 0) == "Aucune réponse"
    assert views.satisfaction_text(0.5, 2) == "Taux de satisfaction : 50 % (2 réponses)"
