"""The one-pager promise: lay out, count pages, condense in a declared order until it fits, or fail saying by how much."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, fields
from typing import Any

from briefgen.errors import Location, RenderError
from briefgen.project import Project
from briefgen.render.context import RenderedDocument, Variant, render_html
from briefgen.render.fitclasses import acts_after, layout_key, plain_html
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
    """One way of condensing (or growing) a one-pager. Steps are cumulative: level N applies the first N."""

    label: str
    drop: tuple[str, ...] = ()
    max_points: int | None = None
    spacing: Spacing | None = None
    #: The class this step puts on the body: print.css's "Fit steps" rules for it relax or change the layout.
    cls: str = ""
    #: Sections the brief shows that a grow step puts back (render.context: the overview leads, lists join columns).
    add: tuple[str, ...] = ()


#: The declared priority order: optional parts go first, then spacing tightens, lists are cut, and spacing tightens to
#: LIMITS.
STEPS: tuple[Step, ...] = (
    Step("let the sections flow on across the two columns", cls="fit-flow-sections"),
    Step("left out other perspectives", drop=("other_perspectives",)),
    Step("left out the related-blocks strip", drop=("related",)),
    Step("left out the pull quote", drop=("pull_quote",)),
    Step("left out what changed in this edition", drop=("what_changed",)),
    Step("left out key actions", drop=("key_actions",)),
    Step("left out the authors and contact line", drop=("credits",)),
    # Spacing tightens once before lists are cut: a point more is worth a little air (a page two lines over lost a
    # point of every list and then stood a sixth empty).
    Step("tightened spacing", spacing=Spacing(size_pt=9.25, lead_size_pt=10.5, leading=1.3, gap_pt=6, item_pt=2,
                                              band_pt=11)),
    Step("cut lists to three points", max_points=3),
    Step("tightened spacing to the limits (9pt text)", spacing=LIMITS),
)


#: The most a thin one-pager opens up: text at most 10pt, lines at most 1.5 apart.
GROW_LIMITS = Spacing(size_pt=10.0, lead_size_pt=12.5, leading=1.5, gap_pt=16, item_pt=6, band_pt=18)

#: More points than this a list never shows, however thin the one-pager (the audience's own limit applies first).
GROW_MAX_POINTS = 8

#: The mirror of STEPS for a one-pager that fits as designed but leaves its page too empty (less full than the
#: audit's onepager_unused): first what the one-pager's design leaves out of its block comes back (the points past
#: four, the overview, the other lists), then type and spacing open up within GROW_LIMITS, while it still
#: fits on its page. A step that changes nothing for a block costs no layout and is not reported.
GROW_STEPS: tuple[Step, ...] = (
    Step("added back the points past four in each list", max_points=GROW_MAX_POINTS),
    Step("added back the overview", add=("overview",)),
    # The block's other lists one at a time, the shortest kinds first, and spacing opened before the longest (the
    # priorities), so a list that would overflow the page keeps neither a shorter list nor the opened spacing out.
    Step("added back key actions", add=("key_actions",)),
    Step("added back other perspectives", add=("other_perspectives",)),
    Step("opened spacing", spacing=Spacing(size_pt=9.5, lead_size_pt=11.5, leading=1.44, gap_pt=12, item_pt=4.5,
                                           band_pt=16)),
    Step("added back modernization priorities", add=("modernization_priorities",)),
    Step("larger type and spacing to the limits (10pt text)", spacing=GROW_LIMITS),
)

#: Applied to a fitted one-pager whose flowing columns start uneven (the second opens mid-list while the first opens
#: on a heading): the first heading hangs above the columns, so both start on a line of text, level, and the second
#: column may not open on a heading (which would then sit a heading lower). Kept only if the columns then start
#: level and the page still fits.
HANG_HEADING = Step("hung the first heading above the columns so both start level", cls="fit-hang-heading")


#: How many more condensing steps a one-pager may take to make room for HANG_HEADING.
HANG_MORE_LEVELS = 4


def options(level: int, grow: int = 0, hang: bool = False) -> Variant:
    """Return the variant of a one-pager condensed to LEVEL (0: as designed), or grown by GROW steps."""
    drop: list[str] = []
    add: list[str] = []
    max_points: int | None = None
    spacing: Spacing | None = None
    classes: list[str] = []
    for step in STEPS[:level]:
        drop.extend(step.drop)
        max_points = step.max_points or max_points
        spacing = step.spacing or spacing
        classes += [step.cls] if step.cls else []
    if not level:
        for step in GROW_STEPS[:grow]:
            add.extend(step.add)
            max_points = step.max_points or max_points
            spacing = step.spacing or spacing
    if hang:
        classes.append(HANG_HEADING.cls)
    return Variant(drop=tuple(drop), add=tuple(add), max_points=max_points,
                   fit_css=spacing.css() if spacing else "", fit_classes=tuple(classes))


@dataclass
class Fitted:
    """A one-pager laid out on one page, and how it was condensed (or grown) to get there."""

    document: RenderedDocument
    layout: Layout
    level: int
    #: Grow steps applied (a thin one-pager that fitted as designed); 0 when it was condensed or is full enough.
    grow: int = 0
    #: Whether the first heading hangs above flowing columns (HANG_HEADING).
    hang: bool = False
    #: The labels of the steps that changed the one-pager (a step with nothing to act on is not listed).
    effective: list[str] | None = None
    #: Layouts the fit loop made.
    layouts: int = 0
    #: The layout audit's findings of LAYOUT (render.audit.Finding), made while hanging the heading; else None.
    findings: list | None = None

    @property
    def variant(self) -> Variant:
        return options(self.level, self.grow, self.hang)

    @property
    def applied(self) -> list[str]:
        return self.effective if self.effective is not None else ([step.label for step in STEPS[: self.level]]
                                  + [step.label for step in GROW_STEPS[: self.grow]]
                                  + ([HANG_HEADING.label] if self.hang else []))


def fit_onepager(project: Project, block_id: str, audience: str | None = None, *, strict: bool = False,
                 start: int | None = None, grow_start: int | None = None) -> Fitted:
    """Lay out BLOCK_ID's one-pager on one page, condensing as little as it needs; fail naming the overflow.

    START is the level that fitted last time: tried first, then one level less to confirm nothing looser fits, so
    an unchanged one-pager costs two layouts (one if it fits as designed) instead of a search. GROW_START is the grow
    level a thin one reached last time: tried first (one layout), the search from the design only if it overflows.
    A one-pager that fits but is too empty grows (GROW_STEPS); one whose columns start uneven gets HANG_HEADING.
    """
    setup = render_setup(project, audience)
    tried: dict[tuple[int, int, bool], Fitted] = {}
    layouts = 0
    rendered: dict[tuple[int, int, bool], RenderedDocument] = {}  # each level's HTML, rendered once

    def html(level: int, grow: int = 0, hang: bool = False) -> RenderedDocument:
        key = (level, grow, hang)
        if key not in rendered:
            rendered[key] = render_html(project, block_id, "onepager", audience, options(level, grow, hang),
                                        shared_styles=True)
        return rendered[key]

    # By what the layout depends on: a step with nothing to act on gives the same HTML, and a fit class no rule acts on
    # in this one-pager (no flowing sections to relax, no heading to hang) the same HTML as without it
    # (render.fitclasses): either lays out as the variant before it, at no cost.
    # Judged only against variants laid out with the same HTML but for its classes (parsing is not free).
    laid: dict[str, Layout] = {}
    by_plain: dict[str, list[str]] = {}
    rules, trees = setup.fit_rules(), {}

    def alike(text: str) -> Layout | None:
        plain = plain_html(text)
        if text in laid or plain is None or plain not in by_plain:
            return laid.get(text)
        key = layout_key(text, rules, trees)
        return next((laid[other] for other in by_plain[plain] if layout_key(other, rules, trees) == key), None)

    def attempt(level: int, grow: int = 0, hang: bool = False, doc: RenderedDocument | None = None) -> Fitted:
        nonlocal layouts
        key = (level, grow, hang)
        if key not in tried:
            doc = doc or html(level, grow, hang)
            layout = alike(doc.html)
            if layout is None:
                source = project.catalogue.file_of(doc.block)
                layout = laid[doc.html] = lay_out(doc.html, project.root, source, strict=strict,
                                                  styles=setup.styles())
                by_plain.setdefault(plain_html(doc.html) or doc.html, []).append(doc.html)
                layouts += 1
            tried[key] = Fitted(doc, layout, level, grow, hang)
        return tried[key]

    fits: Fitted | None = None
    if start == 0 and grow_start and 0 < grow_start <= len(GROW_STEPS):
        recorded = attempt(0, grow_start)
        if recorded.layout.pages == 1:
            fits = _grow(recorded, attempt, html, first=grow_start + 1)
    if fits is None:
        guess = None
        if start is None:  # a first build: a design with many words overflows; start at the level it likely needs
            design = html(0)
            if design_words(design.html) >= OVERFLOW_WORDS:
                guess = PREDICTED_LEVEL_PAST
        fits = _condense(project, block_id, start, attempt, guess)
        if fits.level == 0:
            fits = _grow(fits, attempt, html, first=1)
    fits = _hang(fits, attempt, block_id)
    fits.effective = _effective(fits, html)
    fits.layouts = layouts
    logger.info("%s: one-pager fitted at level %d, grown %d, in %d layout(s)%s", block_id, fits.level, fits.grow,
                layouts, f": {'; '.join(fits.applied)}" if fits.applied else "")
    return fits


def _condense(project: Project, block_id: str, start: int | None, attempt: Any,
              predicted: int | None = None) -> Fitted:
    """The lowest condensing level at which the one-pager fits one page (START tried first, else PREDICTED, else the
    design); fail if none does."""
    tried: dict[int, Fitted] = {}

    def at(level: int) -> Fitted:
        tried[level] = attempt(level)
        return tried[level]

    tightest_level = len(STEPS)
    guess: Fitted | None = None
    recorded = start is not None and 0 <= start <= tightest_level
    first = at(start if recorded else predicted if predicted is not None else 0)  # type: ignore[arg-type]
    # Steps only ever remove or tighten, so the levels that fit form a range [lowest, tightest]: find its start.
    if first.layout.pages == 1:
        fits, fails = first, -1
    else:
        # Gallop up from the first failure (one level more, then two, four...): most one-pagers need a step or
        # two, so this finds them in fewer layouts than bisecting the whole range from the tightest level.
        fails, step, tightest = first.level, 1, None
        if start is None and first.level == 0:  # a first build: first the level predicted from the overflow
            guess = at(predicted_level(first.layout.overflow_lines()))
            if guess.layout.pages == 1:
                tightest = guess
            else:
                fails = guess.level
        while tightest is None and fails < tightest_level:
            probe = at(min(fails + step, tightest_level))
            if probe.layout.pages == 1:
                tightest = probe
                break
            fails, step = probe.level, step * 2
        if tightest is None:
            tightest = at(tightest_level)
            over = tightest.layout.overflow_lines()
            source = project.catalogue.file_of(tightest.document.block)
            where = tightest.document.block.loc or Location(source)
            raise RenderError(
                f"one-pager for {block_id!r} does not fit one page: {over} line{'s' if over != 1 else ''} over "
                f"after condensing ({'; '.join(tightest.applied)})", Location(source, where.line),
                f"shorten the bottom line, summary or lists by about {over} lines; "
                "a one-pager is never two pages and its text is never set below 9pt")
        fits = tightest
    if fits.level - 1 > fails and (fits is first or fits is guess):
        # The usual case: the recorded or predicted level, confirmed by one level less failing (by the words'
        # guess, which may be a level high, two levels less at most before bisecting).
        for _ in range(2 if fits is first and not recorded and predicted is not None else 1):
            below = at(fits.level - 1)
            if below.layout.pages > 1:
                fails = below.level
                break
            fits = below
            if fits.level - 1 <= fails:
                break
    while fits.level - fails > 1:
        mid = at((fits.level + fails) // 2)
        if mid.layout.pages == 1:
            fits = mid
        else:
            fails = mid.level
    return fits


#: A first build's guess of the condensing level a one-pager needs, from how many lines its design runs past the
#: page (one layout): at most N lines over -> LEVEL, else PREDICTED_LEVEL_PAST. The guess is then confirmed (one
#: level less does not fit) or the search goes on from it, so it changes how many layouts are made, never the level
#: chosen. Drawn from the real catalogue: 2 to 12 lines over needed level 3 (flowing sections, no other
#: perspectives, no related strip), 13 to 29 lines level 4, some of them 7 or 8.
PREDICTED_LEVELS: tuple[tuple[int, int], ...] = ((12, 3),)
PREDICTED_LEVEL_PAST = 4


#: A first build lays out a one-pager whose design shows at least this many words (its visible text) at
#: PREDICTED_LEVEL_PAST first, not as designed: in the real catalogue the most words a one-pager that fitted as
#: designed showed is 426, and every one with more needed level 3 or more. Like PREDICTED_LEVELS it changes how many
#: layouts are made (the design's, an overflowing two-page one, is saved), never the level chosen.
OVERFLOW_WORDS = 430

_TAG = re.compile(r"<[^>]*>")


def design_words(html: str) -> int:
    """How many words a document's HTML shows (its body's text, tags and the head left out)."""
    body = html.find("<body")
    return len(_TAG.sub(" ", html[body if body >= 0 else 0:]).split())


def predicted_level(over: int) -> int:
    """The condensing level first tried for a one-pager whose design runs OVER lines past its page."""
    return next((level for most, level in PREDICTED_LEVELS if over <= most), PREDICTED_LEVEL_PAST)


def _unused(fits: Fitted) -> float:
    from briefgen.render.audit import onepager_unused

    return onepager_unused(fits.layout.document)


def _grow(fits: Fitted, attempt: Any, html: Any, first: int) -> Fitted:
    """Grow a one-pager that fits at FITS but is thin, step by step from grow step FIRST, keeping the last that fits.

    A step whose HTML is the same as the one before (nothing of its kind to put back) is passed over without a layout.
    """
    from briefgen.render.audit import THRESHOLDS

    previous = fits.document.html
    for grow in range(first, len(GROW_STEPS) + 1):
        if _unused(fits) <= THRESHOLDS.onepager_unused:
            break
        doc = html(0, grow)
        if doc.html == previous:
            fits = Fitted(fits.document, fits.layout, 0, grow)  # the same document: the same layout
            continue
        previous = doc.html
        grown = attempt(0, grow, doc=doc)
        if grown.layout.pages > 1:
            break
        fits = grown
    return fits


def _hang(fits: Fitted, attempt: Any, block_id: str) -> Fitted:
    """Hang the first heading above the columns when they start uneven and that levels them (HANG_HEADING)."""
    from briefgen.render.audit import audit

    fits.findings = audit(fits.layout.document, block_id, "onepager")  # kept: the output records them
    if not any(f.code == "column-tops" for f in fits.findings):
        return fits
    # The hung heading takes a line's room: when the page then overflows, the next condensing steps make it.
    for level in range(fits.level, min(fits.level + HANG_MORE_LEVELS, len(STEPS)) + 1):
        hung = attempt(level, fits.grow if level == fits.level else 0, True)
        if hung.layout.pages > 1:
            continue
        found = audit(hung.layout.document, block_id, "onepager")
        if not any(f.code == "column-tops" for f in found):
            hung.findings = found
            return hung
        break
    return fits


def _effective(fits: Fitted, html: Any) -> list[str]:
    """The labels of the steps up to FITS's levels that changed the document (HTML differs from one step less)."""
    def text(level: int, grow: int) -> str:
        return html(level, grow).html

    labels = [step.label for i, step in enumerate(STEPS[: fits.level], 1) if text(i, 0) != text(i - 1, 0)]
    labels += [step.label for i, step in enumerate(GROW_STEPS[: fits.grow], 1) if text(0, i) != text(0, i - 1)]
    return labels + ([HANG_HEADING.label] if fits.hang else [])


