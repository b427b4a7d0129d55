"""Helpers shared by the worker and data benchmarks: bulk population, SQL capture,
EXPLAIN, the trivial-task baseline worker.

Kept light at import time: `celery -A bench._support` loads this module in the
baseline worker, which needs only Celery.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from celery import Celery

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "bench" / "logs"
WEB_WORKDIR = "/tmp/web-benchdata"
# Generated NIRs start with this prefix (no demo persona does): 1 85 06 then 8 digits.
NIR_PREFIX = "18506"
BIG_TABLE_ROWS = 10_000
# The CPAM of generated person `i` (cpams sorted by code: Ain, Digne, Paris): 25 %, 5 %, 70 %.
CPAM_OF_I = "(CAST(:cpams AS int[]))[CASE WHEN i % 20 = 0 THEN 2 WHEN i % 20 < 6 THEN 1 ELSE 3 END]"

# --- the trivial-task baseline --------------------------------------------------------------

baseline_app = Celery("bench_baseline", broker=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
baseline_app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_transport_options={"visibility_timeout": 60},
)


@baseline_app.task(name="bench.trivial")
def trivial(number: int) -> int:
    """The baseline: a task that does nothing but go through the broker."""
    return number


@dataclass
class Worker:
    process: subprocess.Popen
    queue: str
    log_path: Path


@contextmanager
def celery_worker(
    app_module: str, queue: str, log_path: Path, env: dict[str, str], concurrency: int = 2
) -> Iterator[Worker]:
    """A prefork worker on `queue` (stopped by process group afterwards)."""
    from tests.support.processes import stop_process_group
    from tests.support.worker import start_celery_worker

    process = start_celery_worker(
        app_module,
        queue=queue,
        env=dict(os.environ, **env),
        log_path=log_path,
        loglevel="WARNING",
        concurrency=concurrency,
        extra_args=("--queues", queue, "--without-heartbeat"),
    )
    try:
        # WARNING level hides "ready."; wait until the worker consumes instead.
        yield Worker(process, queue, log_path)
    finally:
        stop_process_group(process)


def queue_length(broker_url: str, queue: str) -> int:
    import redis

    return int(redis.Redis.from_url(broker_url).llen(queue))


def delete_queue(broker_url: str, queue: str) -> None:
    import redis

    redis.Redis.from_url(broker_url).delete(queue)


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> float:
    """Poll `predicate`; returns the time it took. Raises TimeoutError."""
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > timeout:
            raise TimeoutError(f"délai de {timeout:.0f} s dépassé")
        time.sleep(interval)
    return time.perf_counter() - start


# --- bulk population ------------------------------------------------------------------------


@dataclass(frozen=True)
class Population:
    """What `populate` generated: numbers `first`..`first + insured - 1`."""

    first: int
    insured: int
    requests: int
    request_ids: list[int] = field(default_factory=list)


def _base(connection, table: str) -> int:
    from sqlalchemy import text

    return int(connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one())


def _setval(connection, table: str) -> None:
    from sqlalchemy import text

    connection.execute(
        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    )


TABLES = (
    "insured_person",
    "account",
    "beneficiary",
    "complementary_contract",
    "payment",
    "message",
    "notification",
    "overlap_request",
    "overlap_request_line",
    "affaire_outbox",
    "affaire",
    "affaire_event",
    "web_session",
    "login_failure",
)


def _typed(sql: str) -> str:
    """Cast the id offsets and the count to bigint.

    psycopg sends a small Python int as a smallint, so `:b_beneficiary + :n + i` added two smallints
    first and overflowed once a bench database passed 32,767 rows.
    """
    return re.sub(r":(b_\w+|n)\b", r"CAST(:\1 AS bigint)", sql)


def populate(
    engine,
    *,
    first: int,
    insured: int,
    requests: int,
    affaires: bool,
    code_hash: str,
    now: datetime | None = None,
    log: Callable[[str], None] = print,
) -> Population:
    """Generate `insured` insured persons in bulk (INSERT ... SELECT generate_series).

    CPAMs as in life: 70 % Paris, 25 % Ain, 5 % Digne (a small CPAM). Each has
    an account (code `code_hash`), a beneficiary for themself with one
    contract, every second one a dependant with a contract, two payments, a
    message; every fifth a notification, an old revoked session and an old login
    failure. The first `requests` of them also have a second, overlapping
    contract and a pending request with its line, acknowledgement and outbox
    row; with `affaires`, an open affaire and its history (the outbox row done),
    one request in 25 chooses a contract without member number (a complex case,
    routed to Digne); without, the outbox row waits (`queued_at` empty: the bench queues it itself,
    the app's periodic relay leaves it alone).

    Ids are explicit (max id + number), so every table is joined by arithmetic
    instead of lookups; the sequences are moved past them at the end.
    """
    from sqlalchemy import text

    now = now or datetime.now(UTC)
    last = first + insured - 1
    with engine.begin() as connection:
        base = {table: _base(connection, table) - first + 1 for table in TABLES}
        cpams = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT id FROM cpam WHERE code_organisme IN ('01 011 1411', '04 011 1411', '75 011 1411')"
                    " ORDER BY code_organisme"
                )
            )
        ]
        digne = connection.execute(
            text("SELECT id FROM cpam WHERE code_organisme = '04 011 1411'")
        ).scalar_one()
        orgs = [
            row[0]
            for row in connection.execute(text("SELECT id FROM complementary_organisation ORDER BY id"))
        ]
        agents = dict(connection.execute(text("SELECT cpam_id, id FROM agent")).all())
        params = {
            "first": first,
            "last": last,
            "requests_last": first + requests - 1,
            "n": insured,
            "cpams": cpams,
            "orgs": orgs,
            "norgs": len(orgs),
            "digne": digne,
            "agent_cpams": list(agents),
            "agent_ids": list(agents.values()),
            "hash": code_hash,
            "now": now,
            "prefix": NIR_PREFIX,
            **{f"b_{table}": value for table, value in base.items()},
        }
        steps = [
            (
                "insured_person",
                """INSERT INTO insured_person (id, nir, nir_key, first_name, last_name, birth_date, email,
                       regime, cpam_id, rights_open)
                   SELECT :b_insured_person + i, :prefix || lpad(i::text, 8, '0'),
                       lpad((97 - ((:prefix || lpad(i::text, 8, '0'))::bigint % 97))::text, 2, '0'),
                       'PRENOM' || i, 'NOM' || i, date '1950-01-01' + (i % 20000),
                       'assure' || i || '@example.org', 'CPAM', {cpam}, true
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i""",
            ),
            (
                "account",
                """INSERT INTO account (id, insured_id, code_hash, created_at, last_login_at,
                       has_unresolved_overlap)
                   SELECT :b_account + i, :b_insured_person + i, :hash, :now - interval '2 years',
                       :now - (i % 90) * interval '1 day', i <= CAST(:requests_last AS int)
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i""",
            ),
            (
                "beneficiary",
                """INSERT INTO beneficiary (id, insured_id, is_insured, first_name, last_name, birth_date, cpam_id)
                   SELECT :b_beneficiary + i, :b_insured_person + i, true, 'PRENOM' || i, 'NOM' || i,
                       date '1950-01-01' + (i % 20000), {cpam}
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i
                   UNION ALL
                   SELECT :b_beneficiary + :n + i, :b_insured_person + i, false, 'ENFANT' || i, 'NOM' || i,
                       date '2010-01-01' + (i % 3000), {cpam}
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i WHERE i % 2 = 0""",
            ),
            (
                "complementary_contract",
                """INSERT INTO complementary_contract (id, beneficiary_id, organisation_id, member_number,
                       start_date, precarity, noemie_link)
                   SELECT :b_complementary_contract + i, :b_beneficiary + i,
                       (CAST(:orgs AS int[]))[1 + i % :norgs], 'M' || i, date '2018-01-01' + (i % 1500), 'AUCUN',
                       CASE WHEN i <= CAST(:requests_last AS int) THEN 'BLOQUE' ELSE 'ACTIF' END
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i
                   UNION ALL
                   SELECT :b_complementary_contract + :n + i, :b_beneficiary + :n + i,
                       (CAST(:orgs AS int[]))[1 + i % :norgs], 'M' || i, date '2018-01-01' + (i % 1500),
                       'AUCUN', 'ACTIF'
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i WHERE i % 2 = 0
                   UNION ALL
                   SELECT :b_complementary_contract + 2 * :n + i, :b_beneficiary + i,
                       (CAST(:orgs AS int[]))[1 + (i + 1) % :norgs],
                       CASE WHEN i % 25 = 0 THEN '' ELSE 'N' || i END, date '2024-01-01' + (i % 300),
                       'AUCUN', 'BLOQUE'
                   FROM generate_series(CAST(:first AS int), CAST(:requests_last AS int)) AS i""",
            ),
            (
                "payment",
                """INSERT INTO payment (id, account_id, beneficiary_id, paid_on, label, amount_cents,
                       transmitted_to_oc)
                   SELECT :b_payment + 2 * i + k, :b_account + i, :b_beneficiary + i,
                       CAST(:now AS date) - (i % 300) - 9 * k, 'Consultation médecin généraliste', 1840 + k,
                       i > CAST(:requests_last AS int)
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i, generate_series(0, 1) AS k""",
            ),
            (
                "message",
                """INSERT INTO message (id, account_id, created_at, subject, body)
                   SELECT :b_message + 2 * i, :b_account + i, :now - interval '30 days',
                       'L''Assurance Maladie vous invite à faire votre dépistage',
                       'Le dépistage permet de détecter tôt certaines maladies.'
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i
                   UNION ALL
                   SELECT :b_message + 2 * i + 1, :b_account + i, :now - (i % 10) * interval '1 day',
                       'Accusé de réception de votre demande de choix de complémentaire santé',
                       'Nous avons bien reçu votre demande (référence DEM-2026-X' || lpad(i::text, 7, '0') || ').'
                   FROM generate_series(CAST(:first AS int), CAST(:requests_last AS int)) AS i""",
            ),
            (
                "notification",
                """INSERT INTO notification (id, account_id, created_at, title, body)
                   SELECT :b_notification + i, :b_account + i, :now - interval '60 days',
                       'Votre attestation de droits', 'Votre attestation est disponible.'
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i WHERE i % 5 = 0""",
            ),
            (
                "overlap_request",
                """INSERT INTO overlap_request (id, reference, account_id, created_at, status, affaire_reference)
                   SELECT :b_overlap_request + i, 'DEM-2026-X' || lpad(i::text, 7, '0'), :b_account + i,
                       :now - (i % 10) * interval '1 day', 'EN_COURS',
                       CASE WHEN :affaires THEN 'AFF-2026-X' || lpad(i::text, 7, '0') END
                   FROM generate_series(CAST(:first AS int), CAST(:requests_last AS int)) AS i""",
            ),
            (
                "overlap_request_line",
                """INSERT INTO overlap_request_line (id, request_id, beneficiary_id, chosen_contract_id,
                       rejected_contract_id)
                   SELECT :b_overlap_request_line + i, :b_overlap_request + i, :b_beneficiary + i,
                       :b_complementary_contract + 2 * :n + i, :b_complementary_contract + i
                   FROM generate_series(CAST(:first AS int), CAST(:requests_last AS int)) AS i""",
            ),
            (
                "affaire_outbox",
                """INSERT INTO affaire_outbox (id, request_id, created_at, queued_at, attempts, done_at, last_error)
                   SELECT :b_affaire_outbox + i, :b_overlap_request + i, :now - (i % 10) * interval '1 day',
                       CASE WHEN :affaires THEN :now - (i % 10) * interval '1 day' END, 0,
                       CASE WHEN :affaires THEN :now - (i % 10) * interval '1 day' END, ''
                   FROM generate_series(CAST(:first AS int), CAST(:requests_last AS int)) AS i""",
            ),
            (
                "affaire",
                """INSERT INTO affaire (id, reference, request_id, cpam_id, is_complex, status, owner_agent_id,
                       created_at, due_at)
                   SELECT :b_affaire + i, 'AFF-2026-X' || lpad(i::text, 7, '0'), :b_overlap_request + i,
                       CASE WHEN i % 25 = 0 THEN :digne ELSE {cpam} END,
                       i % 25 = 0, CASE WHEN i % 5 < 3 THEN 'NOUVELLE' ELSE 'EN_COURS' END,
                       CASE WHEN i % 5 < 3 THEN NULL ELSE (CAST(:agent_ids AS int[]))[
                           array_position(CAST(:agent_cpams AS int[]),
                               CASE WHEN i % 25 = 0 THEN :digne ELSE {cpam} END)]
                       END,
                       :now - (i % 10) * interval '1 day' - (i % 86400) * interval '1 second',
                       :now + interval '7 days' - (i % 10) * interval '1 day' - (i % 86400) * interval '1 second'
                   FROM generate_series(CAST(:first AS int), CAST(:requests_last AS int)) AS i WHERE :affaires""",
            ),
            (
                "affaire_event",
                """INSERT INTO affaire_event (id, affaire_id, at, action, detail)
                   SELECT :b_affaire_event + i, :b_affaire + i, :now - (i % 10) * interval '1 day', 'CREATION',
                       'Cas simple'
                   FROM generate_series(CAST(:first AS int), CAST(:requests_last AS int)) AS i WHERE :affaires""",
            ),
            (
                "web_session",
                """INSERT INTO web_session (id, token_hash, kind, account_id, created_at, last_seen_at,
                       revoked_at, overlap_dialog_dismissed, overlap_banner_closed)
                   SELECT :b_web_session + i, encode(sha256(('old-' || i)::bytea), 'hex'), 'ASSURE',
                       :b_account + i, :now - interval '3 days', :now - interval '3 days',
                       :now - interval '3 days', false, false
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i WHERE i % 5 = 0""",
            ),
            (
                "login_failure",
                """INSERT INTO login_failure (id, subject, client_ip, at)
                   SELECT :b_login_failure + i, :prefix || lpad(i::text, 8, '0'),
                       '10.0.' || (i % 250) || '.' || (i % 200), :now - interval '2 days'
                   FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i WHERE i % 5 = 0""",
            ),
        ]
        params["affaires"] = affaires
        for table, sql in steps:
            started = time.perf_counter()
            count = connection.execute(text(_typed(sql.replace("{cpam}", CPAM_OF_I))), params).rowcount
            log(f"  {table}: {count} lignes en {time.perf_counter() - started:.1f} s")
        for table in TABLES:
            _setval(connection, table)
    request_ids = [base["overlap_request"] + i for i in range(first, first + requests)]
    return Population(first, insured, requests, request_ids)


def vacuum_analyze(engine) -> None:
    from sqlalchemy import text

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


# --- SQL capture and EXPLAIN -----------------------------------------------------------------


@dataclass
class Captured:
    statements: list[tuple[str, object]] = field(default_factory=list)
    enabled: bool = False


@contextmanager
def capture_sql(engine) -> Iterator[Captured]:
    """Record every statement sent through `engine` while `captured.enabled` is set."""
    from sqlalchemy import event

    captured = Captured()

    def before(conn, cursor, statement, parameters, context, executemany):
        if captured.enabled:
            captured.statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield captured
    finally:
        event.remove(engine, "before_cursor_execute", before)


SCAN = re.compile(
    r"(Seq Scan|Index Only Scan(?: Backward)?|Index Scan(?: Backward)?|Bitmap Heap Scan|Bitmap Index Scan)"
    r"(?: using (\S+))? on (\S+)"
)


@dataclass(frozen=True)
class Plan:
    statement: str
    text: str
    scans: list[str]
    seq_scans_on_big_tables: list[str]
    execution_ms: float


def table_sizes(engine) -> dict[str, int]:
    from sqlalchemy import text

    with engine.connect() as connection:
        return {
            name: int(rows)
            for name, rows in connection.execute(
                text(
                    "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                    "'public'::regnamespace"
                )
            )
        }


def explain(engine, statement: str, parameters: object, sizes: dict[str, int]) -> Plan:
    """EXPLAIN (ANALYZE, BUFFERS) one captured statement, in a transaction rolled back."""
    # An INSERT would run again and hit the unique keys the real call just wrote: its plan only.
    options = "" if statement.lstrip().upper().startswith("INSERT") else "ANALYZE, BUFFERS, "
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute(f"EXPLAIN ({options}FORMAT JSON) " + statement, parameters)
            document = cursor.fetchone()[0]
            raw.rollback()
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if options else "EXPLAIN "
            cursor.execute(prefix + statement, parameters)
            text_plan = "\n".join(row[0] for row in cursor.fetchall())
        raw.rollback()
    finally:
        raw.close()
    if isinstance(document, str):
        document = json.loads(document)
    scans = [" ".join(part for part in match if part) for match in SCAN.findall(text_plan)]
    seq = [
        table
        for kind, _index, table in SCAN.findall(text_plan)
        if kind == "Seq Scan" and sizes.get(table, 0) >= BIG_TABLE_ROWS
    ]
    return Plan(statement, text_plan, scans, seq, float(document[0].get("Execution Time", 0.0)))


def short_sql(statement: str, width: int = 90) -> str:
    flat = " ".join(statement.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
