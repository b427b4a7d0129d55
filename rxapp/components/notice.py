"""Callouts with text contrast of at least 4.5:1 (Radix's soft callout text is too pale)."""

from __future__ import annotations

import reflex as rx


def callout(*children, **props) -> rx.Component:
    """A callout around a text: Radix puts it in a <p>, so it holds text and inline elements only."""
    return rx.callout(*children, high_contrast=True, **props)


def unavailable_alert(message: rx.Var, **props) -> rx.Component:
    """The page's "service unavailable" message (its data could not be read), as an alert; nothing
    while `message` is empty."""
    return rx.cond(message, callout(message, color_scheme="red", role="alert", **props))


def callout_block(*children: rx.Component, **props) -> rx.Component:
    """A callout around paragraphs or other blocks, which a <p> may not hold (RGAA 8.2): they go
    in a <div> instead of Radix's Callout.Text."""
    return rx.callout.root(rx.box(*children), high_contrast=True, **props)
