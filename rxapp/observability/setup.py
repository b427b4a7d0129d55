"""The operations side of the web role: logs, counters, event latency, and their routes.

The web role runs several backend workers (granian) and any of them may answer a
scrape: the counters are kept in prometheus_client's multiprocess files, in a
directory of this app instance's own, that `/metrics` adds up. That mode has to be
chosen before prometheus_client is first imported, hence the order below.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_OWNER = "AMELI_WEB_METRICS_OWNER"


def _own_metrics_directory() -> None:
    """A fresh directory for this instance, shared by the workers it starts.

    A worker started by the process that made the directory (its parent) keeps it;
    anything else (a test run, the command line that starts the roles) makes its own,
    so two roles or two instances never add up each other's figures.
    """
    if os.environ.get(_OWNER) == str(os.getppid()) and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    directory = tempfile.mkdtemp(prefix="ameli-web-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    os.environ[_OWNER] = str(os.getpid())
    creator = os.getpid()
    atexit.register(lambda: os.getpid() == creator and shutil.rmtree(directory, ignore_errors=True))


_own_metrics_directory()

from prometheus_client import values  # noqa: E402
from starlette.routing import BaseRoute  # noqa: E402

from rxapp.api.health import health_routes  # noqa: E402
from rxapp.api.metrics import metrics_routes  # noqa: E402
from rxapp.logging_setup import configure_logging  # noqa: E402
from rxapp.observability.latency import instrument_event_processor  # noqa: E402
from rxapp.observability.tracking import install_tracking  # noqa: E402
from rxapp.settings import get_settings  # noqa: E402

# In case prometheus_client was imported before this module: values made from now on use the files.
# Only when it is not already: a second MultiProcessValue would open this process's files a second
# time, and two writers with their own idea of the file's end overwrite each other's series (the
# web role's workers get the directory before prometheus_client is first imported, rxapp/commands/roles.py).
if values.ValueClass.__name__ != "MmapedValue":
    values.ValueClass = values.get_value_class()


def operations_routes() -> list[BaseRoute]:
    """Configure this process's logs and metrics, and return `/healthz`, `/readyz`, `/metrics`.

    Called once where the app builds its API (`rxapp/rxapp.py`): logs go to stdout in
    `LOG_FORMAT`, committed rows and security events are counted, and every event
    handler is timed.
    """
    configure_logging(get_settings())
    install_tracking()
    instrument_event_processor()
    return [*health_routes, *metrics_routes]
