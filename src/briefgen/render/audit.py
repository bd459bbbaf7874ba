"""The layout audit: measure a laid-out document from WeasyPrint's page boxes and report what a reader or a designer
would see as a defect (a page left blank, a runt last page, a box split across pages, a heading stranded at a page
foot, a duplicate or uncited note, a one-pager too empty or with uneven column tops, an empty tinted slab, lines too
long, a wrapped label, a hole in an option grid, text under a floated box, a full citation repeated, a figure alone
on an empty page, a pull quote that is not a sentence).

It reads the layout the render already made (no second layout): a walk over each page's boxes.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Iterator

from briefgen.config.kinds import document_kind
from briefgen.prose import is_sentence


@dataclass(frozen=True)
class Thresholds:
    """Every limit the audit applies, declared once."""

    page_blank: float = 0.25
    """A page other than the last may leave at most this fraction of its text area blank below its content."""
    last_page_fill: float = 0.30
    """The last page of a multi-page document is filled to at least this fraction of its text area."""
    heading_lines: int = 3
    """A heading is followed on its page by at least this many lines when its section goes on to the next page."""
    onepager_unused: float = 0.15
    """A one-pager leaves at most this fraction of its text area unused (blank at its foot, or an empty column)."""
    column_top_pt: float = 3.0
    """The first lines of a one-pager's two columns start within this many points of each other."""
    runt_lines: int = 2
    """A page after the first holding at most this many lines of content is a runt, whatever its fill."""
    card_fragment_lines: int = 3
    """A recommendation card may break across pages only with at least this many of its lines on each page."""
    segment_last_fill: float = 0.25
    """The last page of a book segment (a chapter; the next starts a fresh page) is filled to at least this fraction."""
    empty_tint: float = 0.05
    """A tinted or ruled box's empty slab (background with no text in it) is at most this fraction of the text area."""
    line_chars: int = 75
    """The 90th percentile of characters per full line of body text (lines that are not a paragraph's last)."""
    line_chars_percentile: float = 0.9
    """The percentile of body-line lengths that line_chars limits."""
    grid_row_fill: float = 0.9
    """Each row of a grid of cards is filled by its cards (and the gaps between them) to this fraction of its width."""
    float_overlap_pt: float = 2.0
    """A tinted or ruled box (a card, a panel) may overlap a floated box (the sidebar) by at most this many points."""
    measure_jump: float = 0.25
    """A paragraph's lines may change length by at most this fraction of the longer as they pass a floated box."""
    brief_pages_min: int = 2
    """A brief has at least this many pages (a thinner topic gets a one-pager or a combined brief)."""
    figure_page_blank: float = 0.5
    """A page holding a figure and next to no other text (figure_page_lines) is at most this fraction blank."""
    figure_page_lines: int = 2
    """Lines of text besides its figure (a heading, a caption line) that still leave a figure alone on its page."""
    fact_words: int = 6
    """A sentence of this many words or more printed twice in a document is a repeated fact (a headline figure too)."""
    figure_reference_pages: int = 1
    """A figure stands on the page of the paragraph that cites it ("Figure 12.1") or at most this many pages after."""
    early_break: float = 0.5
    """A body line other than its paragraph's last is at least this fraction of the paragraph's longest (else early)."""
    figure_label_edge_pt: float = 0.5
    """A chart's text (a bar's label or value) runs at most this far past its drawing's edge, where it is cut."""


THRESHOLDS = Thresholds()

#: Each kind of finding and what it means (the keys the manifest records).
FINDINGS = {
    "page-blank": "a page other than the last is more than a quarter blank",
    "last-page-runt": "the last page holds too little (a notes tail, a lone item)",
    "split-sidebar": "the 'At a glance' sidebar is split across pages",
    "sidebar-late": "the 'At a glance' sidebar starts after page 1",
    "split-figure": "a headline figure is on another page than its caption",
    "split-card": "a recommendation card is split across pages leaving too few of its lines on one page",
    "heading-short": "a heading is followed by fewer lines than the threshold before a page break",
    "duplicate-note": "two numbered notes print the same citation",
    "uncited-note": "a numbered note the text never cites",
    "onepager-fill": "a one-pager leaves more than 15 % of its page unused (a blank foot, an empty column)",
    "column-tops": "a one-pager's columns do not start level",
    "empty-tint": "a tinted or ruled box leaves an empty slab (background with no text) over 5 % of the text area",
    "long-lines": "body lines run longer than 75 characters (90th percentile of full lines)",
    "wrapped-label": "a masthead line, card title or label wraps or is hyphenated",
    "grid-hole": "an option grid leaves a cell empty",
    "float-collision": "a box runs under a floated box, or a paragraph's measure jumps beside it",
    "brief-short": "a brief of fewer than two pages",
    "repeated-citation": "a source's full citation printed twice in one document (the short form after the first)",
    "figure-alone": "a figure alone on a page more than half blank",
    "pull-quote": "a pull quote that is not a whole sentence, or is hyphenated",
    "repeated-fact": "the same fact (a sentence, or a headline figure) printed twice in one document",
    "figure-far": "a figure more than a page after the paragraph that cites it",
    "early-break": "a line of body text broken early (far shorter than its paragraph's other lines)",
    "figure-label-cut": "a chart's label or value runs past the drawing's edge, where it is cut mid-word",
}


