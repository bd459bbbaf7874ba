"""Render the book in cached segments and assemble it."""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from briefgen._version import tool_id
from briefgen.config.inputs import ASSET_GLOBS, web_only
from briefgen.errors import Location, RenderError, display_path
from briefgen.project import Project
from briefgen.render.audit import THRESHOLDS, Finding, audit
from briefgen.render.book.merge import DEST_SCHEME, merge_book
from briefgen.render.collect import fewer_collections
from briefgen.render.fitclasses import layout_key
from briefgen.render.pdf import lay_out, layouts_made, write_pdf
from briefgen.render.setup import BOOK_SEGMENT_STYLES, render_setup
from briefgen.safeio import CACHE_LIMIT, UnsafeFile, check_folder, hash_file, read_inside
from briefgen.write import write_atomic

if TYPE_CHECKING:
    from briefgen.render.book.plan import Book




_TAG = re.compile(r"<[^>]*>")
log = logging.getLogger(__name__)
#: The largest cached segment PDF read back (a chapter is a few hundred kilobytes).
SEGMENT_LIMIT = 200_000_000
#: A cached segment's name: its key, 32 hex digits.
_SEGMENT_NAME = re.compile(r"\A[0-9a-f]{32}\Z")


def is_plain(path: Path) -> bool:
    """Whether PATH itself (not followed) is a regular file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _page_count(data: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


#: Renders SegmentWork jobs to segments, in this process or in warm workers.
RenderMany = Callable[[list["SegmentWork"]], list["Rendered"]]


def assets_digest(root: Path) -> str:
    """Hash every file a segment's HTML may load (stylesheets, fonts, images, brand)."""
    h = hashlib.sha256()
    for pattern in ASSET_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and not web_only(path.relative_to(root).as_posix()):
                h.update(path.relative_to(root).as_posix().encode() + b"\0")
                try:
                    h.update(hash_file(path).encode())  # in chunks: a huge stray image costs time, not memory
                except OSError:
                    h.update(b"unreadable")
    return h.hexdigest()


@dataclass(frozen=True)
class SegmentFit:
    """How a segment's render is asked to go: only measured, or at the tail level a measure found.

    A chapter that prints other chapters' pages is first written with stand-in numbers to learn its pages, then
    again with the real ones: on a first build the stand-in pass is only measured (laid out and its runt tail
    mended, no PDF; the layout kept in this process, MEASURED), and the real pass takes that layout with its page
    references renumbered when the process still holds it and that provably lays out alike, else tries the tail
    level it found first (stand-ins are as wide as real numbers, so the same level mends both), searching again only
    if that level does not mend it.
    """

    #: Lay out and mend only: the pages and the tail level, no PDF, no audit.
    measure: bool = False
    #: The tail level (render.book.segments.tail_classes) a measure found: tried first.
    tail: int | None = None
    #: The measured segment's pages and faults before any tail step (what the tail and push steps are judged against).
    base_pages: int = 0
    base_faults: frozenset[str] = frozenset()
    #: The tail level the last book kept for this segment (its HTML since changed): tried first, and kept when that
    #: layout shows no finding at all (an edited chapter then costs one layout, not a search from the design).
    recorded: int = 0
    #: The measured HTML (its digest, MEASURED's key) and the page references that change from it to this HTML:
    #: when this process still holds that layout and the new numbers provably lay out alike (render.book.renumber),
    #: they are printed into it instead of laying the segment out again.
    measured_as: str = ""
    renumber: tuple[tuple[str, int, int], ...] = ()


#: The layouts this process measured (SegmentFit.measure), by the digest of their HTML: the level, the layout, its
#: pages and faults before any tail step. The job that writes the segment with its real page numbers takes it back.
MEASURED: dict[str, tuple[int, object, int, frozenset[str]]] = {}
#: Most measured layouts a process keeps (the oldest go first; a chapter's layout is about 0.75 MB): enough for the
#: measured chapters of four books bound at once (build --audience all) to wait for their second batch.
MEASURED_LIMIT = 96


