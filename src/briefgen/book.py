"""Assemble the briefing book (cover, contents, parts, chapters, matrix, sources) and render it in cached segments."""
from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from markupsafe import Markup, escape

from . import __version__
from .audiences import LoadedAudience
from .errors import ContentError, Location, RenderError
from .brand import load_brand
from .html import Notes, brand_overrides, document_context, document_date, document_timestamp
from .model import Alliance, Block, Framework, Obstacle, Recommendation
from .project import Project
from .templates import make_environment, render
from .write import write_atomic

logger = logging.getLogger(__name__)

#: Brief sections a chapter leaves out: the book has one consolidated sources appendix instead.
CHAPTER_SKIPS = ("sources",)
#: Selection keywords accepted by `--select`, besides block ids.
PART_KEYWORDS = ("alliances", "obstacles", "recommendations")
ROMAN = ("I", "II", "III", "IV", "V", "VI")
#: Files (besides the HTML) a rendered segment depends on: stylesheets, fonts, images, brand.
ASSET_GLOBS = ("templates/css/**/*", "fonts/**/*", "images/**/*", "brand.yml", "brand/**/*")
#: Internal links in a segment point at anchors in other segments. They are written as links under this
#: reserved, never-resolving address (RFC 2606 .invalid) and turned into in-document links after joining;
#: none survives into the book.
DEST_SCHEME = "https://briefgen.invalid/dest/"

_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\bhref="#([^"]*)"')


@dataclass
class Entry:
    """One line of the contents and of the PDF outline: a part (level 1) or a chapter (level 2)."""

    anchor: str
    title: str
    level: int
    label: str = ""


@dataclass
class Segment:
    """A run of whole pages of the book rendered as its own document: a part opener, a chapter, the appendix."""

    key: str
    fragment: Markup
    entries: list[Entry]
    source: str


class BookNotes(Notes):
    """Source notes numbered once across the whole book; remembers which chapters (anchor, number) cite each."""

    chapter: tuple[str, str] | None = None

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        self.cited_in: dict[int, list[tuple[str, str]]] = {}

    def number(self, ref):  # noqa: ANN001, ANN201 - same signature as Notes.number
        n = super().number(ref)
        if self.chapter is not None:
            where = self.cited_in.setdefault(n, [])
            if self.chapter not in where:
                where.append(self.chapter)
        return n


@dataclass
class Book:
    """A planned book: its segments in order, its contents entries, and how to write each as HTML."""

    project: Project
    audience: LoadedAudience
    title: str
    segments: list[Segment]
    entries: list[Entry]
    blocks: list[Block]
    context: dict = field(default_factory=dict)
    env: Any = None

    def __post_init__(self) -> None:
        self.env = self.env or make_environment(self.project.root, self.audience.chain)

    def _document(self, fragments: Sequence[Markup], segmented: bool) -> str:
        return render(self.env, "book.html.j2", self.project.root, fragments=list(fragments), segmented=segmented,
                      **self.context)

    def front_fragment(self, pages: dict[str, int] | None) -> Markup:
        """Cover and contents; PAGES gives literal page numbers (else CSS target-counter computes them)."""
        return Markup(render(self.env, "book/front.html.j2", self.project.root, toc=self.entries, pages=pages,
                             **self.context))

    def whole_html(self) -> str:
        """The whole book as one HTML document (preview, and the single-render reference)."""
        return self._document([self.front_fragment(None), *(s.fragment for s in self.segments)], segmented=False)

    def segment_html(self, fragment: Markup) -> str:
        """One segment as a standalone document whose internal links are resolved after merging."""
        html = self._document([fragment], segmented=True)
        return _HREF.sub(lambda m: f'href="{DEST_SCHEME}{m[1]}"', html)

    def folio_html(self, pages: int) -> str:
        """PAGES blank pages carrying only the page-number footer, stamped onto the merged book."""
        return render(self.env, "book/folios.html.j2", self.project.root, page_count=pages, **self.context)


