"""What every insured page's state shares: read once the gate has let the handler in,
`loaded` once shown, and the French "unavailable" message on a database error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from rxapp.state.gate import SERVICE_UNAVAILABLE, in_session

T = TypeVar("T")


class InsuredPage(rx.State, mixin=True):
    """A mixin (each page's state gets vars of its own), mixed with `AuthState`.

    The gate calls `_forget` when the session is gone and `_show_unavailable` on a
    database error; a state that shows more extends `_forget`.
    """

    loaded: bool = False
    unavailable: str = ""

    def _forget(self) -> None:
        self.loaded = False

    def _show_unavailable(self) -> None:
        self.unavailable = SERVICE_UNAVAILABLE

    async def _read(self, work: Callable[..., T], /, **arguments: Any) -> T:
        """`in_session(work, ...)`; the database answered, so the "unavailable" message goes."""
        result = await in_session(work, **arguments)
        self.unavailable = ""
        return result
