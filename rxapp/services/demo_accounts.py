"""Demo credentials left in a database, and their removal (production start-up).

Start-up in production refuses to run while any agent, or any insured account
of the demo personas, still verifies against a demo password. Argon2 costs
about 20 ms a check, so only the agents and the demo identities are checked,
never every insured account.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Final, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, SQLModel, col, select

from rxapp.models import Account, Agent, InsuredPerson, WebSession
from rxapp.services.demo import AGENT_PASSWORD, AGENTS, DEMO_CODE, PERSONAS
from rxapp.services.nir import parse_nir
from rxapp.services.security import verify_secret

DEMO_PASSWORDS: Final = (AGENT_PASSWORD, DEMO_CODE)
DEMO_PURGED: Final = "demo_purged"
# Owner references: a row pointing at a purged row through them goes with it, even
# though the column may be NULL for other rows (a session belongs to an account or an agent).
_OWNED_THROUGH_NULLABLE: Final = {
    (WebSession.__tablename__, "account_id"),
    (WebSession.__tablename__, "agent_id"),
}


@dataclass(frozen=True)
class DemoCredentials:
    """Accounts still opened by a demo password."""

    agent_logins: tuple[str, ...]
    demo_insured: int

    @property
    def any(self) -> bool:
        return bool(self.agent_logins or self.demo_insured)


def _demo_nirs() -> list[str]:
    return [parse_nir(persona.nir).body for persona in PERSONAS]


def _verifies_against_a_demo_password(secret_hash: str) -> bool:
    return any(verify_secret(secret_hash, password) for password in DEMO_PASSWORDS)


def demo_credentials_in_use(*, session: Session) -> DemoCredentials:
    """The enabled agents and demo insured accounts whose password or code is a demo one."""
    agents = session.exec(select(Agent).where(col(Agent.disabled_at).is_(None)).order_by(Agent.login)).all()
    accounts = session.exec(
        select(Account).join(InsuredPerson).where(col(InsuredPerson.nir).in_(_demo_nirs()))
    ).all()
    return DemoCredentials(
        agent_logins=tuple(a.login for a in agents if _verifies_against_a_demo_password(a.password_hash)),
        demo_insured=sum(1 for a in accounts if _verifies_against_a_demo_password(a.code_hash)),
    )


@dataclass(frozen=True)
class DemoPurgeReport:
    """Rows deleted by `purge_demo_data`, per table."""

    deleted: dict[str, int]

    def count(self, table: str) -> int:
        return self.deleted.get(table, 0)


def purge_demo_data(*, session: Session) -> DemoPurgeReport:
    """Delete the demo personas (with everything that belongs to them) and the demo agents.

    Rows that reference a purged row through a required foreign key are purged
    too (accounts, beneficiaries, contracts, requests, affaires...), as are the
    purged accounts' and agents' sessions. An optional reference from a row that
    stays (an affaire handled by a demo agent) is set to NULL. CPAMs and OCs stay.
    The caller commits: all of it happens in its one transaction.
    """
    tables = {table.name: table for table in SQLModel.metadata.sorted_tables}
    doomed: dict[str, set[int]] = defaultdict(set)
    demo_logins = [login for login, _, _ in AGENTS]
    roots = [
        sa.select(tables[InsuredPerson.__tablename__].c.id).where(col(InsuredPerson.nir).in_(_demo_nirs())),
        sa.select(tables[Agent.__tablename__].c.id).where(col(Agent.login).in_(demo_logins)),
    ]
    for root in roots:
        doomed[root.selected_columns[0].table.name] |= set(session.execute(root).scalars())
    detach: list[tuple[sa.Table, sa.Column, str]] = []
    changed = True
    while changed:
        changed = False
        for table in tables.values():
            for fk in table.foreign_keys:
                target = fk.column.table.name
                if not doomed[target]:
                    continue
                if fk.parent.nullable and (table.name, fk.parent.name) not in _OWNED_THROUGH_NULLABLE:
                    if (table, fk.parent, target) not in detach:
                        detach.append((table, fk.parent, target))
                    continue
                ids = set(
                    session.execute(sa.select(table.c.id).where(fk.parent.in_(doomed[target]))).scalars()
                )
                if not ids <= doomed[table.name]:
                    doomed[table.name] |= ids
                    changed = True
    for table, column, target in detach:
        session.execute(
            sa.update(table)
            .where(column.in_(doomed[target]), table.c.id.not_in(doomed[table.name] or {-1}))
            .values({column.name: None})
        )
    deleted: dict[str, int] = {}
    for table in reversed(SQLModel.metadata.sorted_tables):
        if doomed[table.name]:
            result = session.execute(sa.delete(table).where(table.c.id.in_(doomed[table.name])))
            deleted[table.name] = cast(CursorResult, result).rowcount
    return DemoPurgeReport(deleted=deleted)
