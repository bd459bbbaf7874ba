"""One outline model from every format: the report fixtures read as the same tables, lists, quotes and front."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.seeds.outline import build_outline, read_binary

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
FORMATS = {"report.pdf": "pdf", "report.docx": "docx", "report.html": "html"}


def _outline(name: str):
    path = REPORTS / name
    fmt = FORMATS.get(name, "markdown")
    if fmt in ("pdf", "docx"):
        return read_binary(path.read_bytes(), "report", fmt)[1]
    return build_outline(path.read_text(encoding="utf-8"), "report", fmt)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_the_report_reads_as_the_same_structure_from_pdf_docx_and_html(name: str) -> None:
    """Table rows with a header, an ordered list without its printed numbers, a quote with its speaker."""
    outline = _outline(name)
    table = outline.tables()[0]
    assert [r.text.split(" | ")[0] for r in table.children] == [
        "Obstacle", "Free riding", "Credibility and trust", "Adversary countercoercion"]
    assert table.children[1].text.split(" | ")[2] == "Denmark counts its support for Ukraine."
    assert table.attrs["header"] == "Obstacle | What allies report | Example"
    assert [r.attrs.get("header") for r in table.children] == ["True", None, None, None]
    lists = [n for n in outline.walk() if n.kind == "list"]
    assert len(lists) == 1 and lists[0].attrs.get("ordered") == "True"
    items = lists[0].children
    assert [i.attrs.get("number") for i in items] == ["1", "2", "3"]
    assert items[0].text.startswith("Congress may consider") and items[0].text.endswith("more than one measure.")
    quote = next(n for n in outline.walk() if n.kind == "quote")
    assert quote.attrs["speaker"] == "Roundtable participant, Warsaw, February 2026"
    assert "Roundtable" not in quote.text and quote.text.strip("\u201c\u201d").endswith("will stay.")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_byline_dateline_number_and_running_footer_are_metadata_never_paragraphs(name: str) -> None:
    """Authors with their titles, the dateline, the report number and the footer's publisher are stated."""
    outline = _outline(name)
    assert outline.stated["authors"] == [{"name": "Paul Example", "title": "Analyst in European Affairs"},
                                         {"name": "Jane Sample", "title": "Specialist in Asian Affairs"}]
    assert outline.stated["date"] == "March 3, 2026" and outline.stated["number"] == "R48123"
    assert outline.running == ["Congressional Research Service"]
    prose = " ".join(n.text for n in outline.walk() if n.kind in ("paragraph", "item", "quote"))
    assert "Analyst in" not in prose and "Updated March" not in prose and "R48123" not in prose
    assert "Congressional Research Service" not in prose


def test_a_markdown_note_states_its_month_dateline_and_byline_and_keeps_list_fragments_as_items() -> None:
    """'Prepared for ..., March 2026.' is a dateline, 'By ...' a byline; the blockquote's last line its speaker."""
    outline = build_outline((REPORTS / "note.md").read_text(encoding="utf-8"), "note", "markdown")
    kinds = {n.text[:20]: n.kind for n in outline.walk() if n.kind in ("byline", "dateline")}
    assert kinds == {"Prepared for an inte": "dateline", "By Jane Sample, Alli": "byline"}
    assert outline.stated["date"] == "March 2026"
    quote = next(n for n in outline.walk() if n.kind == "quote")
    assert quote.attrs["speaker"].startswith("Roundtable participant")
    items = [n.text for n in outline.walk() if n.kind == "item"]
    assert items[1] == "commitments may not outlast an election; and"


def test_the_fixtures_are_what_the_script_writes(tmp_path: Path) -> None:
    """tests/fixtures/reports/make_reports.py rewrites the HTML and Markdown fixtures byte for byte."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_reports", REPORTS / "make_reports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert module.report_html() == (REPORTS / "report.html").read_text(encoding="utf-8")
    assert module.NOTE == (REPORTS / "note.md").read_text(encoding="utf-8")


def test_a_pdf_list_item_broken_by_a_page_is_one_item_with_its_number() -> None:
    """Items long enough to break across A6 pages come back whole, numbered 1 to 5, with no '1.' in the text."""
    import weasyprint

    tail = ("keep their commitments over many years of change in government, because a plan that does not "
            "outlast one budget cycle cannot shape what allies buy, where they base their forces or how they train.")
    items = "".join(f"<li>Item {i} says that allies should plan together and {tail}</li>" for i in range(1, 6))
    pdf = weasyprint.HTML(string=f"<style>@page {{ size: A6; margin: 12mm }} body {{ font: 10pt serif }}</style>"
                                 f"<h1>T</h1><h2>Issues for Congress</h2><ol>{items}</ol>").write_pdf()
    outline = read_binary(pdf, "x", "pdf")[1]
    items = [n for n in outline.walk() if n.kind == "item"]
    assert [i.attrs["number"] for i in items] == ["1", "2", "3", "4", "5"]
    assert all(i.text.startswith(f"Item {k} says") and i.text.endswith("how they train.")
               for k, i in enumerate(items, start=1))
    pages = outline.page_span(items[0].start, items[-1].end)
    assert pages is not None and pages[1] > pages[0], "the list runs over a page break"


def test_markdown_footnotes_become_footnote_nodes_and_their_calls_leave_the_text() -> None:
    """'[^1]: ...' is cited as footnote-1; the call '[^1]' is recorded on its paragraph, not left in the words."""
    text = "# T\n\n## Free riding\n\nAllies spend less than they promised.[^1] Some spend more.\n\n[^1]: NATO data.\n"
    outline = build_outline(text, "n", "markdown")
    note = outline.anchors["footnote-1"]
    assert note.kind == "footnote" and note.text == "NATO data." and note.start == 7
    para = next(n for n in outline.walk() if n.kind == "paragraph")
    assert para.text == "Allies spend less than they promised. Some spend more." and para.attrs["footnotes"] == "1"


def test_html_endnotes_become_footnote_nodes_and_their_calls_leave_the_text() -> None:
    """<li id="fn1"> under doc-endnotes is footnote-1; the <sup><a href="#fn1"> call adds no '1' to the words."""
    page = ('<article><h1>T</h1><h2>Free riding</h2><p>Allies spend less than they promised.<sup>'
            '<a href="#fn1" id="fnref1">1</a></sup> Some spend more.</p><section role="doc-endnotes"><ol>'
            '<li id="fn1"><p>NATO data. <a href="#fnref1">\u21a9\ufe0e</a></p></li></ol></section></article>')
    outline = build_outline(page, "n", "html")
    note = outline.anchors["footnote-1"]
    assert note.kind == "footnote" and note.text == "NATO data."
    para = next(n for n in outline.walk() if n.kind == "paragraph")
    assert para.text == "Allies spend less than they promised. Some spend more." and para.attrs["footnotes"] == "1"
    assert not [n for n in outline.walk() if n.kind == "item"]
