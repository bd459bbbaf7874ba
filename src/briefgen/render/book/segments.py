"""Render the book in cached segments and assemble it."""
from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from briefgen._version import __version__
from briefgen.config.inputs import ASSET_GLOBS
from briefgen.errors import Location, RenderError
from briefgen.project import Project
from briefgen.render.book.merge import merge_book
from briefgen.render.pdf import render_pdf
from briefgen.render.setup import BOOK_SEGMENT_STYLES, render_setup
from briefgen.safeio import hash_file
from briefgen.write import write_atomic

if TYPE_CHECKING:
    from briefgen.render.book.plan import Book




_TAG = re.compile(r"<[^>]*>")


#: Renders (label, html, source) jobs to segments; local, or in a pool of warm workers.
#: Renders (label, html, source, shared styles) jobs to segments, in this process or in warm workers.
RenderMany = Callable[[list[tuple[str, str, str, bool]]], list["Rendered"]]


def assets_digest(root: Path) -> str:
    """Hash every file a segment's HTML may load (stylesheets, fonts, images, brand)."""
    h = hashlib.sha256()
    for pattern in ASSET_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                h.update(path.relative_to(root).as_posix().encode() + b"\0")
                try:
                    h.update(hash_file(path).encode())  # in chunks: a huge stray image costs time, not memory
                except OSError:
                    h.update(b"unreadable")
    return h.hexdigest()


@dataclass(frozen=True)
class SegmentJob:
    """Render one segment's HTML to a PDF and read its pages and anchors (runs in a worker or in-process)."""

    html: str
    source: str
    strict: bool = False
    label: str = ""
    #: The audience whose parsed stylesheets apply (BOOK_SEGMENT_STYLES); "" when the HTML carries its own.
    audience: str = ""

    def run(self, project: Project) -> Rendered:
        """Render the segment with PROJECT's files (and its audience's stylesheets, parsed once per process)."""
        styles = render_setup(project, self.audience).styles(BOOK_SEGMENT_STYLES) if self.audience else None
        return describe_pdf(render_pdf(self.html, project.root, self.source, strict=self.strict,
                                       styles=styles).data)


def render_locally(project: Project, strict: bool = False, audience: str | None = None) -> RenderMany:
    """Render segments one after another in this process, with AUDIENCE's stylesheets (default: the project's)."""
    audience = audience or project.config.default_audience

    def many(jobs: list[tuple[str, str, str]]) -> list[Rendered]:
        return [SegmentJob(html, source, strict, f"book/{label}", audience if shared else "").run(project)
                for label, html, source, shared in jobs]

    return many


@dataclass
class BookResult:
    """What assembling the book did: its file, its pages, which segments were rendered and which reused."""

    path: Path
    pages: int
    rendered: list[str]
    reused: list[str]
    starts: dict[str, int]


@dataclass
class Rendered:
    """A rendered segment: its PDF, its page count, and where each of its anchors lies (page index, x, y)."""

    data: bytes
    pages: int
    anchors: dict[str, tuple[int, float, float]]


def describe_pdf(data: bytes) -> Rendered:
    """Read a segment PDF once: page count and named destinations."""
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
        return Rendered(data, len(pdf.pages), anchors)


