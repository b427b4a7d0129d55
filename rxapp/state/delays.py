"""The délais de traitement page."""

from __future__ import annotations

import dataclasses

import reflex as rx

from rxapp.services.delays import DelayFigures, DelayRange, delays_for_account
from rxapp.services.formatting import format_days
from rxapp.state.auth import AuthState
from rxapp.state.gate import insured_handler
from rxapp.state.page import InsuredPage


@dataclasses.dataclass
class RangeRow:
    label: str
    count: int
    bar_percent: int  # the bar's length, relative to the longest


@dataclasses.dataclass
class FiguresBlock:
    closed: int = 0
    median: str = ""
    p90: str = ""
    within_target: str = ""
    ranges: list[RangeRow] = dataclasses.field(default_factory=list)


def range_label(delay_range: DelayRange) -> str:
    """ "2 jours ou moins", "3 à 7 jours", ..., "Plus de 30 jours" for a range of the chart."""
    if delay_range.up_to_days is None:
        return f"Plus de {delay_range.over_days} jours"
    if delay_range.over_days == 0:
        return f"{delay_range.up_to_days} jours ou moins"
    return f"{delay_range.over_days + 1} à {delay_range.up_to_days} jours"


def _block(figures: DelayFigures) -> FiguresBlock:
    longest = max((item.count for item in figures.ranges), default=0) or 1
    return FiguresBlock(
        closed=figures.closed,
        median=format_days(figures.median_days),
        p90=format_days(figures.p90_days),
        within_target="-" if figures.within_target_percent is None else f"{figures.within_target_percent} %",
        ranges=[
            RangeRow(range_label(item), item.count, round(100 * item.count / longest))
            for item in figures.ranges
        ],
    )


class DelaysState(InsuredPage, AuthState):
    partner_regime: bool = False
    cpam_name: str = ""
    complex_cpam_name: str = ""
    window_days: int = 90
    ordinary: FiguresBlock = FiguresBlock()
    complex_cases: FiguresBlock = FiguresBlock()

    @rx.event
    @insured_handler
    async def load(self, account_id: int):
        """on_load: re-check the session, then compute the figures of the insured's CPAM."""
        delays = await self._read(delays_for_account, account_id=account_id)
        self.partner_regime = delays is None
        if delays is not None:
            self.cpam_name = delays.cpam_name
            self.complex_cpam_name = delays.complex_cpam_name
            self.window_days = delays.window_days
            self.ordinary = _block(delays.ordinary)
            self.complex_cases = _block(delays.complex_cases)
        self.loaded = True
