"""The one-pager promise: lay out, count pages, condense in a declared order until it fits, or fail saying by how much."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from typing import Any

from briefgen.errors import Location, RenderError
from briefgen.project import Project
from briefgen.render.context import RenderedDocument, render_html
from briefgen.render.pdf import Layout, lay_out
from briefgen.render.setup import render_setup

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spacing:
    """The one-pager's type and spacing, written into the --op-* custom properties of print.css."""

    size_pt: float = field(metadata={"css": "--op-size", "unit": "pt"})
    lead_size_pt: float = field(metadata={"css": "--op-lead-size", "unit": "pt"})
    leading: float = field(metadata={"css": "--op-leading", "unit": ""})
    gap_pt: float = field(metadata={"css": "--op-gap", "unit": "pt"})
    item_pt: float = field(metadata={"css": "--op-item", "unit": "pt"})
    band_pt: float = field(metadata={"css": "--op-band", "unit": "pt"})

    def css(self) -> str:
        """Return a rule setting the custom properties, specific enough to beat print.css's :root defaults.

        print.css may be applied after the document's own styles (a shared stylesheet), so `html:root`
        (specificity 0,1,1) rather than `:root` (0,1,0).
        """
        props = " ".join(f"{f.metadata['css']}: {getattr(self, f.name):g}{f.metadata['unit']};" for f in fields(self))
        return f"html:root {{ {props} }}"


#: The tightest the fit loop goes. Text is never set below 9pt, nor lines closer than 1.2.
LIMITS = Spacing(size_pt=9.0, lead_size_pt=9.5, leading=1.22, gap_pt=4, item_pt=1, band_pt=8)


@dataclass(frozen=True)
class Step:
    """One way of condensing a one-pager. Steps are cumulative: level N applies the first N."""

    label: str
    drop: tuple[str, ...] = ()
    max_points: int | None = None
    spacing: Spacing | None = None
    #: A rule relaxed by this step (outranking print.css, which is applied after the document's own styles).
    css: str = ""


#: The declared priority order: optional parts go first, then spacing tightens within LIMITS.
STEPS: tuple[Step, ...] = (
    Step("let the sections flow on across the two columns",
         css="html body.onepager .columns.several > section { break-inside: auto; }"),
    Step("left out other perspectives", drop=("other_perspectives",)),
    Step("left out the related-blocks strip", drop=("related",)),
    Step("left out the pull quote", drop=("pull_quote",)),
    Step("left out what changed in this edition", drop=("what_changed",)),
    Step("left out key actions", drop=("key_actions",)),
    Step("left out the authors and contact line", drop=("credits",)),
    Step("cut lists to three points", max_points=3),
    Step("tightened spacing", spacing=Spacing(size_pt=9.25, lead_size_pt=10.5, leading=1.3, gap_pt=6, item_pt=2,
                                              band_pt=11)),
    Step("tightened spacing to the limits (9pt text)", spacing=LIMITS),
)


#: The most a thin one-pager opens up: text at most 10pt, lines at most 1.5 apart.
GROW_LIMITS = Spacing(size_pt=10.0, lead_size_pt=12.5, leading=1.5, gap_pt=16, item_pt=6, band_pt=18)

#: The mirror of STEPS for a one-pager that fits as designed but leaves its page too empty (less full than the
#: audit's onepager_fill_min): type and spacing open up, in order, within GROW_LIMITS, while it still fits.
GROW_STEPS: tuple[Step, ...] = (
    Step("opened spacing", spacing=Spacing(size_pt=9.5, lead_size_pt=11.5, leading=1.44, gap_pt=12, item_pt=4.5,
                                           band_pt=16)),
    Step("larger type and spacing to the limits (10pt text)", spacing=GROW_LIMITS),
)


