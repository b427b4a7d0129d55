"""FranceConnect: the id_token kept with the session, the pending flows

Revision ID: 0008_franceconnect
Revises: 0007_session_tickets
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0008_franceconnect"
down_revision: str | None = "0007_session_tickets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("franceconnect_id_token", sa.Text(), nullable=True))
    op.create_table(
        "franceconnect_flow",
        sa.Column("state_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state_hash"),
    )


def downgrade() -> None:
    op.drop_table("franceconnect_flow")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_column("franceconnect_id_token")
