"""The statement download route, served by the real app (`python -m rxapp.cli serve`).

One server start for every case: starting the app costs about 30 s.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
from sqlmodel import Session, col, select

from rxapp import routes
from rxapp.db import make_engine
from rxapp.models import Account, InsuredPerson, Payment
from rxapp.services.auth import login_insured
from rxapp.services.demo import DEMO_CODE
from rxapp.settings import VAR_DIR
from tests.support.documents import assert_closed_without_a_live_session, pdf_text
from tests.support.processes import running_app

RENALDO_NIR = "1 74 11 71 270 102"
RENALDO_BODY = "1741171270102"
LUCIE_BODY = "2851201053118"


def _payment_ids(session: Session, nir_body: str, *, transmitted: bool) -> list[int]:
    return list(
        session.exec(
            select(Payment.id)
            .join(Account, col(Account.id) == col(Payment.account_id))
            .join(InsuredPerson, col(InsuredPerson.id) == col(Account.insured_id))
            .where(InsuredPerson.nir == nir_body, Payment.transmitted_to_oc == transmitted)
            .order_by(col(Payment.paid_on).desc())
        ).all()
    )


def test_statement_route_serves_only_the_signed_in_insureds_non_transmitted_payments() -> None:
    with tempfile.TemporaryDirectory(prefix="statements-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'ameli.db'}"
        overrides = {"DATABASE_URL": database_url, "REDIS_URL": None}
        with running_app(overrides, VAR_DIR / "tests" / "statement-server.log") as app:
            # `serve` has migrated and seeded the file; open a session as the login form would.
            engine = make_engine(database_url)
            try:
                with Session(engine) as session:
                    session_id = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE).session_id
                    session.commit()
                    own = _payment_ids(session, RENALDO_BODY, transmitted=False)
                    transmitted = _payment_ids(session, RENALDO_BODY, transmitted=True)
                    lucies = _payment_ids(session, LUCIE_BODY, transmitted=False)
            finally:
                engine.dispose()
            assert own and transmitted and lucies

            with httpx.Client(base_url=app.url, timeout=30) as client:
                signed_in = {"Cookie": f"ameli_session={session_id}"}

                response = client.get(routes.statement_url(own[0]), headers=signed_in)
                assert response.status_code == 200, response.text
                assert response.headers["content-type"] == "application/pdf"
                assert response.headers["cache-control"] == "no-store"
                disposition = response.headers["content-disposition"]
                assert disposition.startswith("attachment;")
                assert f"-{own[0]}.pdf" in disposition
                text = pdf_text(response.content)
                assert "RENALDO ZOVI" in text
                assert "1 74 11 71 270 102 58" in text
                assert "non transmis à votre organisme complémentaire" in text

                for payment_id in (lucies[0], transmitted[0], 987_654, 2**40):
                    response = client.get(routes.statement_url(payment_id), headers=signed_in)
                    assert response.status_code == 404, (payment_id, response.status_code)
                    assert "relevé" in response.text
                    assert "RENALDO" not in response.text

                # Logging out revokes the session server-side: the cookie no longer opens anything.
                assert_closed_without_a_live_session(
                    client, routes.statement_url(own[0]), database_url=database_url, session_id=session_id
                )

                # The Reflex pages are still served beside the route.
                assert client.get(routes.PAYMENTS, follow_redirects=True).status_code == 200
                assert client.get("/ping").status_code == 200
