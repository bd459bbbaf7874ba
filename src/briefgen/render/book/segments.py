"""Render the book in cached segments and assemble it."""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from briefgen._version import __version__
from briefgen.errors import Location, RenderError
from briefgen.project import Project
from briefgen.render.book.merge import merge_book
from briefgen.render.pdf import render_pdf
from briefgen.safeio import hash_file
from briefgen.write import write_atomic

if TYPE_CHECKING:
    from briefgen.render.book.plan import Book


#: Files (besides the HTML) a rendered segment depends on: stylesheets, fonts, images, brand.
ASSET_GLOBS = ("templates/css/**/*", "fonts/**/*", "images/**/*", "brand.yml", "brand/**/*")


#: Renders (label, html, source) jobs to segments; local, or in a pool of warm workers.
RenderMany = Callable[[list[tuple[str, str, str]]], list["Rendered"]]


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

    def run(self, project: Project) -> Rendered:
        """Render the segment with PROJECT's files."""
        return describe_pdf(render_pdf(self.html, project.root, self.source, strict=self.strict).data)


def render_locally(project: Project, strict: bool = False) -> RenderMany:
    """Render segments one after another in this process."""
    def many(jobs: list[tuple[str, str, str]]) -> list[Rendered]:
        return [SegmentJob(html, source, strict, f"book/{label}").run(project) for label, html, source in jobs]

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


def render_book(book: Book, out_path: Path, cache_dir: Path, render_many: RenderMany, *,
                strict: bool = False) -> BookResult:
    """Render BOOK to OUT_PATH: only segments whose HTML or assets changed are laid out again."""
    root = book.project.root
    cache = SegmentCache(cache_dir, f"{__version__}\0{assets_digest(root)}\0{int(strict)}")
    docs = [(seg, book.segment_html(seg.fragment)) for seg in book.segments]
    done: dict[str, Rendered] = {}
    missing = []
    for seg, html in docs:
        key = cache.key(html)
        cached = cache.get(key)
        if cached is None:
            missing.append((seg, html, key))
        else:
            done[seg.key] = cached
    rendered = [seg.key for seg, _h, _k in missing]
    if missing:
        results = render_many([(seg.key, html, seg.source) for seg, html, _k in missing])
        for (seg, _html, key), result in zip(missing, results):
            done[seg.key] = cache.put(key, result)

    state_file = cache_dir / "state.json"
    try:
        front_pages = int(json.loads(state_file.read_text())["front_pages"])
    except (OSError, ValueError, KeyError, TypeError):
        front_pages = 2
    for _attempt in range(4):
        starts: dict[str, int] = {}
        page = front_pages + 1
        for seg in book.segments:
            for entry in seg.entries:
                starts[entry.anchor] = page
            page += done[seg.key].pages
        front_html = book.segment_html(book.front_fragment(starts))
        key = cache.key(front_html)
        front = cache.get(key)
        if front is None:
            front = cache.put(key, render_many([("front", front_html, "templates/book/front.html.j2")])[0])
            rendered.append("front")
        if front.pages == front_pages:
            break
        front_pages = front.pages
    else:
        raise RenderError("the contents pages would not settle on a page count",
                          Location("templates/book/front.html.j2"), "simplify the contents layout")
    total = front_pages + sum(done[s.key].pages for s in book.segments)
    folio_html = book.folio_html(total)
    key = cache.key(folio_html)
    folios = cache.get(key)
    if folios is None:
        folios = cache.put(key, render_many([("folios", folio_html, "templates/book/folios.html.j2")])[0])
    pdf = merge_book(book, [front, *(done[s.key] for s in book.segments)], folios, starts)
    write_atomic(out_path, pdf)
    write_atomic(state_file, json.dumps({"front_pages": front_pages}))
    cache.prune()
    reused = [s.key for s in book.segments if s.key not in rendered]
    return BookResult(out_path, total, rendered, reused, starts)

