"""PDF quality of the real builds: PDF/UA-1 tagging, language, metadata, fonts, outline, links, reproducibility."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from briefgen.cli import main

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z: conftest.EVERY_AUDIENCE_EPOCH, which every_audience is rendered under
ROOT = Path(__file__).resolve().parents[2]


def _pdfs(built: Path) -> list[Path]:
    pdfs = sorted(built.rglob("*.pdf"))
    assert pdfs
    return pdfs


def _obj(value):  # noqa: ANN001, ANN202 - pypdf objects
    return value.get_object() if isinstance(value, IndirectObject) else value


def _walk_struct(elem, found: list) -> None:  # noqa: ANN001 - pypdf dictionaries
    elem = _obj(elem)
    if not hasattr(elem, "get"):
        return
    found.append(elem)
    kids = _obj(elem.get("/K"))
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        _walk_struct(kid, found)


def test_every_font_is_embedded_and_subset(built: Path) -> None:
    """Each font of each page carries a FontFile stream, a subset tag, and is one of the brand's families."""
    for pdf in _pdfs(built):  # pikepdf (qpdf): a tenth of pypdf's time over the whole catalogue
        names = set()
        with pikepdf.open(pdf) as doc:
            for page in doc.pages:
                for font in page.obj.Resources.Font.values():
                    desc = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
                    assert any(k.startswith("/FontFile") for k in desc.keys()), (pdf.name, str(font.BaseFont))
                    names.add(str(font.BaseFont))
        assert names and all(n[7] == "+" for n in names), names
        assert {n[8:].split("-")[0] for n in names} <= {"Inter", "Noto"}, names


def test_pdf_ua_catalog_language_title_and_tags(built: Path) -> None:
    """Every PDF declares PDF/UA-1, its language, shows its title, is marked, and has a structure tree."""
    for pdf in _pdfs(built):
        with pikepdf.open(pdf) as doc:
            root = doc.Root
            assert str(root.Lang) == "en-US"
            assert bool(root.MarkInfo.Marked)
            assert bool(root.ViewerPreferences.DisplayDocTitle)
            assert "/StructTreeRoot" in root
            xmp = root.Metadata.read_bytes()
        assert b'pdfuaid:part="1"' in xmp


def test_metadata_title_author_subject_keywords(built: Path) -> None:
    """Info dictionary carries title, author, subject and keywords for briefs and one-pagers alike."""
    meta = PdfReader(built / "congress" / "onepagers" / "free-riding.pdf").metadata
    assert meta.title == "Free riding and buck-passing — One-pager"
    assert meta.author == "Larkspur Institute for Alliance Studies"
    assert meta.subject.startswith("Some allies contribute less")
    assert "burden sharing" in meta["/Keywords"] and "obstacle" in meta["/Keywords"]


def test_logo_is_a_figure_with_alt_text(built: Path) -> None:
    """The title band's logo is tagged as a Figure whose /Alt names the organisation."""
    reader = PdfReader(built / "congress" / "briefs" / "nato.pdf")
    elems: list = []
    _walk_struct(reader.trailer["/Root"]["/StructTreeRoot"], elems)
    figures = [e for e in elems if e.get("/S") == "/Figure"]
    assert figures and all(e.get("/Alt") for e in figures)
    assert figures[0]["/Alt"] == "Larkspur Institute for Alliance Studies"
    tags = {e.get("/S") for e in elems}
    assert {"/H1", "/H2", "/L", "/LI", "/P", "/Link", "/BlockQuote"} <= tags


def test_outline_follows_the_headings(built: Path) -> None:
    """The bookmarks are the title, then each section heading beneath it, ending with the sources."""
    reader = PdfReader(built / "congress" / "briefs" / "nato.pdf")
    top = reader.outline
    assert top[0].title == "North Atlantic Treaty Organization (NATO)"
    children = [item.title for item in top[1] if not isinstance(item, list)]  # nested lists: h3 under an h2
    assert children[0] == "Bottom line" and "Why it matters" in children and "Modernization priorities" in children
    assert children[-1] == "Sources" and "At a glance" not in children and "Related obstacles" not in children


