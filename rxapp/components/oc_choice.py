"""How an OC contract is shown: in the radio group, the recap, the back office."""

from __future__ import annotations

import reflex as rx


def contract_lines(organisation, member_number, start, *, asterisk: bool = True) -> list[rx.Component]:
    """OC name, "N° adhérent* : …" (empty when missing) and "Contrat du dd/mm/yyyy"."""
    return [
        rx.el.strong(organisation, display="block"),
        rx.el.span("N° adhérent", "*" if asterisk else "", " : ", member_number, display="block"),
        rx.el.span("Contrat du ", start, display="block"),
    ]


def beneficiary_legend(name, birth) -> list[rx.Component]:
    return [
        rx.el.span(rx.el.strong("Nom"), " : ", name, display="block"),
        rx.el.span(rx.el.strong("Né(e) le"), " : ", birth, display="block"),
    ]
