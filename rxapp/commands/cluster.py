"""`make cluster`: the production topology of `deploy/` on one machine, to try it and to test it.

Caddy on CLUSTER_PORT (8080) in front of two `web` instances (ports CLUSTER_PORT+1 and +2),
one `worker` (CLUSTER_WORKERS) and the one `beat`, on the PostgreSQL and Redis named by
DATABASE_URL and REDIS_URL (required: no embedded fallback), with APP_ENV=production.
It migrates once and exports the frontend once, then starts every process in its own
process group and stops them all, by PID, on Ctrl-C.

For a local try it fills what production needs and a laptop lacks: throwaway secrets
(never printed), a local SMTP sink writing to var/cluster/mail when SMTP_URL is unset, the
local FranceConnect provider when FRANCECONNECT_ISSUER is unset (flagged as demo), and with
DEMO=1 the demo data plus DEMO_CLUSTER, which lets the demo passwords in on localhost only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import httpx

from rxapp.commands import frontend_build
from rxapp.settings import PROJECT_ROOT, VAR_DIR

REQUIRED: Final = (
    ("DATABASE_URL", "l'adresse de la base PostgreSQL"),
    ("REDIS_URL", "l'adresse du serveur Redis"),
)
CADDYFILE: Final = PROJECT_ROOT / "deploy" / "Caddyfile"
CADDY: Final = "caddy"
READY_TIMEOUT: Final = 180.0
STOP_TIMEOUT: Final = 20.0


class ClusterError(Exception):
    """The cluster cannot start; the message is one French line."""


def missing_variable(environ: dict[str, str]) -> str | None:
    """The French line naming the first of DATABASE_URL, REDIS_URL that is not set, or None."""
    for name, what in REQUIRED:
        if not environ.get(name, "").strip():
            return (
                f"make cluster : {name} manque ({what}) ; le cluster ne se rabat pas sur la base "
                "ou le broker embarqués de la démonstration."
            )
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ClusterPlan:
    """What the cluster runs: ports, counts, and the environment every role gets."""

    port: int
    web_ports: list[int]
    workers: int
    demo: bool
    env: dict[str, str]
    log_dir: Path
    smtp_port: int | None = None
    franceconnect_port: int | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def web_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.web_ports[index]}"


def plan_cluster(
    environ: dict[str, str], *, webs: int = 2, workers: int | None = None, demo: bool | None = None
) -> ClusterPlan:
    """The plan for `environ` (os.environ): raises ClusterError when a required variable is missing."""
    problem = missing_variable(environ)
    if problem:
        raise ClusterError(problem)
    port = int(environ.get("CLUSTER_PORT") or 8080)
    workers = workers if workers is not None else int(environ.get("CLUSTER_WORKERS") or 1)
    demo = demo if demo is not None else environ.get("DEMO", "") not in ("", "0")
    env = {key: value for key, value in environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    url = f"http://localhost:{port}"
    env.update(
        APP_ENV="production",
        PUBLIC_URL=url,
        # The worker calls the Medialog+ API through the proxy, like any client.
        MEDIALOG_API_URL=f"{url}/api/medialog",
        # Caddy connects to the instances from 127.0.0.1 and sets X-Forwarded-For.
        TRUSTED_PROXIES=environ.get("TRUSTED_PROXIES") or "127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    # Each event's state is written to Redis at once: a killed instance loses no tab (README).
    env.setdefault("REFLEX_OPLOCK_ENABLED", "0")
    # Two instances share 2 cores: one backend process each; small pools (README, connections).
    env.setdefault("GRANIAN_WORKERS", "1")
    env.setdefault("DB_POOL_SIZE", "3")
    env.setdefault("DB_MAX_OVERFLOW", "5")
    for name in ("SECRET_KEY", "MEDIALOG_API_TOKEN", "FRANCECONNECT_CLIENT_SECRET"):
        # A local try only: throwaway values, never printed; a real deployment sets its own.
        env.setdefault(name, secrets.token_urlsafe(32))
    plan = ClusterPlan(
        port=port,
        web_ports=[port + 1 + index for index in range(webs)],
        workers=workers,
        demo=demo,
        env=env,
        log_dir=VAR_DIR / "cluster",
    )
    if not environ.get("SMTP_URL"):
        plan.smtp_port = _free_port()
        env["SMTP_URL"] = f"smtp://127.0.0.1:{plan.smtp_port}"
    if not environ.get("FRANCECONNECT_ISSUER"):
        plan.franceconnect_port = _free_port()
        env["FRANCECONNECT_ISSUER"] = f"http://localhost:{plan.franceconnect_port}/api/v2"
    if demo:
        env["DEMO_CLUSTER"] = "1"
    return plan


@dataclass
class Cluster:
    """The processes of one plan, each in its own process group, stopped by PID."""

    plan: ClusterPlan
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    # More environment for one web instance (by index): the tests put one behind a cut-able link.
    web_overrides: dict[int, dict[str, str]] = field(default_factory=dict)

    # -- once per start: migrate, demo data, export ----------------------------------------------

    def _cli(self, *args: str, env: dict[str, str] | None = None) -> None:
        name = "-".join(args)
        log = self.plan.log_dir / f"{name}.log"
        with log.open("w") as output:
            result = subprocess.run(
                [sys.executable, "-m", "rxapp.cli", *args],
                cwd=PROJECT_ROOT,
                env=env or self.plan.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if result.returncode != 0:
            last = log.read_text(errors="replace").strip().splitlines()[-1:] or ["?"]
            raise ClusterError(f"« {' '.join(args)} » a échoué : {last[0]} (journal : {log})")

    def prepare(self) -> None:
        """Migrate once, load the demo data when asked, export the frontend (kept when it was
        built from the same sources and settings, PUBLIC_URL included)."""
        self.plan.log_dir.mkdir(parents=True, exist_ok=True)
        self._cli("migrate")
        if self.plan.demo:
            # `seed` is refused in production; the demo data is loaded as the demo does.
            self._cli("seed", env={**self.plan.env, "APP_ENV": "development"})
        self._cli("export")

    # -- the processes ---------------------------------------------------------------------------

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = (self.plan.log_dir / f"{name}.log").open("a")
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env or self.plan.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes[name] = process
        return process

    def _role(self, role: str) -> list[str]:
        return [sys.executable, "-m", "rxapp.cli", role]

    def start_web(self, index: int) -> subprocess.Popen:
        env = {
            **self.plan.env,
            "APP_PORT": str(self.plan.web_ports[index]),
            **self.web_overrides.get(index, {}),
        }
        return self._spawn(f"web-{index + 1}", self._role("web"), env)

    def start_worker(self, index: int) -> subprocess.Popen:
        env = {**self.plan.env, "WORKER_METRICS_PORT": str(self.plan.port + 11 + index)}
        return self._spawn(f"worker-{index + 1}", self._role("worker"), env)

    def start(self) -> None:
        """Start every process, then wait until the proxy serves the app with both instances ready."""
        plan = self.plan
        if plan.smtp_port:
            mail = plan.log_dir / "mail"
            mail.mkdir(parents=True, exist_ok=True)
            self._spawn(
                "smtp",
                [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{plan.smtp_port}",
                 "-c", "aiosmtpd.handlers.Mailbox", str(mail)],
            )  # fmt: skip
        if plan.franceconnect_port:
            issuer = plan.env["FRANCECONNECT_ISSUER"]
            command = [
                sys.executable,
                "-m",
                "rxapp.franceconnect_local",
                "--port",
                str(plan.franceconnect_port),
            ]
            self._spawn("franceconnect", [*command, "--issuer", issuer])
        for index in range(plan.workers):
            self.start_worker(index)
        self._spawn("beat", self._role("beat"))
        for index in range(len(plan.web_ports)):
            self.start_web(index)
        self._spawn("caddy", [caddy_binary(), "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
                    self.caddy_env())  # fmt: skip
        self.wait_ready()

    def caddy_env(self) -> dict[str, str]:
        folder = self.plan.log_dir / "caddy"
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_DATA_HOME": str(folder / "data"),
            "AMELI_SITE": f"http://:{self.plan.port}",
            "AMELI_FRONTEND_DIR": str(frontend_build.frontend_dir(self.plan.env)),
            "AMELI_UPSTREAMS": " ".join(f"127.0.0.1:{port}" for port in self.plan.web_ports),
        }

    def web_ready(self, index: int) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{self.plan.web_url(index)}/readyz", timeout=3).status_code == 200
        return False

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Until every web instance is ready and the proxy serves the login page and /readyz."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            with contextlib.suppress(httpx.HTTPError):
                if (
                    all(self.web_ready(index) for index in range(len(self.plan.web_ports)))
                    and httpx.get(f"{self.plan.url}/", timeout=3).status_code == 200
                    and httpx.get(f"{self.plan.url}/readyz", timeout=3).status_code == 200
                ):
                    return
            if time.monotonic() > deadline:
                raise ClusterError(
                    f"Le cluster n'est pas prêt après {int(timeout)} s (journaux : {self.plan.log_dir})."
                )
            time.sleep(0.5)

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                log = self.plan.log_dir / f"{name}.log"
                raise ClusterError(
                    f"Le processus « {name} » s'est arrêté (code {process.returncode}, journal : {log})."
                )

    def stopped(self) -> set[str]:
        return {name for name, process in self.processes.items() if process.poll() is not None}

    def web_names(self) -> list[str]:
        return [f"web-{index + 1}" for index in range(len(self.plan.web_ports))]

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send `sig` to the process group of `name` (SIGKILL: the whole instance dies at once)."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_TIMEOUT)

    def stop_process(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if name.startswith("worker"):
                    # Celery's warm shutdown: the main process lets the running tasks finish.
                    os.kill(process.pid, signal.SIGTERM)
                else:
                    os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_TIMEOUT)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        """The proxy first, then the web instances, the beat, the workers, the helpers."""
        order = ["caddy", *self.web_names(), "beat"]
        order += [name for name in self.processes if name not in order]
        for name in order:
            if name in self.processes:
                self.stop_process(name)


def caddy_binary() -> str:
    found = shutil.which(CADDY)
    if not found:
        raise ClusterError("Caddy manque : « make cluster » l'installe (paquet Debian caddy).")
    return found


def banner(plan: ClusterPlan) -> str:
    lines = ["", f"  Compte ameli (par Caddy) : {plan.url}", f"  Espace agents Medialog+ : {plan.url}/admin"]
    lines += [f"  Instance web {i + 1} : {plan.web_url(i)}" for i in range(len(plan.web_ports))]
    lines.append(f"  Workers : {plan.workers} ; beat : 1 ; journaux : {plan.log_dir}")
    if plan.franceconnect_port:
        lines.append(
            f"  FranceConnect : fournisseur local de démonstration sur le port {plan.franceconnect_port}"
        )
    if plan.smtp_port:
        lines.append(f"  Courriels : serveur SMTP local, messages dans {plan.log_dir / 'mail'}")
    if plan.demo:
        from rxapp.services.demo import AGENT_PASSWORD, DEMO_CODE

        lines.append(
            f"  Démonstration (DEMO=1) : code des assurés {DEMO_CODE}, mot de passe des agents {AGENT_PASSWORD}"
        )
    lines.append("  Ctrl-C arrête tout.\n")
    return "\n".join(lines)


def run_cluster(environ: dict[str, str]) -> int:
    """`python -m rxapp.cli cluster`: start, print the URLs, wait for Ctrl-C (or a process that dies)."""
    try:
        plan = plan_cluster(environ)
    except ClusterError as error:
        print(str(error), file=sys.stderr)
        return 2
    cluster = Cluster(plan)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        print("Migration et export du frontend…", flush=True)
        cluster.prepare()
        cluster.start()
        print(banner(plan), flush=True)
        reported: set[str] = set()
        while not stopping:
            for name in cluster.stopped() - reported:
                # A web instance or a worker may die: the others carry on (that is the point).
                code = cluster.processes[name].returncode
                print(f"Le processus « {name} » s'est arrêté (code {code}).", file=sys.stderr, flush=True)
                reported.add(name)
            if "caddy" in reported or all(name in reported for name in cluster.web_names()):
                return 1
            time.sleep(0.5)
        return 0
    except ClusterError as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        print("Arrêt du cluster…", flush=True)
        cluster.stop()