@dataclass(frozen=True)
class Finding:
    """One layout defect: which document, which page (1-based; 0 for the whole document), what."""

    code: str
    document: str
    page: int
    message: str

    def format(self) -> str:
        where = f"{self.document}, page {self.page}" if self.page else self.document
        return f"{where}: layout: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split()) if element is not None else set()


def _walk(box: Any, ancestors: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Every box in document order with the elements of its ancestors (margin boxes left out)."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return
    yield box, ancestors
    element = getattr(box, "element", None)
    inner = ancestors + (element,) if element is not None and (not ancestors or ancestors[-1] is not element) \
        else ancestors
    for child in getattr(box, "children", ()) or ():
        yield from _walk(child, inner)


@dataclass
class _Page:
    top: float
    height: float
    bottom: float = 0.0  # lowest content edge
    lines: int = 0
    # document-order events: ("h", element) for a heading, ("l", ancestor elements) for a line of body text
    events: list[tuple[str, Any]] | None = None

    @property
    def fill(self) -> float:
        return max(0.0, min(1.0, (self.bottom - self.top) / self.height)) if self.height else 1.0


def _has_text(line: Any) -> bool:
    """Whether a line box carries text a reader sees (not only a list marker or an empty anonymous line)."""
    from weasyprint.formatting_structure import boxes

    stack = list(line.children)
    while stack:
        box = stack.pop()
        if (getattr(box, "element_tag", "") or "").endswith(MARKERS):
            continue
        if isinstance(box, boxes.TextBox) and box.text.strip():
            return True
        stack.extend(getattr(box, "children", ()) or ())
    return False


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def page_fills(document: Any) -> list[float]:
    """How full each page of DOCUMENT is: its lowest line's edge as a fraction of the page's text area."""

    return [page_fills_of(page._page_box) for page in document.pages]


def audit(document: Any, name: str, kind: str, thresholds: Thresholds = THRESHOLDS) -> list[Finding]:
    """Measure DOCUMENT (a laid-out weasyprint Document) named NAME, of KIND (brief, onepager, ...)."""
    shape = document_kind(kind)  # what the kind declares decides its rules: a one-page summary, a bound book
    from weasyprint.formatting_structure import boxes

    t = thresholds
    pages: list[_Page] = []
    where: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))  # what -> element id -> pages
    card_lines: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # card -> page -> lines
    elements: dict[int, Any] = {}
    item_pages: dict[int, set[int]] = defaultdict(set)  # id(dt or dd) -> pages its lines are on
    lists: dict[int, Any] = {}  # id(dl) -> dl
    notes: dict[str, Any] = {}  # note anchor id -> <li>
    column_tops: dict[float, float] = {}  # x of a column's first line -> its y
    targets: set[str] = set()
    heading_parent: dict[int, Any] = {}  # id(heading element) -> the element holding it

    for number, page in enumerate(document.pages):
        root = page._page_box
        info = _Page(root.content_box_y(), root.height, root.content_box_y(), 0, [])
        pages.append(info)
        for _type, target, *_ in page.links:
            if _type == "internal":
                targets.add(target)
        for box, ancestors in _walk(root):
            element = getattr(box, "element", None)
            if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
                info.bottom = max(info.bottom, box.position_y + box.margin_height())
            if not isinstance(box, boxes.LineBox) or not _has_text(box):
                if isinstance(box, boxes.BlockBox) and element is not None and box.element_tag in ("h2", "h3") \
                        and not any("sidebar" in _classes(a) for a in ancestors):
                    info.events.append(("h", element))
                    heading_parent[id(element)] = next((a for a in reversed(ancestors) if a is not element), None)
                continue
            info.lines += 1
            in_sidebar = False
            for a in ancestors:
                cls = _classes(a)
                for what in ("sidebar", "recommendation"):
                    if what in cls:
                        where[what][id(a)].add(number)
                        elements[id(a)] = a
                        if what == "recommendation":
                            card_lines[id(a)][number] += 1
                in_sidebar = in_sidebar or "sidebar" in cls
                if a.tag in ("dt", "dd"):
                    item_pages[id(a)].add(number)
                if a.tag == "dl":
                    lists[id(a)] = a
                if a.tag == "figure":
                    where["figure"][id(a)].add(number)
                    elements[id(a)] = a
                if a.tag == "li" and (a.get("id") or "").startswith("note-"):
                    notes[a.get("id")] = a
                if shape.summary and "columns" in cls and number == 0 \
                        and not {x.tag for x in ancestors} & {"h2", "h3"}:  # a column's first line of text
                    x = round(box.position_x, 0)
                    column_tops.setdefault(x, box.position_y)
            ancestor_tags = {a.tag for a in ancestors}
            if not in_sidebar and not ancestor_tags & {"h2", "h3"}:
                info.events.append(("l", ancestors))

    findings: list[Finding] = []

    def add(code: str, page: int, message: str) -> None:
        findings.append(Finding(code, name, page, message))

    last = len(pages) - 1
    for number, info in enumerate(pages):
        blank = 1 - info.fill
        if number < last and blank > t.page_blank:
            add("page-blank", number + 1, f"{blank:.0%} of the page is blank (at most {t.page_blank:.0%})")
    if last > 0:
        info = pages[last]
        floor = t.segment_last_fill if not shape.per_block else t.last_page_fill
        if info.fill < floor or info.lines <= t.runt_lines:
            add("last-page-runt", last + 1, f"the last page is {info.fill:.0%} full with {info.lines} line(s) "
                f"(at least {floor:.0%})")
    for element_id, on in where["sidebar"].items():
        if len(on) > 1:
            add("split-sidebar", min(on) + 1, f"the sidebar runs over pages {min(on) + 1}-{max(on) + 1}")
        if min(on) > 0 and (shape.per_block and not shape.summary):
            add("sidebar-late", min(on) + 1, f"the sidebar starts on page {min(on) + 1}, not beside the opening")
    for element_id, per_page in card_lines.items():
        fewest = min(per_page.values())
        if len(per_page) > 1 and fewest < t.card_fragment_lines:
            title = next((_text(c) for c in elements[element_id] if c.tag in ("h3", "p")), "")[:60]
            on = sorted(per_page)
            add("split-card", on[0] + 1, f"the card {title!r} is split over pages {on[0] + 1}-{on[-1] + 1} with "
                f"{fewest} line(s) on one (at least {t.card_fragment_lines})")
    for element_id, on in where["figure"].items():
        if len(on) > 1:
            add("split-figure", min(on) + 1, f"a figure is split over pages {min(on) + 1}-{max(on) + 1}")
    for dl in lists.values():
        items = list(dl)
        for figure, caption in zip(items, items[1:]):
            if figure.tag == "dt" and "figure" in _classes(figure) and caption.tag == "dd":
                on = item_pages.get(id(figure), set()) | item_pages.get(id(caption), set())
                if len(on) > 1:
                    add("split-figure", min(on) + 1, f"the figure {_text(figure)!r} is cut from its caption")
    for number, info in enumerate(pages[:-1]):
        events = info.events or []
        for i, (what, element) in enumerate(events):
            if what != "h":
                continue
            following = events[i + 1:]
            if any(w == "h" for w, _e in following):
                continue  # another heading follows on this page: the section ended here
            lines = len(following)
            if lines < t.heading_lines and _continues(heading_parent.get(id(element)), pages[number + 1]):
                add("heading-short", number + 1, f"the heading {_text(element)[:50]!r} has {lines} line(s) "
                    f"before the page break (at least {t.heading_lines})")
    seen: dict[str, str] = {}
    if not shape.per_block:  # a book segment's notes are cited from other segments: the book checks them when joined
        notes = {}
    for anchor, li in sorted(notes.items(), key=lambda kv: int(kv[0].split("-")[1]) if kv[0].split("-")[1].isdigit()
                             else 0):
        number = anchor.split("-", 1)[1]
        text = _text(li)
        if text in seen:
            add("duplicate-note", 0, f"note {number} repeats note {seen[text]}: {text[:60]!r}")
        else:
            seen[text] = number
        if anchor not in targets:
            add("uncited-note", 0, f"note {number} is never cited in the text")
    if shape.summary and pages:
        unused = onepager_unused(document)
        if unused > t.onepager_unused:
            add("onepager-fill", 1, f"{unused:.0%} of the one-pager is unused (at most {t.onepager_unused:.0%})")
        if len(column_tops) >= 2:
            tops = sorted(column_tops.items())[:2]
            gap = abs(tops[0][1] - tops[1][1])
            if gap > t.column_top_pt / 0.75:  # CSS px to pt
                add("column-tops", 1, f"the columns' first lines are {gap * 0.75:.0f}pt apart "
                    f"(at most {t.column_top_pt:g}pt)")
    return findings + design_findings(document, name, kind, t)


