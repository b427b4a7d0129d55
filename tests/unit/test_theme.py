"""The stylesheet's colour tokens and rxapp/theme.py say the same thing."""

from __future__ import annotations

import re

from rxapp import theme
from rxapp.settings import PROJECT_ROOT

STYLESHEET = PROJECT_ROOT / "assets" / "styles.css"


def _root_properties() -> dict[str, str]:
    block = re.search(r":root\s*\{(?P<body>[^}]*)\}", STYLESHEET.read_text())
    assert block, "assets/styles.css declares its colours in a :root block"
    return dict(re.findall(r"--([a-z-]+):\s*([^;]+);", block["body"]))


def test_every_css_colour_token_has_the_value_of_its_theme_token() -> None:
    properties = _root_properties()
    assert properties, "no custom property in :root"
    for name, value in properties.items():
        token = name.replace("-", "_").upper()
        assert getattr(theme, token, None) == value.strip(), f"--{name} vs theme.{token}"


def test_the_stylesheet_writes_no_theme_colour_outside_its_tokens() -> None:
    rules = re.sub(r":root\s*\{[^}]*\}", "", STYLESHEET.read_text()).lower()
    token_values = {value.lower() for value in _root_properties().values()}
    written = set(re.findall(r"#[0-9a-f]{6}\b", rules))
    assert not written & token_values, f"use var(--…) for {sorted(written & token_values)}"