@dataclass(frozen=True)
class BriefStep:
    """One way of mending a brief's layout (a runt last page, a page left blank, a sidebar taller than page 1)."""

    label: str
    #: The class this step puts on the body (print.css's "Fit steps" rules).
    cls: str = ""
    #: Sections moved to the front of the brief (the sidebar, beside the opening).
    promote: tuple[str, ...] = ()


#: Every brief step, by name: each switches a class whose rules are in print.css ("Fit steps"). Body text size never
#: changes.
BRIEF_STEPS: dict[str, BriefStep] = {
    "sidebar_up": BriefStep("moved the sidebar up beside the opening (after the first section)",
                            promote=("sidebar",)),
    "sidebar_figures": BriefStep("kept the sidebar to its first four figures (Examples gives the rest)",
                                 "fit-sidebar-figures"),
    "last_action": BriefStep("let a card's last action start a page", "fit-last-action"),
    "open": BriefStep("opened spacing between parts", "fit-open"),
    "open_more": BriefStep("opened spacing and leading (lines 1.5 apart)", "fit-open-more"),
    # The last parts before the source notes (whatever furniture follows the notes).
    "carry_last": BriefStep("carried the last section over to the last page", "fit-carry-last"),
    "carry_two": BriefStep("carried the last two sections over to the last page", "fit-carry-two"),
    "notes_2col": BriefStep("set the source notes in two columns", "fit-notes-2col"),
    "notes_1col": BriefStep("set the source notes in one column (a fuller last page)", "fit-notes-1col"),
    "tighten": BriefStep("tightened spacing between parts", "fit-tighten"),
    "tighten_more": BriefStep("tightened spacing between parts further, and the notes' leading", "fit-tighten-more"),
    "further_runin": BriefStep("set further reading run in, one paragraph after its label", "fit-further-runin"),
    "sidebar_tight": BriefStep("tightened the sidebar and the title band", "fit-sidebar-tight"),
    "notes_over": BriefStep("started the source notes on the last page", "fit-notes-over"),
}

