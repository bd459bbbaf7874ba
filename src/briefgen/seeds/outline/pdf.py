"""Read text PDFs with pdfplumber into a text rendition (one line per block) and its outline.

Reading order is top to bottom per page; headings are told by type size and weight; running headers, footers and
page numbers are left out; footnotes are gathered at the end; hyphenation at line ends is undone; ruled tables
become table nodes with one line per row. Each line of the rendition remembers its page.
"""
from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from briefgen.seeds.outline.anchors import assign_anchors
from briefgen.seeds.outline.model import Node, Outline, mark_duplicates, section_stack_builder
from briefgen.seeds.outline.visible import install as install_render_mode
from briefgen.seeds.outline.visible import visible_page

log = logging.getLogger(__name__)

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)
_ITALIC = re.compile(r"italic|oblique", re.I)
_MONO = re.compile(r"mono|courier|consol|code|typewriter|\btt\b|cmtt", re.I)
_BULLETS = {"\u2022", "\u25e6", "\u25aa", "\u2023", "\u2043", "\u25cf", "\u25a0", "-", "\u2013", "*"}
_NUMBERED = re.compile(r"^\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]$")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_HYPHENS = ("-", "\u2010", "\u00ad")
_TERMINAL = ".!?:\"\u201d\u2019)"
_LEADER = re.compile(r"(?:\.\s?){5,}\s*(?:\d{1,4}|[ivxlc]{1,6})\s*$")  # "Introduction ........ 3"
_TOOL_TITLE = re.compile(r"^(?:microsoft (?:word|powerpoint)\b|untitled\b|document\d*$)|\.(?:docx?|pdf|indd|pptx?)$",
                         re.I)
_FOOTNOTE_START = re.compile(r"^(\d{1,3})[.)]?$")


class PdfError(ValueError):
    """A PDF that cannot be read as a seed; the message says why."""


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    bold: bool
    italic: bool
    text: str
    markers: list[str] = field(default_factory=list)  # footnote calls (superscript numbers) taken out of the text
    bullet: bool = False  # a drawn bullet (a small shape, not a character) stands just left of the line
    left: float = 0.0  # the left edge of the column the line is set in
    mono: bool = False  # set in a monospaced font: code, not prose

    @property
    def first(self) -> str:
        return self.text.split(" ", 1)[0]


@dataclass
class _Block:
    kind: str  # heading, paragraph, item, quote, table, footnote
    page: int
    lines: list[_Line] = field(default_factory=list)
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    number: str = ""
    last_page: int = 0


def _join_words(words: list[dict[str, Any]], size: float) -> str:
    """Join a line's words, without a space where two pieces touch (a font change inside a word)."""
    out = ""
    prev = None
    for w in words:
        if prev is not None and w["x0"] - prev["x1"] > 0.12 * size:
            out += " "
        out += w["text"]
        prev = w
    return out


def _page_lines(page: Any, number: int, tables: list[Any]) -> list[_Line]:
    """The lines of one page in reading order, with table words left out (tables are read separately)."""
    boxes = [t.bbox for t in tables]
    # Word gaps are told by a share of the type size: some writers set word spaces of 2.5 pt and no space glyph.
    words = [w for w in page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False,
                                           x_tolerance_ratio=0.15)
             if not any(x0 - 1 <= w["x0"] and w["x1"] <= x1 + 1 and top - 1 <= w["top"] and w["bottom"] <= bottom + 1
                        for x0, top, x1, bottom in boxes)]
    gutter = _gutter(words, float(page.width))
    if gutter is None:
        lines = [_make_line(page, number, g) for g in _group_lines(words)]
        left = Counter(round(ln.x0) for ln in lines).most_common(1)
        for ln in lines:
            ln.left = left[0][0] if left else ln.x0
        return lines
    # Two columns: lines that cross the gutter (a title, a wide heading) are full width; the rest per column.
    crossing = [w for w in words if w["x0"] < gutter < w["x1"]]
    near_l = [w for w in words if gutter - 60 <= w["x1"] <= gutter]
    near_r = [w for w in words if gutter <= w["x0"] <= gutter + 60]
    crossing += [a for a in near_l for b in near_r  # a line that runs across the gutter with a word space
                 if abs(a["bottom"] - b["bottom"]) < 0.5 and b["x0"] - a["x1"] < max(a["size"], b["size"])]
    full_words = [w for w in words if any(c["top"] - 0.5 <= (w["top"] + w["bottom"]) / 2 <= c["bottom"] + 0.5
                                          for c in crossing)]
    rest = [w for w in words if not any(w is f for f in full_words)]
    full = [_make_line(page, number, g) for g in _group_lines(full_words)]
    sides = [[_make_line(page, number, g) for g in _group_lines([w for w in rest if w["x1"] <= gutter + 1])],
             [_make_line(page, number, g) for g in _group_lines([w for w in rest if w["x1"] > gutter + 1])]]
    for side in sides:
        left = Counter(round(ln.x0) for ln in side).most_common(1)
        for ln in side:
            ln.left = left[0][0] if left else ln.x0
    for ln in full:
        ln.left = min((x.left for x in sides[0]), default=ln.x0)
    # Reading order: between full-width lines, the left column top to bottom, then the right one.
    ordered: list[_Line] = []
    cuts = sorted(full, key=lambda ln: ln.top)
    bounds = [-1.0] + [ln.top for ln in cuts] + [float("inf")]
    for i in range(len(bounds) - 1):
        if i > 0:
            ordered.append(cuts[i - 1])
        for side in sides:
            ordered.extend(sorted((ln for ln in side if bounds[i] <= ln.top < bounds[i + 1]), key=lambda ln: ln.top))
    return ordered


