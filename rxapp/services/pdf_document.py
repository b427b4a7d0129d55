"""The insured's PDF documents (attestation de droits, relevé de paiement): one layout.

A4, the PDF core fonts (Windows-1252: the French accents and "€"), the Assurance
Maladie header, a title, then "caption : value" lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from fpdf import FPDF

from rxapp.models import InsuredPerson
from rxapp.services.nir import format_nir


def pdf_text(text: str) -> str:
    """Text the PDF core fonts can print (Windows-1252): plain spaces for the
    narrow and ordinary no-break spaces of the French number format."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def printed_nir(insured: InsuredPerson) -> str:
    """The NIR grouped as on the carte Vitale, then its key."""
    return f"{format_nir(insured.nir)} {insured.nir_key}"


def insured_document(title: str, *, title_size: int) -> FPDF:
    """A new A4 document with its metadata, the Assurance Maladie header and `title`."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "cp1252"
    pdf.set_title(title)
    pdf.set_author("l'Assurance Maladie")
    pdf.set_lang("fr-FR")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(text="l'Assurance Maladie - Compte ameli", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("helvetica", "B", title_size)
    pdf.multi_cell(w=0, h=8, text=pdf_text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    return pdf


def captioned_lines(pdf: FPDF, lines: Iterable[tuple[str, str]], *, caption_width: float) -> None:
    """ "Caption : value" lines, the caption in bold in a column of `caption_width` mm."""
    for caption, value in lines:
        pdf.set_font("helvetica", "B", 11)
        pdf.cell(w=caption_width, h=8, text=pdf_text(f"{caption} :"))
        pdf.set_font("helvetica", "", 11)
        pdf.multi_cell(w=0, h=8, text=pdf_text(value), new_x="LMARGIN", new_y="NEXT")
