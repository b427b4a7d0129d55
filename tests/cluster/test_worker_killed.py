"""One of the two workers killed while affaires are being created: the other worker, and the
redelivery of what the dead one held (after BROKER_VISIBILITY_TIMEOUT, 10 s here), finish
them. None lost, none twice.

The requests are recorded as "Confirmer" records them (tests/support/population.py), and
their creation is queued on the cluster's broker with the app's own code.
"""

from __future__ import annotations

import signal
from collections import Counter

import pytest
from sqlmodel import Session, col, select

import backoffice_worker.celery_app as celery_module
from rxapp.db import make_engine
from rxapp.models import Affaire
from rxapp.queue import queue_affaire_creation
from rxapp.settings import get_settings
from tests.cluster.conftest import RunningCluster
from tests.cluster.helpers import until
from tests.support.population import create_population, submit_choices

REQUESTS = 150

pytestmark = pytest.mark.server_errors_expected("a worker is killed with SIGKILL on purpose")


def test_a_worker_killed_mid_creation_loses_and_doubles_nothing(
    cluster: RunningCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("REDIS_URL", "DATABASE_URL"):
        monkeypatch.setenv(name, cluster.plan.env[name])
    get_settings.cache_clear()
    monkeypatch.setattr(celery_module, "app", celery_module.make_celery())
    engine = make_engine(cluster.database_url)
    try:
        with Session(engine) as session:
            population = create_population(session=session, count=REQUESTS)
            session.commit()
        accounts = population.account_ids

        def created() -> Counter[int]:
            with Session(engine) as session:
                rows = session.exec(
                    select(Affaire.request_id).where(col(Affaire.request_id).in_(request_ids))
                ).all()
            return Counter(rows)

        # Every request recorded first, then all queued at once: both workers take tasks ahead
        # (prefetch), and the one killed holds some unacknowledged when it dies.
        request_ids = submit_choices(engine=engine, account_ids=accounts)
        for request_id in request_ids:
            assert queue_affaire_creation(request_id)
        until(lambda: len(created()) >= 5, timeout=60, message="les premières affaires", interval=0.05)
        cluster.kill("worker-1", signal.SIGKILL)
        at_kill = len(created())
        print(f"\nCLUSTER worker tué : {at_kill} affaires sur {REQUESTS} créées à cet instant")
        until(lambda: len(created()) == REQUESTS, timeout=90, message="toutes les affaires")
        assert set(created().values()) == {1}
    finally:
        engine.dispose()
        get_settings.cache_clear()
        cluster.start_worker(0)
