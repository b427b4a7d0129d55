"""The insured's PDF documents (attestation de droits, relevé de paiement): one layout.

A document is first a plain value, `InsuredDocument`: what it states. The PDF is drawn
from it (`document_pdf`), and so is its accessible HTML version (RGAA 13.3, 13.4), so the
two always state the same things.

The PDF: A4, the PDF core fonts (Windows-1252: the French accents and "€"), the Assurance
Maladie header, a title, "caption : value" lines, then an optional emphasised sentence, an
optional titled list and a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fpdf import FPDF

from rxapp.models import InsuredPerson
from rxapp.services.nir import format_nir

LETTERHEAD = "l'Assurance Maladie - Compte ameli"


@dataclass(frozen=True)
class InsuredDocument:
    """What one of the insured's documents states, in the order it states it.

    Attributes:
        title: the document's title (also the PDF's title metadata).
        filename: the PDF's file name.
        lines: (caption, value) pairs.
        emphasis: a sentence printed in bold after the lines (a relevé's status), or "".
        list_title: the title of a list after the lines (the attestation's beneficiaries), or "".
        list_items: that list's entries.
        note: the closing paragraph.
    """

    title: str
    filename: str
    lines: tuple[tuple[str, str], ...]
    emphasis: str = ""
    list_title: str = ""
    list_items: tuple[str, ...] = ()
    note: str = ""


def pdf_text(text: str) -> str:
    """Text the PDF core fonts can print (Windows-1252): plain spaces for the
    narrow and ordinary no-break spaces of the French number format."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def printed_nir(insured: InsuredPerson) -> str:
    """The NIR grouped as on the carte Vitale, then its key."""
    return f"{format_nir(insured.nir)} {insured.nir_key}"


def insured_document(title: str, *, title_size: int) -> FPDF:
    """A new A4 document with its metadata (title, author, language), the Assurance Maladie
    header and `title`."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "cp1252"
    pdf.set_title(title)
    pdf.set_author("l'Assurance Maladie")
    pdf.set_lang("fr-FR")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(text=LETTERHEAD, new_x="LMARGIN", new_y="NEXT")
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


def document_pdf(document: InsuredDocument, *, title_size: int, caption_width: float) -> bytes:
    """The PDF of `document`.

    Args:
        document: what the PDF states.
        title_size: the title's font size, in points.
        caption_width: the width of the captions' column, in mm.
    """
    pdf = insured_document(document.title, title_size=title_size)
    captioned_lines(pdf, document.lines, caption_width=caption_width)
    if document.emphasis:
        pdf.ln(6)
        pdf.set_font("helvetica", "B", 11)
        pdf.multi_cell(w=0, h=6, text=pdf_text(document.emphasis), new_x="LMARGIN", new_y="NEXT")
    if document.list_title:
        pdf.ln(6)
        pdf.set_font("helvetica", "B", 12)
        pdf.cell(text=pdf_text(document.list_title), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("helvetica", "", 11)
        for item in document.list_items:
            pdf.multi_cell(w=0, h=7, text=pdf_text(item), new_x="LMARGIN", new_y="NEXT")
    if document.note:
        pdf.ln(4)
        pdf.set_font("helvetica", "", 10)
        pdf.multi_cell(w=0, h=5, text=pdf_text(document.note), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
