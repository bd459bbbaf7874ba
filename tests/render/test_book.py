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


def has_folio(text: str, page: int) -> bool:
    """Whether TEXT (a page's text) ends with the plain folio PAGE (not "Page 3 of 4")."""
    return re.search(rf"(^|\s){page}$", text.strip()) is not None and f"Page {page} of" not in text


def _check_toc(pdf: Path) -> list[tuple[str, str, int]]:
    reader = PdfReader(pdf)
    entries = _toc(reader)
    assert entries, "no contents lines found"
    for label, title, page in entries:
        text = _page_text(reader, page)
        assert title.split(" (")[0] in text, f"{title!r} not on page {page}"
        assert has_folio(text, page), f"no folio {page}"
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
    assert "LARKSPUR INSTITUTE FOR ALLIANCE STUDIES" in cover.upper()
    assert not has_folio(cover, 1)


def test_outline_mirrors_contents_in_two_levels(book_pdf: Path) -> None:
    """The PDF outline has parts and the appendix at level 1 and chapters under their part, pointing at the right pages."""
    reader = PdfReader(book_pdf)
    entries = {title: page for _l, title, page in _toc(reader)}
    outline = reader.outline
    top = [item for item in outline if not isinstance(item, list)]
    nested = [item for item in outline if isinstance(item, list)]
    assert [t.title for t in top][-1] == "Notes"
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


def _note_links(reader: PdfReader, first: int, last: int) -> list[tuple[int, int, int]]:
    """(chapter, note, page it lands on) of every note link on pages FIRST..LAST, in the order they are read."""
    pages = {page.indirect_reference.idnum: i + 1 for i, page in enumerate(reader.pages)}
    out = []
    for index in range(first - 1, last):
        for ref in reader.pages[index].get("/Annots", []):
            annot = ref.get_object()
            assert "briefgen.invalid" not in str(annot)
            m = re.match(r"Note (\d+) of chapter (\d+) in the Notes", str(annot.get("/Contents", "")))
            if m and "/Dest" in annot:
                out.append((int(m[2]), int(m[1]), pages[annot["/Dest"][0].idnum]))
    return out


def test_notes_are_numbered_per_chapter_in_reading_order(book_pdf: Path) -> None:
    """In every chapter the note numbers first appear as 1, 2, 3, ... in reading order, and each lands on the Notes
    appendix, where the chapter's notes are listed 1..n under its title."""
    reader = PdfReader(book_pdf)
    toc = _toc(reader)
    start = dict((t, p) for _l, t, p in toc)["Notes"]
    chapters = [(int(label), page) for label, _t, page in toc if label.isdigit()]
    bounds = [(no, page, (chapters[i + 1][1] - 1) if i + 1 < len(chapters) else start - 1)
              for i, (no, page) in enumerate(chapters)]
    appendix = " ".join(_page_text(reader, n) for n in range(start, len(reader.pages) + 1))
    cited = 0
    for number, first, last in bounds:
        links = _note_links(reader, first, last)
        assert all(chapter == number and page >= start for chapter, _n, page in links), (number, links)
        seen = list(dict.fromkeys(n for _c, n, _p in links))
        assert seen == list(range(1, len(seen) + 1)), (number, seen)  # 1, 2, 3 ... as the text is read
        cited += bool(seen)
        if seen:
            assert f"Chapter {number}: " in appendix
    assert cited >= 30


def test_matrix_figure_is_drawn(book_pdf: Path) -> None:
    """The matrix page names its obstacles and alliances as text (vector SVG, not a picture)."""
    reader = PdfReader(book_pdf)
    page = dict((t, p) for _l, t, p in _toc(reader))["Which obstacles affect which alliances"]
    text = _page_text(reader, page)
    assert "Free riding and buck-passing" in text and "NATO" in text