def test_note_numbers_link_to_their_notes(built: Path) -> None:
    """Every note-number link points at a named destination that exists, on the notes' page."""
    reader = PdfReader(built / "congress" / "briefs" / "free-riding.pdf")
    names = reader.trailer["/Root"]["/Names"]["/Dests"]["/Names"]
    dests = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
    links = [_obj(a) for page in reader.pages for a in page.get("/Annots", []) if _obj(a)["/Subtype"] == "/Link"]
    targets = {str(a["/Dest"]) for a in links if "/Dest" in a}
    assert {"note-1", "note-2"} <= targets
    assert targets <= set(dests)


def test_running_header_from_page_two_and_page_counts(built: Path) -> None:
    """Briefs run 1 to 6 pages (a block on which the sources say little is short, not padded); the running
    title appears on page 2 onwards, never on page 1."""
    for pdf in sorted((built / "congress" / "briefs").glob("*.pdf")):
        with pikepdf.open(pdf) as doc:
            count = len(doc.pages)
        assert 1 <= count <= 6, pdf.name
        # poppler's pdftotext: a second extractor, and many times faster than pypdf's; a form feed ends each page
        pages = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout.split("\f")[:count]
        assert len(pages) == count, pdf.name
        assert "· POLICY BRIEF" not in pages[0], pdf.name  # the band's own label is not the header
        for page in pages[1:]:
            assert "· POLICY BRIEF" in page, pdf.name


@pytest.fixture(scope="module")
def twice(every_audience: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The NATO brief and the countercoercion one-pager built twice, in separate output folders, with
    SOURCE_DATE_EPOCH set: once by `every_audience` (with --audience all, under EPOCH), once here."""
    out = tmp_path_factory.mktemp("repro")
    for kind, block in (("brief", "nato"), ("onepager", "countercoercion")):
        result = CliRunner(env={"SOURCE_DATE_EPOCH": EPOCH}).invoke(
            main, ["--project", str(ROOT), kind, block, "--out", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return every_audience, out


@pytest.mark.slow
def test_same_source_date_epoch_gives_identical_bytes(twice: tuple[Path, Path]) -> None:
    """Two builds with the same SOURCE_DATE_EPOCH are byte-identical, their PDF dates from the epoch; the page shows
    the recorded edition's date (the content's last change), not the epoch and not the build clock."""
    first, second = twice
    for rel in ("congress/briefs/nato.pdf", "congress/onepagers/countercoercion.pdf"):
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    meta = PdfReader(first / "congress" / "briefs" / "nato.pdf").metadata
    assert meta["/CreationDate"] == "D:20260101000000Z" and meta["/ModDate"] == "D:20260101000000Z"
    record = json.loads((Path(__file__).resolve().parents[2] / "editions" / "congress" / "brief" / "nato.json")
                        .read_text(encoding="utf-8"))
    shown = dt.date.fromisoformat(record["editions"][-1]["date"]).strftime("%B %-d, %Y")
    page = PdfReader(first / "congress" / "briefs" / "nato.pdf").pages[0].extract_text()
    assert f"Edition {record['editions'][-1]['number']} \u00b7 Updated {shown}" in page, page[:300]


def test_image_without_alt_text_is_a_content_error(scratch: Path, run) -> None:
    """A template image without alt text fails the document with a content error, writing nothing."""
    tpl = scratch / "templates" / "brief.html.j2"
    tpl.write_text(tpl.read_text().replace("</main>", '<img src="brand/logo.svg"></main>'))
    result = run(scratch, "brief", "nato")
    assert result.exit_code == 1
    assert "content/alliances/nato.yaml: error: image without alternative text: <img src='brand/logo.svg'>" \
        in result.output
    assert not (scratch / "build" / "congress" / "briefs" / "nato.pdf").exists()