def _continues(parent: Any, next_page: _Page) -> bool:
    """Whether the heading's section goes on at the top of the next page: it starts with body lines (not a heading),
    and, when the heading heads a section element of its own, those lines are inside it (a pull quote or the notes
    after a section that ended do not continue it)."""
    events = next_page.events or []
    if not events or events[0][0] != "l":
        return False
    if parent is None or parent.tag not in ("section", "li", "article", "aside"):
        return True
    return any(a is parent for a in events[0][1] or ())


PX_PER_PT = 4 / 3
#: Generated list bullets, not text: a marker, or a list item's ::before drawn as its bullet (a brief card's actions).
MARKERS = ("::marker", "li::before")

#: Classes whose text is not body text (furniture, panels, notes, captions): the measure rule leaves them out.
NOT_BODY = frozenset({"masthead", "sidebar", "source-notes", "further-reading", "credits", "onepager-credits",
                      "pull-quote", "data-figure", "related-strip", "running-title", "running-org", "running-marking",
                      "bottom-line", "what-changed", "matrix", "toc", "cover", "colophon", "notes-appendix",
                      "appendix-notes", "notes-further", "part-chapters", "rec-ref-list", "redline-summary"})
#: Painted fields that are the design itself, not a panel around text: the book's full-page cover, the title band.
DESIGN_FIELDS = frozenset({"cover", "masthead"})
#: Classes of one-line labels: the masthead's kind and meta line, a card or panel label, the related strip's label.
LABELS = frozenset({"doc-meta", "doc-kind", "kind-label", "kind-type", "doc-number", "label", "credits-label",
                    "cover-meta"})