def options(level: int, grow: int = 0) -> dict[str, Any]:
    """Return render_html keyword arguments for condensing LEVEL (0: as designed), or growing by GROW steps."""
    drop: list[str] = []
    max_points: int | None = None
    spacing: Spacing | None = None
    css: list[str] = []
    for step in STEPS[:level]:
        drop.extend(step.drop)
        max_points = step.max_points or max_points
        spacing = step.spacing or spacing
        css += [step.css] if step.css else []
    if grow and not level:
        spacing = GROW_STEPS[grow - 1].spacing
    return {"drop": tuple(drop), "max_points": max_points,
            "fit_css": " ".join(([spacing.css()] if spacing else []) + css)}


@dataclass
class Fitted:
    """A one-pager laid out on one page, and how it was condensed to get there."""

    document: RenderedDocument
    layout: Layout
    level: int
    #: Grow steps applied (a thin one-pager that fitted as designed); 0 when it was condensed or is full enough.
    grow: int = 0

    @property
    def options(self) -> dict[str, Any]:
        return options(self.level, self.grow)

    @property
    def applied(self) -> list[str]:
        return [step.label for step in STEPS[: self.level]] + [step.label for step in GROW_STEPS[: self.grow]]


def fit_onepager(project: Project, block_id: str, audience: str | None = None, *, strict: bool = False,
                 start: int | None = None) -> Fitted:
    """Lay out BLOCK_ID's one-pager on one page, condensing as little as it needs; fail naming the overflow.

    START is the level that fitted last time: tried first, then one level less to confirm nothing looser fits, so
    an unchanged one-pager costs two layouts (one if it fits as designed) instead of a search.
    """
    setup = render_setup(project, audience)
    tried: dict[int, Fitted] = {}

    def attempt(level: int) -> Fitted:
        if level not in tried:
            doc = render_html(project, block_id, "onepager", audience, shared_styles=True, **options(level))
            source = project.catalogue.file_of(doc.block)
            tried[level] = Fitted(doc, lay_out(doc.html, project.root, source, strict=strict, styles=setup.styles()),
                                  level)
        return tried[level]

    tightest_level = len(STEPS)
    first = attempt(start if start is not None and 0 <= start <= tightest_level else 0)
    # Steps only ever remove or tighten, so the levels that fit form a range [lowest, tightest]: find its start.
    if first.layout.pages == 1:
        fits, fails = first, -1
    else:
        # Gallop up from the first failure (one level more, then two, four...): most one-pagers need a step or
        # two, so this finds them in fewer layouts than bisecting the whole range from the tightest level.
        fails, step, tightest = first.level, 1, None
        while fails < tightest_level:
            probe = attempt(min(fails + step, tightest_level))
            if probe.layout.pages == 1:
                tightest = probe
                break
            fails, step = probe.level, step * 2
        if tightest is None:
            tightest = tried[tightest_level]
            over = tightest.layout.overflow_lines()
            source = project.catalogue.file_of(tightest.document.block)
            where = tightest.document.block.loc or Location(source)
            raise RenderError(
                f"one-pager for {block_id!r} does not fit one page: {over} line{'s' if over != 1 else ''} over "
                f"after condensing ({'; '.join(tightest.applied)})", Location(source, where.line),
                f"shorten the bottom line, summary or lists by about {over} lines; "
                "a one-pager is never two pages and its text is never set below 9pt")
        fits = tightest
    if fits is first and fits.level > 0:
        below = attempt(fits.level - 1)  # the usual case: the recorded level, confirmed by one level less failing
        if below.layout.pages > 1:
            fails = below.level
        else:
            fits = below
    while fits.level - fails > 1:
        mid = attempt((fits.level + fails) // 2)
        if mid.layout.pages == 1:
            fits = mid
        else:
            fails = mid.level
    if fits.level == 0:
        fits = _grow(fits, lambda grow: _layout(project, block_id, audience, strict, setup, grow))
    logger.info("%s: one-pager fitted at level %d in %d layout(s)%s", block_id, fits.level, len(tried),
                f": {'; '.join(fits.applied)}" if fits.applied else "")
    return fits


def _layout(project: Project, block_id: str, audience: str | None, strict: bool, setup: Any, grow: int) -> Fitted:
    doc = render_html(project, block_id, "onepager", audience, shared_styles=True, **options(0, grow))
    source = project.catalogue.file_of(doc.block)
    return Fitted(doc, lay_out(doc.html, project.root, source, strict=strict, styles=setup.styles()), 0, grow)


def _grow(fits: Fitted, attempt: Any) -> Fitted:
    """Open up a one-pager that fits as designed but is thin, step by step, keeping the last step that fits."""
    from briefgen.render.audit import THRESHOLDS, page_fills

    for grow in range(1, len(GROW_STEPS) + 1):
        if page_fills(fits.layout.document)[0] >= THRESHOLDS.onepager_fill_min:
            break
        grown = attempt(grow)
        if grown.layout.pages > 1:
            break
        fits = grown
    return fits


@dataclass(frozen=True)
class TailStep:
    """One way of pulling a brief's runt last page back onto the page before. Steps are cumulative."""

    label: str
    css: str


#: Tried in order when a brief's last page is a runt (less full than the audit's last_page_fill): the source notes
#: first, then spacing between parts. Text size never changes. The selectors outrank print.css (applied after).
TAIL_STEPS: tuple[TailStep, ...] = (
    TailStep("set the source notes in two columns",
             "html body.brief .source-notes ol, html body.brief .further-reading ul { columns: 2; column-gap: 18pt; }"),
    TailStep("tightened spacing between parts",
             "html body.brief p { margin-bottom: 5pt; } html body.brief li { margin-bottom: 2.5pt; } "
             "html body.brief h2 { margin-top: 11pt; margin-bottom: 5pt; } "
             "html body.brief .recommendation { margin-bottom: 6pt; }"),
    TailStep("left out further reading (sources no statement cites)",
             "html body.brief .further-reading { display: none; }"),
)


@dataclass
class FittedBrief:
    """A brief laid out, and the tail steps that pulled a runt last page back (none for most briefs)."""

    document: RenderedDocument
    layout: Layout
    level: int

    @property
    def applied(self) -> list[str]:
        return [step.label for step in TAIL_STEPS[: self.level]]


def last_page_fill(layout: Layout) -> float:
    """How full the last page of LAYOUT is, as a fraction of its text area (1.0 for a one-page document)."""
    from briefgen.render.audit import page_fills

    fills = page_fills(layout.document)
    return fills[-1] if len(fills) > 1 else 1.0


def fit_brief(project: Project, block_id: str, audience: str | None = None, *, strict: bool = False) -> FittedBrief:
    """Lay out BLOCK_ID's brief; when its last page is a runt, apply TAIL_STEPS until it is not (or fewer pages).

    Most briefs cost one layout; a runt costs one more per step tried. A step is kept only if it removes the runt
    (the tail moves back, or the last page fills); otherwise the brief stays as designed.
    """
    from briefgen.render.audit import THRESHOLDS

    setup = render_setup(project, audience)

    def attempt(level: int) -> FittedBrief:
        css = " ".join(step.css for step in TAIL_STEPS[:level])
        doc = render_html(project, block_id, "brief", audience, shared_styles=True, fit_css=css)
        source = project.catalogue.file_of(doc.block)
        return FittedBrief(doc, lay_out(doc.html, project.root, source, strict=strict, styles=setup.styles()), level)

    first = attempt(0)
    if last_page_fill(first.layout) >= THRESHOLDS.last_page_fill:
        return first
    for level in range(1, len(TAIL_STEPS) + 1):
        tried = attempt(level)
        if tried.layout.pages < first.layout.pages or last_page_fill(tried.layout) >= THRESHOLDS.last_page_fill:
            logger.info("%s: brief tail fitted: %s", block_id, "; ".join(tried.applied))
            return tried
    return first