def select_blocks(project: Project, select: str | None) -> list[Block]:
    """Resolve --select (alliances, obstacles, recommendations, or block ids, comma-separated) to blocks."""
    cat = project.catalogue
    everything = [*cat.alliances, *cat.obstacles, *cat.frameworks, *cat.recommendations]
    if not select or not select.strip():
        return everything
    chosen: set[str] = set()
    unknown = []
    for token in (t.strip() for t in select.split(",")):
        if not token:
            continue
        if token == "alliances":
            chosen.update(b.id for b in cat.alliances)
        elif token == "obstacles":
            chosen.update(b.id for b in cat.obstacles)
        elif token == "recommendations":
            chosen.update(b.id for b in [*cat.frameworks, *cat.recommendations])
        elif cat.get(token) is not None:
            chosen.add(token)
        else:
            unknown.append(token)
    if unknown:
        raise ContentError(f"--select names no block {', '.join(map(repr, unknown))}", Location("content/"),
                           "use alliances, obstacles, recommendations or block ids such as "
                           + ", ".join(b.id for b in everything[:4]))
    blocks = [b for b in everything if b.id in chosen]
    if not blocks:
        raise ContentError("--select chose no blocks", Location("content/"), "name at least one block")
    return blocks


def namespace_ids(fragment: str, prefix: str) -> Markup:
    """Prefix the ids a chapter defines (and links to them) so forty chapters never share an anchor."""
    ids = set(_ID.findall(fragment)) - {prefix}
    fragment = _ID.sub(lambda m: f'id="{prefix}--{m[1]}"' if m[1] in ids else m[0], fragment)
    fragment = _HREF.sub(lambda m: f'href="#{prefix}--{m[1]}"' if m[1] in ids else m[0], fragment)
    return Markup(fragment)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def matrix_svg(obstacles: list[Obstacle], alliances: list[Alliance]) -> Markup:
    """Draw which obstacles (rows) affect which alliances (columns) as an SVG grid sized for a printed page."""
    width = 500.0  # points: the text block of a Letter page
    label_w = 230.0
    cols, rows = max(1, len(alliances)), max(1, len(obstacles))
    cell = max(9.0, min(22.0, (width - label_w - 34) / cols, 520.0 / rows))
    head = 112.0
    grid_w, grid_h = cols * cell, rows * cell
    total_w = label_w + grid_w + 34
    total_h = head + grid_h + 30
    font = max(6.5, min(8.0, cell * 0.55))
    label_chars = int((label_w - 10) / (font * 0.6))  # Inter averages about 0.6 em a character; never clip
    linked = {(o.id, a) for o in obstacles for a in o.affected_alliances}
    linked |= {(oid, a.id) for a in alliances for oid in a.related_obstacles}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="matrix-svg" role="img" '
           f'width="{total_w:.1f}pt" height="{total_h:.1f}pt" viewBox="0 0 {total_w:.1f} {total_h:.1f}" '
           f'font-family="Inter, sans-serif" font-size="{font:.1f}">',
           "<title>Which obstacles affect which alliances</title>"]
    x0, y0 = label_w, head
    for r, o in enumerate(obstacles):
        y = y0 + r * cell
        if r % 2 == 0:
            out.append(f'<rect x="0" y="{y:.1f}" width="{label_w + grid_w:.1f}" height="{cell:.1f}" fill="#eef2f6"/>')
        out.append(f'<text x="{label_w - 6:.1f}" y="{y + cell * 0.68:.1f}" text-anchor="end" fill="#1d232b">'
                   f"{escape(_truncate(o.name, label_chars))}</text>")
        count = sum((o.id, a.id) in linked for a in alliances)
        out.append(f'<text x="{x0 + grid_w + 8:.1f}" y="{y + cell * 0.68:.1f}" fill="#5b6673" '
                   f'font-weight="600">{count}</text>')
    for c, a in enumerate(alliances):
        x = x0 + c * cell + cell / 2
        label = escape(_truncate(a.short_name or a.name, 24))
        out.append(f'<text transform="translate({x + font * 0.35:.1f},{y0 - 6:.1f}) rotate(-60)" fill="#14304f" '
                   f'font-weight="600">{label}</text>')
        count = sum((o.id, a.id) in linked for o in obstacles)
        out.append(f'<text x="{x:.1f}" y="{y0 + grid_h + 14:.1f}" text-anchor="middle" fill="#5b6673" '
                   f'font-weight="600">{count}</text>')
    for i in range(cols + 1):
        x = x0 + i * cell
        out.append(f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y0 + grid_h:.1f}" stroke="#c9d1da" '
                   'stroke-width="0.5"/>')
    for j in range(rows + 1):
        y = y0 + j * cell
        out.append(f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x0 + grid_w:.1f}" y2="{y:.1f}" stroke="#c9d1da" '
                   'stroke-width="0.5"/>')
    for r, o in enumerate(obstacles):
        for c, a in enumerate(alliances):
            if (o.id, a.id) in linked:
                cx, cy = x0 + c * cell + cell / 2, y0 + r * cell + cell / 2
                out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{cell * 0.3:.1f}" fill="#b5472f"/>')
    out.append("</svg>")
    return Markup("".join(out))