#: How the page steps combine, tried in this order after the design (the first that leaves no finding wins): what
#: frees a blocked break, then spacing that pushes a runt tail's lines onto a fuller last page, then what pulls a
#: short tail back (notes in columns, tighter spacing, then tighter still, further reading run in), then more open
#: leading (1.5), then the closing sections carried over to fill the last page. No step hides content.
_PAGE_COMBOS: tuple[tuple[str, ...], ...] = (
    ("last_action",), ("open",), ("last_action", "open"), ("notes_2col",), ("notes_2col", "tighten"),
    ("notes_2col", "tighten", "further_runin"), ("notes_2col", "tighten_more"),
    ("notes_2col", "tighten_more", "further_runin"), ("last_action", "notes_2col", "tighten", "further_runin"),
    ("last_action", "notes_2col", "tighten", "further_runin", "sidebar_tight"), ("open_more",),
    ("last_action", "open_more"), ("carry_last", "open"), ("carry_two", "open"), ("last_action", "carry_last", "open"),
    ("carry_last", "open_more"), ("notes_1col",), ("notes_1col", "open"), ("carry_last",), ("carry_last", "notes_1col"),
)
#: What a sidebar taller than the room beside it gets first: moved up, then fewer figures.
_SIDEBAR_COMBOS: tuple[tuple[str, ...], ...] = (("sidebar_up",), ("sidebar_up", "sidebar_figures"))

