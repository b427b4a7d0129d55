"""The one settings object, read from the environment (and an optional `.env`).

Every process of the project (the Reflex app, the Celery worker, Alembic, the
command line) reads its configuration here and nowhere else.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from rxapp.services.client_address import Network, parse_networks

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
DEFAULT_SECRET_KEY = "dev-only-secret-change-me"
DEFAULT_MEDIALOG_TOKEN = "dev-only-medialog-token"
DEFAULT_FRANCECONNECT_SECRET = "local-client-secret-not-for-production"


class AppEnv(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    JSON = "json"
    TEXT = "text"


METRICS_TOKEN_MIN_LENGTH = 32
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Seconds: the shortest broker visibility timeout that still exceeds a worker's longest
# legitimate hold of one task (see `Settings.broker_visibility_timeout`).
MIN_BROKER_VISIBILITY_TIMEOUT = 10.0


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """Typed configuration. See `.env.example` for each variable."""

    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    app_env: AppEnv = AppEnv.DEVELOPMENT
    secret_key: str = DEFAULT_SECRET_KEY
    database_url: str = f"sqlite:///{VAR_DIR / 'ameli.db'}"
    redis_url: str | None = None
    app_port: int = 3000
    public_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "ne-pas-repondre@assurance-maladie.fr"
    medialog_api_token: str = DEFAULT_MEDIALOG_TOKEN
    medialog_api_url: str | None = None
    medialog_auto_process_after: float | None = None
    # The demo seed also adds 90 days of closed affaires (`make run` turns it on; tests leave it off).
    demo_history: bool = False
    # `make cluster DEMO=1` only: the demo accounts may log in although APP_ENV=production. Refused
    # unless PUBLIC_URL is this machine (localhost), so a real deployment cannot turn it on.
    demo_cluster: bool = False
    # `python -m bench.preload_ab` only: the built pages keep React Router's modulepreload links
    # (the "before" of that comparison; `rxapp.build.preload`).
    keep_modulepreloads: bool = False
    worker_concurrency: int = 2
    celery_queue: str = "backoffice"
    overlap_scan_interval: float = 60.0
    # Security events (failed logins, lockouts, refused accesses), one JSON object a line.
    security_log: Path = VAR_DIR / "log" / "security.jsonl"
    # Redis broker: how long a task taken by a worker that died stays invisible before another
    # worker gets it (acks_late); with the 1 s restore sweep it bounds the recovery after a worker
    # dies. It must exceed the longest a worker holds one delivery (backoffice_worker/tasks.py,
    # TASK_HOLD_MAX: a retry's wait plus one bounded run), hence the floor; a longer hold only
    # costs a second delivery, harmless since every task is idempotent.
    broker_visibility_timeout: float = MIN_BROKER_VISIBILITY_TIMEOUT
    # PostgreSQL connections kept (and allowed beyond) by each process. The app runs one
    # backend worker per 2 x cores + 1 and the worker its processes and beat: keep
    # (pool + overflow) x processes under the server's max_connections (100 by default).
    db_pool_size: int = Field(default=10, ge=1, le=100)
    db_max_overflow: int = Field(default=10, ge=0, le=100)

    # --- Operations: client address, health, metrics, logs ---
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or CIDRs); empty: nobody.
    trusted_proxies: str = ""
    # Bearer token for /metrics (>= 32 characters in production); unset: allowed addresses only.
    metrics_token: str | None = None
    # Addresses (IPs or CIDRs, comma-separated) allowed to read /metrics without the token.
    metrics_allowed: str = "127.0.0.1,::1"
    # The worker serves its own metrics on this port (prometheus_client's HTTP server); 0: off.
    worker_metrics_port: int = Field(default=9101, ge=0, le=65535)
    # `json` (one object per line, the production default) or `text`; unset: by APP_ENV.
    log_format: LogFormat | None = None
    log_level: str = "INFO"

    # --- Session expiry (RGAA 13.1), in seconds ---
    # A session without activity for this long ends; production keeps 30 min (OWASP ASVS V3.3).
    session_idle_timeout: float = Field(default=1800.0, ge=20, le=8 * 3600)
    # How long before that end the page warns and offers "Prolonger".
    session_expiry_warning: float = Field(default=120.0, ge=5)

    # --- FranceConnect (OpenID Connect, v2) ---
    # The provider's issuer, e.g. https://fcp-low.integ01.dev-franceconnect.fr/api/v2 (discovery
    # below it). Empty: the local FranceConnect-compatible provider that `serve` starts (demo only).
    franceconnect_issuer: str | None = None
    franceconnect_client_id: str = "ameli-local"
    franceconnect_client_secret: str = DEFAULT_FRANCECONNECT_SECRET
    # Port of the local provider; 0: a free port chosen by `serve`.
    franceconnect_local_port: int = Field(default=0, ge=0, le=65535)

    # --- Abuse resistance: websocket event budgets (checked before any state is loaded) ---
    # Per connection: a token bucket, `EVENT_RATE` events a second sustained, bursts of `EVENT_BURST`.
    event_rate: float = Field(default=20.0, gt=0)
    event_burst: int = Field(default=60, ge=1)
    # A connection whose events go over its budget this many times in a minute is closed.
    event_overruns_before_close: int = Field(default=60, ge=1)
    # Login handlers (argon2 behind them): their own bucket per connection, and a budget per address.
    login_rate: float = Field(default=0.2, gt=0)
    login_burst: int = Field(default=10, ge=1)
    # Per client address (behind TRUSTED_PROXIES), per minute; shared through Redis when REDIS_URL is set.
    address_sockets_per_minute: int = Field(default=60, ge=1)
    address_events_per_minute: int = Field(default=2400, ge=1)
    address_logins_per_minute: int = Field(default=30, ge=1)
    # An address with this many sockets closed for flooding in a minute has its new sockets refused
    # for `FLOOD_COOLDOWN_SECONDS` (before any handshake). Behind a shared NAT, honest neighbours of
    # a flooder cannot open a new tab meanwhile (their open tabs go on): keep it short.
    flood_closes_before_cooldown: int = Field(default=3, ge=1)
    flood_cooldown_seconds: float = Field(default=60.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError("URL illisible") from exc
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError("seuls sqlite:// et postgresql:// sont pris en charge")
        if url.get_backend_name() == "postgresql" and not url.database:
            raise ValueError("le nom de la base de données manque")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
            raise ValueError("attendu : redis://hôte:port/numéro")
        try:
            parts.port  # noqa: B018 - raises on a non-numeric port
            _redis_db_number(value)
        except ValueError as exc:
            raise ValueError("port ou numéro de base invalide") from exc
        return value

    # --- Production mode: what only the demo may use ---

    @model_validator(mode="after")
    def _refuse_demo_secrets_and_setups_in_production(self) -> Settings:
        if not self.is_production:
            return self
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
            raise ValueError(
                "SECRET_KEY : en production, une valeur propre d'au moins 32 caractères est obligatoire"
            )
        if self.medialog_api_token == DEFAULT_MEDIALOG_TOKEN:
            raise ValueError("MEDIALOG_API_TOKEN : en production, la valeur par défaut est refusée")
        if self.is_sqlite:
            raise ValueError("DATABASE_URL : en production, SQLite est refusé ; indiquez une base PostgreSQL")
        if not self.uses_redis:
            raise ValueError(
                "REDIS_URL : en production, le broker embarqué est refusé ; indiquez un serveur Redis"
            )
        if not self.smtp_url:
            raise ValueError("SMTP_URL : en production, un serveur d'envoi des courriels est obligatoire")
        if self.medialog_auto_process_after is not None:
            raise ValueError(
                "MEDIALOG_AUTO_PROCESS_AFTER : traitement automatique réservé à la démonstration, "
                "refusé en production"
            )
        return self

    @model_validator(mode="after")
    def _check_session_expiry(self) -> Settings:
        if self.session_expiry_warning >= self.session_idle_timeout:
            raise ValueError("SESSION_EXPIRY_WARNING : moins que SESSION_IDLE_TIMEOUT")
        return self

    @property
    def idle_timeout(self) -> timedelta:
        """SESSION_IDLE_TIMEOUT as a duration."""
        return timedelta(seconds=self.session_idle_timeout)

    @property
    def expiry_warning(self) -> timedelta:
        """SESSION_EXPIRY_WARNING as a duration."""
        return timedelta(seconds=self.session_expiry_warning)

    @model_validator(mode="after")
    def _refuse_the_local_franceconnect_in_production(self) -> Settings:
        if self.is_production and not self.franceconnect_issuer:
            raise ValueError(
                "FRANCECONNECT_ISSUER : en production, le fournisseur FranceConnect local est refusé ; "
                "indiquez l'adresse de FranceConnect"
            )
        if self.is_production and self.franceconnect_client_secret == DEFAULT_FRANCECONNECT_SECRET:
            raise ValueError("FRANCECONNECT_CLIENT_SECRET : en production, la valeur par défaut est refusée")
        return self

    @model_validator(mode="after")
    def _demo_cluster_on_this_machine_only(self) -> Settings:
        if self.demo_cluster and urlsplit(self.public_url or "").hostname not in LOOPBACK_HOSTS:
            raise ValueError(
                "DEMO_CLUSTER : réservé à l'essai local de « make cluster DEMO=1 » (PUBLIC_URL sur localhost)"
            )
        return self

    @field_validator("broker_visibility_timeout")
    @classmethod
    def _check_broker_visibility_timeout(cls, value: float) -> float:
        if value < MIN_BROKER_VISIBILITY_TIMEOUT:
            raise ValueError(
                f"au moins {MIN_BROKER_VISIBILITY_TIMEOUT:.0f} s : un worker garde une tâche jusque-là "
                "(attente d'une reprise et un essai) ; plus court, elle serait confiée à un second worker"
            )
        return value

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in {"smtp", "smtp+starttls", "smtps"}:
            raise ValueError(
                "attendu : smtp://, smtp+starttls://utilisateur:mot-de-passe@hôte:587 ou smtps://…"
            )
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _check_log_format(cls, value: object) -> object:
        if isinstance(value, str) and value.lower() not in {"json", "text"}:
            raise ValueError("attendu : json ou text")
        return value.lower() if isinstance(value, str) else value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("attendu : DEBUG, INFO, WARNING, ERROR ou CRITICAL")
        return value.upper()

    @field_validator("trusted_proxies", "metrics_allowed")
    @classmethod
    def _check_networks(cls, value: str) -> str:
        try:
            parse_networks(value)
        except ValueError as exc:
            raise ValueError("attendu : adresses IP ou réseaux CIDR séparés par des virgules") from exc
        return value

    @model_validator(mode="after")
    def _check_metrics_token(self) -> Settings:
        if (
            self.is_production
            and self.metrics_token is not None
            and len(self.metrics_token) < METRICS_TOKEN_MIN_LENGTH
        ):
            raise ValueError(
                f"METRICS_TOKEN : en production, au moins {METRICS_TOKEN_MIN_LENGTH} caractères sont obligatoires"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.app_env is AppEnv.PRODUCTION

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        """`TRUSTED_PROXIES`, parsed."""
        return parse_networks(self.trusted_proxies)

    @property
    def metrics_allowed_networks(self) -> tuple[Network, ...]:
        """`METRICS_ALLOWED`, parsed."""
        return parse_networks(self.metrics_allowed)

    @property
    def effective_log_format(self) -> LogFormat:
        """`LOG_FORMAT`, or JSON in production and text in development."""
        if self.log_format is not None:
            return self.log_format
        return LogFormat.JSON if self.is_production else LogFormat.TEXT

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def celery_broker_url(self) -> str:
        """The broker: `REDIS_URL`'s own database, or a SQLite file (embedded default)."""
        if self.redis_url:
            return self.redis_url
        return f"sqla+sqlite:///{VAR_DIR / 'celery-broker.db'}"

    @property
    def reflex_redis_url(self) -> str | None:
        """Reflex's state manager: the database number after the broker's."""
        if not self.redis_url:
            return None
        return _with_redis_db(self.redis_url, _redis_db_number(self.redis_url) + 1)

    @property
    def deployment_key(self) -> str:
        """What tells this deployment's keys and channels apart from another's on one Redis: the
        database's name and the Redis database number, the same for every process and instance of
        it (whatever host or port each one reaches them by)."""
        database = make_url(self.database_url).database or ""
        redis_db = urlsplit(self.redis_url or "").path.strip("/") or "0"
        return hashlib.sha256(f"{database}\0{redis_db}".encode()).hexdigest()[:16]

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://localhost:{self.app_port}"

    @property
    def allowed_origins(self) -> list[str]:
        """The origins whose pages may open the websocket (and call the API from a browser).

        `PUBLIC_URL` when set; otherwise the app on this machine, by either loopback name.
        """
        if self.public_url:
            parts = urlsplit(self.public_url)
            return [f"{parts.scheme}://{parts.netloc}"]
        return [f"http://localhost:{self.app_port}", f"http://127.0.0.1:{self.app_port}"]

    @property
    def medialog_url(self) -> str:
        """Where the worker reaches the Medialog+ API (the app's backend by default)."""
        return (self.medialog_api_url or f"http://127.0.0.1:{self.app_port}/api/medialog").rstrip("/")


def _redis_db_number(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    return int(path) if path else 0


def _with_redis_db(url: str, number: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, ""))


def load_settings() -> Settings:
    """Read the settings, turning a validation failure into a one-line message.

    Raises:
        ConfigurationError: naming the first faulty variable.
    """
    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]).upper() if error["loc"] else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        label = f"{field} : " if field else ""
        raise ConfigurationError(f"Configuration invalide — {label}{message}") from None


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read once on first use (never at import)."""
    return load_settings()