def test_book_select_and_title_after_one_check(small: Path, run,  # noqa: ANN001 - the CLI fixture
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """`book --select obstacles --title T` binds only the obstacles under that title, in its own file, having
    checked the project once (not again for the book it binds)."""
    from briefgen.render import checks

    calls = []
    check = checks.check_project
    monkeypatch.setattr(checks, "check_project", lambda project: calls.append(project) or check(project))
    result = run(small, "book", "--select", "obstacles", "--title", "Obstacles only", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    pdf = small / "build" / "congress" / "book-obstacles.pdf"
    reader = PdfReader(pdf)
    assert "Obstacles only" in _page_text(reader, 1)
    titles = [t for _l, t, _p in _toc(reader)]
    assert "Free riding and buck-passing" in titles
    assert "North Atlantic Treaty Organization (NATO)" not in titles
    refused = run(small, "book", "--select", "obstacle")
    assert refused.exit_code == 2 and "did you mean" in refused.output  # a usage error


@pytest.mark.slow
def test_incremental_book_rerenders_one_chapter_and_keeps_numbers(small: Path, tmp_path: Path) -> None:
    """Lengthening one chapter re-renders it, the contents and the chapters that print a page it moved ("see
    Recommendation 1, p. N"); later page numbers, contents and links stay right; a rebuild renders nothing."""
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
    assert "ch-free-riding" in second.rendered  # it prints the recommendation's page, which moved
    assert "notes" in second.reused and "part-obstacles" in second.reused and "matrix" in second.reused
    assert second.starts["ch-free-riding"] > first.starts["ch-free-riding"]
    _check_toc(out)
    reader = PdfReader(out)
    rec = second.starts["ch-prioritize-objectives-and-expedite-procedures"]
    assert f"see Recommendation 1, p. {rec}" in _page_text(reader, second.starts["ch-free-riding"])
    third = render_book(plan_book(project), out, cache, render_locally(project))
    assert third.rendered == []


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


#: The segment PDFs the small book was joined from (label -> PDF bytes), the last rendering of each.
_SMALL_PARTS: dict[str, bytes] = {}
#: Every segment job the small book's first build asked for: (label, only measured, the tail level it starts at,
#: layouts it made).
_SMALL_JOBS: list[tuple[str, bool, int | None, int]] = []
#: The page each contents entry of the small book starts on.
_SMALL_STARTS: dict[str, int] = {}


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
    local = render_locally(proj)

    def recording(jobs):  # noqa: ANN001, ANN202 - a RenderMany that keeps what it rendered
        results = local(jobs)
        _SMALL_JOBS.extend((label, fit.measure, fit.tail, r.layouts)
                           for (label, _html, _source, _shared, fit), r in zip(jobs, results))
        _SMALL_PARTS.update({label: r.data for (label, *_rest), r in zip(jobs, results) if not r.measured})
        return results

    result = render_book(plan_book(proj), out, project / "build" / "cache", recording)
    _SMALL_STARTS.update(result.starts)
    assert len(result.rendered) >= 4  # several segments, joined: what the checks below are about
    assert result.findings == []  # the layout audit of every segment finds nothing
    return out


# The real book comes from the whole-catalogue build: slow (the auto marker cannot see a fixture asked for by name).
@pytest.mark.parametrize("which", ["small_book", pytest.param("book_pdf", marks=pytest.mark.slow)])
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
        assert has_folio(_page_text(reader, number), number), number
    pages = {title: page for _l, title, page in entries}
    outline = [item for group in reader.outline for item in (group if isinstance(group, list) else [group])]
    assert len(outline) == len(entries)
    for item in outline:
        assert reader.get_destination_page_number(item) + 1 == pages[item.title.split(" \u00b7 ", 1)[-1]]


# The real book comes from the whole-catalogue build: slow (the auto marker cannot see a fixture asked for by name).
@pytest.mark.parametrize("which", ["small_book", pytest.param("book_pdf", marks=pytest.mark.slow)])
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
    from briefgen.render.pdf import lay_out, write_pdf

    joined = pikepdf.new()
    for text in texts:
        html = ("<!DOCTYPE html><html lang='en'><head><title>t</title><style>@font-face { font-family: Body; "
                "src: url(fonts/NotoSerif-Regular.ttf); } body { font-family: Body; }</style></head>"
                f"<body><p>{text}</p></body></html>")
        source = pikepdf.open(io.BytesIO(write_pdf(lay_out(html, ROOT, "test")).data))
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


# What the book prints: references instead of reprinted cards, the cover's foot, the structure of its parts.

def test_chapters_refer_to_a_recommendation_instead_of_reprinting_it(small_book: Path) -> None:
    """A chapter names each recommendation it links and points to its chapter and page, with a link there; the
    recommendation's own text is printed once, in its chapter."""
    reader = PdfReader(small_book)
    toc = {title: page for _l, title, page in _toc(reader)}
    rec_page = toc["Prioritize U.S. objectives and expedite U.S. procedures"]
    assert "CHAPTER 3 · RECOMMENDATION 1" in _page_text(reader, rec_page).upper()
    pages = {page.indirect_reference.idnum: i + 1 for i, page in enumerate(reader.pages)}
    for chapter in ("North Atlantic Treaty Organization (NATO)", "Free riding and buck-passing"):
        text = " ".join(_page_text(reader, n) for n in range(toc[chapter], toc[chapter] + 3))
        assert f"see Recommendation 1, p. {rec_page}" in text, chapter
    links = [annot.get_object() for page in reader.pages for annot in page.get("/Annots", [])]
    refs = [a for a in links if str(a.get("/Contents", "")).startswith("Prioritize U.S. objectives")
            and pages[a["/Dest"][0].idnum] == rec_page]
    assert len(refs) >= 2
    whole = " ".join(_page_text(reader, n) for n in range(1, len(reader.pages) + 1))
    action = "Streamline the Foreign Military Sales"  # an action of the recommendation: in its chapter only
    assert whole.count(action) == 1


def _lines_with_height(reader: PdfReader, number: int) -> list[tuple[str, float]]:
    """Text pieces of a page with their height above the page's foot, as a fraction of the page."""
    page = reader.pages[number - 1]
    height = float(page.mediabox.height)
    out: list[tuple[str, float]] = []

    def visit(text, cm, tm, _font, _size):  # noqa: ANN001, ANN202 - pypdf's visitor signature
        if text.strip():  # the text origin in user space: the text matrix, then the current transformation
            out.append((text.strip(), (tm[4] * cm[1] + tm[5] * cm[3] + cm[5]) / height))

    page.extract_text(visitor_text=visit)
    return out


def test_cover_carries_its_credit_edition_and_marking_at_the_foot(small_book: Path) -> None:
    """Author, edition with its date, and marking sit in the bottom tenth of the cover, the title in its upper half; the logo is drawn."""
    reader = PdfReader(small_book)
    pieces = _lines_with_height(reader, 1)
    where = {text: y for text, y in pieces}
    foot = [y for text, y in pieces
            if text in ("Larkspur Institute for Alliance Studies", "FOR CONGRESSIONAL STAFF USE")
            or re.fullmatch(r"EDITION \d+ \u00b7 UPDATED [A-Z]+ \d+, \d{4}", text)]
    assert len(foot) == 3 and max(foot) < 0.12, pieces
    assert min(y for text, y in pieces if "alliances" in text) > 0.5, where
    with pikepdf.open(small_book) as pdf:
        figures = [e for e in _elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/Figure"]
        assert any("Larkspur Institute for Alliance Studies" in str(e.get("/Alt", "")) for e in figures)


_TAGS = ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/P", "/L", "/LI", "/Table", "/Figure", "/Link")


def _elements(node):  # noqa: ANN001, ANN202 - a pikepdf structure node
    """Every structure element under NODE, depth first."""
    kids = node.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type", pikepdf.Name.StructElem) == "/StructElem" \
                and "/S" in kid:
            yield kid
            yield from _elements(kid)


def _tag_counts(pdf: pikepdf.Pdf) -> Counter:
    return Counter(str(e.S) for e in _elements(pdf.Root.StructTreeRoot) if str(e.S) in _TAGS)


def test_book_structure_tree_keeps_every_element_of_its_parts(small_book: Path) -> None:
    """Headings, paragraphs, lists, tables, figures and links: as many in the joined book as in its segments."""
    parts = Counter()
    for label, data in _SMALL_PARTS.items():
        if label not in ("folios", "front-probe"):
            with pikepdf.open(io.BytesIO(data)) as pdf:
                parts += _tag_counts(pdf)
    with pikepdf.open(small_book) as book:
        joined = _tag_counts(book)
    assert parts["/H1"] >= 8 and parts["/Link"] >= 20 and parts["/LI"] >= 20 and parts["/Figure"] >= 2
    assert joined == parts


def test_book_layout_findings_name_book_pages(small: Path, run) -> None:  # noqa: ANN001 - the CLI fixture
    """A chapter whose last section is pushed onto a page of its own is reported at that page of the book, and
    fails `book --strict`."""
    css = small / "templates" / "css" / "book.css"
    css.write_text(css.read_text(encoding="utf-8") + '\n[id$="--key-actions"] { break-before: page; }\n',
                   encoding="utf-8")
    result = run(small, "book", "--strict", "--jobs", "1")
    assert result.exit_code == 1, result.output
    found = re.findall(r"congress/book\.pdf, page (\d+): layout: North Atlantic Treaty Organization \(NATO\): "
                       r"the last page is \d+% full .*\[last-page-runt\]", result.output)
    assert len(found) == 1, result.output
    reader = PdfReader(small / "build" / "congress" / "book.pdf")
    page = _page_text(reader, int(found[0]))
    assert "Key actions" in page and "North Atlantic Treaty Organization (NATO)" not in page.split("Key actions")[1]


def test_matrix_labels_in_full_brand_colours_totals_labelled_empty_rows_named(root: Path) -> None:
    """The matrix draws every label whole (no ellipsis), in the brand's colours only, labels both totals, and leaves
    out the obstacles tied to no alliance (the caption names them)."""
    from briefgen.content.model import Alliance, Obstacle
    from briefgen.render.book.matrix import matrix_svg, shown_rows
    from briefgen.render.setup import render_setup

    project = Project(root)
    blocks = list(project.catalogue.documents())
    obstacles = [b for b in blocks if isinstance(b, Obstacle)]
    alliances = [b for b in blocks if isinstance(b, Alliance)]
    rows, unlinked = shown_rows(obstacles, alliances)
    colors = render_setup(project, None).brand.colors
    svg = str(matrix_svg(rows, alliances, colors))
    assert "\u2026" not in svg and "G7 and multilateral forums" in svg
    assert svg.count(">Total</text>") == 2
    used = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', svg))
    assert used <= {v.lower() for v in colors.values()} | {v.upper() for v in colors.values()} | set(colors.values())
    assert all(o.name in svg for o in rows) and not any(f">{o.name}<" in svg for o in unlinked)


def test_a_first_build_lays_each_segment_out_once(small_book: Path) -> None:
    """A chapter that prints another chapter's page is measured with stand-ins, then written with the real page at
    the tail level the measure found, from the measured layout (its page references renumbered: no second layout);
    every other segment is written once, nothing measured twice."""
    measured = [label for label, measure, _tail, _made in _SMALL_JOBS if measure]
    written = [label for label, measure, _tail, _made in _SMALL_JOBS if not measure]
    assert measured and len(set(measured)) == len(measured)  # the two-block book's chapters cite a recommendation
    assert sorted(written) == sorted(set(written))
    assert set(measured) <= set(written) | {"front-probe"}
    again = [(tail, made) for label, measure, tail, made in _SMALL_JOBS if not measure and label in measured]
    assert again and all(tail is not None and made == 0 for tail, made in again), again
    # 8 segments, the contents measured and written, the page numbers: 11 (the chapters' second layouts saved).
    assert sum(made for *_rest, made in _SMALL_JOBS) == 11


def test_a_renumbered_chapter_is_the_chapter_laid_out_with_its_real_pages(small_book: Path) -> None:
    """The chapter written from its measured layout is byte for byte the chapter laid out afresh with its real page
    references; a number that would print wider, or HTML that differs otherwise, is refused and leaves the measured
    layout as it was (the segment is then laid out again)."""
    from briefgen.render.book.renumber import renumber
    from briefgen.render.pdf import lay_out, write_pdf
    from briefgen.render.setup import BOOK_SEGMENT_STYLES, render_setup

    proj = Project(small_book.parents[1])
    book = plan_book(proj)
    seg = next(s for s in book.segments if s.refs and s.key in _SMALL_PARTS)
    stand_in = {anchor: 99 for anchor in seg.refs}
    real = {anchor: _SMALL_STARTS[anchor] for anchor in seg.refs}
    html, new_html = (book.segment_html(seg.html_fragment(pages)) for pages in (stand_in, real))
    styles = render_setup(proj, proj.config.default_audience).styles(BOOK_SEGMENT_STYLES)
    layout = lay_out(html, proj.root, seg.source, styles=styles)
    before = write_pdf(layout).data
    wider = tuple((anchor, 99, 1000) for anchor in seg.refs)
    assert not renumber(layout, html, new_html.replace(f"p.&nbsp;{real[seg.refs[0]]}</a>", "p.&nbsp;1000</a>"), wider)
    assert not renumber(layout, html, new_html.replace("<body", "<body data-x", 1),
                        tuple((anchor, 99, real[anchor]) for anchor in seg.refs))
    assert write_pdf(layout).data == before
    assert renumber(layout, html, new_html, tuple((anchor, 99, real[anchor]) for anchor in seg.refs))
    fresh = write_pdf(lay_out(new_html, proj.root, seg.source, styles=styles)).data
    assert write_pdf(layout).data == fresh == _SMALL_PARTS[seg.key] != before