#: Declared after the others (so recorded levels keep their numbers): a short brief's back page holds the notes,
#: further reading and the colophon, rather than those two alone as a runt.
_LATE_COMBOS: tuple[tuple[str, ...], ...] = (("notes_over",), ("notes_over", "open"))

#: The declared brief fit levels: level 0 is the design; level N applies BRIEF_LEVELS[N]'s steps.
BRIEF_LEVELS: tuple[tuple[str, ...], ...] = (
    (), *_PAGE_COMBOS, *[s + c for s in _SIDEBAR_COMBOS for c in ((), *_PAGE_COMBOS)], *_LATE_COMBOS)

#: The audit findings the brief fit loop mends (notes are the content's to mend, not the layout's).
BRIEF_FIXES = frozenset({"page-blank", "last-page-runt", "split-sidebar", "sidebar-late", "split-card",
                         "split-figure", "heading-short", "empty-tint"})

#: The most levels a brief's fit search tries. A brief no level mends would otherwise try every level (a layout
#: each, but a level that lays out as one tried before costs none); past this the levels left are not tried, the
#: best found so far is kept and the audit reports what is left. On the real catalogue a brief that some level
#: mends finds it within 17 tries.
BRIEF_SEARCH_LAYOUTS = 24

# Kept for callers of the earlier API: the tail steps are BRIEF_STEPS' pull-back steps.
TAIL_STEPS: tuple[BriefStep, ...] = tuple(BRIEF_STEPS[n] for n in ("notes_2col", "tighten", "further_runin"))


