"""One cluster for the whole directory, as `make cluster` runs it: Caddy, two web instances,
two workers and the beat, in production mode with the demo data (DEMO=1), on a scratch
database and a private Redis.

Started once (package scope: about 40 s, plus the export), the tests share it and leave it
as they found it: an instance a test kills, the test starts again. The second web instance
reaches the database through a TCP proxy that the readiness test cuts.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from rxapp.commands.cluster import Cluster, plan_cluster
from rxapp.settings import VAR_DIR, Settings
from tests.support import server_logs
from tests.support.databases import scratch_database
from tests.support.processes import app_slot, port_is_free, web_workdir
from tests.support.redis_server import redis_server
from tests.support.tcp_proxy import TcpProxy

SETTING_VARIABLES = {name.upper() for name in Settings.model_fields}
# Offsets from CLUSTER_PORT that the cluster uses: the proxy, two instances, two worker metrics.
PORT_OFFSETS = (0, 1, 2, 11, 12)


def _ephemeral_ports_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _cluster_port() -> int:
    """A base port whose whole block is free (the cluster's ports follow from it), below the
    kernel's ephemeral ports. Between this choice and the instances' bind come the export and
    the start (a minute or more): a port of the ephemeral range can meanwhile become the local
    port of any outgoing connection (the chaos suite, beside it, makes thousands), and the
    instance then fails with "Address already in use" (seen once, all the cluster tests lost)."""
    ceiling = _ephemeral_ports_start() - max(PORT_OFFSETS) - 1
    for _ in range(200):
        if ceiling > 10000:
            base = random.randrange(10000, ceiling)
        else:  # no room below the ephemeral ports on this machine: one of them, as the kernel gives
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                base = sock.getsockname()[1]
        if base < 60000 and all(port_is_free(base + offset, "0.0.0.0") for offset in PORT_OFFSETS):
            return base
    raise RuntimeError("aucun bloc de ports libre pour le cluster")


class RunningCluster(Cluster):
    """The cluster with what the tests need besides: its database URL and the cut-able link."""

    database_url: str
    database_link: TcpProxy
    security_log: Path


@pytest.fixture(scope="package")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCluster]:
    folder = tmp_path_factory.mktemp("cluster")
    with redis_server() as redis, scratch_database("cluster") as database_url:
        from sqlalchemy.engine import make_url

        server = make_url(database_url)
        link = TcpProxy(server.host or "127.0.0.1", server.port or 5432)
        environ = {key: value for key, value in os.environ.items() if key.upper() not in SETTING_VARIABLES}
        environ |= {
            "CLUSTER_PORT": str(_cluster_port()),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url(0),
            "SECURITY_LOG": str(folder / "security.jsonl"),
            # A task taken by a killed worker comes back after 10 s, not 60 (tests/chaos does the same).
            "BROKER_VISIBILITY_TIMEOUT": "10",
            "LOG_FORMAT": "text",
            # The PostgreSQL server is shared (max_connections 100): 2 web x 5 + 2 workers x 1 x 5 at most.
            "DB_POOL_SIZE": "2",
            "DB_MAX_OVERFLOW": "3",
            "WORKER_CONCURRENCY": "1",
        }
        # The export goes to this process's slot (`.web` or `.web-N`), not under the feet of an
        # app another test process serves at the same time (the chaos suite runs beside this one).
        if web_workdir(app_slot()):
            environ["REFLEX_WEB_WORKDIR"] = web_workdir(app_slot())
        plan = plan_cluster(environ, workers=2, demo=True)
        plan.log_dir = VAR_DIR / "tests" / "cluster"
        shutil.rmtree(plan.log_dir, ignore_errors=True)
        cluster = RunningCluster(plan)
        cluster.database_url = database_url
        cluster.database_link = link
        cluster.security_log = folder / "security.jsonl"
        cluster.web_overrides[1] = {"DATABASE_URL": server.set(port=link.port).render_as_string(False)}
        try:
            cluster.prepare()
            cluster.start()
            for name in cluster.processes:
                server_logs.watch(plan.log_dir / f"{name}.log", f"cluster {name}")
            yield cluster
        finally:
            cluster.stop()
            link.close()