def html_digest(html: str) -> str:
    """The key of a segment's HTML in MEASURED."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


#: A segment to render: label, HTML, source, whether the audience's shared stylesheets apply, and how (SegmentFit).
SegmentWork = tuple[str, str, str, bool, SegmentFit]


@dataclass(frozen=True)
class SegmentJob:
    """Render one segment's HTML to a PDF and read its pages and anchors (runs in a worker or in-process)."""

    html: str
    source: str
    strict: bool = False
    label: str = ""
    #: The audience whose parsed stylesheets apply (BOOK_SEGMENT_STYLES); "" when the HTML carries its own.
    audience: str = ""
    fit: SegmentFit = SegmentFit()

    def run(self, project: Project) -> Rendered:
        """Render the segment with PROJECT's files (and its audience's stylesheets, parsed once per process), and
        audit its layout from the same render (pages numbered within the segment); only measure it when asked."""
        with fewer_collections():
            return self._run(project)

    def _run(self, project: Project) -> Rendered:
        setup = render_setup(project, self.audience) if self.audience else None
        styles = setup.styles(BOOK_SEGMENT_STYLES) if setup else None
        rules = setup.fit_rules(BOOK_SEGMENT_STYLES) if setup else []
        made = layouts_made()
        audits = _Audits()
        alike: dict = {}  # a level whose tail classes no rule matches in this segment lays out as one tried before
        trees: dict = {}  # the segment's HTML parsed once for the rules' matching (render.fitclasses.layout_key)

        def lay_out_at(level: int):  # noqa: ANN202 - a render.pdf.Layout
            html = with_classes(self.html, tail_classes(level))
            key = layout_key(html, rules, trees) if setup else None
            if key is None:
                return lay_out(html, project.root, self.source, strict=self.strict, styles=styles)
            if key not in alike:
                alike[key] = lay_out(html, project.root, self.source, strict=self.strict, styles=styles)
            return alike[key]

        audited = self.label.startswith(SEGMENT_PREFIX) and self.label[len(SEGMENT_PREFIX):] not in (FOLIOS, PROBE)
        layout, level, base_pages, base_faults = None, 0, 0, frozenset()
        if audited and self.fit.tail is None and 0 < self.fit.recorded <= len(CHAPTER_TAIL_STEPS):
            tried = lay_out_at(self.fit.recorded)  # a push step is judged against the design: not tried alone
            if not audits.faults(tried):
                layout, level = tried, self.fit.recorded
        if audited and self.fit.tail is not None:  # the level a measure found (0: none mends, or none needed)
            tried = self._renumbered() or lay_out_at(self.fit.tail)
            if not self.fit.tail or audits.mends(tried, self.fit.tail, self.fit.base_pages, self.fit.base_faults):
                layout, level, base_pages, base_faults = tried, self.fit.tail, self.fit.base_pages, self.fit.base_faults
        if layout is None:
            layout = lay_out_at(0)
            base_pages = layout.pages
            if audited:
                base_faults = frozenset(audits.faults(layout))
                if base_faults & (MENDED | {"runt"}):
                    layout, level = _mend_tail(layout, lay_out_at, base_faults, audits)
        if self.fit.measure:
            if audited:  # a chapter, written next with its real page references (the contents' probe is not kept)
                MEASURED[html_digest(self.html)] = (level, layout, base_pages, base_faults)
                while len(MEASURED) > MEASURED_LIMIT:
                    MEASURED.pop(next(iter(MEASURED)))
            return Rendered(b"", layout.pages, {}, layouts=layouts_made() - made, tail=level, base_pages=base_pages,
                            base_faults=base_faults)
        findings = [replace(f, document=self.label).as_dict() for f in audits.of(layout)] if audited else []
        rendered = describe_pdf(write_pdf(layout).data)
        rendered.findings = findings
        rendered.layouts = layouts_made() - made
        rendered.level = level
        return rendered

    def _renumbered(self):  # noqa: ANN202 - a render.pdf.Layout, or None
        """The layout this process measured for this segment at its tail level, its page references renumbered to
        this job's (render.book.renumber), or None when it holds none or the new numbers could lay out otherwise."""
        from briefgen.render.book.renumber import renumber, renumbered_html

        held = MEASURED.pop(self.fit.measured_as, None) if self.fit.measured_as else None
        if held is None or held[0] != self.fit.tail:
            return None
        # This job's HTML with the numbers the measure printed must be the HTML measured, byte for byte.
        back = renumbered_html(self.html, tuple((anchor, new, old) for anchor, old, new in self.fit.renumber))
        if back is None or html_digest(back[0]) != self.fit.measured_as:
            return None
        level, layout = held[0], held[1]
        classes = tail_classes(level)
        if not renumber(layout, with_classes(back[0], classes), with_classes(self.html, classes), self.fit.renumber):
            log.debug("%s: page references not printed into the measured layout: laid out again", self.label)
            return None
        return layout


