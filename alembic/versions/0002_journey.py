"""request reference, one pending request per account, dialog and banner dismissal

Revision ID: 0002_journey
Revises: 0001_initial
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0002_journey"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("overlap_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
    # Requests made before references existed get one derived from their id.
    op.execute(
        "UPDATE overlap_request SET reference = 'DEM-0000-' || CAST(id AS VARCHAR(12)) WHERE reference IS NULL"
    )
    with op.batch_alter_table("overlap_request", schema=None) as batch_op:
        batch_op.alter_column(
            "reference", existing_type=sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_overlap_request_reference"), ["reference"])
        batch_op.create_index(
            "uq_request_one_pending_per_account",
            ["account_id"],
            unique=True,
            postgresql_where=sa.text("status = 'EN_COURS'"),
            sqlite_where=sa.text("status = 'EN_COURS'"),
        )

    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("overlap_dialog_dismissed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("overlap_banner_closed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_column("overlap_banner_closed")
        batch_op.drop_column("overlap_dialog_dismissed")

    with op.batch_alter_table("overlap_request", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_request_one_pending_per_account",
            postgresql_where=sa.text("status = 'EN_COURS'"),
            sqlite_where=sa.text("status = 'EN_COURS'"),
        )
        batch_op.drop_constraint(batch_op.f("uq_overlap_request_reference"), type_="unique")
        batch_op.drop_column("reference")