#: Panels whose headings are labels (one line each): the related strip's and the sidebar's.
LABEL_PANELS = frozenset({"related-strip", "sidebar", "takeaways", "bottom-line"})
#: A line ending in one of these was hyphenated by the layout (WeasyPrint's hyphenate-character, or a hard hyphen).
HYPHENS = ("\u2010", "\u00ad")


def _line_text(line: Any) -> str:
    """The text a line box shows (list markers left out)."""
    from weasyprint.formatting_structure import boxes

    out: list[str] = []

    def visit(box: Any) -> None:
        if (getattr(box, "element_tag", "") or "").endswith(MARKERS):
            return
        if isinstance(box, boxes.TextBox):
            out.append(box.text)
        for child in getattr(box, "children", ()) or ():
            visit(child)

    visit(line)
    return "".join(out)


def _painted(box: Any) -> bool:
    """Whether BOX draws a tint (a background other than the paper) or a frame (a rule on two sides or the left)."""
    color = box.style["background_color"]
    tinted = color.alpha > 0 and min(color.coordinates) < 0.99
    sides = [box.style[f"border_{s}_width"] > 0 and box.style[f"border_{s}_style"] != "none"
             for s in ("top", "right", "bottom", "left")]
    return tinted or sides[3] or (sides[0] and sides[2])


def _rect(box: Any) -> tuple[float, float, float, float]:
    return (box.border_box_x(), box.border_box_y(), box.border_box_x() + box.border_width(),
            box.border_box_y() + box.border_height())


def _contents(box: Any) -> Iterator[Any]:
    """The line boxes with text and the replaced boxes (images) inside BOX."""
    from weasyprint.formatting_structure import boxes

    for child, _a in _walk(box):
        if child is box:
            continue
        if isinstance(child, boxes.ReplacedBox) or (isinstance(child, boxes.LineBox) and _has_text(child)):
            yield child


def _widest_gap(top: float, bottom: float, spans: list[tuple[float, float]]) -> float:
    """The tallest stretch of TOP..BOTTOM that no span covers."""
    gap, at = 0.0, top
    for y0, y1 in sorted(spans):
        gap = max(gap, y0 - at)
        at = max(at, y1)
    return max(gap, bottom - at)


def _empty_tint(box: Any, area: float) -> float:
    """The largest empty slab of a painted BOX (its padding box with no line in it), as a fraction of AREA."""
    top = box.border_box_y() + box.border_top_width + box.padding_top
    bottom = box.border_box_y() + box.border_height() - box.border_bottom_width - box.padding_bottom
    spans = [(c.position_y, c.position_y + c.margin_height()) for c in _contents(box)]
    return _widest_gap(top, bottom, spans) * box.border_width() / area if area else 0.0