@dataclass(frozen=True)
class ChapterTailStep:
    """One way of pulling a chapter's runt last page back onto the page before (or carrying more onto it)."""

    label: str
    #: The class the step puts on the segment's body: its rules are in templates/css/book.css ("Chapter tail steps").
    cls: str


#: Tried in order, inside the segment's own render, when a chapter's last page is a runt (less full than the
#: audit's segment_last_fill): spacing between parts, short lists, quotations, headings, leading, then the
#: sidebar's related lists (the only content a step leaves out; none of it is cited). Steps are cumulative (level N
#: puts the first N classes on the body). Body text size never changes; a step is kept only if it removes the runt.
CHAPTER_TAIL_STEPS: tuple[ChapterTailStep, ...] = (
    ChapterTailStep("tightened spacing between parts", "tail-tighten"),
    ChapterTailStep("set the list of obstacles a recommendation answers in two columns", "tail-addresses-2col"),
    ChapterTailStep("set quotations at 11pt", "tail-quotes"),
    ChapterTailStep("tightened the space around headings and the bottom-line box", "tail-headings"),
    ChapterTailStep("tightened leading (to 1.34)", "tail-leading"),
    ChapterTailStep("tightened leading (to 1.28)", "tail-leading-more"),
    ChapterTailStep("left out the sidebar's lists of related chapters (the matrix and the chapter's own "
                    "recommendation references name them)", "tail-no-related"),
)


#: Tried one by one, each on its own, when no tail step pulls a runt last page back: open the spacing and leading
#: so more of the chapter runs onto its last page (kept only if the page count stays and the runt is gone).
CHAPTER_PUSH_STEPS: tuple[ChapterTailStep, ...] = (
    ChapterTailStep("opened leading (to 1.5) to carry more onto the last page", "push-leading"),
    ChapterTailStep("opened spacing between parts and leading (to 1.5)", "push-open"),
    ChapterTailStep("opened spacing between parts and leading (to 1.6)", "push-open-more"),
    # A data figure that would stand alone on the chapter's last page takes the two sections before it along, so the
    # page reads as the chapter's detail with its chart, not a chart on an empty page.
    ChapterTailStep("carried the two sections before the figures onto their page", "push-carry-figures"),
)


def with_classes(html: str, classes: list[str]) -> str:
    """HTML with CLASSES added to its body element's class list (the tail steps' switches)."""
    return html.replace('<body class="', f'<body class="{" ".join(classes)} ', 1) if classes else html


#: What the tail and push steps mend in a segment besides a runt last page: a figure left alone on its page, a heading
#: stranded at a page foot (both move when text is pulled back or carried on).
MENDED = frozenset({"figure-alone", "heading-short"})


class _Audits:
    """Each layout's audit findings, made once: the tail search judges a layout by them, and the segment keeps those
    of the layout it writes."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[object, list[Finding]]] = {}  # id -> (the layout, kept alive; its findings)

    def of(self, layout) -> list[Finding]:  # noqa: ANN001 - a render.pdf.Layout
        """LAYOUT's audit findings, named "segment"."""
        if id(layout) not in self._made:
            self._made[id(layout)] = (layout, audit(layout.document, "segment", "book"))
        return self._made[id(layout)][1]

    def faults(self, layout) -> set[str]:  # noqa: ANN001 - a render.pdf.Layout
        """Every audit finding LAYOUT shows, by code, and "runt" for a runt last page."""
        return {f.code for f in self.of(layout)} | ({"runt"} if _runt(layout) else set())

    def mends(self, tried, level: int, base_pages: int, before: frozenset[str]) -> bool:  # noqa: ANN001 - a Layout
        """Whether TRIED, laid out at tail LEVEL (1 or more), mends a segment of BASE_PAGES pages whose design showed
        BEFORE: it leaves none of the faults the steps mend and adds no other finding (a pulled-back layout one page
        shorter may keep a runt); a push step keeps the page count. A layout that keeps the page count and the runt
        is refused before it is audited (the search's usual case)."""
        shorter = level <= len(CHAPTER_TAIL_STEPS) and tried.pages < base_pages
        if level > len(CHAPTER_TAIL_STEPS) and tried.pages != base_pages:
            return False
        if not shorter and _runt(tried):
            return False
        left = self.faults(tried)
        mended = MENDED | {"runt"}
        return left <= before and (not left & mended or (shorter and not left & MENDED))