def _gutter(words: list[dict[str, Any]], width: float) -> float | None:
    """The x of a gap between two columns of text that (almost) no word crosses, or None for one column."""
    if len(words) < 40:
        return None
    best: tuple[int, float] | None = None
    stride = max(2.0, width * 0.4 / GUTTER_PROBES)  # a bounded number of probes, however wide the page
    for i in range(GUTTER_PROBES + 1):
        x = width * 0.3 + i * stride
        if x >= width * 0.7:
            break
        cross = sum(1 for w in words if w["x0"] < x < w["x1"])
        if cross > max(2, 0.03 * len(words)):
            continue
        left = sum(1 for w in words if w["x1"] <= x)
        right = sum(1 for w in words if w["x0"] >= x)
        if min(left, right) >= 0.2 * len(words) and (best is None or cross < best[0]):
            best = (cross, x)
    return best[1] if best else None


def _group_lines(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Words grouped into lines by the vertical band of each line's largest word, top to bottom."""
    words = sorted(words, key=lambda w: (w["top"], w["x0"]))
    groups: list[list[dict[str, Any]]] = []
    refs: list[dict[str, Any]] = []
    for w in words:
        mid = (w["top"] + w["bottom"]) / 2
        for i in range(len(groups) - 1, max(-1, len(groups) - 4), -1):
            ref = refs[i]
            if ref["top"] - 0.5 <= mid <= ref["bottom"] + 0.5:
                groups[i].append(w)
                if w["size"] > ref["size"]:
                    refs[i] = w
                break
        else:
            groups.append([w])
            refs.append(w)
    return groups


def _make_line(page: Any, number: int, g: list[dict[str, Any]]) -> _Line:
    """One line from its words: main type size and font, footnote calls taken out, a drawn bullet noticed."""
    g.sort(key=lambda w: w["x0"])
    weights: Counter[tuple[float, str]] = Counter()
    for w in g:
        weights[(round(w["size"], 1), w["fontname"])] += len(w["text"])
    (size, font), _ = weights.most_common(1)[0]
    base = max(w["bottom"] for w in g if round(w["size"], 1) == size)
    main, markers = [], []
    for w in g:
        sup = w["size"] < 0.8 * size and w["bottom"] < base - 0.15 * size
        if sup and re.fullmatch(r"\d{1,3}|[*\u2020\u2021]", w["text"]) and main:
            markers.append(w["text"])
        else:
            main.append(w)
    if not main:
        main, markers = g, []
    line = _Line(number, min(w["top"] for w in g), max(w["bottom"] for w in g), main[0]["x0"],
                 max(w["x1"] for w in main), size, bool(_BOLD.search(font)), bool(_ITALIC.search(font)),
                 _join_words(main, size), markers)
    line.mono = bool(_MONO.search(font))
    line.bullet = any(line.x0 - 3 * size < x1 <= line.x0 and line.top <= (top + bottom) / 2 <= line.bottom
                      for x0, x1, top, bottom in _bullet_shapes(page))
    return line


def _bullet_shapes(page: Any) -> list[tuple[float, float, float, float]]:
    """Small filled shapes (discs, squares) that some PDF writers draw as list bullets instead of characters."""
    cached = getattr(page, "_briefgen_bullets", None)
    if cached is None:
        cached = [(o["x0"], o["x1"], o["top"], o["bottom"]) for o in page.curves + page.rects
                  if 1 <= o["x1"] - o["x0"] <= 7 and 1 <= o["bottom"] - o["top"] <= 7 and o.get("fill")]
        page._briefgen_bullets = cached
    return cached


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _drop_furniture(pages: list[list[_Line]], heights: list[float], outline: Outline) -> list[list[_Line]]:
    """Leave out page numbers and running headers and footers (text repeated in the top or bottom margin)."""
    edges = {id(ln) for lines in pages for ln in lines[:2] + lines[-2:]}
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[ln.size] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0

    def banded(line: _Line) -> bool:
        """A line at the very top or foot of its page, in the margin."""
        h = heights[line.page - 1]
        return id(line) in edges and (line.top < 0.1 * h or line.bottom > 0.9 * h)

    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({_furniture_key(ln.text) for ln in lines if banded(ln)})
    repeated = {k for k, n in seen.items() if n >= max(2, round(0.3 * len(pages)))}
    dropped: Counter[str] = Counter()
    shown: dict[str, str] = {}
    out = []
    for lines in pages:
        kept = []
        for ln in lines:
            if _LEADER.search(ln.text):
                dropped["contents line"] += 1
                continue
            running = _furniture_key(ln.text) in repeated and ln.size <= 1.05 * body  # a big title is not
            if banded(ln) and (_PAGE_NUMBER.match(ln.text.strip()) or running):
                key = "page number" if _PAGE_NUMBER.match(ln.text.strip()) else _furniture_key(ln.text)
                dropped[key] += 1
                shown.setdefault(key, ln.text.strip())
                continue
            kept.append(ln)
        out.append(kept)
    for text, n in dropped.items():
        if text == "contents line":
            outline.note(1, f"{n} table-of-contents line(s) (dot leaders and a page number) left out of the text")
            continue
        if text != "page number":
            running = re.sub(r"^\s*(?:page\s+)?\d+\s+|\s+(?:page\s+)?\d+(?:\s+of\s+\d+)?\s*$", "", shown[text], flags=re.I)
            if running.strip() and running.strip() not in outline.running:
                outline.running.append(running.strip())
        what = "page numbers" if text == "page number" else f"running header/footer {shown[text][:60]!r}"
        outline.note(1, f"{what} left out of the text on {n} page(s)")
    return out


def _split_footnotes(lines: list[_Line], body: float) -> tuple[list[_Line], list[_Block]]:
    """Separate the footnote area at the foot of a page (small type opening with a number) from the body."""
    k = len(lines)
    while k > 0 and lines[k - 1].size <= 0.88 * body:
        k -= 1
    zone = lines[k:]
    if not zone or not (_FOOTNOTE_START.match(zone[0].first) or zone[0].markers):
        return lines, []
    notes: list[_Block] = []
    for ln in zone:
        m = _FOOTNOTE_START.match(ln.first)
        if m or (ln.markers and ln.x0 <= zone[0].x0 + 1):
            number = m.group(1) if m else ln.markers[0]
            text = ln.text.split(" ", 1)[1] if m and " " in ln.text else ("" if m else ln.text)
            notes.append(_Block("footnote", ln.page, [ln], text, number=number))
        elif notes:
            notes[-1].text = _join_lines(notes[-1].text, ln.text, set())
            notes[-1].lines.append(ln)
    return lines[:k], notes


def _join_lines(text: str, more: str, vocabulary: set[str]) -> str:
    """Append a line to a block's text, undoing hyphenation at the line end."""
    if not text:
        return more
    if text.endswith(_HYPHENS) and len(text) > 1 and text[-2].isalpha() and more[:1].islower():
        head = re.search(r"(\w+)[-\u2010\u00ad]$", text)
        tail = re.match(r"\w+", more)
        if head and tail:
            joined = (head.group(1) + tail.group(0)).lower()
            compound = f"{head.group(1)}-{tail.group(0)}".lower()
            if compound in vocabulary and joined not in vocabulary:
                return text[:-1] + "-" + more
        return text[:-1] + more
    return text + " " + more


def _table_rows(table: Any) -> list[list[str]]:
    rows = []
    for row in table.extract():
        cells = [re.sub(r"\s+", " ", (c or "")).strip() for c in row]
        if any(cells):
            rows.append(cells)
    return rows


#: Positions tried for a column gutter on a page (the work is the same for any page width).
GUTTER_PROBES = 200
#: The largest page side the PDF format allows by default (200 inches), in points.
MAX_PAGE_SIDE = 14_400
#: Ruling lines and rectangle edges beyond which a page's tables are not looked for (the table finder's work
#: grows with the cube of the grid; a real table has a few dozen rules).
MAX_TABLE_EDGES = 120


def _check_page_size(page: Any, number: int) -> None:
    width, height = float(page.width), float(page.height)
    if not (0 < width <= MAX_PAGE_SIDE and 0 < height <= MAX_PAGE_SIDE):
        raise PdfError(f"page {number} is {width:,.0f} x {height:,.0f} points, beyond the PDF limit of "
                       f"{MAX_PAGE_SIDE:,} points (200 inches) a side")


def _tables(page: Any, number: int) -> list[Any]:
    """The page's tables of two rows or more; none looked for on a page ruled beyond MAX_TABLE_EDGES lines."""
    edges = len(page.lines) + 4 * len(page.rects)
    if edges > MAX_TABLE_EDGES:
        log.info("page %d has %d ruling lines: read as text, no table looked for", number, edges)
        return []
    return [t for t in page.find_tables() if len(_table_rows(t)) >= 2]


def _read_pages(raw: bytes) -> tuple[dict[str, Any], list[list[_Line]], list[float], list[list]]:
    """The PDF's metadata and, per page, its visible lines, its height and its tables ((top, rows) each)."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    install_render_mode()
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            meta = {str(k): v for k, v in (pdf.metadata or {}).items()}
            pages, heights, tables = [], [], []
            for i, whole in enumerate(pdf.pages, start=1):
                _check_page_size(whole, i)
                page = visible_page(whole)  # provenance rests on what a reader of the source sees
                found = _tables(page, i)
                pages.append(_page_lines(page, i, found))
                heights.append(float(page.height))
                tables.append([(t.bbox[1], _table_rows(t)) for t in found])
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise PdfError("the PDF is encrypted with a password") from None
        raise PdfError(f"not a readable PDF ({cause})") from None
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AssertionError, IndexError) as exc:
        raise PdfError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from None
    chars = sum(len(ln.text) for lines in pages for ln in lines) + sum(
        len(c) for ts in tables for _, rows in ts for row in rows for c in row)
    if chars < 20 * max(1, len(pages)) / 4 or chars == 0:
        raise PdfError(f"the PDF has no text layer ({len(pages)} page(s), {chars} characters of text): "
                       "probably a scanned image")
    return meta, pages, heights, tables


def _new_outline(seed: str, meta: dict[str, Any], pages: list[list[_Line]], tables: list[list]) -> Outline:
    """The outline's metadata (a title naming a file dropped) and a note of the pages with no text."""
    outline = Outline(seed, "pdf", 0)
    outline.front_matter = {k.lower(): _meta_text(v) for k, v in meta.items()
                            if k in ("Title", "Author", "Subject", "Keywords", "CreationDate", "Company")
                            and _meta_text(v)}
    if _TOOL_TITLE.search(outline.front_matter.get("title", "")):  # "Microsoft Word - draft3.docx" names a file
        outline.note(1, f"PDF metadata title {outline.front_matter.pop('title')!r} names a file, not the document")
    empty = [i for i, (lines, ts) in enumerate(zip(pages, tables), start=1) if not lines and not ts]
    if empty:
        outline.note(1, f"page(s) {', '.join(map(str, empty[:12]))}{' ...' if len(empty) > 12 else ''} have no text "
                        "(scanned images, figures or blank pages): nothing on them can be cited")
    return outline


class _Typesetting:
    """What the document's lines say about its type: the body size, the leading, the heading sizes, its words."""

    def __init__(self, pages: list[list[_Line]]) -> None:
        sizes: Counter[float] = Counter()
        for lines in pages:
            for ln in lines:
                sizes[ln.size] += len(ln.text)
        self.body = body = sizes.most_common(1)[0][0] if sizes else 10.0
        self.vocabulary = {w.lower() for lines in pages for ln in lines for w in re.findall(r"[\w-]+", ln.text)[:-1]}
        gaps: Counter[float] = Counter()
        for lines in pages:
            for a, b in zip(lines, lines[1:]):
                if a.size == b.size == body:
                    gaps[round(b.top - a.bottom, 0)] += 1
        self.leading = min(gaps.most_common(1)[0][0], 0.5 * body) if gaps else 0.3 * body
        self.head_sizes = sorted({round(ln.size * 2) / 2 for lines in pages for ln in lines
                                  if ln.size >= 1.12 * body}, reverse=True)

    def heading_level(self, line: _Line) -> int:
        if line.size >= 1.12 * self.body:
            return self.head_sizes.index(round(line.size * 2) / 2) + 1
        return len(self.head_sizes) + 1


def _continues(cur: _Block | None, ln: _Line, prev: _Line | None, bullet: bool, indented: bool,
               type_: _Typesetting) -> bool:
    """Whether line LN continues block CUR (and, a quote whose only indented line was its first, makes it a
    paragraph)."""
    body = type_.body
    gap = ln.top - prev.bottom if prev is not None else None
    if cur is not None and cur.kind == "code":
        return bool(ln.mono and prev is not None and cur.lines[-1] is prev and gap is not None
                    and gap <= type_.leading + 0.35 * body)
    if cur is None or cur.kind not in ("paragraph", "item", "quote") or bullet or ln.mono:
        return False
    if prev is None or ln.top < prev.top - 1:  # carried over from the page or column before
        return cur.text[-1:] not in _TERMINAL or ln.text[:1].islower()
    if cur.lines[-1] is prev and gap is not None and gap <= type_.leading + 0.35 * body:
        if cur.kind == "quote" and len(cur.lines) == 1 and not indented:
            cur.kind = "paragraph"  # only its first line was indented: a paragraph indent
            return True
        return cur.kind == "item" or (cur.kind == "quote") == indented or ln.text[:1].islower()
    return False


def _add_line(blocks: list[_Block], ln: _Line, prev: _Line | None, type_: _Typesetting) -> None:
    """Add line LN to the block it continues, or open a block with it (heading, code, item, quote, paragraph)."""
    body = type_.body
    cur = blocks[-1] if blocks else None
    big = ln.size >= 1.12 * body
    if big:
        gap = ln.top - prev.bottom if prev is not None else None
        if cur is not None and cur.kind == "heading" and prev is not None and cur.lines[-1] is prev \
                and cur.lines[-1].size == ln.size and gap is not None and gap < body:
            cur.text += " " + ln.text
            cur.lines.append(ln)
        else:
            blocks.append(_Block("heading", ln.page, [ln], ln.text, level=type_.heading_level(ln)))
        return
    bullet = bool(ln.bullet or ln.first in _BULLETS or (_NUMBERED.match(ln.first) and " " in ln.text))
    indented = ln.x0 >= ln.left + 0.8 * body
    if _continues(cur, ln, prev, bullet, indented, type_) and cur is not None:
        cur.text = _join_lines(cur.text, ln.text, type_.vocabulary)
        cur.lines.append(ln)
        cur.markers.extend(ln.markers)
        cur.last_page = ln.page
    else:
        kind = "code" if ln.mono else "item" if bullet else "quote" if indented else "paragraph"
        # A bullet glyph alone on its line (set apart from its text) opens an item the next line fills.
        text = ln.text.partition(" ")[2] if bullet and ln.first in _BULLETS else ln.text
        blocks.append(_Block(kind, ln.page, [ln], text, markers=list(ln.markers)))


def _page_blocks(blocks: list[_Block], number: int, lines: list[_Line], page_tables: list,
                 type_: _Typesetting) -> None:
    """Add page NUMBER's lines and tables to BLOCKS, in reading order (a table before the first line below it)."""
    events: list[Any] = list(lines)
    for top, rows in sorted(page_tables, key=lambda t: t[0], reverse=True):
        at = next((i for i, ln in enumerate(events) if isinstance(ln, _Line) and ln.top > top), len(events))
        events.insert(at, rows)
    prev: _Line | None = None
    for ev in events:
        if isinstance(ev, list):
            blocks.append(_Block("table", number, rows=ev))
            prev = None
        else:
            _add_line(blocks, ev, prev, type_)
            prev = ev


def read_pdf(raw: bytes, seed: str) -> tuple[str, Outline]:
    """Return the text rendition of a PDF and its outline; raise PdfError for a PDF without a text layer."""
    meta, pages, heights, tables = _read_pages(raw)
    outline = _new_outline(seed, meta, pages, tables)
    pages = _drop_furniture(pages, heights, outline)
    type_ = _Typesetting(pages)
    blocks: list[_Block] = []
    footnotes: list[_Block] = []
    for number, (lines, page_tables) in enumerate(zip(pages, tables), start=1):
        lines, notes = _split_footnotes(lines, type_.body)
        footnotes.extend(notes)
        _page_blocks(blocks, number, lines, page_tables, type_)
    # A bold body-size paragraph of one short line is a subheading.
    for b in blocks:
        if (b.kind == "paragraph" and len(b.lines) == 1 and b.lines[0].bold and len(b.text.split()) <= 14
                and b.text[-1:] not in ".,;"):
            b.kind, b.level = "heading", len(type_.head_sizes) + 1
    return _render(blocks, footnotes, outline)


def _meta_text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-16" if value.startswith(b"\xfe\xff") else "latin-1", "replace")
    return str(value).strip() if value is not None else ""


def _render(blocks: list[_Block], footnotes: list[_Block], outline: Outline) -> tuple[str, Outline]:
    """Lay the blocks out one per line and build the outline over those lines."""
    lines: list[str] = []
    pages: list[int] = []
    add, open_section, close_all, roots, stack = section_stack_builder()
    tables = 0
    current_list: Node | None = None

    def emit(text: str, page: int) -> int:
        lines.append(text)
        pages.append(page)
        return len(lines)

    for b in blocks:
        if b.kind != "item":
            current_list = None
        if b.kind == "heading":
            n = emit(b.text, b.page)
            if outline.title is None and b.level == 1 and b.page == 1:
                outline.title = b.text
            open_section(Node("section", b.text, n, n, level=b.level, attrs={"page": str(b.page)}))
            continue
        if b.kind == "table":
            tables += 1
            table = Node("table", "", len(lines) + 1, len(lines) + len(b.rows),
                         attrs={"number": str(tables), "page": str(b.page), "columns": str(len(b.rows[0]))})
            for i, row in enumerate(b.rows, start=1):
                n = emit(" | ".join(row), b.page)
                table.children.append(Node("row", " | ".join(row), n, n, parent=table,
                                           attrs={"number": str(i), "cells": str(len(row))}))
            table.text = table.children[0].text
            add(table)
            continue
        n = emit(b.text, b.page)
        attrs = {"page": str(b.page)}
        if b.last_page and b.last_page != b.page:
            attrs["pages"] = f"{b.page}-{b.last_page}"
        if b.markers:
            attrs["footnotes"] = ",".join(b.markers)
        if b.kind == "item":
            if current_list is None:
                current_list = Node("list", "", n, n)
                add(current_list)
            item = Node("item", b.text, n, n, parent=current_list, attrs=attrs)
            current_list.children.append(item)
            current_list.end = n
            continue
        add(Node(b.kind, b.text, n, n, attrs=attrs))
    if footnotes:
        close_all(len(lines) + 1)
        n0 = len(lines) + 1
        section = Node("section", "Footnotes", n0, n0, level=1,
                       attrs={"pseudo": "footnotes", "about": "footnotes of every page, gathered at the end"})
        add(section)
        for f in footnotes:
            n = emit(f.text, f.page)
            section.children.append(Node("footnote", f.text, n, n, parent=section,
                                         attrs={"number": f.number, "page": str(f.page)}))
        section.end = len(lines)
    close_all(len(lines) + 1)
    for node in roots:
        _fix_ends(node, len(lines))
    outline.nodes = roots
    outline.line_count = len(lines)
    outline.pages = pages
    mark_duplicates(outline)
    assign_anchors(outline)
    return "\n".join(lines) + "\n", outline


def _fix_ends(node: Node, total: int) -> None:
    """Sections end where their last descendant ends (close_all leaves them at the next heading)."""
    for child in node.children:
        _fix_ends(child, total)
    if node.kind == "section" and node.end < node.start:
        node.end = node.start
