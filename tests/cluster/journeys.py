"""Insured journeys over the websocket that survive their instance going away, as the page does.

Each step is sent, and its answer waited for; when the socket was closed under it (the
instance restarting), the tab reconnects through the proxy with the same token and cookies,
exactly as Reflex's page reconnects, and the step is sent again. Reconnections are counted;
anything else that goes wrong is an error of the journey.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rxapp.state.auth import AuthState
from rxapp.state.dashboard import DashboardState
from rxapp.state.login import LoginState
from rxapp.state.selection import SelectionState
from tests.support.reflex_socket import ReflexTab, delta_of, event_name, filled, redirected, state_path

STEP_TIMEOUT = 15.0
RECONNECT_DEADLINE = 30.0
ATTEMPTS = 4
SELECTION = state_path(SelectionState)


@dataclass
class JourneyOutcome:
    nir: str
    reference: str = ""
    reconnections: int = 0
    errors: list[str] = field(default_factory=list)


async def _reconnect(tab: ReflexTab) -> None:
    """A new socket on the tab's page (same token, same cookies), until one is accepted."""
    deadline = time.monotonic() + RECONNECT_DEADLINE
    while True:
        await tab.close()
        tab._sio = tab._new_socket()
        try:
            await tab.connect(tab.path, settle=0.2, timeout=STEP_TIMEOUT)
            if tab.connected:
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.5)


async def _step(
    outcome: JourneyOutcome, tab: ReflexTab, name: str, action: Callable[[], Awaitable[bool]]
) -> None:
    """Run `action` (True when its answer arrived); after a lost socket, reconnect and retry."""
    for _ in range(ATTEMPTS):
        done = False
        try:
            done = await action()
        except Exception as error:
            if tab.connected:
                outcome.errors.append(f"{name}: {type(error).__name__}: {error}")
                return
        if done:
            return
        if tab.connected:
            # No answer on a socket still open: the instance is going away, or it is a real failure.
            for _ in range(10):
                if not tab.connected:
                    break
                await asyncio.sleep(0.5)
            else:
                outcome.errors.append(f"{name}: pas de réponse en {STEP_TIMEOUT} s ({tab.errors[-1:]})")
                return
        outcome.reconnections += 1
        await _reconnect(tab)
    outcome.errors.append(f"{name}: encore en échec après {ATTEMPTS} essais")


async def resilient_journey(
    base_url: str, nir: str, code: str, *, delay: float, source: str, pace: float = 0.3
) -> JourneyOutcome:
    """Log in, choose the first option for each beneficiary, confirm; through any restart."""
    outcome = JourneyOutcome(nir)
    await asyncio.sleep(delay)
    tab = ReflexTab(base_url, local_address=source)

    async def send(event: str, payload: dict[str, Any], until: Callable[[dict[str, Any]], bool]) -> bool:
        await asyncio.sleep(pace)
        seconds = await tab.send(event, payload, until=until, timeout=STEP_TIMEOUT)
        return seconds == seconds and tab.connected  # NaN: no matching update

    async def connect() -> bool:
        if not tab.connected:  # after a reconnection, the socket is already open on the page
            await tab.connect("/", settle=0.2, timeout=STEP_TIMEOUT)
        return tab.connected

    async def log_in() -> bool:
        form = {"form_data": {"nir": nir, "code": code}}
        return await send(event_name(LoginState, "submit"), form, filled(state_path(AuthState), "page_load"))

    opened: list[bool] = []

    async def open_session() -> bool:
        # The ticket is used once: if its socket then fails, only the socket is opened again.
        if not opened:
            opened.append(True)
            response = await tab.load_page(tab.page_loads[-1], settle=0.2, timeout=STEP_TIMEOUT)
            if response.status_code >= 400:
                raise RuntimeError(f"ouverture de session : {response.status_code}")
        if tab.var(DashboardState, "display_name", ""):
            return tab.connected
        greeted = filled(state_path(DashboardState), "display_name")
        return await tab.wait_for(greeted, timeout=STEP_TIMEOUT) is not None and tab.connected

    async def select() -> bool:
        mark = time.perf_counter()
        await send(event_name(DashboardState, "select"), {}, redirected)
        return (
            await tab.wait_for(filled(SELECTION, "beneficiaries"), after=mark, timeout=STEP_TIMEOUT)
            is not None
        )

    def choose(beneficiary: dict[str, Any]) -> Callable[[], Awaitable[bool]]:
        payload = {"beneficiary_id": beneficiary["id"], "contract_id": beneficiary["options"][0]["id"]}
        return lambda: send(
            event_name(SelectionState, "choose"), payload, delta_of(SELECTION, "beneficiaries")
        )

    async def next_step() -> bool:
        mark = time.perf_counter()
        if not await send(event_name(SelectionState, "next_step"), {}, redirected):
            return False  # no recap: a beneficiary without a choice, or no answer
        return await tab.wait_for(delta_of(SELECTION), after=mark, timeout=STEP_TIMEOUT) is not None

    async def confirm() -> bool:
        await send(event_name(SelectionState, "confirm"), {}, redirected)
        reference = str(tab.var(SelectionState, "reference", ""))
        if not reference.startswith("DEM-"):
            await tab.wait_for(delta_of(SELECTION, "reference"), timeout=STEP_TIMEOUT)
            reference = str(tab.var(SelectionState, "reference", ""))
        outcome.reference = reference if reference.startswith("DEM-") else ""
        return bool(outcome.reference)

    try:
        await _step(outcome, tab, "connexion", connect)
        await _step(outcome, tab, "login", log_in)
        await _step(outcome, tab, "tableau de bord", open_session)
        await _step(outcome, tab, "sélection", select)
        for beneficiary in tab.var(SelectionState, "beneficiaries", []):
            await _step(outcome, tab, "choix", choose(beneficiary))
        await _step(outcome, tab, "récapitulatif", next_step)
        await _step(outcome, tab, "confirmation", confirm)
        refusal = tab.var(SelectionState, "refusal", "")
        if refusal:
            # The pages the tab was sent to say where its choices went (a recap that sent it back
            # to step 1 had found none).
            outcome.errors.append(f"refus : {refusal} (pages : {' > '.join(tab.redirects)})")
    except Exception as error:
        outcome.errors.append(f"{type(error).__name__}: {error}")
    finally:
        await tab.close()
    return outcome
