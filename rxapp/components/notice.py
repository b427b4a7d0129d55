"""Callouts with text contrast of at least 4.5:1 (Radix's soft callout text is too pale)."""

from __future__ import annotations

import reflex as rx


def callout(*children, **props) -> rx.Component:
    return rx.callout(*children, high_contrast=True, **props)