def plan_book(project: Project, audience: str | None = None, select: str | None = None,
              title: str | None = None) -> Book:
    """Lay out the book for AUDIENCE: parts, chapters (notes numbered across the book), matrix and appendix."""
    aud = project.audience(audience)
    blocks = select_blocks(project, select)
    env = make_environment(project.root, aud.chain)
    notes = BookNotes(project)
    cat = project.catalogue
    book_title = title or project.config.title
    base = dict(
        kind="book", kind_label="Briefing book", block_type="book", audience=aud.config, audience_name=aud.name,
        project=project.config, title=book_title, running_title=book_title,
        description=f"Briefing book for {aud.config.label}: {len(blocks)} chapters on U.S. alliances and "
                    "the obstacles to allied cooperation",
        keywords=", ".join(["briefing book", *(b.name for b in blocks[:20])]), date=document_date(),
        created=document_timestamp(), version=__version__, fit_css="", asset=lambda path: path,
    )
    brand = load_brand(project.root, brand_overrides(aud), overrides_file=aud.file)
    base.update(brand=brand, brand_css=brand.css(""))
    sections = [s for s in aud.config.brief.sections if s not in CHAPTER_SKIPS]
    alliances = [b for b in blocks if isinstance(b, Alliance)]
    obstacles = [b for b in blocks if isinstance(b, Obstacle)]
    recs = [b for b in blocks if isinstance(b, (Framework, Recommendation))]
    in_book = {b.id for b in blocks}
    if obstacles:
        rows, cols = obstacles, alliances or [a for a in cat.alliances if any(a.id in o.affected_alliances
                                                                              for o in obstacles)]
    else:
        cols = alliances
        rows = [o for o in cat.obstacles if any(o.id in a.related_obstacles for a in alliances)]
    parts = [("alliances", "Alliances and partnerships", alliances),
             ("obstacles", "Obstacles to allied cooperation", obstacles),
             ("recommendations", "Recommendations", recs)]
    matrix_part = "obstacles" if obstacles else "alliances"
    segments: list[Segment] = []
    entries: list[Entry] = []
    chapter_no = 0
    numeral = 0
    for key, part_title, members in parts:
        if not members:
            continue
        label = f"Part {ROMAN[numeral]}"
        numeral += 1
        anchor = f"part-{key}"
        entry = Entry(anchor, part_title, 1, label)
        entries.append(entry)
        fragment = render(env, "book/part.html.j2", project.root, anchor=anchor, part_label=label,
                          part_title=part_title, chapters=members, **base)
        segments.append(Segment(anchor, Markup(fragment), [entry], "templates/book/part.html.j2"))
        if key == matrix_part and rows and cols:
            svg = matrix_svg(rows, cols)
            m_entry = Entry("matrix", "Which obstacles affect which alliances", 2, "Figure")
            entries.append(m_entry)
            fragment = render(env, "book/matrix.html.j2", project.root, anchor="matrix", svg=svg,
                              entry=m_entry, rows=rows, cols=cols, in_book=in_book, **base)
            segments.append(Segment("matrix", Markup(fragment), [m_entry], "templates/book/matrix.html.j2"))
        for block in members:
            chapter_no += 1
            anchor = f"ch-{block.id}"
            notes.chapter = (anchor, str(chapter_no))
            context = document_context(project, block, "brief", aud, notes)
            context.update(sections=sections, anchor=anchor, chapter_number=chapter_no, part_label=label,
                           part_title=part_title, in_book=in_book, running_title=block.name)
            html = render(env, "book/chapter.html.j2", project.root, **context)
            c_entry = Entry(anchor, block.name, 2, str(chapter_no))
            entries.append(c_entry)
            segments.append(Segment(anchor, namespace_ids(html, anchor), [c_entry], cat.file_of(block)))
    notes.chapter = None
    if notes.items:
        a_entry = Entry("sources", "Sources", 1, "Appendix")
        entries.append(a_entry)
        fragment = render(env, "book/appendix.html.j2", project.root, notes=notes, cited_in=notes.cited_in,
                          entry=a_entry, **base)
        segments.append(Segment("sources", Markup(fragment), [a_entry], "templates/book/appendix.html.j2"))
    return Book(project, aud, book_title, segments, entries, blocks, base, env)


