"""The briefing book, opened with pypdf: contents page numbers, outline, links, sources appendix, incremental renders."""
from __future__ import annotations

import io
import re
import shutil
from collections import Counter
from pathlib import Path

import page as page_validation
import pikepdf
import pytest
from pypdf import PdfReader

from briefgen import Project
from briefgen.render.book.fonts import subset_font
from briefgen.render.book.plan import plan_book
from briefgen.render.book.segments import render_book, render_locally

ROOT = Path(__file__).resolve().parents[2]

TOC_LINE = re.compile(r"^(?P<label>Part [IVX]+|Appendix|Figure|\d+)\s+(?P<title>.+?)\s*(?:\. ?)+\s*(?P<page>\d+)$")


def _page_text(reader: PdfReader, number: int) -> str:
    return " ".join((reader.pages[number - 1].extract_text() or "").split())


def _toc(reader: PdfReader) -> list[tuple[str, str, int]]:
    """Read the contents pages: (label, title, page) for each line with a page number."""
    entries = []
    for page in reader.pages[1:4]:
        text = page.extract_text() or ""
        if "Contents" not in text and not entries:
            continue
        for line in text.splitlines():
            m = TOC_LINE.match(" ".join(line.split()))
            if m:
                entries.append((m["label"], m["title"].rstrip(" ."), int(m["page"])))
    return entries


def _check_toc(pdf: Path) -> list[tuple[str, str, int]]:
    reader = PdfReader(pdf)
    entries = _toc(reader)
    assert entries, "no contents lines found"
    total = len(reader.pages)
    for label, title, page in entries:
        text = _page_text(reader, page)
        assert title.split(" (")[0] in text, f"{title!r} not on page {page}"
        assert f"Page {page} of {total}" in text
        if label.isdigit():  # a chapter opens on this page, not on the one before
            assert f"CHAPTER {label} ·" in text.upper()
            assert f"CHAPTER {label} ·" not in _page_text(reader, page - 1).upper()
    return entries


@pytest.fixture(scope="session")
def book_pdf(built: Path) -> Path:
    """The default audience's book from the session build."""
    return built / "congress" / "book.pdf"


def test_toc_page_numbers_are_where_chapters_start(book_pdf: Path) -> None:
    """Every contents entry's page number is the page its part or chapter starts on (by text extraction)."""
    entries = _check_toc(book_pdf)
    labels = [label for label, _t, _p in entries]
    assert "Part I" in labels and "Part II" in labels and "Appendix" in labels
    titles = [t for _l, t, _p in entries]
    assert "North Atlantic Treaty Organization (NATO)" in titles and "Free riding and buck-passing" in titles


def test_cover_names_title_audience_date_and_brand(book_pdf: Path) -> None:
    """The cover carries the book title, the audience, a date and the organisation, with no page number."""
    reader = PdfReader(book_pdf)
    cover = _page_text(reader, 1)
    assert "U.S. alliances and partnerships" in cover
    assert "CONGRESSIONAL STAFF" in cover.upper()
    assert re.search(r"(JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER) \d+, "
                     r"\d{4}", cover.upper())
    assert "BRIEFGEN ALLIANCE STUDIES" in cover.upper()
    assert "Page 1 of" not in cover


def test_outline_mirrors_contents_in_two_levels(book_pdf: Path) -> None:
    """The PDF outline has parts and the appendix at level 1 and chapters under their part, pointing at the right pages."""
    reader = PdfReader(book_pdf)
    entries = {title: page for _l, title, page in _toc(reader)}
    outline = reader.outline
    top = [item for item in outline if not isinstance(item, list)]
    nested = [item for item in outline if isinstance(item, list)]
    assert [t.title for t in top][-1] == "Sources"
    assert any(t.title.startswith("Part I ") for t in top)
    assert nested and all(not isinstance(x, list) for group in nested for x in group), "more than two levels"
    chapters = [x for group in nested for x in group]
    assert {c.title for c in chapters} >= {"North Atlantic Treaty Organization (NATO)", "Free riding and buck-passing"}
    for item in [*top, *chapters]:
        title = item.title.split(" \u00b7 ", 1)[-1]
        assert reader.get_destination_page_number(item) + 1 == entries[title], item.title


def test_contents_entries_are_links_to_their_pages(book_pdf: Path) -> None:
    """Each contents entry is a link whose destination is the page it names."""
    reader = PdfReader(book_pdf)
    pages = {page.indirect_reference.idnum: i + 1 for i, page in enumerate(reader.pages)}
    first_part = min(p for _l, _t, p in _toc(reader))
    targets = []
    for page in reader.pages[1:first_part - 1]:  # every contents page
        for annot in page.get("/Annots", []):
            dest = annot.get_object().get("/Dest")
            if dest is not None:
                targets.append(pages[dest[0].idnum])
    assert targets and set(targets) == {p for _l, _t, p in _toc(reader)}  # a link is one box per inline piece


