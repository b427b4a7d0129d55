"""A page that shows one thing its address names: a payment's relevé (`?paiement=`), an affaire
(`?ref=`).

A tab keeps its state from page to page. Opened at a new address, such a page's state still
holds what it showed for the previous one, and the browser gets that first, before the page's
on_load has read what the new address names: the page would show one relevé, or one affaire,
under the address of another, and an agent could act on what they did not mean to. The page
shows its content only while `for_this_address` holds.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx


class AddressedPage(rx.State, mixin=True):
    """Mixed into the page's state, which names its parameter in `_address_parameter`."""

    _address_parameter: ClassVar[str] = ""  # each page's own; a constant, not a state var
    # The parameter's value the state's content was read for.
    read_for: str = ""

    def _address_value(self) -> str:
        return str(self.router.url.query_parameters.get(self._address_parameter) or "")

    def _read_address(self) -> str:
        """At the start of the on_load: the value the address names, which the state now holds."""
        self.read_for = self._address_value()
        return self.read_for

    @rx.var(cache=False)
    def for_this_address(self) -> bool:
        """The state holds what the on_load read for the address the page is at."""
        return self.read_for == self._address_value()