# --- rendering in cached segments -------------------------------------------------------------------------

#: Renders (label, html, source) jobs to segments; local, or in a pool of warm workers.
RenderMany = Callable[[list[tuple[str, str, str]]], list["Rendered"]]


def assets_digest(root: Path) -> str:
    """Hash every file a segment's HTML may load (stylesheets, fonts, images, brand)."""
    h = hashlib.sha256()
    for pattern in ASSET_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                h.update(path.relative_to(root).as_posix().encode() + b"\0")
                h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def render_locally(project: Project, strict: bool = False) -> RenderMany:
    """Render segments one after another in this process."""
    from .pdf import render_pdf

    def many(jobs: list[tuple[str, str, str]]) -> list[Rendered]:
        return [describe_pdf(render_pdf(html, project.root, source, strict=strict).data)
                for _label, html, source in jobs]

    return many


def pool_renderer(pool, strict: bool = False) -> RenderMany:  # noqa: ANN001 - a workers.Pool
    """Render segments in POOL's warm workers, all at once; the first failure is raised."""
    from .workers import HtmlTask

    def many(jobs: list[tuple[str, str, str]]) -> list[Rendered]:
        futures = [pool.submit(HtmlTask(html, source, strict, f"book/{label}")) for label, html, source in jobs]
        return [f.result().rendered for f in futures]

    return many


def book_variant(select: str | None) -> str:
    """The output name of a book: `book`, or `book-<selection>` for a partial one."""
    if not select or not select.strip():
        return "book"
    slug = re.sub(r"[^a-z0-9]+", "-", select.lower()).strip("-") or "selection"
    if len(slug) > 40:
        slug = slug[:28].rstrip("-") + "-" + hashlib.sha256(select.encode()).hexdigest()[:8]
    return f"book-{slug}"


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


def _number_tree(node) -> list:  # noqa: ANN001 - a pikepdf number-tree node
    """Flatten a number tree's /Nums (following /Kids) into [key, value, key, value, ...]."""
    out = list(node.get("/Nums", []))
    for kid in node.get("/Kids", []):
        out += _number_tree(kid)
    return out


