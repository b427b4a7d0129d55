"""affaire outbox and closure side effects

Revision ID: 0003_backoffice
Revises: 0002_journey
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0003_backoffice"
down_revision: str | None = "0002_journey"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "affaire_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("queued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["overlap_request.id"], name=op.f("fk_affaire_outbox_request_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affaire_outbox")),
        sa.UniqueConstraint("request_id", name=op.f("uq_affaire_outbox_request_id")),
    )
    with op.batch_alter_table("affaire_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_pending",
            ["queued_at"],
            unique=False,
            postgresql_where=sa.text("done_at IS NULL"),
            sqlite_where=sa.text("done_at IS NULL"),
        )

    with op.batch_alter_table("affaire", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("avis_sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("affaire", schema=None) as batch_op:
        batch_op.drop_column("avis_sent_at")
        batch_op.drop_column("notified_at")

    with op.batch_alter_table("affaire_outbox", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbox_pending",
            postgresql_where=sa.text("done_at IS NULL"),
            sqlite_where=sa.text("done_at IS NULL"),
        )

    op.drop_table("affaire_outbox")
