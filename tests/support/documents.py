"""The insured's PDF routes (attestation, relevés): their text, and their refusal of dead sessions."""

from __future__ import annotations

import io

import httpx
from pypdf import PdfReader
from sqlmodel import Session

from rxapp.db import make_engine
from rxapp.services.auth import end_session

FORGED = {"Cookie": "ameli_session=" + "x" * 43}


def pdf_text(pdf: bytes) -> str:
    """The text of every page of a PDF."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def assert_closed_without_a_live_session(
    client: httpx.Client, url: str, *, database_url: str, session_id: str
) -> None:
    """`url` answers 401 "Connectez-vous" without a cookie and with a forged one; then, once the
    session has ended server-side (as a logout does), its own cookie no longer opens it.

    Ends the session `session_id`.
    """
    for headers in ({}, FORGED):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, (headers, response.status_code)
        assert "Connectez-vous" in response.text
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            end_session(session=session, session_id=session_id)
            session.commit()
    finally:
        engine.dispose()
    assert client.get(url, headers={"Cookie": f"ameli_session={session_id}"}).status_code == 401