def test_sources_appendix_numbering_is_consistent(book_pdf: Path) -> None:
    """The appendix numbers notes 1..N once for the book, and every note link in a chapter lands in the appendix."""
    reader = PdfReader(book_pdf)
    start = dict((t, p) for _l, t, p in _toc(reader))["Sources"]
    appendix = "\n".join(reader.pages[i].extract_text() or "" for i in range(start - 1, len(reader.pages)))
    numbers = {int(m) for m in re.findall(r"^\s*(\d+)\.\s", appendix, re.M)}
    assert len(numbers) >= 5 and numbers == set(range(1, max(numbers) + 1))  # 1..N, none missing
    pages = {page.indirect_reference.idnum: i + 1 for i, page in enumerate(reader.pages)}
    note_links = 0
    for index in range(2, start - 1):
        for annot in reader.pages[index].get("/Annots", []):
            dest = annot.get_object().get("/Dest")
            if dest is not None and pages[dest[0].idnum] >= start:
                note_links += 1
            assert "briefgen.invalid" not in str(annot.get_object())
    assert note_links >= max(numbers)


def test_matrix_figure_is_drawn(book_pdf: Path) -> None:
    """The matrix page names its obstacles and alliances as text (vector SVG, not a picture)."""
    reader = PdfReader(book_pdf)
    page = dict((t, p) for _l, t, p in _toc(reader))["Which obstacles affect which alliances"]
    text = _page_text(reader, page)
    assert "Free riding and buck-passing" in text and "NATO" in text


def test_book_select_and_title(small: Path, run) -> None:
    """`book --select obstacles --title T` binds only the obstacles under that title, in its own file."""
    result = run(small, "book", "--select", "obstacles", "--title", "Obstacles only", "--jobs", "1")
    assert result.exit_code == 0, result.output
    pdf = small / "build" / "congress" / "book-obstacles.pdf"
    reader = PdfReader(pdf)
    assert "Obstacles only" in _page_text(reader, 1)
    titles = [t for _l, t, _p in _toc(reader)]
    assert "Free riding and buck-passing" in titles
    assert "North Atlantic Treaty Organization (NATO)" not in titles
    refused = run(small, "book", "--select", "obstacle")
    assert refused.exit_code == 2 and "did you mean" in refused.output  # a usage error


def test_incremental_book_rerenders_one_chapter_and_keeps_numbers(small: Path, tmp_path: Path) -> None:
    """Lengthening one chapter re-renders only it and the contents; later page numbers, contents and links stay right."""
    out = tmp_path / "book.pdf"
    cache = tmp_path / "cache"
    project = Project(small)
    first = render_book(plan_book(project), out, cache, render_locally(project))
    assert first.reused == []
    nato = small / "content" / "alliances" / "nato.yaml"
    text = nato.read_text(encoding="utf-8")
    extra = " ".join(["The alliance's planning machinery keeps growing in scope and in ambition."] * 150)
    nato.write_text(text.replace("summary: >-\n", f"summary: >-\n  {extra}\n", 1), encoding="utf-8")
    project = Project(small)
    second = render_book(plan_book(project), out, cache, render_locally(project))
    assert "ch-nato" in second.rendered and "front" in second.rendered
    assert "ch-free-riding" in second.reused and "sources" in second.reused
    assert second.starts["ch-free-riding"] > first.starts["ch-free-riding"]
    _check_toc(out)


# The joined file itself: fonts once, links, outline, page numbers, PDF/UA-1 (on a small book and the real one).

def _faces(pdf: Path) -> tuple[Counter, Counter]:
    """Per face (BaseFont without its subset tag): how many font programs and how many Type0 dictionaries."""
    programs: Counter = Counter()
    dicts: Counter = Counter()
    with pikepdf.open(pdf) as doc:
        for obj in doc.objects:
            if not isinstance(obj, pikepdf.Dictionary):
                continue
            if obj.get("/Type") == "/FontDescriptor":
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in obj:
                        programs[str(obj.FontName).split("+")[-1]] += 1
            elif obj.get("/Type") == "/Font" and obj.get("/Subtype") == "/Type0":
                dicts[str(obj.BaseFont).split("+")[-1]] += 1
    return programs, dicts


@pytest.fixture(scope="module")
def small_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-block fixture's book (its chapters, matrix, recommendations and appendix), rendered once."""
    project = tmp_path_factory.mktemp("small-book")
    for part in ("briefgen.yaml", "brand.yml", "audiences", "brand", "seeds", "templates", "fonts"):
        if (ROOT / part).exists():
            (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, project / part)
    shutil.copytree(ROOT / "tests" / "fixtures" / "two-blocks" / "content", project / "content")
    out = project / "build" / "book.pdf"
    proj = Project(project)
    result = render_book(plan_book(proj), out, project / "build" / "cache", render_locally(proj))
    assert len(result.rendered) >= 4  # several segments, joined: what the checks below are about
    return out


@pytest.mark.parametrize("which", ["small_book", "book_pdf"])
def test_fonts_are_embedded_once_per_face(which: str, request: pytest.FixtureRequest) -> None:
    """Every face has one font program and one font dictionary, however many segments used it."""
    for pdf in [request.getfixturevalue(which)]:
        programs, dicts = _faces(pdf)
        assert {"Inter", "Noto-Serif"} <= set(programs), programs
        assert set(programs.values()) == {1}, programs
        assert set(dicts.values()) == {1}, dicts