def onepager_unused(document: Any) -> float:
    """How much of a one-pager's first page is unused: the blank below its content and any empty column room."""
    from weasyprint.formatting_structure import boxes

    root = document.pages[0]._page_box
    area = root.width * root.height
    unused = (1 - page_fills(document)[0]) * area
    for box, _a in _walk(root):
        count = box.style["column_count"] if isinstance(box, boxes.BlockBox) else "auto"
        if not isinstance(count, int) or count < 2 or box.element_tag in ("ol", "ul") and "source" in str(_a):
            continue
        if any("source-notes" in _classes(a) for a in _a):
            continue
        lines = [c for c in _contents(box)]
        if not lines:
            continue
        column = box.width / count
        bottoms: dict[int, float] = {}
        for line in lines:
            n = min(count - 1, max(0, int((line.position_x - box.content_box_x()) // column)))
            bottoms[n] = max(bottoms.get(n, 0.0), line.position_y + line.margin_height())
        top = box.content_box_y()
        lowest = max(bottoms.values())
        unused += sum((lowest - bottoms.get(n, top)) * column for n in range(count))
    return max(0.0, min(1.0, unused / area)) if area else 0.0


def _percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0


def design_findings(document: Any, name: str, kind: str, t: Thresholds = THRESHOLDS) -> list[Finding]:
    """The rules a designer applies to a laid-out DOCUMENT: tint, measure, labels, grids, floats, length, notes,
    figures and pull quotes."""
    from weasyprint.formatting_structure import boxes

    shape = document_kind(kind)
    findings: list[Finding] = []

    def add(code: str, page: int, message: str) -> None:
        findings.append(Finding(code, name, page, message))

    body_lines: list[tuple[int, int]] = []  # (characters, page)
    citations: dict[str, list[int]] = defaultdict(list)
    quotes: dict[int, tuple[Any, list[str], int]] = {}
    labels: dict[int, tuple[Any, set[float], bool, int]] = {}
    for number, page in enumerate(document.pages):
        root = page._page_box
        area = root.width * root.height
        floats: list[Any] = []
        painted: list[tuple[Any, tuple[Any, ...]]] = []
        figure_lines, other_lines, figures = 0, 0, 0
        for box, ancestors in _walk(root):
            element = getattr(box, "element", None)
            if isinstance(box, boxes.BlockBox) and box.is_floated():
                floats.append(box)
            if isinstance(box, boxes.BlockBox) and element is not None and box.element_tag not in ("html", "body") \
                    and _painted(box) and not _classes(element) & DESIGN_FIELDS:
                painted.append((box, ancestors))
                slab = _empty_tint(box, area)
                if slab > t.empty_tint:
                    what = " ".join(sorted(_classes(element))) or box.element_tag
                    add("empty-tint", number + 1, f"a {what!r} box leaves an empty slab of {slab:.0%} of the text "
                        f"area (at most {t.empty_tint:.0%})")
            if isinstance(box, (boxes.GridContainerBox, boxes.GridBox)):
                _grid_holes(box, number, t, add)
            if isinstance(box, boxes.ReplacedBox) and element is not None and element.tag == SVG + "svg":
                _svg_labels(element, document.font_config, number, t, add)
            if isinstance(box, boxes.BlockBox) and element is not None and element.tag == "figure" \
                    and "pull-quote" not in _classes(element):
                figures += 1
            if not isinstance(box, boxes.LineBox) or not _has_text(box):
                continue
            chain = [a for a in ancestors if a is not None]
            cls = set().union(*(_classes(a) for a in chain)) if chain else set()
            tags = {a.tag for a in chain}
            text = _line_text(box).strip()
            if tags & {"figure", "svg"} or "data-figure" in cls:
                figure_lines += 1
            elif not tags & {"h1", "h2", "h3"}:
                other_lines += 1
            label = next((a for a in reversed(chain) if _classes(a) & LABELS or
                          (a.tag == "h3" and "recommendation" in cls) or
                          (a.tag in ("h2", "h3") and cls & LABEL_PANELS)), None)
            if label is not None:
                seen = labels.setdefault(id(label), (label, set(), False, number))
                seen[1].add(round(box.position_y))
                if text.endswith(HYPHENS):
                    labels[id(label)] = (label, seen[1], True, number)
            if "pull-quote" in cls and "blockquote" in tags and "quotes" not in cls:
                quote = next(a for a in reversed(chain) if a.tag == "blockquote")
                quotes.setdefault(id(quote), (quote, [], number))[1].append(text)
            if not cls & NOT_BODY and not tags & {"h1", "h2", "h3", "figure", "svg", "dt"} and tags & {"p", "li", "dd"}:
                body_lines.append((len(text), number, box))
        _floats(floats, painted, root, number, t, add)
        if figures and other_lines <= t.figure_page_lines:
            blank = 1 - page_fills_of(root)
            if blank > t.figure_page_blank:
                add("figure-alone", number + 1, f"a figure stands alone on a page {blank:.0%} blank "
                    f"(at most {t.figure_page_blank:.0%})")
    for element in _note_items(document):
        for full in element.iter():
            if "source-full" in _classes(full):
                citations[_text(full)].append(element.get("id") or "")
    _measure(body_lines, t, add)
    _early_breaks(body_lines, t, add)
    _repeated_facts(document, t, add)
    _figure_references(document, t, add)
    for label, ys, hyphenated, number in labels.values():
        if len(ys) > 1 or hyphenated:
            how = "is hyphenated" if hyphenated else f"wraps onto {len(ys)} lines"
            add("wrapped-label", number + 1, f"the label {_text(label)[:60]!r} {how}")
    for quote, texts, number in quotes.values():
        words = _text(quote)
        if any(x.endswith(HYPHENS) for x in texts[:-1]):
            add("pull-quote", number + 1, f"the pull quote {words[:50]!r} is hyphenated")
        if not is_sentence(words):
            add("pull-quote", number + 1, f"the pull quote {words[:50]!r} is not a whole sentence")
    for text, ids in citations.items():
        if len(ids) > 1:
            add("repeated-citation", 0, f"the full citation {text[:60]!r} is printed {len(ids)} times")
    if (shape.per_block and not shape.summary) and len(document.pages) < t.brief_pages_min:
        add("brief-short", 0, f"the brief has {len(document.pages)} page(s) (at least {t.brief_pages_min})")
    return findings


#: Classes of furniture that is no statement of fact (notes, credits, running heads, the change log, contents): the
#: repeated-fact rule reads everything else, the fact box and pull quotes included.
NOT_FACTS = frozenset({"masthead", "source-notes", "further-reading", "credits", "onepager-credits", "running-title",
                       "running-org", "running-marking", "what-changed", "changes-appendix", "toc", "cover",
                       "colophon", "notes-appendix", "appendix-notes", "notes-further", "part-chapters", "rec-ref-list",
                       "redline-summary", "related-strip", "related", "matrix"})
#: Elements whose text is one run of statements (the outermost of these around a line is read); a caption or a
#: quotation's credit ("Byman et al., CSIS", under each of its quotes) is none.
FACT_TAGS = frozenset({"p", "li", "dd", "dt", "td", "th", "blockquote"})
#: A headline quantity: a percentage or an amount ("90 percent", "$1.2 billion", "3,000 troops" is not one).
QUANTITY = re.compile(r"\$?\d[\d,.]*\s*(?:%|percent\b|(?:billion|million|trillion)\b)", re.I)
#: Where a sentence ends: a stop, then a space and a capital or an opening quote.
SENTENCE_END = re.compile(r"(?<=[.!?\u201d])\s+(?=[A-Z\u201c\"])")


def _statement_text(element: Any) -> str:
    """An element's text without its note numbers (sup.note-ref)."""
    out: list[str] = []

    def visit(e: Any) -> None:
        if "note-ref" not in _classes(e):
            out.append(e.text or "")
            for child in e:
                visit(child)
        out.append(e.tail or "" if e is not element else "")

    visit(element)
    return " ".join("".join(out).replace("\u2060", "").split())


def _quantity(text: str) -> str:
    return " ".join(text.lower().replace("%", " percent").replace(",", "").split())


def _fact_elements(document: Any) -> list[tuple[Any, int, bool]]:
    """The laid-out elements holding statements, once each in order: (element, page, whether a headline figure)."""
    seen: dict[int, tuple[Any, int, bool]] = {}
    for number, page in enumerate(document.pages):
        for box, ancestors in _walk(page._page_box):
            if not isinstance(box, _line_box()) or not _has_text(box):
                continue
            chain = [a for a in ancestors if a is not None]
            if any(_classes(a) & NOT_FACTS or a.tag in ("h1", "h2", "h3", "svg") for a in chain):
                continue
            element = next((a for a in chain if a.tag in FACT_TAGS), None)  # the outermost: its text holds the rest
            if element is not None and id(element) not in seen:
                headline = "figure" in _classes(element) or any(
                    c.tag == "strong" and "figure" in _classes(c) for c in element)
                seen[id(element)] = (element, number, headline)
    return list(seen.values())


def _line_box() -> type:
    from weasyprint.formatting_structure import boxes

    return boxes.LineBox


def _repeated_facts(document: Any, t: Thresholds, add: Any) -> None:
    """The same sentence (fact_words or more) printed twice, or a headline figure printed again in the text."""
    sentences: dict[str, list[int]] = defaultdict(list)
    quantities: list[tuple[str, int, Any]] = []
    headlines: dict[str, tuple[int, Any]] = {}
    for element, number, headline in _fact_elements(document):
        text = _statement_text(element)
        for sentence in SENTENCE_END.split(text):
            words = re.findall(r"[\w']+", sentence.lower())
            if len(words) >= t.fact_words:
                sentences[" ".join(words)].append(number)
        figure = next((c for c in element.iter() if "figure" in _classes(c) and c.tag in ("dt", "strong")), None)
        if headline and figure is not None:
            headlines.setdefault(_quantity(_statement_text(figure)), (number, element))
        quantities += [(_quantity(q), number, element) for q in QUANTITY.findall(text)]
    for words, on in sentences.items():
        if len(on) > 1:
            add("repeated-fact", on[1] + 1, f"the sentence {words[:60]!r} is printed {len(on)} times (pages "
                f"{', '.join(str(p + 1) for p in on)})")
    for figure, (number, element) in headlines.items():
        again = sorted({p for q, p, e in quantities if q == figure and e is not element and
                        not (set(element.iter()) & {e})})
        if again:
            add("repeated-fact", again[0] + 1, f"the headline figure {figure!r} (page {number + 1}) is printed again "
                f"in the text (page {', '.join(str(p + 1) for p in again)})")


#: A reference in the text to one of the document's own figures ("(Figure 12.1)"), not to a source's ("Figure 3 of the
#: report").
FIGURE_REF = re.compile(r"\bFigure\s+(\d+(?:\.\d+)?)(?![\d.]\d|\d|\s+(?:of|in)\b)")


def _figure_references(document: Any, t: Thresholds, add: Any) -> None:
    """A numbered figure more than figure_reference_pages after the first paragraph that cites it."""
    figures: dict[str, int] = {}
    cited: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for box, ancestors in _walk(page._page_box):
            element = getattr(box, "element", None)
            if element is not None and element.tag == "figure" and "pull-quote" not in _classes(element):
                for caption in element.iter("figcaption"):
                    found = FIGURE_REF.search(_text(caption))
                    if found:
                        figures.setdefault(found.group(1), number)
            if not isinstance(box, _line_box()) or not _has_text(box):
                continue
            if any(a is not None and (a.tag in ("figure", "figcaption") or _classes(a) & NOT_FACTS) for a in ancestors):
                continue
            for found in FIGURE_REF.finditer(_line_text(box)):
                cited.setdefault(found.group(1), number)
    for label, at in figures.items():
        if label in cited and not 0 <= at - cited[label] <= t.figure_reference_pages:
            add("figure-far", at + 1, f"Figure {label} is on page {at + 1}, the paragraph citing it on page "
                f"{cited[label] + 1} (at most {t.figure_reference_pages} page after it)")


def page_fills_of(root: Any) -> float:
    """How full one page box is: its lowest line's edge as a fraction of its text area."""
    from weasyprint.formatting_structure import boxes

    bottom = top = root.content_box_y()
    for box, _a in _walk(root):
        if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
            bottom = max(bottom, box.position_y + box.margin_height())
    return max(0.0, min(1.0, (bottom - top) / root.height)) if root.height else 1.0


def _note_items(document: Any) -> list[Any]:
    """The <li> elements of a document's source notes and further reading, once each, in order."""
    seen: dict[int, Any] = {}
    for page in document.pages:
        for box, ancestors in _walk(page._page_box):
            element = getattr(box, "element", None)
            if element is not None and element.tag == "li" and \
                    any(_classes(a) & {"source-notes", "further-reading", "notes-appendix"} for a in ancestors):
                seen.setdefault(id(element), element)
    return list(seen.values())


def _measure(lines: list[tuple[int, int, Any]], t: Thresholds, add: Any) -> None:
    """Body lines too long: the percentile of the full lines (not a paragraph's last) over the limit."""
    full = [(n, page) for i, (n, page, box) in enumerate(lines)
            if i + 1 < len(lines) and lines[i + 1][2].element is box.element]
    if not full:
        return
    at = _percentile([n for n, _p in full], t.line_chars_percentile)
    if at > t.line_chars:
        pages = sorted({p for n, p in full if n > t.line_chars})
        add("long-lines", pages[0] + 1, f"body lines run {at} characters at the "
            f"{t.line_chars_percentile * 100:.0f}th percentile (at most {t.line_chars}; pages "
            f"{', '.join(str(p + 1) for p in pages[:6])})")


def _line_width(line: Any) -> float:
    """How wide a line box's content sets (its last child's right edge from the line's left)."""
    return max((c.position_x + c.margin_width() for c in line.children), default=line.position_x) - line.position_x


def _early_breaks(lines: list[tuple[int, int, Any]], t: Thresholds, add: Any) -> None:
    """A body line, not its paragraph's last, much shorter than the paragraph's longest line (broken early)."""
    runs: list[list[tuple[int, Any]]] = []
    for _n, page, box in lines:
        if runs and runs[-1][-1][1].element is box.element:
            runs[-1].append((page, box))
        else:
            runs.append([(page, box)])
    for run in runs:
        widths = [_line_width(box) for _p, box in run]
        longest = max(widths)
        for (page, box), width in zip(run[:-1], widths):
            if longest and width < t.early_break * longest:
                add("early-break", page + 1, f"a line of body text ends after {_line_text(box).strip()[-30:]!r}, "
                    f"{width / longest:.0%} of its paragraph's longest line (at least {t.early_break:.0%})")
                break


SVG = "{http://www.w3.org/2000/svg}"


def _svg_extent(svg: Any) -> tuple[float, float]:
    """The x range a drawn SVG shows (its viewBox, else its width), in its own units."""
    box = (svg.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        return float(box[0]), float(box[0]) + float(box[2])
    width = re.match(r"[\d.]+", svg.get("width") or "")
    return 0.0, float(width.group()) if width else float("inf")


def _text_width(text: str, node: Any, svg: Any, font_config: Any) -> float:
    """How wide TEXT sets in NODE's font (family, size and weight from the node, else the SVG's), in SVG units."""
    from math import inf

    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.svg.text import Style
    from weasyprint.text.line_break import split_first_line

    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = font_config
    family = node.get("font-family") or svg.get("font-family") or "sans-serif"
    style["font_family"] = [f.strip().strip("'\"") for f in family.split(",")]
    style["font_size"] = float(re.match(r"[\d.]+", node.get("font-size") or svg.get("font-size") or "12").group())
    weight = node.get("font-weight") or svg.get("font-weight") or "400"
    style["font_weight"] = 700 if weight == "bold" else int(weight) if weight.isdigit() else 400
    return split_first_line(text, style, None, inf, 0)[3]


def _svg_labels(svg: Any, font_config: Any, number: int, t: Thresholds, add: Any) -> None:
    """A chart's text line (a <text> or each of its <tspan> lines) that runs past the drawing's edge."""
    left, right = _svg_extent(svg)
    for node in svg.iter(SVG + "text"):
        if node.get("transform"):
            continue  # a turned label (a matrix's column heads): its extent is not along x
        anchor = node.get("text-anchor") or svg.get("text-anchor") or "start"
        for line in list(node.iter(SVG + "tspan")) or [node]:
            text = (line.text or "").strip() if line is not node else " ".join("".join(node.itertext()).split())
            x = re.match(r"-?[\d.]+", line.get("x") or node.get("x") or "0")
            if not text or x is None:
                continue
            width = _text_width(text, node, svg, font_config)
            start = float(x.group()) - {"middle": width / 2, "end": width}.get(anchor, 0.0)
            if start < left - t.figure_label_edge_pt or start + width > right + t.figure_label_edge_pt:
                add("figure-label-cut", number + 1, f"the chart text {text[:60]!r} runs "
                    f"{max(left - start, start + width - right):.0f}pt past the drawing's edge, where it is cut")


def _grid_holes(grid: Any, number: int, t: Thresholds, add: Any) -> None:
    """A grid row whose items (and gaps) fill less than grid_row_fill of the grid's width."""
    items = [c for c in grid.children if getattr(c, "element", None) is not None]
    rows: dict[int, list[Any]] = defaultdict(list)
    for item in items:
        rows[round(item.position_y)].append(item)
    gap = grid.style["column_gap"]
    gap = gap.value * (PX_PER_PT if gap.unit == "pt" else 1) if hasattr(gap, "value") else 0
    for row in rows.values():
        used = sum(i.margin_width() for i in row) + gap * (len(row) - 1)
        if used < grid.width * t.grid_row_fill:
            add("grid-hole", number + 1, f"a grid row holds {len(row)} item(s) filling {used / grid.width:.0%} of "
                f"its width (at least {t.grid_row_fill:.0%})")
            return


def _floats(floats: list[Any], painted: list[tuple[Any, tuple[Any, ...]]], root: Any, number: int, t: Thresholds,
            add: Any) -> None:
    """Painted boxes under a float, and paragraphs whose lines jump in length as they pass one."""
    from weasyprint.formatting_structure import boxes

    slack = t.float_overlap_pt * PX_PER_PT
    for fl in floats:
        fx0, fy0, fx1, fy1 = _rect(fl)
        around = {id(a) for a in _ancestors_of(fl, root)}
        for box, ancestors in painted:
            if box is fl or fl.element in ancestors or getattr(box, "element", None) is fl.element:
                continue
            if id(getattr(box, "element", None)) in around:
                continue
            x0, y0, x1, y1 = _rect(box)
            if min(x1, fx1) - max(x0, fx0) > slack and min(y1, fy1) - max(y0, fy0) > slack:
                what = " ".join(sorted(_classes(box.element))) or box.element_tag
                add("float-collision", number + 1, f"a {what!r} box runs under the floated "
                    f"{' '.join(sorted(_classes(fl.element))) or fl.element_tag!r}")
        for box, _a in _walk(root):
            if not isinstance(box, boxes.BlockBox) or box is fl:
                continue
            lines = [c for c in box.children if isinstance(c, boxes.LineBox) and _has_text(c)]
            if len(lines) < 3 or not (box.position_y < fy1 < box.position_y + box.height):
                continue
            beside = [c for c in lines[:-1] if c.position_y < fy1]
            below = [c for c in lines[:-1] if c.position_y >= fy1]
            if beside and below:
                short, long = max(c.width for c in beside), max(c.width for c in below)
                if long and (long - short) / long > t.measure_jump:
                    add("float-collision", number + 1, f"a paragraph's lines jump from {short / long:.0%} to full "
                        f"length as they pass the floated box ({_text(box.element)[:40]!r})")


def _ancestors_of(target: Any, root: Any) -> tuple[Any, ...]:
    for box, ancestors in _walk(root):
        if box is target:
            return ancestors
    return ()


def summary(findings: list[Finding]) -> dict[str, int]:
    """Count FINDINGS by code, in FINDINGS order."""
    counts = dict.fromkeys(FINDINGS, 0)
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    return counts


__all__ = ["FINDINGS", "THRESHOLDS", "Finding", "Thresholds", "audit", "design_findings", "onepager_unused",
           "summary"]
