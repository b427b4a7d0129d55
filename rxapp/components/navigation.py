"""A whole-page navigation decided by the server: the session routes need one.

`rx.redirect` moves inside the single-page app; the routes that set or expire the
HttpOnly session cookie (rxapp/api/session.py) must be loaded by the browser
itself. A state sets its `page_load` var to such a URL; this component's effect
then calls `window.location.assign` with it. The script is compiled into the page
(the CSP allows no `eval`), and each URL is loaded once per tab, so the stale value
seen again after the navigation does nothing (the URLs carry a ticket or a nonce).
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var, VarData


def _effect(url: Var[str], storage_key: str) -> Var:
    return Var(
        "useEffect(() => {"
        f" const url = {url!s};"
        f' if (url && window.sessionStorage.getItem("{storage_key}") !== url) {{'
        f' window.sessionStorage.setItem("{storage_key}", url);'
        " window.location.assign(url); }"
        f" }}, [{url!s}]);",
        _var_data=VarData.merge(url._get_all_var_data(), VarData(imports={"react": ["useEffect"]})),
    )


def page_load(url: Var[str], *, kind: str) -> rx.Component:
    """Load `url` as a whole page whenever it changes to a URL not loaded yet by this tab.

    Args:
        url: a state's `page_load` var.
        kind: "insured" or "agent": each var remembers its own last URL.
    """
    effect = _effect(url, f"rxapp.page_load.{kind}")

    class PageLoad(rx.Fragment):
        def add_hooks(self) -> list[str | Var]:
            return [effect]

    return PageLoad.create()
