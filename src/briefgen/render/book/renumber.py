"""Print a chapter's real page references into its stand-in layout when that provably lays out the same."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from briefgen.render.book.merge import DEST_SCHEME

log = logging.getLogger(__name__)

#: What stands before a printed page reference in a link to a chapter (templates/book/recommendations.html.j2:
#: "see Recommendation 2, p.&nbsp;121"): the number after it is what is swapped, nothing else.
PAGE_MARK_HTML, PAGE_MARK_TEXT = "p.&nbsp;", "p.\u00a0"

#: A page change: the chapter anchor referred to, the page number the layout prints, the page it must print.
Change = tuple[str, int, int]


def _link(anchor: str) -> re.Pattern[str]:
    """A link to ANCHOR (as a segment's HTML writes it) whose text ends with a page reference, the number grouped."""
    return re.compile(r'(<a href="' + re.escape(DEST_SCHEME + anchor) + r'"[^>]*>[^<]*'
                      + re.escape(PAGE_MARK_HTML) + r')(\d+)(</a>)')


def renumbered_html(html: str, changes: tuple[Change, ...]) -> tuple[str, dict[str, int]] | None:
    """HTML with each CHANGES' page reference rewritten, and how many links to each anchor were; None when a link
    prints another number than the change expects or none is found."""
    counts: dict[str, int] = {}
    for anchor, old, new in changes:
        found = _link(anchor).findall(html)
        if not found or any(int(number) != old for _head, number, _tail in found):
            return None
        counts[anchor] = len(found)
        html = _link(anchor).sub(lambda m, new=new: f"{m[1]}{new}{m[3]}", html)
    return html, counts


def _walk(box: Any, path: tuple = ()) -> Iterator[tuple[Any, tuple]]:
    yield box, path
    for child in getattr(box, "children", ()) or ():
        yield from _walk(child, (*path, box))


class _Context:
    """What WeasyPrint's split_first_line reads of a layout context: the hyphenation dictionaries."""

    def __init__(self) -> None:
        self.dictionaries: dict = {}


def _right_edge(line: Any) -> float:
    """Where LINE's last non-blank content ends."""
    from weasyprint.formatting_structure import boxes

    edges = [box.position_x + box.margin_width() for box, _path in _walk(line)
             if box is not line and not (isinstance(box, boxes.TextBox) and not box.text.strip())]
    return max(edges, default=line.position_x)


def _leaf(box: Any, end: int) -> Any:
    """BOX's first (END 0) or last (END -1) descendant without children."""
    while getattr(box, "children", None):
        box = box.children[end]
    return box


def _stays(path: tuple, text: Any, width: float) -> bool:
    """Whether the link (PATH's last box) holding TEXT, TEXT being WIDTH wide instead of its laid-out width, lays out
    on the same line, every other box where it was: the link is no wider, it is the line's last content, the line is
    left-aligned, and the link either follows other content on its line (narrower, it still fits) or is the line's
    first content and would still not fit after the line before (whose free space is less than its new width)."""
    from weasyprint.formatting_structure import boxes

    link = path[-1]
    lines = [i for i, box in enumerate(path) if isinstance(box, boxes.LineBox)]
    if not lines or lines[-1] == 0 or width > text.width or list(link.children) != [text] \
            or text.style["white_space"] not in ("nowrap", "pre"):
        return False  # only a link that is one unbreakable text (a wrapped one's breaks would move)
    line, block = path[lines[-1]], path[lines[-1] - 1]
    style = block.style
    if style["direction"] != "ltr" or style["text_align_last"] not in ("auto", "start", "left") \
            or style["text_align_all"] not in ("start", "left", "justify"):
        return False
    before = [box for box in block.children if isinstance(box, boxes.LineBox)]
    if style["text_align_all"] == "justify" and (not before or before[-1] is not line):
        return False  # a justified line that is not the block's last spreads its words over the width
    inside = [box for box, _path in _walk(link)]
    if not any(_leaf(line, -1) is box for box in inside):
        return False  # something follows the link on its line: it would move
    if not any(_leaf(line, 0) is box for box in inside):
        return True
    index = next((i for i, box in enumerate(before) if box is line), 0)
    if index == 0:
        return True
    free = block.content_box_x() + block.width - _right_edge(before[index - 1])
    return free < link.margin_width() - (text.width - width)


def renumber(layout: Any, html: str, new_html: str, changes: tuple[Change, ...]) -> bool:
    """Rewrite, in LAYOUT (a render.pdf.Layout of HTML), the page references CHANGES names, so that it is NEW_HTML's
    layout; False, and LAYOUT untouched, unless NEW_HTML is HTML with exactly those numbers changed and every
    changed reference is a link that is no wider and keeps its line (then every other box lays out as before)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import split_first_line

    expected = renumbered_html(html, changes)
    if expected is None or expected[0] != new_html:
        return False
    swaps: list[tuple[Any, Any, Any, str, tuple]] = []
    for page in layout.document.pages:
        for box, path in _walk(page._page_box):
            if not isinstance(box, boxes.TextBox) or not path or not isinstance(path[-1], boxes.InlineBox):
                continue
            href = path[-1].element.get("href", "") if path[-1].element is not None else ""
            for anchor, old, new in changes:
                if href == DEST_SCHEME + anchor and box.text.endswith(f"{PAGE_MARK_TEXT}{old}"):
                    text = box.text[:-len(str(old))] + str(new)
                    made = split_first_line(text, box.style, _Context(), None, box.justification_spacing)
                    swaps.append((page, box, made, anchor, path))
    per_anchor = {anchor: sum(1 for swap in swaps if swap[3] == anchor) for anchor, _old, _new in changes}
    if per_anchor != expected[1] or not all(made[2] is None and _stays(path, box, made[3])
                                            for _p, box, made, _a, path in swaps):
        return False
    for page, box, made, _anchor, path in swaps:
        narrower = box.width - made[3]
        box.text, box.pango_layout, box.width = made[0].text, made[0], made[3]
        for outer in reversed(path):  # the link and the line box end where the text ends
            outer.width -= narrower
            if isinstance(outer, boxes.LineBox):
                break
        page.links[:] = [(kind, target, (r[0], r[1], r[2] - narrower, r[3]) if owner is path[-1] else r, owner)
                         for kind, target, r, owner in page.links]
    return True
