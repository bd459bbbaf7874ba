"""Which characters of a PDF page a reader sees: not invisible, not in the background colour, on the page, readable."""
from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

#: Type smaller than this (points) is not text a reader reads (a 1 pt line hides a statement in plain sight).
MIN_SIZE = 4.0
#: Text render modes that paint nothing: 3 (invisible) and 7 (clip only).
INVISIBLE_MODES = frozenset({3, 7})
#: How close (per RGB channel, 0-1) a text colour may come to the colour behind it and still count as hidden.
SAME_COLOUR = 0.12
#: Filled rectangles looked at per page for the colour behind text (more: only the largest).
MAX_BACKGROUNDS = 400

WHITE = (1.0, 1.0, 1.0)


def install() -> None:
    """Make pdfplumber's characters carry their text render mode (`render_mode`), once per process."""
    from pdfplumber import page as plumber_page

    device = plumber_page.PDFPageAggregatorWithMarkedContent
    if getattr(device, "_briefgen_render_mode", False):
        return
    plumber_page.ALL_ATTRS.add("render_mode")
    original = device.render_string

    def render_string(self: Any, textstate: Any, seq: Any, ncs: Any, graphicstate: Any) -> None:
        objs = self.cur_item._objs
        before = len(objs)
        original(self, textstate, seq, ncs, graphicstate)
        mode = getattr(textstate, "render", 0)
        for obj in objs[before:]:
            obj.render_mode = mode

    device.render_string = render_string
    device._briefgen_render_mode = True


def rgb(colour: Any) -> tuple[float, float, float] | None:
    """COLOUR (pdfplumber's gray, RGB or CMYK tuple) as RGB in 0-1; None when it is a pattern or unknown."""
    if isinstance(colour, (int, float)):
        colour = (colour,)
    if not isinstance(colour, (tuple, list)) or not all(isinstance(c, (int, float)) for c in colour):
        return None
    c = [min(1.0, max(0.0, float(v))) for v in colour]
    if len(c) == 1:
        return (c[0], c[0], c[0])
    if len(c) == 3:
        return (c[0], c[1], c[2])
    if len(c) == 4:
        k = 1 - c[3]
        return ((1 - c[0]) * k, (1 - c[1]) * k, (1 - c[2]) * k)
    return None


class PageView:
    """What a reader sees of one page: its box and the filled shapes text may sit on."""

    def __init__(self, page: Any) -> None:
        self.bbox = tuple(float(v) for v in page.bbox)
        rects = [r for r in page.rects if r.get("fill") and (r["x1"] - r["x0"]) > 2 and (r["bottom"] - r["top"]) > 2]
        if len(rects) > MAX_BACKGROUNDS:
            rects = sorted(rects, key=lambda r: (r["x1"] - r["x0"]) * (r["bottom"] - r["top"]))[-MAX_BACKGROUNDS:]
        self.backgrounds = [(r["x0"], r["top"], r["x1"], r["bottom"], rgb(r.get("non_stroking_color")))
                            for r in rects]

    def behind(self, x: float, y: float) -> tuple[float, float, float] | None:
        """The colour painted at (X, Y) before text: the last filled shape there, else the white page."""
        for x0, top, x1, bottom, colour in reversed(self.backgrounds):
            if x0 <= x <= x1 and top <= y <= bottom:
                return colour
        return WHITE

    def sees(self, char: dict) -> bool:
        """Whether a reader sees CHAR."""
        if char.get("render_mode", 0) in INVISIBLE_MODES:
            return False
        if float(char.get("size") or 0) < MIN_SIZE:
            return False
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        bx0, btop, bx1, bbottom = self.bbox
        if not (bx0 <= x <= bx1 and btop <= y <= bbottom):
            return False
        ink = rgb(char.get("non_stroking_color"))
        back = self.behind(x, y)
        if ink is not None and back is not None and all(abs(a - b) <= SAME_COLOUR for a, b in zip(ink, back)):
            return False
        return True


def visible_page(page: Any) -> Any:
    """PAGE with only the characters a reader sees (other objects kept: tables are found from their rules)."""
    view = PageView(page)

    def keep(obj: dict) -> bool:
        return obj.get("object_type") != "char" or view.sees(obj)

    return page.filter(keep)
