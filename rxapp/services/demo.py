"""Demo data: the personas of the README, the CPAMs, the OCs and the agents.

`seed_demo_data` is idempotent: each persona is keyed by NIR, each agent by
login, each CPAM by code organisme and each OC by AMC number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from rxapp.models import (
    Account,
    Agent,
    Beneficiary,
    ComplementaryContract,
    ComplementaryOrganisation,
    Cpam,
    InsuredPerson,
    Message,
    Payment,
    PrecarityKind,
    Regime,
)
from rxapp.models._types import persisted_id
from rxapp.services.detection import detect_overlaps
from rxapp.services.nir import parse_nir
from rxapp.services.routing import DIGNE_CODE_ORGANISME
from rxapp.services.security import hash_secret

DEMO_CODE = "Demo2026!"
AGENT_PASSWORD = "Agent2026!"

AIN, PARIS = "01 011 1411", "75 011 1411"
CPAMS = {
    AIN: ("CPAM de l'Ain", "Bourg-en-Bresse"),
    DIGNE_CODE_ORGANISME: ("CPAM des Alpes-de-Haute-Provence", "Digne-les-Bains"),
    PARIS: ("CPAM de Paris", "Paris"),
}

OCS = {
    "LES MUTUELLES DE L'AIN 2": "0100452871",
    "LA BALOISE ASSURANCES": "0681234509",
    "MGEN SOLUTIONS": "0775671234",
    "MUTUELLE PREVIFRANCE": "0310987655",
    "HARMONIE MUTUELLE": "0538976540",
    "AESIO MUTUELLE": "0775627391",
    "MNT": "0775678584",
    "MALAKOFF HUMANIS": "0443221766",
    "ALAN": "0817458900",
    "MGEN": "0775685365",
    "GROUPAMA": "0343115135",
    "UNEO": "0503380081",
    "APIVIA MACIF MUTUELLE": "0779558501",
    "PRO BTP": "0394164691",
}

AGENTS = [
    ("agent.ain", "Agnès Morel", AIN),
    ("agent.digne", "Didier Blanc", DIGNE_CODE_ORGANISME),
    ("agent.paris", "Paula Roux", PARIS),
]


@dataclass(frozen=True)
class Contract:
    oc: str
    member_number: str
    start: date
    precarity: PrecarityKind = PrecarityKind.NONE


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    birth_date: date
    contracts: tuple[Contract, ...] = ()


@dataclass(frozen=True)
class Persona:
    nir: str
    email: str
    cpam: str | None
    insured: Person
    dependants: tuple[Person, ...] = ()
    regime: Regime = Regime.CPAM
    doctor: tuple[str, str, date] | None = None
    situation: str = ""
    payments_blocked: int = field(default=2)


def _pair(first: Contract, second: Contract) -> tuple[Contract, ...]:
    return (first, second)


AIN_PAIR = _pair(
    Contract("LES MUTUELLES DE L'AIN 2", "4789563P", date(2018, 7, 1)),
    Contract("LA BALOISE ASSURANCES", "1458566E", date(2020, 1, 1)),
)
KARIM_PAIR = _pair(
    Contract("MNT", "MN775201", date(2019, 1, 1)),
    Contract("MALAKOFF HUMANIS", "MH448120", date(2024, 9, 1)),
)
MARC_PAIR = _pair(
    Contract("APIVIA MACIF MUTUELLE", "AP3310458", date(2017, 3, 1)),
    Contract("PRO BTP", "PB9920174", date(2025, 2, 1)),
)

PERSONAS: tuple[Persona, ...] = (
    Persona(
        nir="1 74 11 71 270 102 58",
        email="renaldo.zovi@example.fr",
        cpam=AIN,
        insured=Person("RENALDO", "ZOVI", date(1974, 11, 22), AIN_PAIR),
        dependants=(
            Person("NOEMIE", "ZOVI", date(2002, 5, 18), AIN_PAIR[:1]),
            Person("SERENA", "ZOVI", date(2005, 10, 10), AIN_PAIR),
            Person("BATISTE", "ZOVI", date(2008, 8, 29), AIN_PAIR),
        ),
        doctor=("PRUDHON PHILIPPE", "Médecine générale", date(2008, 4, 24)),
        situation="Chevauchement pour lui, SERENA et BATISTE (3 bénéficiaires).",
    ),
    Persona(
        nir="2 85 12 01 053 118 12",
        email="lucie.michel@example.fr",
        cpam=AIN,
        insured=Person(
            "LUCIE",
            "MICHEL",
            date(1985, 12, 4),
            _pair(
                Contract("MGEN SOLUTIONS", "", date(2025, 1, 1)),
                Contract("MUTUELLE PREVIFRANCE", "4338849", date(2021, 10, 1)),
            ),
        ),
        situation="Chevauchement pour elle seule ; MGEN SOLUTIONS sans numéro d'adhérent.",
    ),
    Persona(
        nir="2 68 03 01 283 047 80",
        email="chantal.labonde@example.fr",
        cpam=AIN,
        insured=Person(
            "CHANTAL",
            "LABONDE",
            date(1968, 3, 14),
            _pair(
                Contract("HARMONIE MUTUELLE", "HM2201877", date(2016, 1, 1)),
                Contract("AESIO MUTUELLE", "AE5540912", date(2025, 6, 1)),
            ),
        ),
        situation="Chevauchement pour elle seule.",
    ),
    Persona(
        nir="1 79 06 75 112 034 68",
        email="karim.benali@example.fr",
        cpam=PARIS,
        insured=Person("KARIM", "BENALI", date(1979, 6, 3), KARIM_PAIR),
        dependants=(
            Person("YASMINE", "BENALI", date(2006, 2, 11), KARIM_PAIR),
            Person("ADAM", "BENALI", date(2009, 9, 27), KARIM_PAIR),
            Person("INES", "BENALI", date(2012, 4, 5), KARIM_PAIR),
            Person("SAMI", "BENALI", date(2015, 12, 19), KARIM_PAIR),
        ),
        situation="Chevauchement pour 5 bénéficiaires : exclu du service.",
    ),
    Persona(
        nir="2 90 09 01 004 056 87",
        email="sophie.martin@example.fr",
        cpam=AIN,
        insured=Person(
            "SOPHIE",
            "MARTIN",
            date(1990, 9, 8),
            _pair(
                Contract("HARMONIE MUTUELLE", "CSS0045521", date(2024, 1, 1), PrecarityKind.CSS),
                Contract("ALAN", "AL7781203", date(2025, 3, 1)),
            ),
        ),
        situation="Chevauchement avec une Complémentaire santé solidaire : exclue du service.",
    ),
    Persona(
        nir="1 72 02 04 070 021 45",
        email="paul.durand@example.fr",
        cpam=None,
        regime=Regime.MGEN,
        insured=Person(
            "PAUL",
            "DURAND",
            date(1972, 2, 17),
            _pair(
                Contract("MGEN", "MG1120034", date(2015, 9, 1)),
                Contract("GROUPAMA", "GR6650217", date(2025, 1, 1)),
            ),
        ),
        situation="Régime partenaire (MGEN section locale) : exclu du service.",
    ),
    Persona(
        nir="2 95 07 01 053 089 53",
        email="julie.petit@example.fr",
        cpam=AIN,
        insured=Person(
            "JULIE", "PETIT", date(1995, 7, 21), (Contract("UNEO", "UN4471230", date(2022, 5, 1)),)
        ),
        situation="Aucun chevauchement.",
        payments_blocked=0,
    ),
    Persona(
        nir="1 81 04 04 070 012 33",
        email="marc.leroy@example.fr",
        cpam=DIGNE_CODE_ORGANISME,
        insured=Person("MARC", "LEROY", date(1981, 4, 9), MARC_PAIR),
        dependants=(
            Person("CLARA", "LEROY", date(2010, 1, 30), MARC_PAIR),
            Person("HUGO", "LEROY", date(2013, 7, 14), MARC_PAIR),
            Person("LEA", "LEROY", date(2016, 11, 2), MARC_PAIR),
        ),
        situation="Chevauchement pour 4 bénéficiaires : le maximum admis.",
    ),
)

PAYMENT_LABELS = (
    ("Consultation médecin généraliste", 3000),
    ("Pharmacie", 4275),
    ("Analyses de biologie médicale", 2860),
    ("Séance de kinésithérapie", 1612),
)


@dataclass
class SeedReport:
    personas_created: int = 0
    agents_created: int = 0
    links_blocked: int = 0


def _get_or_create_cpams(session: Session) -> dict[str, Cpam]:
    existing = {cpam.code_organisme: cpam for cpam in session.exec(select(Cpam)).all()}
    for code, (name, city) in CPAMS.items():
        if code not in existing:
            existing[code] = Cpam(code_organisme=code, name=name, city=city)
            session.add(existing[code])
    session.flush()
    return existing


def _get_or_create_ocs(session: Session) -> dict[str, ComplementaryOrganisation]:
    by_amc = {oc.amc_number: oc for oc in session.exec(select(ComplementaryOrganisation)).all()}
    for name, amc in OCS.items():
        if amc not in by_amc:
            by_amc[amc] = ComplementaryOrganisation(name=name, amc_number=amc)
            session.add(by_amc[amc])
    session.flush()
    return {name: by_amc[amc] for name, amc in OCS.items()}


def _add_persona(
    session: Session,
    persona: Persona,
    cpams: dict[str, Cpam],
    ocs: dict[str, ComplementaryOrganisation],
    code_hash: str,
    today: date,
) -> None:
    nir = parse_nir(persona.nir)
    cpam_id = cpams[persona.cpam].id if persona.cpam else None
    doctor, specialty, declared = persona.doctor or (None, None, None)
    insured = InsuredPerson(
        nir=nir.body,
        nir_key=nir.key,
        first_name=persona.insured.first_name,
        last_name=persona.insured.last_name,
        birth_date=persona.insured.birth_date,
        email=persona.email,
        regime=persona.regime,
        cpam_id=cpam_id,
        treating_doctor=doctor,
        treating_doctor_specialty=specialty,
        treating_doctor_declared_on=declared,
    )
    session.add(insured)
    session.flush()
    account = Account(insured_id=persisted_id(insured), code_hash=code_hash)
    session.add(account)
    beneficiaries: list[Beneficiary] = []
    for person, is_insured in [(persona.insured, True), *((d, False) for d in persona.dependants)]:
        beneficiary = Beneficiary(
            insured_id=persisted_id(insured),
            is_insured=is_insured,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            cpam_id=cpam_id,
        )
        session.add(beneficiary)
        session.flush()
        beneficiaries.append(beneficiary)
        for contract in person.contracts:
            session.add(
                ComplementaryContract(
                    beneficiary_id=persisted_id(beneficiary),
                    organisation_id=persisted_id(ocs[contract.oc]),
                    member_number=contract.member_number,
                    start_date=contract.start,
                    precarity=contract.precarity,
                )
            )
    session.flush()
    for index, (label, cents) in enumerate(PAYMENT_LABELS):
        session.add(
            Payment(
                account_id=persisted_id(account),
                beneficiary_id=persisted_id(beneficiaries[index % len(beneficiaries)]),
                paid_on=today - timedelta(days=6 + 9 * index),
                label=label,
                amount_cents=cents,
                transmitted_to_oc=index >= persona.payments_blocked,
            )
        )
    session.add(
        Message(
            account_id=persisted_id(account),
            subject="L'Assurance Maladie vous invite à faire votre dépistage",
            body=(
                "Le dépistage permet de détecter tôt certaines maladies. Parlez-en à votre médecin traitant."
            ),
        )
    )


def seed_demo_data(*, session: Session, today: date | None = None) -> SeedReport:
    """Insert whatever demo data is missing, then run the overlap scan.

    The caller commits. Running it twice creates nothing the second time.
    """
    today = today or date.today()
    report = SeedReport()
    cpams = _get_or_create_cpams(session)
    ocs = _get_or_create_ocs(session)
    known_nirs = set(session.exec(select(InsuredPerson.nir)).all())
    for persona in PERSONAS:
        if parse_nir(persona.nir).body in known_nirs:
            continue
        _add_persona(session, persona, cpams, ocs, hash_secret(DEMO_CODE), today)
        report.personas_created += 1
    known_agents = set(session.exec(select(Agent.login)).all())
    for login, display_name, cpam_code in AGENTS:
        if login not in known_agents:
            session.add(
                Agent(
                    login=login,
                    password_hash=hash_secret(AGENT_PASSWORD),
                    display_name=display_name,
                    cpam_id=persisted_id(cpams[cpam_code]),
                )
            )
            report.agents_created += 1
    session.flush()
    report.links_blocked = detect_overlaps(session=session).links_blocked
    return report
