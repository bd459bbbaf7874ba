"""A quote may cite only what a reader of the source sees: hidden PDF, HTML and DOCX text is no source."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

VISIBLE = "the alliance with partners in Europe holds firm today"

#: PDF content-stream tricks, each hiding a sentence a reader never sees.
PDF_TRICKS = {
    "invisible-render-mode": "BT /F1 12 Tf 3 Tr 72 600 Td ({s}) Tj ET",
    "clip-only-render-mode": "BT /F1 12 Tf 7 Tr 72 600 Td ({s}) Tj ET",
    "white-on-white": "BT /F1 12 Tf 1 1 1 rg 72 600 Td ({s}) Tj ET",
    "white-cmyk": "BT /F1 12 Tf 0 0 0 0 k 72 600 Td ({s}) Tj ET",
    "off-the-page": "BT /F1 12 Tf -5000 600 Td ({s}) Tj ET",
    "below-the-page": "BT /F1 12 Tf 72 -400 Td ({s}) Tj ET",
    "one-point-type": "BT /F1 1 Tf 72 600 Td ({s}) Tj ET",
    "scaled-down-type": "BT 0.05 0 0 0.05 72 600 Tm /F1 12 Tf ({s}) Tj ET",
    "black-on-black-box": "0 0 0 rg 60 590 500 30 re f BT /F1 12 Tf 0 0 0 rg 72 600 Td ({s}) Tj ET",
}
SECRET = "Korea will leave the alliance in 2026 said the hidden line"


def make_pdf(trick: str) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    ops = [f"q BT /F1 12 Tf 72 {740 - 20 * i} Td (Visible line {i} says {VISIBLE}.) Tj ET Q" for i in range(6)]
    ops.append(f"q {trick.format(s=SECRET)} Q")
    ops.append("q 0 0 0.5 rg 60 440 500 30 re f BT /F1 12 Tf 1 1 1 rg 72 450 Td "
               "(White on navy is a banner line a reader sees.) Tj ET Q")
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                              Contents=pdf.make_stream("\n".join(ops).encode()))
    pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


HTML_TRICKS = {
    "hidden-attribute": "<p hidden>{s}</p>",
    "display-none": '<div style="color: red;display : none">{s}</div>',
    "visibility-hidden": '<p style="visibility:hidden">{s}</p>',
    "aria-hidden": '<p aria-hidden="true">{s}</p>',
    "nested-in-hidden": "<div hidden>\n<div>\n<p>{s}</p>\n</div>\n</div>",
    "font-size-zero": '<span style="font-size:0">{s}</span>',
}


def make_html(trick: str) -> str:
    return ("<html><head><title>Notes</title></head><body><article>\n<h1>Alliance notes</h1>\n"
            f"<p>Visible paragraph: {VISIBLE}.</p>\n{trick.format(s=SECRET + '.')}\n"
            "<p>Second visible paragraph about partners.</p>\n</article></body></html>\n")


DOCX_TRICKS = {"vanish": "vanish", "white": "white", "tiny": "tiny", "web-hidden": "webHidden"}


def make_docx(trick: str) -> bytes:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    document.add_heading("Alliance notes", level=1)
    document.add_paragraph(f"Visible paragraph: {VISIBLE}.")
    run = document.add_paragraph().add_run(SECRET + ".")
    if trick == "vanish":
        run.font.hidden = True
    elif trick == "white":
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    elif trick == "tiny":
        run.font.size = Pt(1)
    else:
        run._r.get_or_add_rPr().append(OxmlElement("w:webHidden"))
        assert run._r.rPr.find(qn("w:webHidden")) is not None
    document.add_paragraph("Second visible paragraph about partners.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _cite(project: Path, run, name: str, data: bytes | str, quote: str, anchor: str):
    """Put seed NAME in seeds/, register it, make NATO quote QUOTE from it at ANCHOR, and run `check`."""
    path = project / "seeds" / name
    path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data)
    result = run(project, "ingest", "--register", f"seeds/{name}")
    assert result.exit_code == 0, result.output
    seed = name.rpartition(".")[0]
    nato = project / "content" / "alliances" / "nato.yaml"
    nato.write_text(nato.read_text().replace(
        "quotes:\n", f'quotes:\n  - text: "{quote}"\n    speaker: A line of the source\n    cite: {seed}#{anchor}\n',
        1))
    return run(project, "check")


@pytest.mark.parametrize("trick", sorted(PDF_TRICKS))
def test_hidden_pdf_text_cannot_be_quoted(small: Path, run, trick: str) -> None:
    result = _cite(small, run, "hidden.pdf", make_pdf(PDF_TRICKS[trick]), SECRET, "p1")
    assert result.exit_code == 1 and "quote not found in hidden#p1" in result.output, result.output


def test_visible_pdf_text_still_can_be_quoted_white_on_a_dark_box_included(small: Path, run) -> None:
    result = _cite(small, run, "shown.pdf", make_pdf(PDF_TRICKS["white-on-white"]),
                   "White on navy is a banner line a reader sees", "p1")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("trick", sorted(HTML_TRICKS))
def test_hidden_html_text_cannot_be_quoted_by_section_or_line(small: Path, run, trick: str) -> None:
    page = make_html(HTML_TRICKS[trick])
    line = next(i for i, text in enumerate(page.split("\n"), start=1) if SECRET in text)
    result = _cite(small, run, "page.html", page, SECRET, f"L{line}")
    assert result.exit_code == 1 and "quote not found in page#L" in result.output, result.output


def test_visible_html_text_still_can_be_quoted(small: Path, run) -> None:
    page = make_html(HTML_TRICKS["nested-in-hidden"])
    line = next(i for i, text in enumerate(page.split("\n"), start=1) if VISIBLE in text)
    result = _cite(small, run, "page.html", page, VISIBLE, f"L{line}-L{line + 7}")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("trick", sorted(DOCX_TRICKS))
def test_hidden_docx_text_cannot_be_quoted(small: Path, run, trick: str) -> None:
    result = _cite(small, run, "memo.docx", make_docx(DOCX_TRICKS[trick]), SECRET, "alliance-notes")
    assert result.exit_code == 1 and "quote not found in memo#alliance-notes" in result.output, result.output


def test_visible_docx_text_still_can_be_quoted(small: Path, run) -> None:
    result = _cite(small, run, "memo.docx", make_docx("vanish"), VISIBLE, "alliance-notes")
    assert result.exit_code == 0, result.output