def merge_structure(pdf, sources: list, pages: list[int]) -> None:  # noqa: ANN001 - pikepdf objects
    """Join the segments' tagged structure (PDF/UA) under one Document element, renumbering the parent tree."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    nums = Array()
    key_offset = 0
    page_offset = 0
    for source, count in zip(sources, pages):
        tree = source.Root.get("/StructTreeRoot")
        if tree is not None:
            copied = pdf.copy_foreign(tree)
            tops = copied.get("/K", Array())
            for top in tops if isinstance(tops, pikepdf.Array) else [tops]:
                kids = top.get("/K", Array()) if top.get("/S") == Name.Document else [top]
                for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                    if isinstance(kid, pikepdf.Dictionary):
                        kid.P = document
                        document.K.append(kid)
            flat = _number_tree(copied.get("/ParentTree", Dictionary()))
            highest = -1
            for key, value in zip(flat[::2], flat[1::2]):
                nums.append(int(key) + key_offset)
                nums.append(value)
                highest = max(highest, int(key))
            for page in pdf.pages[page_offset:page_offset + count]:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + key_offset
                for annot in page.obj.get("/Annots", []):
                    if "/StructParent" in annot:
                        annot.StructParent = int(annot.StructParent) + key_offset
            key_offset += highest + 1
        page_offset += count
    root.K = Array([document])
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = key_offset
    pdf.Root.StructTreeRoot = root


def merge_book(book: Book, parts: list[Rendered], folios: Rendered, starts: dict[str, int]) -> bytes:
    """Join the segment PDFs, stamp page numbers, resolve cross-segment links, add outline and metadata."""
    import pikepdf
    from pikepdf import Array, Name, String

    pdf = pikepdf.new()
    sources = []  # pikepdf copies lazily: every source stays open until the book is saved
    anchors: dict[str, tuple[int, float, float]] = {}
    offset = 0
    for part in parts:
        for name, (index, left, top) in part.anchors.items():
            anchors.setdefault(name, (offset + index, left, top))
        source = pikepdf.open(io.BytesIO(part.data))
        sources.append(source)
        pdf.pages.extend(source.pages)
        offset += part.pages

    merge_structure(pdf, sources, [part.pages for part in parts])

    # Page numbers: each folio page is drawn over the page it numbers (the cover has none), as an artifact.
    folio_pdf = pikepdf.open(io.BytesIO(folios.data))
    sources.append(folio_pdf)
    for i, page in enumerate(pdf.pages):
        if 0 < i < len(folio_pdf.pages):
            form = pdf.copy_foreign(folio_pdf.pages[i].as_form_xobject())
            name = page.add_resource(form, Name.XObject, prefix="Folio")
            page.contents_add(b"q\n", prepend=True)
            page.contents_add(b"\nQ\n/Artifact BMC q " + bytes(str(name), "ascii") + b" Do Q EMC\n")

    # Links: every internal link was written under DEST_SCHEME; point it at the anchor's page and position,
    # and drop the (never expected) ones whose anchor is not in the book.
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        kept = Array()
        for annot in annots:
            action = annot.get("/A")
            uri = action.get("/URI") if action is not None else None
            if uri is not None and str(uri).startswith(DEST_SCHEME):
                del annot["/A"]
                target = anchors.get(str(uri)[len(DEST_SCHEME):])
                if target is None:
                    continue
                index, left, top = target
                annot.Dest = Array([pdf.pages[index].obj, Name.XYZ, left, top, 0])
                if "/Contents" in annot:
                    del annot["/Contents"]
            kept.append(annot)
        page.obj.Annots = kept

    # Outline: parts and the appendix at level 1, chapters and the figure under their part.
    with pdf.open_outline() as outline:
        parent = None
        for entry in book.entries:
            index = starts[entry.anchor] - 1
            if entry.level == 1:
                title = f"{entry.label} \u00b7 {entry.title}" if entry.label.startswith("Part") else entry.title
                parent = pikepdf.OutlineItem(str(title), index)
                outline.root.append(parent)
            elif parent is not None:
                parent.children.append(pikepdf.OutlineItem(str(entry.title), index))
    ctx = book.context
    if "/Metadata" in sources[0].Root:  # the contents segment's XMP: the book's title, PDF/UA identification
        pdf.Root.Metadata = pdf.copy_foreign(sources[0].Root.Metadata)
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    pdf.Root.PageMode = Name.UseOutlines
    pdf.Root.Lang = String(str(ctx["project"].language))
    pdf.docinfo["/Title"] = String(str(book.title))
    pdf.docinfo["/Author"] = String(str(ctx["project"].author))
    pdf.docinfo["/Subject"] = String(str(ctx["description"]))
    pdf.docinfo["/Keywords"] = String(str(ctx["keywords"]))
    pdf.docinfo["/Creator"] = String(f"briefgen {__version__}")
    pdf.docinfo["/Producer"] = String(f"briefgen {__version__}")
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True)
    for source in sources:
        source.close()
    return buf.getvalue()
