"""The layout audit: measure a laid-out document from WeasyPrint's page boxes and report what a reader would see as
a layout defect (a page left blank, a runt last page, a box split across pages, a heading stranded at a page foot,
a duplicate or uncited note, a one-pager too empty or with uneven column tops).

It reads the layout the render already made (no second layout): a walk over each page's boxes.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Iterator


@dataclass(frozen=True)
class Thresholds:
    """Every limit the audit applies, declared once."""

    page_blank: float = 0.25
    """A page other than the last may leave at most this fraction of its text area blank below its content."""
    last_page_fill: float = 0.30
    """The last page of a multi-page document is filled to at least this fraction of its text area."""
    heading_lines: int = 3
    """A heading is followed on its page by at least this many lines when its section goes on to the next page."""
    onepager_fill_min: float = 0.75
    """A one-pager's content reaches at least this fraction of its text area."""
    column_top_pt: float = 3.0
    """The first lines of a one-pager's two columns start within this many points of each other."""
    runt_lines: int = 2
    """A page after the first holding at most this many lines of content is a runt, whatever its fill."""
    card_fragment_lines: int = 3
    """A recommendation card may break across pages only with at least this many of its lines on each page."""
    segment_last_fill: float = 0.25
    """The last page of a book segment (a chapter; the next starts a fresh page) is filled to at least this fraction."""


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
    "onepager-fill": "a one-pager uses too little of its page",
    "column-tops": "a one-pager's columns do not start level",
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
        if "::marker" in (getattr(box, "element_tag", "") or ""):
            continue
        if isinstance(box, boxes.TextBox) and box.text.strip():
            return True
        stack.extend(getattr(box, "children", ()) or ())
    return False


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def page_fills(document: Any) -> list[float]:
    """How full each page of DOCUMENT is: its lowest line's edge as a fraction of the page's text area."""
    from weasyprint.formatting_structure import boxes

    out = []
    for page in document.pages:
        root = page._page_box
        top, bottom = root.content_box_y(), root.content_box_y()
        for box, _ancestors in _walk(root):
            if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
                bottom = max(bottom, box.position_y + box.margin_height())
        out.append(max(0.0, min(1.0, (bottom - top) / root.height)) if root.height else 1.0)
    return out


def audit(document: Any, name: str, kind: str, thresholds: Thresholds = THRESHOLDS) -> list[Finding]:
    """Measure DOCUMENT (a laid-out weasyprint Document) named NAME, of KIND (brief, onepager, ...)."""
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
                if kind == "onepager" and "columns" in cls and number == 0 \
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
        floor = t.segment_last_fill if kind == "book" else t.last_page_fill
        if info.fill < floor or info.lines <= t.runt_lines:
            add("last-page-runt", last + 1, f"the last page is {info.fill:.0%} full with {info.lines} line(s) "
                f"(at least {floor:.0%})")
    for element_id, on in where["sidebar"].items():
        if len(on) > 1:
            add("split-sidebar", min(on) + 1, f"the sidebar runs over pages {min(on) + 1}-{max(on) + 1}")
        if min(on) > 0 and kind == "brief":
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
    if kind == "book":  # a book segment's notes are cited from other segments: the book checks them when joined
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
    if kind == "onepager" and pages:
        fill = pages[0].fill
        if fill < t.onepager_fill_min:
            add("onepager-fill", 1, f"the one-pager is {fill:.0%} full (at least {t.onepager_fill_min:.0%})")
        if len(column_tops) >= 2:
            tops = sorted(column_tops.items())[:2]
            gap = abs(tops[0][1] - tops[1][1])
            if gap > t.column_top_pt / 0.75:  # CSS px to pt
                add("column-tops", 1, f"the columns' first lines are {gap * 0.75:.0f}pt apart "
                    f"(at most {t.column_top_pt:g}pt)")
    return findings


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


def summary(findings: list[Finding]) -> dict[str, int]:
    """Count FINDINGS by code, in FINDINGS order."""
    counts = dict.fromkeys(FINDINGS, 0)
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    return counts


__all__ = ["FINDINGS", "THRESHOLDS", "Finding", "Thresholds", "audit", "summary"]