@dataclass
class FittedBrief:
    """A brief laid out, and the brief steps that mended its layout (none for most briefs)."""

    document: RenderedDocument
    layout: Layout
    level: int
    #: Layouts the fit loop made.
    layouts: int = 0
    #: The audit's findings that the fit loop mends, still there (none when it is clean).
    codes: frozenset[str] = frozenset()
    #: The block's file (project-relative).
    file: str = ""
    #: Every finding the layout audit made of the layout (the fit loop's, kept for the output's record).
    findings: list = field(default_factory=list)

    @property
    def left(self) -> int:
        return len(self.codes)

    @property
    def applied(self) -> list[str]:
        return [BRIEF_STEPS[name].label for name in BRIEF_LEVELS[self.level]]


#: The audit findings of a sidebar not whole beside the opening: what only the sidebar and what precedes it mend.
SIDEBAR_FINDINGS = frozenset({"split-sidebar", "sidebar-late"})


def _sidebar_stays(html: str, key: Any, tried: dict[Any, FittedBrief], rules: list, trees: dict[str, Any]) -> bool:
    """Whether a level (HTML, its layout KEY) cannot mend a sidebar finding: a level TRIED with the same HTML shows
    one, and every fit class this level adds to that one's styles only what follows the sidebar (it is a float,
    placed by what precedes it; what follows cannot bring it whole onto its page). Then the level has such a finding
    too, and the search need not lay it out to know it is not clean."""
    if key is None:
        return False
    return any(plain == key[0] and fitted.codes & SIDEBAR_FINDINGS and live < key[1]
               and acts_after(html, key[1] - live, rules, "sidebar", trees)
               for (plain, live), fitted in tried.items())


