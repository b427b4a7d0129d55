"""The beneficiary database (Progrès): CPAMs, insured persons, their
beneficiaries, complementary organisations and contracts."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rxapp.models._types import enum_column_type


class Regime(StrEnum):
    """The insured's basic regime: a CPAM, or a partner regime using ameli."""

    CPAM = "CPAM"
    MGEN = "MGEN"
    MGP = "MGP"
    MNH = "MNH"
    CAMIEG = "CAMIEG"


class PrecarityKind(StrEnum):
    NONE = "AUCUN"
    CSS = "CSS"
    CMU_C = "CMU-C"
    ACS = "ACS"


class NoemieLink(StrEnum):
    """State of the NOEMIE teletransmission link of a contract."""

    ACTIVE = "ACTIF"
    BLOCKED = "BLOQUE"
    DETACHED = "DETACHE"


class Cpam(SQLModel, table=True):
    __tablename__ = "cpam"

    id: int | None = Field(default=None, primary_key=True)
    code_organisme: str = Field(max_length=16, unique=True, description="as printed: 01 011 1411")
    name: str = Field(max_length=120)
    city: str = Field(max_length=80)


class InsuredPerson(SQLModel, table=True):
    """An insured person (l'assuré), identified by the NIR."""

    __tablename__ = "insured_person"

    id: int | None = Field(default=None, primary_key=True)
    nir: str = Field(max_length=13, unique=True, description="13 characters, 2A/2B kept")
    nir_key: str = Field(max_length=2)
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    birth_date: date
    email: str = Field(max_length=254)
    regime: Regime = Field(sa_type=enum_column_type(Regime))
    cpam_id: int | None = Field(default=None, foreign_key="cpam.id", index=True)
    rights_open: bool = True
    treating_doctor: str | None = Field(default=None, max_length=120)
    treating_doctor_specialty: str | None = Field(default=None, max_length=80)
    treating_doctor_declared_on: date | None = None


class Beneficiary(SQLModel, table=True):
    """The insured themself or one of their dependants (ayants droit)."""

    __tablename__ = "beneficiary"

    id: int | None = Field(default=None, primary_key=True)
    insured_id: int = Field(foreign_key="insured_person.id", index=True)
    is_insured: bool = Field(default=False, description="True for the insured themself")
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    birth_date: date
    cpam_id: int | None = Field(default=None, foreign_key="cpam.id")


class ComplementaryOrganisation(SQLModel, table=True):
    """An organisme complémentaire (OC)."""

    __tablename__ = "complementary_organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    amc_number: str = Field(max_length=10, unique=True)


class ComplementaryContract(SQLModel, table=True):
    """A beneficiary's contract with an OC, and its NOEMIE link."""

    __tablename__ = "complementary_contract"
    __table_args__ = (sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),)

    id: int | None = Field(default=None, primary_key=True)
    beneficiary_id: int = Field(foreign_key="beneficiary.id", index=True)
    organisation_id: int = Field(foreign_key="complementary_organisation.id")
    member_number: str = Field(default="", max_length=30)
    start_date: date
    end_date: date | None = None
    precarity: PrecarityKind = Field(default=PrecarityKind.NONE, sa_type=enum_column_type(PrecarityKind))
    noemie_link: NoemieLink = Field(default=NoemieLink.ACTIVE, sa_type=enum_column_type(NoemieLink))