class SegmentCache:
    """Rendered segment PDFs (and a note of their pages and anchors) kept by the hash of what shapes them."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self.used: set[str] = set()

    def key(self, html: str) -> str:
        return hashlib.sha256((self.salt + "\0" + html).encode("utf-8")).hexdigest()[:32]

    def get(self, key: str) -> Rendered | None:
        self.used.add(key)
        pdf, meta = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            data = pdf.read_bytes()
            if hashlib.sha256(data).hexdigest() != info["sha256"]:
                return None
            return Rendered(data, int(info["pages"]), {k: tuple(v) for k, v in info["anchors"].items()})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, rendered: Rendered) -> Rendered:
        self.used.add(key)
        data = rendered.data
        write_atomic(self.folder / f"{key}.pdf", data)
        write_atomic(self.folder / f"{key}.json", json.dumps({"sha256": hashlib.sha256(data).hexdigest(),
                                                             "pages": rendered.pages, "anchors": rendered.anchors}))
        return rendered

    def prune(self) -> None:
        """Delete cached segments the latest book did not use."""
        for path in [*self.folder.glob("*.pdf"), *self.folder.glob("*.json")]:
            if path.stem not in self.used and path.name != "state.json":
                path.unlink(missing_ok=True)


def _render_missing(cache: SegmentCache, render_many: RenderMany,
                    jobs: list[tuple[str, str, str]], shared: bool = True) -> tuple[dict[str, Rendered], list[str]]:
    """Render the JOBS (label, html, source) the cache lacks in one batch: every job's segment, labels rendered.

    SHARED: the HTML leaves its stylesheets to the audience's parsed ones (segments and contents); the page
    numbers carry their own."""
    done: dict[str, Rendered] = {}
    missing = []
    for label, html, source in jobs:
        key = cache.key(html)
        cached = cache.get(key)
        if cached is None:
            missing.append((label, html, source, key))
        else:
            done[label] = cached
    # Longest first: the workers finish together instead of one of them rendering the last long chapter alone.
    missing.sort(key=lambda job: len(_TAG.sub("", job[1])), reverse=True)
    if missing:
        results = render_many([(label, html, source, shared and label != FOLIOS)
                               for label, html, source, _key in missing])
        for (label, _html, _source, key), result in zip(missing, results):
            done[label] = cache.put(key, result)
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
                strict: bool = False) -> BookResult:
    """Render BOOK to OUT_PATH: only segments whose HTML or assets changed are laid out again.

    Two batches: every changed segment (and, when no earlier build recorded how many pages the contents take,
    the contents with stand-in page numbers, to learn that), then the contents and the page numbers together.
    """
    root = book.project.root
    cache = SegmentCache(cache_dir, f"{__version__}\0{assets_digest(root)}\0{int(strict)}")
    jobs = [(seg.key, book.segment_html(seg.fragment), seg.source) for seg in book.segments]
    state_file = cache_dir / "state.json"
    try:
        front_pages: int | None = int(json.loads(state_file.read_text())["front_pages"])
    except (OSError, ValueError, KeyError, TypeError):
        front_pages = None
    if front_pages is None:  # stand-in numbers as wide as real ones: the contents take as many pages
        stand_in = {entry.anchor: 10 ** len(str(len(book.segments) * 4)) - 1 for entry in book.entries}
        jobs.append((PROBE, book.segment_html(book.front_fragment(stand_in)), FRONT_SOURCE))
    done, rendered = _render_missing(cache, render_many, jobs)
    if front_pages is None:
        front_pages = done.pop(PROBE).pages
    body_pages = sum(done[s.key].pages for s in book.segments)
    for _attempt in range(4):
        starts = _starts(book, done, front_pages)
        final, fresh = _render_missing(cache, render_many, [
            (FRONT, book.segment_html(book.front_fragment(starts)), FRONT_SOURCE),
            (FOLIOS, book.folio_html(front_pages + body_pages), FOLIO_SOURCE)])
        rendered += [label for label in fresh if label == FRONT]
        front, folios = final[FRONT], final[FOLIOS]
        if front.pages == front_pages:
            break
        front_pages = front.pages
    else:
        raise RenderError("the contents pages would not settle on a page count", Location(FRONT_SOURCE),
                          "simplify the contents layout")
    total = front_pages + body_pages
    pdf = merge_book(book, [front, *(done[s.key] for s in book.segments)], folios, starts)
    write_atomic(out_path, pdf)
    write_atomic(state_file, json.dumps({"front_pages": front_pages}))
    cache.prune()
    rendered = [label for label in rendered if label != PROBE]
    reused = [s.key for s in book.segments if s.key not in rendered]
    return BookResult(out_path, total, rendered, reused, starts)
