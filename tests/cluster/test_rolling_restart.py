"""Both web instances restarted one after the other while 50 journeys run over the websocket.

Each journey is a tab speaking Reflex's protocol through Caddy from its own address, at a
person's pace; the restarts are SIGTERM (what systemd sends), then a new instance on the same
port, ready before the next one goes. A journey whose socket closes reconnects, as the page
does. None may be lost or done twice, and none may see an error other than a reconnection.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from rxapp.db import make_engine
from rxapp.models import Affaire, OverlapRequest
from tests.cluster.conftest import RunningCluster
from tests.cluster.helpers import events_on, until
from tests.cluster.journeys import JourneyOutcome, resilient_journey
from tests.support.population import POPULATION_CODE, create_population

JOURNEYS = 50
SPREAD_SECONDS = 40.0
# About 10 s a journey: a dozen are under way when an instance goes.
PACE = 0.8
# Events an instance handles from the journeys before it is restarted (a journey sends about eight).
BUSY_EVENTS = 20

pytestmark = pytest.mark.server_errors_expected("web instances are restarted under load on purpose")


def rolling_restart(cluster: RunningCluster, done: threading.Event) -> None:
    try:
        for index in range(len(cluster.plan.web_ports)):
            # An instance goes only while journeys run through it: it handled events since now.
            handled = events_on(cluster, index)
            until(
                lambda index=index, handled=handled: events_on(cluster, index) >= handled + BUSY_EVENTS,
                timeout=60,
                message=f"des parcours en cours sur web-{index + 1}",
            )
            cluster.stop_process(f"web-{index + 1}")
            cluster.start_web(index)
            until(
                lambda index=index: cluster.web_ready(index), timeout=90, message=f"web-{index + 1} relancée"
            )
            if index + 1 < len(cluster.plan.web_ports):
                # Ready is not yet back behind Caddy: its health check runs every 2 s, and a refused
                # connection keeps an instance out for 3 s (deploy/Caddyfile). Stopping the next one
                # before could leave Caddy no instance to send a request to. The next one goes once
                # journeys run through this one again, as an operator's restart waits.
                back = events_on(cluster, index)
                until(
                    lambda index=index, back=back: events_on(cluster, index) >= back + BUSY_EVENTS,
                    timeout=60,
                    message=f"web-{index + 1} de retour derrière Caddy",
                )
    finally:
        done.set()


async def _run(cluster: RunningCluster, nirs: tuple[str, ...], done: threading.Event) -> list[JourneyOutcome]:
    restarts = asyncio.create_task(asyncio.to_thread(rolling_restart, cluster, done))
    outcomes = await asyncio.gather(
        *(
            resilient_journey(
                cluster.plan.url,
                nir,
                POPULATION_CODE,
                delay=index * SPREAD_SECONDS / JOURNEYS,
                source=f"127.0.1.{index + 1}",
                pace=PACE,
            )
            for index, nir in enumerate(nirs)
        )
    )
    await restarts
    return outcomes


def test_a_rolling_restart_loses_and_doubles_no_journey(cluster: RunningCluster) -> None:
    engine = make_engine(cluster.database_url)
    try:
        with Session(engine) as session:
            population = create_population(session=session, count=JOURNEYS)
            session.commit()
        done = threading.Event()
        outcomes = asyncio.run(_run(cluster, population.nirs, done))
        assert done.is_set()
        print(
            f"\nCLUSTER rolling restart: {JOURNEYS} parcours, {sum(o.reconnections for o in outcomes)} reconnexions"
        )
        failed = [f"{o.nir}: {o.errors} ({o.reconnections} reconnexions)" for o in outcomes if o.errors]
        assert not failed, f"{len(failed)} parcours en erreur :\n" + "\n".join(failed)
        assert all(o.reference.startswith("DEM-") for o in outcomes)
        assert sum(o.reconnections for o in outcomes) > 0, "aucun parcours n'a vu de redémarrage"

        accounts = list(population.account_ids)

        def affaires() -> Counter[int]:
            with Session(engine) as session:
                rows = session.exec(
                    select(OverlapRequest.id)
                    .join(Affaire, col(Affaire.request_id) == col(OverlapRequest.id))
                    .where(col(OverlapRequest.account_id).in_(accounts))
                ).all()
            return Counter(rows)

        with Session(engine) as session:
            requests = session.exec(
                select(OverlapRequest.account_id, func.count())
                .where(col(OverlapRequest.account_id).in_(accounts))
                .group_by(OverlapRequest.account_id)
            ).all()
        assert sorted(count for _, count in requests) == [1] * JOURNEYS
        until(lambda: len(affaires()) == JOURNEYS, timeout=90, message="une affaire par demande")
        assert set(affaires().values()) == {1}
    finally:
        engine.dispose()