def _search_order(codes: frozenset[str]) -> list[int]:
    """The levels after the design, the ones that answer what the design's findings CODES show first: the sidebar's
    for a sidebar finding; a card's last action freed for a blank page or split card, after the others for a runt
    alone (the declared order otherwise kept)."""
    sidebar = bool(codes & SIDEBAR_FINDINGS)
    cards = bool(codes & {"page-blank", "split-card"})

    def moves_sidebar(level: int) -> bool:
        return any(name in ("sidebar_up", "sidebar_figures") for name in BRIEF_LEVELS[level])

    return sorted(range(1, len(BRIEF_LEVELS)), key=lambda level: (moves_sidebar(level) != sidebar,
                                                                 not cards and "last_action" in BRIEF_LEVELS[level]))


def last_page_fill(layout: Layout) -> float:
    """How full the last page of LAYOUT is, as a fraction of its text area (1.0 for a one-page document)."""
    from briefgen.render.audit import page_fills

    fills = page_fills(layout.document)
    return fills[-1] if len(fills) > 1 else 1.0


def brief_options(level: int) -> Variant:
    """The variant of a brief at fit LEVEL."""
    steps = [BRIEF_STEPS[name] for name in BRIEF_LEVELS[level]]
    return Variant(fit_classes=tuple(s.cls for s in steps if s.cls),
                   promote=tuple(p for s in steps for p in s.promote))


