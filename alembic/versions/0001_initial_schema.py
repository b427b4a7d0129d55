"""initial schema

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complementary_organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("amc_number", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complementary_organisation")),
        sa.UniqueConstraint("amc_number", name=op.f("uq_complementary_organisation_amc_number")),
    )
    op.create_table(
        "cpam",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_organisme", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cpam")),
        sa.UniqueConstraint("code_organisme", name=op.f("uq_cpam_code_organisme")),
    )
    op.create_table(
        "agent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("cpam_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cpam_id"], ["cpam.id"], name=op.f("fk_agent_cpam_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent")),
        sa.UniqueConstraint("login", name=op.f("uq_agent_login")),
    )
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_cpam_id"), ["cpam_id"], unique=False)

    op.create_table(
        "insured_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nir", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
        sa.Column("nir_key", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column(
            "regime",
            sa.Enum("CPAM", "MGEN", "MGP", "MNH", "CAMIEG", name="regime", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("cpam_id", sa.Integer(), nullable=True),
        sa.Column("rights_open", sa.Boolean(), nullable=False),
        sa.Column("treating_doctor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("treating_doctor_specialty", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("treating_doctor_declared_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["cpam_id"], ["cpam.id"], name=op.f("fk_insured_person_cpam_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insured_person")),
        sa.UniqueConstraint("nir", name=op.f("uq_insured_person_nir")),
    )
    with op.batch_alter_table("insured_person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_insured_person_cpam_id"), ["cpam_id"], unique=False)

    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("insured_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("previous_login_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("has_unresolved_overlap", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["insured_id"], ["insured_person.id"], name=op.f("fk_account_insured_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("insured_id", name=op.f("uq_account_insured_id")),
    )
    op.create_table(
        "beneficiary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("insured_id", sa.Integer(), nullable=False),
        sa.Column("is_insured", sa.Boolean(), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("cpam_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["cpam_id"], ["cpam.id"], name=op.f("fk_beneficiary_cpam_id")),
        sa.ForeignKeyConstraint(
            ["insured_id"], ["insured_person.id"], name=op.f("fk_beneficiary_insured_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beneficiary")),
    )
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_beneficiary_insured_id"), ["insured_id"], unique=False)

    op.create_table(
        "complementary_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("member_number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "precarity",
            sa.Enum("AUCUN", "CSS", "CMU-C", "ACS", name="precaritykind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column(
            "noemie_link",
            sa.Enum("ACTIF", "BLOQUE", "DETACHE", name="noemielink", native_enum=False, length=24),
            nullable=False,
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_complementary_contract_period")
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"], ["beneficiary.id"], name=op.f("fk_complementary_contract_beneficiary_id")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["complementary_organisation.id"],
            name=op.f("fk_complementary_contract_organisation_id"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complementary_contract")),
    )
    with op.batch_alter_table("complementary_contract", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complementary_contract_beneficiary_id"), ["beneficiary_id"], unique=False
        )

    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_message_account_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index("ix_message_account_created", ["account_id", "created_at"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_notification_account_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_account_created", ["account_id", "created_at"], unique=False)

    op.create_table(
        "overlap_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("EN_COURS", "TRAITEE", name="requeststatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("processed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("affaire_reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_overlap_request_account_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overlap_request")),
    )
    with op.batch_alter_table("overlap_request", schema=None) as batch_op:
        batch_op.create_index("ix_request_account_created", ["account_id", "created_at"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("transmitted_to_oc", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_payment_account_id")),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"], ["beneficiary.id"], name=op.f("fk_payment_beneficiary_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index("ix_payment_account_paid", ["account_id", "paid_on"], unique=False)

    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("ASSURE", "AGENT", name="sessionkind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'ASSURE' AND account_id IS NOT NULL AND agent_id IS NULL) OR (kind = 'AGENT' AND agent_id IS NOT NULL AND account_id IS NULL)",
            name=op.f("ck_web_session_owner"),
        ),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_web_session_account_id")),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"], name=op.f("fk_web_session_agent_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_session_agent_id"), ["agent_id"], unique=False)

    op.create_table(
        "affaire",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("cpam_id", sa.Integer(), nullable=False),
        sa.Column("is_complex", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("NOUVELLE", "EN_COURS", "CLOTUREE", name="affairestatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("owner_agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("progres_updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["cpam_id"], ["cpam.id"], name=op.f("fk_affaire_cpam_id")),
        sa.ForeignKeyConstraint(["owner_agent_id"], ["agent.id"], name=op.f("fk_affaire_owner_agent_id")),
        sa.ForeignKeyConstraint(["request_id"], ["overlap_request.id"], name=op.f("fk_affaire_request_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affaire")),
        sa.UniqueConstraint("reference", name=op.f("uq_affaire_reference")),
        sa.UniqueConstraint("request_id", name=op.f("uq_affaire_request_id")),
    )
    with op.batch_alter_table("affaire", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affaire_complex_queue", ["is_complex", "status", "created_at"], unique=False
        )
        batch_op.create_index("ix_affaire_queue", ["cpam_id", "status", "created_at"], unique=False)

    op.create_table(
        "overlap_request_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("chosen_contract_id", sa.Integer(), nullable=False),
        sa.Column("rejected_contract_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"], ["beneficiary.id"], name=op.f("fk_overlap_request_line_beneficiary_id")
        ),
        sa.ForeignKeyConstraint(
            ["chosen_contract_id"],
            ["complementary_contract.id"],
            name=op.f("fk_overlap_request_line_chosen_contract_id"),
        ),
        sa.ForeignKeyConstraint(
            ["rejected_contract_id"],
            ["complementary_contract.id"],
            name=op.f("fk_overlap_request_line_rejected_contract_id"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["overlap_request.id"], name=op.f("fk_overlap_request_line_request_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overlap_request_line")),
        sa.UniqueConstraint("request_id", "beneficiary_id", name="uq_line_beneficiary"),
    )
    with op.batch_alter_table("overlap_request_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_overlap_request_line_request_id"), ["request_id"], unique=False)

    op.create_table(
        "satisfaction_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_satisfaction_answer_account_id")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["overlap_request.id"], name=op.f("fk_satisfaction_answer_request_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_answer")),
        sa.UniqueConstraint("request_id", name=op.f("uq_satisfaction_answer_request_id")),
    )
    with op.batch_alter_table("satisfaction_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_satisfaction_answer_account_id"), ["account_id"], unique=False)

    op.create_table(
        "affaire_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("affaire_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["affaire_id"], ["affaire.id"], name=op.f("fk_affaire_event_affaire_id")),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"], name=op.f("fk_affaire_event_agent_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affaire_event")),
    )
    with op.batch_alter_table("affaire_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_affaire_event_affaire_id"), ["affaire_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("affaire_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affaire_event_affaire_id"))

    op.drop_table("affaire_event")
    with op.batch_alter_table("satisfaction_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_satisfaction_answer_account_id"))

    op.drop_table("satisfaction_answer")
    with op.batch_alter_table("overlap_request_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_overlap_request_line_request_id"))

    op.drop_table("overlap_request_line")
    with op.batch_alter_table("affaire", schema=None) as batch_op:
        batch_op.drop_index("ix_affaire_queue")
        batch_op.drop_index("ix_affaire_complex_queue")

    op.drop_table("affaire")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_agent_id"))
        batch_op.drop_index(batch_op.f("ix_web_session_account_id"))

    op.drop_table("web_session")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_account_paid")

    op.drop_table("payment")
    with op.batch_alter_table("overlap_request", schema=None) as batch_op:
        batch_op.drop_index("ix_request_account_created")

    op.drop_table("overlap_request")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_account_created")

    op.drop_table("notification")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_account_created")

    op.drop_table("message")
    with op.batch_alter_table("complementary_contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complementary_contract_beneficiary_id"))

    op.drop_table("complementary_contract")
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_beneficiary_insured_id"))

    op.drop_table("beneficiary")
    op.drop_table("account")
    with op.batch_alter_table("insured_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_insured_person_cpam_id"))

    op.drop_table("insured_person")
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_cpam_id"))

    op.drop_table("agent")
    op.drop_table("cpam")
    op.drop_table("complementary_organisation")