def tail_classes(level: int) -> list[str]:
    """The body classes of tail level LEVEL: 0 none, 1 to len(CHAPTER_TAIL_STEPS) that many tail steps (cumulative),
    then each push step on its own."""
    if level <= len(CHAPTER_TAIL_STEPS):
        return [step.cls for step in CHAPTER_TAIL_STEPS[:level]]
    return [CHAPTER_PUSH_STEPS[level - len(CHAPTER_TAIL_STEPS) - 1].cls]


def _mend_tail(layout, lay_out_at, before: frozenset[str], audits: _Audits):  # noqa: ANN001, ANN202 - a Layout
    """A chapter's LAYOUT with a runt tail (or a lone figure, a stranded heading), BEFORE its faults, mended, and its
    tail level: pulled back by the cumulative tail steps, else carried further onto its last page by a push step
    without adding a page; unchanged (level 0) when neither works."""
    for level in range(1, len(CHAPTER_TAIL_STEPS) + len(CHAPTER_PUSH_STEPS) + 1):
        tried = lay_out_at(level)
        if audits.mends(tried, level, layout.pages, before):
            return tried, level
    return layout, 0


def _runt(layout) -> bool:  # noqa: ANN001 - a render.pdf.Layout
    """Whether LAYOUT's last page (after the first) is a runt: the audit's segment_last_fill and runt_lines."""
    from briefgen.render.audit import page_fills

    fills = page_fills(layout.document)
    return len(fills) > 1 and fills[-1] < THRESHOLDS.segment_last_fill


#: Labels of the book's own segments (audited); the page-number stamp is not one.
SEGMENT_PREFIX = "book/"


def render_locally(project: Project, strict: bool = False, audience: str | None = None) -> RenderMany:
    """Render segments one after another in this process, with AUDIENCE's stylesheets (default: the project's)."""
    audience = audience or project.config.default_audience

    def many(jobs: list[SegmentWork]) -> list[Rendered]:
        return [SegmentJob(html, source, strict, f"book/{label}", audience if shared else "", fit).run(project)
                for label, html, source, shared, fit in jobs]

    return many


@dataclass
class BookResult:
    """What assembling the book did: its file, its pages, which segments were rendered and which reused."""

    path: Path
    pages: int
    rendered: list[str]
    reused: list[str]
    starts: dict[str, int]
    #: The layout audit's findings (render.audit.Finding.as_dict()), pages numbered as the book's pages.
    findings: list[dict] = field(default_factory=list)
    #: Layouts made (segments rendered, their tail mended, the contents and page numbers).
    layouts: int = 0


@dataclass
class Rendered:
    """A rendered segment: its PDF, its page count, and where each of its anchors lies (page index, x, y)."""

    data: bytes
    pages: int
    anchors: dict[str, tuple[int, float, float]]
    #: The anchors its links go to in other segments (written under DEST_SCHEME).
    links: list[str] = field(default_factory=list)
    #: What the layout audit found in the segment (pages numbered within it).
    findings: list[dict] = field(default_factory=list)
    #: Layouts made to render it (0 when it came from the cache).
    layouts: int = 0
    #: A measure (SegmentFit.measure): the tail level that mended it and its pages before, and no PDF.
    tail: int | None = None
    base_pages: int = 0
    base_faults: frozenset[str] = frozenset()
    #: The tail level it was written at (0: as designed).
    level: int = 0

    @property
    def measured(self) -> bool:
        return self.tail is not None


