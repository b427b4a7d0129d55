"""The Medialog+ API in-process against PostgreSQL: token, idempotency, and fuzzed JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.testclient import TestClient

from rxapp.api import build_api
from rxapp.api.medialog import medialog_routes
from rxapp.db import get_engine, make_engine
from rxapp.models import Account, Affaire, InsuredPerson
from rxapp.services import teleservice
from rxapp.services.demo import seed_demo_data
from rxapp.settings import DEFAULT_MEDIALOG_TOKEN, get_settings
from tests.support.databases import scratch_database, upgrade_to_head

AUTH = {"Authorization": f"Bearer {DEFAULT_MEDIALOG_TOKEN}"}


@pytest.fixture(scope="module")
def api_database() -> Iterator[str]:
    with scratch_database("medialog_api") as url:
        upgrade_to_head(url)
        engine = make_engine(url)
        with Session(engine) as session:
            seed_demo_data(session=session)
            account_id = session.exec(
                select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == "1741171270102")
            ).one()
            situation = teleservice.overlap_situation(session=session, account_id=account_id)
            teleservice.submit_request(
                session=session,
                account_id=account_id,
                choices={
                    str(b.beneficiary_id): str(b.options[0].contract_id) for b in situation.beneficiaries
                },
            )
            session.commit()
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def client(api_database: str) -> Iterator[TestClient]:
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", api_database)
    patch.delenv("MEDIALOG_API_TOKEN", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        with TestClient(build_api(medialog_routes), raise_server_exceptions=False) as client:
            yield client
    finally:
        get_engine().dispose()
        patch.undo()
        get_settings.cache_clear()
        get_engine.cache_clear()


def _affaires(url: str) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(Affaire)).one()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": DEFAULT_MEDIALOG_TOKEN},
        {"Authorization": "Basic x"},
    ],
)
def test_without_the_service_token_nothing_is_created(
    client: TestClient, api_database: str, headers: dict
) -> None:
    response = client.post("/api/medialog/affaires", json={"request_id": 1}, headers=headers)
    assert response.status_code == 401
    assert response.json()["erreur"]
    assert _affaires(api_database) == 0


def test_creation_is_idempotent(client: TestClient, api_database: str) -> None:
    first = client.post("/api/medialog/affaires", json={"request_id": 1}, headers=AUTH)
    second = client.post("/api/medialog/affaires", json={"request_id": 1}, headers=AUTH)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["cpam"] == "01 011 1411" and first.json()["complexe"] is False
    assert _affaires(api_database) == 1
    assert client.post("/api/medialog/affaires", json={"request_id": 424242}, headers=AUTH).status_code == 404


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.one_of(JSON_VALUES, st.fixed_dictionaries({"request_id": JSON_VALUES})))
def test_any_json_gets_a_4xx_or_a_known_answer_never_a_500(client: TestClient, payload) -> None:
    response = client.post("/api/medialog/affaires", content=json.dumps(payload), headers=AUTH)
    assert response.status_code in {200, 201, 400, 404, 413, 422}, response.text
    assert "erreur" in response.json() or "reference" in response.json()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=6000))
def test_any_bytes_get_a_clear_4xx(client: TestClient, body: bytes) -> None:
    response = client.post("/api/medialog/affaires", content=body, headers=AUTH)
    assert response.status_code in {200, 201, 400, 404, 413, 422}
