"""The generated PDFs, opened with pypdf (pikepdf for page counts): pages, text, quotes, metadata."""
from __future__ import annotations

import re
from pathlib import Path

import pikepdf
from pypdf import PdfReader


def _text(pdf: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages)


def test_nato_brief_pages_text_and_metadata(built: Path) -> None:
    """The NATO brief has 2+ pages, names the alliance, carries a sourced quote and its metadata title."""
    pdf = built / "congress" / "briefs" / "nato.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2
    text = _text(pdf)
    assert "North Atlantic Treaty Organization" in text
    assert "If they don’t pay, I’m not going to defend them." in text
    assert "Sources" in text and "Improving U.S. Cooperation with Allies and Partners" in text
    meta = reader.metadata
    assert meta.title == "North Atlantic Treaty Organization (NATO) — Policy brief"
    assert meta.author and meta.subject and "NATO" in (meta.get("/Keywords") or "")


def test_every_onepager_is_one_page(built: Path) -> None:
    """Each one-pager built for the default audience has exactly one page."""
    pdfs = sorted((built / "congress" / "onepagers").glob("*.pdf"))
    assert pdfs
    for pdf in pdfs:  # pikepdf (qpdf) opens the whole catalogue's in a fraction of pypdf's time
        with pikepdf.open(pdf) as doc:
            assert len(doc.pages) == 1, pdf.name


def test_running_footer_and_marking(built: Path) -> None:
    """Every page carries a plain folio (its number alone) and the audience's distribution marking."""
    pdf = built / "congress" / "briefs" / "free-riding.pdf"
    reader = PdfReader(pdf)
    n = len(reader.pages)
    for i, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert re.search(rf"(^|\s){i}$", text.strip()) and f"Page {i} of {n}" not in text, text[-200:]
        assert "FOR CONGRESSIONAL STAFF USE" in text.upper()
