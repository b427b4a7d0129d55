"""indexes for the agents' queue in due-date order

Revision ID: 0005_queue_indexes
Revises: 0004_login_failures
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_queue_indexes"
down_revision: str | None = "0004_login_failures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The queue is read in due-date order: the index gives the page without sorting the CPAM's affaires.
    with op.batch_alter_table("affaire", schema=None) as batch_op:
        batch_op.drop_index("ix_affaire_queue")
        batch_op.create_index("ix_affaire_queue", ["cpam_id", "status", "due_at", "id"], unique=False)
        batch_op.create_index("ix_affaire_cpam_due", ["cpam_id", "due_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("affaire", schema=None) as batch_op:
        batch_op.drop_index("ix_affaire_cpam_due")
        batch_op.drop_index("ix_affaire_queue")
        batch_op.create_index("ix_affaire_queue", ["cpam_id", "status", "created_at"], unique=False)