def test_every_glyph_has_text_after_fonts_are_merged(small_book: Path) -> None:
    """The merged Unicode maps cover every chapter's text: titles and body extract on their pages."""
    reader = PdfReader(small_book)
    text = " ".join(_page_text(reader, n) for n in range(1, len(reader.pages) + 1))
    assert "North Atlantic Treaty Organization (NATO)" in text and "Free riding and buck-passing" in text
    assert "\ufffd" not in text


def test_links_resolve_inside_the_book_and_describe_themselves(small_book: Path) -> None:
    """Every link annotation goes to a page of the book or the web, and carries an alternate description."""
    reader = PdfReader(small_book)
    pages = {page.indirect_reference.idnum for page in reader.pages}
    internal = 0
    for page in reader.pages:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            assert "briefgen.invalid" not in str(annot)
            assert str(annot.get("/Contents", "")).strip(), annot
            if "/Dest" in annot:
                assert annot["/Dest"][0].idnum in pages
                internal += 1
            else:
                assert str(annot["/A"]["/URI"]).startswith(("https://", "http://", "mailto:"))
    assert internal >= 10


def test_small_book_contents_outline_and_page_numbers(small_book: Path) -> None:
    """The contents name the right pages, the outline points at them, and every page but the cover is numbered."""
    entries = _check_toc(small_book)
    reader = PdfReader(small_book)
    total = len(reader.pages)
    for number in range(2, total + 1):
        assert f"Page {number} of {total}" in _page_text(reader, number)
    pages = {title: page for _l, title, page in entries}
    outline = [item for group in reader.outline for item in (group if isinstance(group, list) else [group])]
    assert len(outline) == len(entries)
    for item in outline:
        assert reader.get_destination_page_number(item) + 1 == pages[item.title.split(" \u00b7 ", 1)[-1]]


@pytest.mark.parametrize("which", ["small_book", "book_pdf"])
def test_book_conforms_to_pdf_ua_1(which: str, request: pytest.FixtureRequest) -> None:
    """A veraPDF-rules checker finds no PDF/UA-1 failure: links tagged and described, folios plain artifacts."""
    for pdf in [request.getfixturevalue(which)]:
        report = page_validation.validate_pdf(str(pdf), profile="ua1")
        assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]


def test_subset_keeps_glyph_ids(root: Path) -> None:
    """A union subset keeps the original glyph ids (what lets every segment's text use it unchanged)."""
    from fontTools.ttLib import TTFont

    original = (root / "fonts" / "NotoSerif-Regular.ttf").read_bytes()
    full = TTFont(io.BytesIO(original))
    gids = {full.getGlyphID(full.getBestCmap()[ord(c)]) for c in "Az"}
    data = subset_font(original, gids | {0})
    assert data is not None and len(data) < len(original) / 10
    sub = TTFont(io.BytesIO(data))
    assert sub["maxp"].numGlyphs == max(gids) + 1
    glyf = sub["glyf"]
    order = sub.getGlyphOrder()
    for gid in gids:
        assert glyf[order[gid]].numberOfContours != 0
    assert glyf[order[min(gids) + 1]].numberOfContours == 0  # a glyph nobody used is empty


def _joined(texts: list[str]) -> pikepdf.Pdf:
    """Render one small PDF per text in the project's serif face and join their pages, as the book does."""
    from briefgen.render.pdf import render_pdf

    joined = pikepdf.new()
    for text in texts:
        html = ("<!DOCTYPE html><html lang='en'><head><title>t</title><style>@font-face { font-family: Body; "
                "src: url(fonts/NotoSerif-Regular.ttf); } body { font-family: Body; }</style></head>"
                f"<body><p>{text}</p></body></html>")
        source = pikepdf.open(io.BytesIO(render_pdf(html, ROOT, "test").data))
        joined.pages.extend(source.pages)
    return joined


def test_unify_fonts_merges_segments_faces_and_leaves_unknown_ones(tmp_path: Path) -> None:
    """Two documents' subsets of one face become one program holding both texts' glyphs; with no matching
    project font file the face is left as it was (and named in the report)."""
    from pypdf import PdfReader as Reader

    from briefgen.render.book.fonts import unify_fonts

    pdf = _joined(["Alpha bravo", "Xylophone quiz"])
    (tmp_path / "fonts").mkdir()
    kept = unify_fonts(pdf, tmp_path)
    assert kept.merged == {} and len(kept.kept) == 1
    report = unify_fonts(pdf, ROOT)
    assert list(report.merged.values()) == [2]
    out = tmp_path / "joined.pdf"
    pdf.save(out)
    programs, dicts = _faces(out)
    assert list(programs.values()) == [1] and list(dicts.values()) == [1]  # one face, once
    reader = Reader(out)
    assert "Alpha bravo" in reader.pages[0].extract_text() and "Xylophone quiz" in reader.pages[1].extract_text()
