"""The délais figures, the attestation's verification reference and the notification courte."""

from __future__ import annotations

from datetime import date

from rxapp.models import utcnow
from rxapp.services.attestation import verification_reference
from rxapp.services.delays import DelayRange, delay_figures, percentile
from rxapp.services.formatting import format_days
from rxapp.services.inbox import PROCESSED_NOTICE, InboxItem, processed_request_notice
from rxapp.services.medialog.closure import CLOSURE_TITLE
from rxapp.state.delays import range_label


def test_percentile_is_the_nearest_rank() -> None:
    values = [20, 1, 3, 2, 5, 10, 8]
    assert percentile(values, 0.5) == 5
    assert percentile(values, 0.9) == 20  # rank ceil(6.3) = 7
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile([4.5], 0.9) == 4.5


def test_delay_figures() -> None:
    figures = delay_figures([1, 2, 3, 5, 8, 10, 20])
    assert figures.closed == 7
    assert figures.median_days == 5
    assert figures.p90_days == 20
    assert figures.within_target_percent == 57  # 4 of 7
    assert figures.ranges == (
        DelayRange(0, 2, 2),
        DelayRange(2, 7, 2),
        DelayRange(7, 14, 2),
        DelayRange(14, 30, 1),
        DelayRange(30, None, 0),
    )
    assert delay_figures([1.5, 2.5]).median_days == 2.0


def test_no_closed_request_gives_no_figure_but_every_range() -> None:
    figures = delay_figures([])
    assert (figures.closed, figures.median_days, figures.p90_days, figures.within_target_percent) == (
        0,
        None,
        None,
        None,
    )
    assert [item.count for item in figures.ranges] == [0, 0, 0, 0, 0]


def test_the_ranges_are_worded_as_the_page_shows_them() -> None:
    assert [range_label(item) for item in delay_figures([]).ranges] == [
        "2 jours ou moins",
        "3 à 7 jours",
        "8 à 14 jours",
        "15 à 30 jours",
        "Plus de 30 jours",
    ]


def test_format_days_in_french() -> None:
    assert format_days(None) == "-"
    assert format_days(1) == "1 jour"
    assert format_days(0.54) == "0,5 jour"
    assert format_days(2) == "2 jours"
    assert format_days(3.46) == "3,5 jours"


def test_verification_reference_is_stable_and_keyed() -> None:
    day = date(2026, 3, 2)
    first = verification_reference(nir="1741171270102", issued_on=day, secret="s" * 32)
    assert first == verification_reference(nir="1741171270102", issued_on=day, secret="s" * 32)
    assert first.startswith("ATT-2026-") and len(first) == len("ATT-2026-") + 8
    assert not set(first.removeprefix("ATT-2026-")) & set("IO01")
    others = {
        verification_reference(nir="2851201053118", issued_on=day, secret="s" * 32),
        verification_reference(nir="1741171270102", issued_on=date(2026, 3, 3), secret="s" * 32),
        verification_reference(nir="1741171270102", issued_on=day, secret="t" * 32),
    }
    assert first not in others and len(others) == 3


def _item(title: str, *, unread: bool) -> InboxItem:
    return InboxItem(item_id=1, created_at=utcnow(), title=title, body="", unread=unread)


def test_the_notification_courte_shows_while_the_newest_closure_notification_is_unread() -> None:
    assert processed_request_notice([_item(CLOSURE_TITLE, unread=True)]) == PROCESSED_NOTICE
    assert processed_request_notice([_item(CLOSURE_TITLE, unread=False)]) == ""
    assert processed_request_notice([_item("Accusé de réception", unread=True)]) == ""
    assert processed_request_notice([]) == ""