def fit_brief(project: Project, block_id: str, audience: str | None = None, *, strict: bool = False,
              start: int | None = None, search: bool = True) -> FittedBrief:
    """Lay out BLOCK_ID's brief; when the audit finds a page defect, try BRIEF_LEVELS in order until one is clean.

    Most briefs cost one layout. START is the level recorded last time: tried first and kept if clean (one layout);
    without SEARCH it is the only layout made.
    A brief whose sidebar splits or starts late tries the sidebar levels first, any other the page levels first.
    When no level is clean (or BRIEF_SEARCH_LAYOUTS layouts found none) the one with the fewest findings is kept (the
    design on a tie), and the audit reports what is left.
    """
    from briefgen.render.audit import audit

    setup = render_setup(project, audience)
    rules = setup.fit_rules()
    layouts = tries = 0
    # A level whose fit classes no rule acts on in this brief (no cards, no further reading) lays out as one tried
    # before: its layout and findings are that one's, at no cost (render.fitclasses).
    alike: dict[tuple[str, frozenset[str]], FittedBrief] = {}

    trees: dict[str, Any] = {}  # the brief's HTML parsed once for the rules' matching (render.fitclasses)

    def attempt(level: int, defer: bool = False) -> FittedBrief | None:
        nonlocal layouts, tries
        tries += 1
        doc = render_html(project, block_id, "brief", audience, brief_options(level), shared_styles=True)
        source = project.catalogue.file_of(doc.block)
        key = layout_key(doc.html, rules, trees)
        twin = alike.get(key) if key is not None else None
        if twin is not None:
            return FittedBrief(doc, twin.layout, level, codes=twin.codes, file=source, findings=twin.findings)
        if defer and _sidebar_stays(doc.html, key, alike, rules, trees):
            return None  # cannot be clean; laid out only if no level is (for the fewest findings)
        layout = lay_out(doc.html, project.root, source, strict=strict, styles=setup.styles())
        layouts += 1
        findings = audit(layout.document, block_id, "brief")
        fitted = FittedBrief(doc, layout, level, codes=frozenset(f.code for f in findings if f.code in BRIEF_FIXES),
                             file=source, findings=findings)
        if key is not None:
            alike[key] = fitted
        return fitted

    def done(fitted: FittedBrief) -> FittedBrief:
        fitted.layouts = layouts
        if fitted.level:
            logger.info("%s: brief fitted at level %d in %d layout(s): %s", block_id, fitted.level, layouts,
                        "; ".join(fitted.applied))
        return fitted

    if not search:  # one layout, at the recorded level (or the design), whatever the audit finds
        return done(attempt(start if start and 0 < start < len(BRIEF_LEVELS) else 0))
    if start and 0 < start < len(BRIEF_LEVELS):
        recorded = attempt(start)
        if recorded is not None and not recorded.left:
            return done(recorded)
    first = attempt(0)
    assert first is not None
    if not first.left:
        return done(first)
    found: list[FittedBrief | int] = [first]  # each level tried, in order (a deferred one by its number)
    for level in _search_order(first.codes):
        if level == start:
            continue  # tried above
        if tries >= BRIEF_SEARCH_LAYOUTS:
            logger.info("%s: brief fit search stopped after %d levels, keeping the best found", block_id, tries)
            break
        tried = attempt(level, defer=True)
        if tried is not None and not tried.left:
            return done(tried)
        found.append(tried if tried is not None else level)
    # No level is clean: the first with the fewest findings (deferred levels laid out now, in their place).
    tried_all = [item if isinstance(item, FittedBrief) else attempt(item) for item in found]
    return done(min(tried_all, key=lambda fitted: fitted.left))  # type: ignore[arg-type, union-attr]