def describe_pdf(data: bytes) -> Rendered:
    """Read a segment PDF once: page count, named destinations, and the anchors its links go to."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        anchors: dict[str, tuple[int, float, float]] = {}
        names = pdf.Root.get("/Names")
        if names is not None and "/Dests" in names:
            for name, dest in pikepdf.NameTree(names.Dests).items():
                dest = dest.get("/D", dest) if isinstance(dest, pikepdf.Dictionary) else dest
                page = index.get(dest[0].objgen)
                if page is not None:
                    anchors[str(name)] = (page, float(dest[2]), float(dest[3]))
        links = [str(annot.A.URI)[len(DEST_SCHEME):] for page in pdf.pages for annot in page.obj.get("/Annots", [])
                 if "/A" in annot and str(annot.A.get("/URI", "")).startswith(DEST_SCHEME)]
        return Rendered(data, len(pdf.pages), anchors, sorted(set(links)))


class SegmentCache:
    """Rendered segment PDFs (and a note of their pages and anchors) kept by the hash of what shapes them."""

    def __init__(self, folder: Path, salt: str, base: Path | None = None) -> None:
        self.folder = folder
        self.salt = salt
        #: The output folder the cache lies in: no folder from it down to the cache may be a link.
        self.base = base if base is not None else folder
        self.used: set[str] = set()
        #: Layouts the segments rendered into this cache took (the book's count for the bench).
        self.layouts = 0
        check_folder(folder / "state.json", self.base)

    def key(self, html: str) -> str:
        return hashlib.sha256((self.salt + "\0" + html).encode("utf-8")).hexdigest()[:32]

    def get(self, key: str) -> Rendered | None:
        self.used.add(key)
        pdf, meta = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        try:
            info = json.loads(read_inside(meta, self.folder, CACHE_LIMIT).decode("utf-8"))
            data = read_inside(pdf, self.folder, SEGMENT_LIMIT)
            if hashlib.sha256(data).hexdigest() != info["sha256"]:
                return None
            # Re-verified, cheaply: the PDF opens, has the pages the note says, and came from this cache key (the
            # key is written into the note); the note alone cannot make the book bind foreign pages.
            if info.get("key") != key or _page_count(data) != int(info["pages"]):
                log.info("book cache entry %s does not verify: rendered again", key)
                return None
            return Rendered(data, int(info["pages"]), {k: tuple(v) for k, v in info["anchors"].items()},
                            list(info["links"]), list(info["findings"]), level=int(info.get("level", 0)))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None

    def put(self, key: str, rendered: Rendered) -> Rendered:
        self.used.add(key)
        data = rendered.data
        write_atomic(self.folder / f"{key}.pdf", data, inside=self.base)
        write_atomic(self.folder / f"{key}.json", json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "key": key,
                                                             "pages": rendered.pages, "anchors": rendered.anchors,
                                                             "links": rendered.links,
                                                             "findings": rendered.findings,
                                                             "level": rendered.level}), inside=self.base)
        return rendered

    def prune(self) -> None:
        """Delete cached segments the latest book did not use: plain files named like segments only, in a cache
        folder that is no link (a link would point the deletion elsewhere)."""
        check_folder(self.folder / "state.json", self.base)
        for path in [*self.folder.glob("*.pdf"), *self.folder.glob("*.json")]:
            if path.stem not in self.used and path.name != "state.json" and _SEGMENT_NAME.match(path.stem) \
                    and is_plain(path):
                path.unlink(missing_ok=True)


def _render_missing(cache: SegmentCache, render_many: RenderMany,
                    jobs: list[tuple[str, str, str, SegmentFit]], shared: bool = True,
                    ) -> tuple[dict[str, Rendered], list[str]]:
    """Render the JOBS (label, html, source, fit) the cache lacks in one batch: every job's segment, labels rendered.

    SHARED: the HTML leaves its stylesheets to the audience's parsed ones (segments and contents); the page
    numbers carry their own. A measure (no PDF) is not cached."""
    done: dict[str, Rendered] = {}
    missing = []
    for label, html, source, fit in jobs:
        key = cache.key(html)
        cached = cache.get(key)
        if cached is None:
            missing.append((label, html, source, fit, key))
        else:
            done[label] = cached
    # Longest first: the workers finish together instead of one of them rendering the last long chapter alone.
    missing.sort(key=lambda job: len(_TAG.sub("", job[1])), reverse=True)
    if missing:
        results = render_many([(label, html, source, shared and label != FOLIOS, fit)
                               for label, html, source, fit, _key in missing])
        for (label, _html, _source, _fit, key), result in zip(missing, results):
            cache.layouts += result.layouts
            done[label] = result if result.measured else cache.put(key, result)
    return done, [job[0] for job in missing]


def _starts(book: Book, done: dict[str, Rendered], front_pages: int) -> dict[str, int]:
    """The page each contents entry starts on, the front matter taking FRONT_PAGES pages."""
    starts: dict[str, int] = {}
    page = front_pages + 1
    for seg in book.segments:
        for entry in seg.entries:
            starts[entry.anchor] = page
        page += done[seg.key].pages
    return starts


#: Labels of the jobs that are not segments of the plan.
FRONT, PROBE, FOLIOS = "front", "front-probe", "folios"

#: Sources named in messages about the front matter and the page numbers.
FRONT_SOURCE, FOLIO_SOURCE = "templates/book/front.html.j2", "templates/book/folios.html.j2"


def render_book(book: Book, out_path: Path, cache_dir: Path, render_many: RenderMany, *,
                strict: bool = False, base: Path | None = None) -> BookResult:
    """Render BOOK to OUT_PATH: only segments whose HTML or assets changed are laid out again.

    Batches: every changed segment (and, when no earlier build recorded how many pages the contents take, the
    contents with stand-in page numbers, to learn that), then the contents and the page numbers together. A chapter
    that prints another chapter's page ("see Recommendation 2, p. 121") is written with the pages the last build
    recorded (stand-ins as wide as real ones on a first build) and written again, with the contents, while the
    pages it prints are not the ones the book has: on a first build once (from its measured layout, renumbered,
    where render.book.renumber allows: no second layout), later only when those pages move.
    """
    root = book.project.root
    # The audit's limits too: a cached segment keeps the findings measured with them.
    base = base if base is not None else cache_dir
    try:
        cache = SegmentCache(cache_dir, f"{tool_id()}\0{assets_digest(root)}\0{int(strict)}\0{THRESHOLDS!r}", base)
    except UnsafeFile as exc:
        raise RenderError(f"the book's cache is unsafe: {exc.why}", Location(display_path(cache_dir / "state.json")),
                          f"delete {display_path(cache_dir)} (it is rebuilt) and make it a real folder") from None
    state_file = cache_dir / "state.json"
    try:
        state = json.loads(read_inside(state_file, cache_dir, CACHE_LIMIT).decode("utf-8"))
        front_pages: int | None = int(state["front_pages"])
        known = {str(k): int(v) for k, v in state.get("starts", {}).items()}
        tails = {str(k): int(v) for k, v in state.get("tails", {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        front_pages, known, tails = None, {}, {}
    wide = 10 ** len(str(len(book.segments) * 4)) - 1  # stand-in numbers as wide as real ones
    stand_in = {entry.anchor: wide for entry in book.entries}
    printed = {**stand_in, **known}  # the pages chapters print, by anchor
    # A chapter that will print a stand-in is written again with the real pages: this time it is only measured.
    jobs = [(seg.key, book.segment_html(seg.html_fragment(printed)), seg.source,
             SegmentFit(measure=any(a not in known for a in seg.refs), recorded=tails.get(seg.key, 0)))
            for seg in book.segments]
    if front_pages is None:  # the contents with stand-ins take as many pages as with real numbers
        jobs.append((PROBE, book.segment_html(book.front_fragment(stand_in)), FRONT_SOURCE, SegmentFit(measure=True)))
    else:
        jobs += _front_as_before(book, known)
    measured_html = {label: html for label, html, _source, fit in jobs if fit.measure}
    done, rendered = _render_missing(cache, render_many, jobs)
    done.pop(FRONT, None)  # cached: the second batch finds it when the chapters start where they did
    if front_pages is None:
        front_pages = done.pop(PROBE).pages
    for _attempt in range(4):
        body_pages = sum(done[s.key].pages for s in book.segments)
        starts = _starts(book, done, front_pages)
        stale = [seg for seg in book.segments
                 if done[seg.key].measured or any(printed.get(a) != starts.get(a) for a in seg.refs)]
        was, printed = printed, dict(starts)
        final, fresh = _render_missing(cache, render_many, [
            (FRONT, book.segment_html(book.front_fragment(starts)), FRONT_SOURCE, SegmentFit()),
            (FOLIOS, book.folio_html(front_pages + body_pages), FOLIO_SOURCE, SegmentFit()),
            *((seg.key, book.segment_html(seg.html_fragment(starts)), seg.source,
               _refit(done[seg.key], measured_html.get(seg.key, ""),
                      tuple((a, was[a], starts[a]) for a in seg.refs if was.get(a) != starts.get(a))))
              for seg in stale)])
        rendered += [label for label in fresh if label != FOLIOS]
        front, folios = final[FRONT], final[FOLIOS]
        changed = any(final[seg.key].pages != done[seg.key].pages for seg in stale)
        done.update({seg.key: final[seg.key] for seg in stale})
        if front.pages == front_pages and not changed:
            break
        front_pages = front.pages
    else:
        raise RenderError("the contents pages and the chapters' page references would not settle",
                          Location(FRONT_SOURCE), "simplify the contents layout")
    total = front_pages + body_pages
    pdf = merge_book(book, [front, *(done[s.key] for s in book.segments)], folios, starts)
    write_atomic(out_path, pdf, inside=base if out_path.is_relative_to(base) else None)
    write_atomic(state_file, json.dumps({"front_pages": front_pages, "starts": starts,
                                         "tails": {s.key: done[s.key].level for s in book.segments}}), inside=base)
    try:
        cache.prune()
    except UnsafeFile as exc:
        raise RenderError(f"the book's cache is unsafe: {exc.why}", Location(display_path(cache_dir)),
                          f"delete {display_path(cache_dir)} (it is rebuilt) and make it a real folder") from None
    rendered = list(dict.fromkeys(label for label in rendered if label != PROBE))
    reused = [s.key for s in book.segments if s.key not in rendered]
    findings = book_findings(book, front, done, starts)
    return BookResult(out_path, total, rendered, reused, starts, findings, cache.layouts)


def _front_as_before(book: Book, known: dict[str, int]) -> list[tuple[str, str, str, SegmentFit]]:
    """The cover and contents at the pages the last build recorded, to render with the changed segments: when no
    chapter's page count changes (the usual edit) it is the contents the book needs, made in the same batch instead
    of a second one after it (the second batch finds it in the cache)."""
    if not book.entries or not all(entry.anchor in known for entry in book.entries):
        return []
    return [(FRONT, book.segment_html(book.front_fragment(known)), FRONT_SOURCE, SegmentFit())]


def _refit(before: Rendered, measured: str, renumber: tuple[tuple[str, int, int], ...]) -> SegmentFit:
    """How a segment rendered before as BEFORE is rendered again: at the tail level a measure found, if it was one
    (from the layout of MEASURED, its HTML, with the page references RENUMBER changes, when its process still holds
    it), else trying first the level it was written at."""
    if not before.measured:
        return SegmentFit(recorded=before.level)
    return SegmentFit(tail=before.tail, base_pages=before.base_pages, base_faults=before.base_faults,
                      measured_as=html_digest(measured) if measured else "", renumber=renumber)


def book_findings(book: Book, front: Rendered, done: dict[str, Rendered], starts: dict[str, int]) -> list[dict]:
    """The segments' layout findings with book page numbers, and the book's own note checks: every note in the
    Notes appendix is cited by a link in a chapter, and every note link lands on a note."""
    out: list[dict] = []
    where = [("the cover and contents", front, 1)] + [
        (seg.entries[0].title, done[seg.key], starts[seg.entries[0].anchor])
        for seg in book.segments if seg.entries]
    for title, rendered, first in where:
        for finding in rendered.findings:
            page = int(finding.get("page") or 0)
            out.append({**finding, "document": "", "page": page + first - 1 if page else 0,
                        "message": f"{title}: {finding.get('message', '')}"})
    linked = {target for rendered in done.values() for target in rendered.links}
    notes = {name for rendered in done.values() for name in rendered.anchors if name.startswith("note-")}
    for name in sorted(notes - linked):
        out.append({"code": "uncited-note", "document": "", "page": 0,
                    "message": f"note {name[5:]} is never cited in the text"})
    for name in sorted(t for t in linked if t.startswith("note-") and t not in notes):
        out.append({"code": "uncited-note", "document": "", "page": 0,
                    "message": f"a note link goes to {name[5:]}, which the Notes appendix does not hold"})
    return out
