"""Plan the briefing book: parts, chapters, matrix and appendix as segments of HTML."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from markupsafe import Markup

from briefgen._version import __version__
from briefgen.config.audiences import LoadedAudience
from briefgen.config.kinds import book_variant
from briefgen.content.model import BOOK_PARTS, Alliance, Block, Obstacle, Recommendation, SourceRef
from briefgen.content.views import related_blocks
from briefgen.editions.records import propose
from briefgen.errors import COMMAND_LINE, UsageError
from briefgen.project import Project
from briefgen.render import furniture
from briefgen.render.book.matrix import matrix_svg, shown_rows
from briefgen.render.book.merge import DEST_SCHEME
from briefgen.render.context import document_context, document_date, document_timestamp, protect_names
from briefgen.render.notes import ChapterNotes, Note
from briefgen.render.omitted import Unseen, omissions, unseen
from briefgen.render.setup import render_setup
from briefgen.render.templates import make_environment, render

#: Brief sections a chapter leaves out: the book prints every chapter's notes in its Notes appendix instead, its
#: credits once in the front, and the note on how to read a brief would be repeated in every chapter (and speak of a
#: brief).
CHAPTER_SKIPS = ("sources", "credits", "about")


#: Most headline figures a chapter's "At a glance" sidebar shows (all of them are in its Examples): more would
#: run the sidebar past the chapter's first page.
GLANCE_FIGURES = 3


#: Selection keywords accepted by `--select`, besides block ids.
PART_KEYWORDS = tuple(key for key, _title in BOOK_PARTS)


ROMAN = ("I", "II", "III", "IV", "V", "VI")




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
    """A run of whole pages of the book rendered as its own document: a part opener, a chapter, the appendix.

    A chapter that prints the page another chapter starts on ("see Recommendation 2, p. 121") names those anchors
    in REFS and is written by MAKE(pages); FRAGMENT is MAKE(None), where CSS target-counter() finds the pages (the
    whole book as one HTML document)."""

    key: str
    fragment: Markup
    entries: list[Entry]
    source: str
    refs: tuple[str, ...] = ()
    make: Callable[[dict[str, int] | None], Markup] | None = None

    def html_fragment(self, pages: dict[str, int] | None) -> Markup:
        """The segment with the page numbers PAGES gives the anchors it refers to."""
        return self.make(pages) if self.make is not None and self.refs else self.fragment


@dataclass
class NoteGroup:
    """One chapter's notes in the Notes appendix: its anchor, number and title, each note's printed form (the
    full citation for a document's first note in the book, its short form after), and its further reading."""

    anchor: str
    #: "Chapter 3: NATO", or an appendix's own title.
    heading: str
    notes: list[Note]
    forms: dict[int, Markup]
    further: list[Note]


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
    #: The book's current edition and number (editions.records.Proposal).
    edition: Any = None
    #: Per chapter (block id), the curated content it leaves out, and why (content.shown.Omission).
    omitted: dict[str, list] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = self.env or make_environment(self.project.root, self.audience.chain)

    def _document(self, fragments: Sequence[Markup], segmented: bool) -> str:
        # A segment leaves its stylesheets to the PDF stage (RenderSetup.styles(BOOK_SEGMENT_STYLES)).
        context = {**self.context, "shared_styles": segmented}
        return render(self.env, "book.html.j2", self.project.root, fragments=list(fragments), segmented=segmented,
                      **context)

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
    """Resolve --select (a book part such as alliances, or block ids, comma-separated) to blocks, in book order."""
    cat = project.catalogue
    everything = [b for key, _title in BOOK_PARTS for cls, blocks in cat.by_type() if cls.book_part == key
                  for b in blocks]
    if not select or not select.strip():
        return everything
    chosen: set[str] = set()
    unknown = []
    for token in (t.strip() for t in select.split(",")):
        if not token:
            continue
        if token in PART_KEYWORDS:
            chosen.update(b.id for b in everything if b.book_part == token)
        elif cat.get(token) is not None:
            chosen.add(token)
        else:
            unknown.append(token)
    if unknown:
        close = [m for u in unknown for m in difflib.get_close_matches(u, [*PART_KEYWORDS, *cat.blocks], n=1)]
        raise UsageError(f"--select names no block {', '.join(map(repr, unknown))}", COMMAND_LINE,
                         (f"did you mean {', '.join(close)}? " if close else "")
                         + "use " + ", ".join(PART_KEYWORDS) + " or block ids")
    blocks = [b for b in everything if b.id in chosen]
    if not blocks:
        raise UsageError("--select chose no blocks", COMMAND_LINE, "name at least one block")
    return blocks


def namespace_ids(fragment: str, prefix: str) -> Markup:
    """Prefix the ids a chapter defines (and links to them) so forty chapters never share an anchor."""
    ids = set(_ID.findall(fragment)) - {prefix}
    fragment = _ID.sub(lambda m: f'id="{prefix}--{m[1]}"' if m[1] in ids else m[0], fragment)
    fragment = _HREF.sub(lambda m: f'href="#{prefix}--{m[1]}"' if m[1] in ids else m[0], fragment)
    return Markup(fragment)


def note_groups(chapters: list[tuple[str, int | None, str, ChapterNotes, list[Note]]]) -> list[NoteGroup]:
    """The Notes appendix, chapter by chapter: a document's first note in the book gives its full citation, later
    notes its short form (title and section, deepened where two notes of a chapter would read the same)."""
    groups = []
    seen: set[str] = set()
    for anchor, number, title, notes, further in chapters:
        if not notes.items and not further:
            continue
        shorts = notes.short_forms()
        forms = {}
        for note in notes.items:
            forms[note.number] = shorts[note.number] if note.ref.seed in seen else note.citation
            seen.add(note.ref.seed)
        heading = f"Chapter {number}: {title}" if number is not None else title
        groups.append(NoteGroup(anchor, heading, list(notes.items), forms, further))
    return groups


def _book_context(project: Project, aud: LoadedAudience, blocks: list[Block], book_title: str) -> dict:
    """The context every page of the book shares (the cover's edition is added once the chapters are known)."""
    brand = render_setup(project, aud.name).brand
    return dict(
        kind="book", kind_label="Briefing book", block_type="book", audience=aud.config, audience_name=aud.name,
        project=project.config, title=book_title, running_title=book_title,
        description=f"Briefing book for {aud.config.label}: {len(blocks)} chapters on U.S. alliances and "
                    "the obstacles to allied cooperation",
        keywords=", ".join(["briefing book", *(b.name for b in blocks[:20])]), date=document_date(),
        created=document_timestamp(), version=__version__, fit_css="", fit_classes="", asset=lambda path: path,
        brand=brand, brand_css=brand.css(""),
    )


def _matrix_axes(project: Project, blocks: list[Block]) -> tuple[list, list]:
    """The matrix figure's rows (obstacles) and columns (alliances): the book's, or those linked to them."""
    cat = project.catalogue
    alliances = [b for b in blocks if isinstance(b, Alliance)]
    obstacles = [b for b in blocks if isinstance(b, Obstacle)]
    if obstacles:
        return obstacles, alliances or [a for a in cat.alliances if any(a.id in o.affected_alliances
                                                                         for o in obstacles)]
    return [o for o in cat.obstacles if any(o.id in a.related_obstacles for a in alliances)], alliances


@dataclass
class _Binding:
    """The book as it is put together: its segments and contents entries in order, and each chapter's notes."""

    segments: list[Segment] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    chapters: list[tuple[str, int | None, str, ChapterNotes, list[Note]]] = field(default_factory=list)
    #: Block id -> its chapter's anchor and number (the changes appendix links them).
    chapter_index: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add(self, segment: Segment) -> None:
        self.entries += segment.entries
        self.segments.append(segment)


def _add_appendices(project: Project, env: Any, bound: _Binding, base: dict, changed: tuple | None) -> None:
    """The changes appendix (when CHANGED) and the Notes appendix (when any chapter has notes)."""
    if changed is not None:
        since, per_chapter = changed
        c_entry = Entry("changes", "What changed in this edition", 1, "Appendix")
        c_notes = ChapterNotes(project, c_entry.anchor)
        fragment = render(env, "book/changes.html.j2", project.root, entry=c_entry, since=since,
                          chapters=per_chapter, cite=c_notes.cite, **base)
        bound.add(Segment(c_entry.anchor, namespace_ids(protect_names(fragment), c_entry.anchor), [c_entry],
                          "templates/book/changes.html.j2"))
        bound.chapters.append((c_entry.anchor, None, c_entry.title, c_notes, []))
    groups = note_groups(bound.chapters)
    if groups:
        a_entry = Entry("notes", "Notes", 1, "Appendix")
        fragment = protect_names(render(env, "book/appendix.html.j2", project.root, groups=groups, entry=a_entry,
                                        **base))
        bound.add(Segment("notes", Markup(fragment), [a_entry], "templates/book/appendix.html.j2"))


def plan_book(project: Project, audience: str | None = None, select: str | None = None,
              title: str | None = None, changes_since: str | None = None) -> Book:
    """Lay out the book for AUDIENCE: parts, chapters (notes numbered per chapter), matrix and appendices.

    The changes appendix lists, per chapter, what changed since the book's edition CHANGES_SINCE (a number or a
    date), or since its previous edition when the audience shows what changed (audience setting what_changed).
    """
    aud = project.audience(audience)
    blocks = select_blocks(project, select)
    env = render_setup(project, aud.name).env
    cat = project.catalogue
    book_title = title or project.config.title
    base = _book_context(project, aud, blocks, book_title)
    sections = [s for s in aud.config.brief.sections if s not in CHAPTER_SKIPS]
    in_book = {b.id for b in blocks}
    #: Each recommendation in the book and its number ("Recommendation 2"), which chapters linking it refer to.
    rec_numbers = {b.id: n for n, b in enumerate((b for b in blocks if isinstance(b, Recommendation)), 1)}
    rows, cols = _matrix_axes(project, blocks)
    parts = [(key, part_title, [b for b in blocks if b.book_part == key]) for key, part_title in BOOK_PARTS]
    matrix_part = "obstacles" if any(isinstance(b, Obstacle) for b in blocks) else "alliances"
    bound = _Binding()
    #: The fields each chapter shows, and of the linked blocks it names: what the book's edition depends on.
    shown: dict[str, set[str]] = {}
    deps: dict[str, set[str]] = {}
    omitted: dict[str, list] = {}
    chapter_no = 0
    for numeral, (key, part_title, members) in enumerate([p for p in parts if p[2]]):
        label = f"Part {ROMAN[numeral]}"
        anchor = f"part-{key}"
        fragment = render(env, "book/part.html.j2", project.root, anchor=anchor, part_label=label,
                          part_title=part_title, chapters=members, **base)
        bound.add(Segment(anchor, Markup(fragment), [Entry(anchor, part_title, 1, label)],
                          "templates/book/part.html.j2"))
        if key == matrix_part and rows and cols:
            matrix_rows, unlinked = shown_rows(rows, cols)
            svg = matrix_svg(matrix_rows, cols, base["brand"].colors)
            m_entry = Entry("matrix", "Which obstacles affect which alliances", 2, "Figure")
            fragment = render(env, "book/matrix.html.j2", project.root, anchor="matrix", svg=svg,
                              entry=m_entry, rows=matrix_rows, unlinked=unlinked, cols=cols, in_book=in_book, **base)
            bound.add(Segment("matrix", Markup(fragment), [m_entry], "templates/book/matrix.html.j2"))
        for block in members:
            chapter_no += 1
            own_sections = [s for s in aud.config.brief.sections_for(block.type_name) if s not in CHAPTER_SKIPS]
            make, notes, refs = _chapter_maker(project, env, aud, block, own_sections, f"ch-{block.id}", chapter_no,
                                               label, part_title, in_book, rec_numbers, deps,
                                               shown.setdefault(block.id, set()), omitted)
            first = make(None)
            c_entry = Entry(f"ch-{block.id}", block.name, 2, str(chapter_no))
            bound.chapters.append((c_entry.anchor, chapter_no, block.name, notes[0], notes[0].further(block.sources)))
            bound.chapter_index[block.id] = (c_entry.anchor, chapter_no)
            bound.add(Segment(c_entry.anchor, first, [c_entry], cat.file_of(block), refs, make))
    # The cover shows the edition (rendered last, from `base`): what every chapter showed is known by now.
    edition = propose(project, "book", book_variant(select), aud.name, [b.id for b in blocks],
                      {bid: sorted(names) for bid, names in deps.items()},
                      {bid: sorted(names) for bid, names in shown.items()})
    base.update(date=edition.edition.date, edition=edition.edition, doc_number=edition.doc_number,
                citation=furniture.suggested_citation(project.config, book_title, "Briefing book",
                                                      edition.doc_number, edition.edition))
    # What the chapters do not show: the changes appendix and `briefgen diff` list those changes apart.
    edition.__dict__["_unseen"] = unseen([o for found in omitted.values() for o in found],
                                         {b.id: b for b in blocks})
    changed = book_changes(project, aud, edition, changes_since, bound.chapter_index, sections)
    _add_appendices(project, env, bound, base, changed)
    return Book(project, aud, book_title, bound.segments, bound.entries, blocks, base, env, edition, omitted)


def _chapter_maker(project: Project, env: Any, aud: LoadedAudience, block: Block, sections: list[str], anchor: str,
                   number: int, part_label: str, part_title: str, in_book: set[str], rec_numbers: dict[str, int],
                   deps: dict[str, set[str]], shown: set[str], omitted: dict[str, list]):
    """MAKE(pages) writes the chapter (with fresh notes, numbered from 1), NOTES[0] holds the last one's notes, and
    REFS names the chapters whose start pages it prints."""
    holder: list[ChapterNotes] = []
    linked = [r.id for r in related_blocks(project.catalogue, block).get("recommendations", [])]
    refs = tuple(f"ch-{rid}" for rid in linked if rid in rec_numbers) \
        if linked and all(rid in rec_numbers for rid in linked) else ()

    def make(pages: dict[str, int] | None) -> Markup:
        notes = ChapterNotes(project, anchor)
        holder[:] = [notes]
        context = document_context(project, block, "brief", aud, notes, deps=deps, shown=shown)
        context.update(sections=sections, anchor=anchor, chapter_number=number, part_label=part_label,
                       part_title=part_title, in_book=in_book, running_title=block.name,
                       rec_refs=rec_numbers if refs else {}, pages=pages,
                       type_number=rec_numbers.get(block.id), glance_figures=GLANCE_FIGURES)
        html = protect_names(render(env, "book/chapter.html.j2", project.root, **context))
        context["_showing"].sections_from = f"the audience's sections for {block.type_name} chapters"
        omitted[block.id] = omissions(context, aud)
        return namespace_ids(html, anchor)

    return make, holder, refs


def book_changes(project: Project, aud: LoadedAudience, edition: Any, since: str | None,
                 chapters: dict[str, tuple[str, int]], sections: list[str]) -> tuple[Any, list[dict]] | None:
    """The changes appendix: since which edition, and per chapter (in book order) its anchor, number, name and
    the cited lines of what changed (editions.changes.reader_changes) in the sections a chapter shows."""
    from briefgen.editions import records as editions
    from briefgen.editions.changes import compare, reader_changes, vetted_changes
    from briefgen.render.context import earlier_text_vetter

    if since is None and not aud.config.what_changed:
        return None
    if since is None:
        previous = edition.previous(project.root)
    else:
        record = editions.load_record(project.root, edition.rel)
        entry = editions.find_edition(record, since)
        snap = editions.resolve(project.root, entry) if entry is not None else None
        if entry is None or snap is None:
            known = ", ".join(str(e["number"]) for e in record["editions"]) or "none yet"
            raise UsageError(f"the book has no recorded edition {since!r}", COMMAND_LINE,
                             f"its editions: {known}")
        previous = (entry, snap)
    if previous is None:
        return None
    entry, old = previous
    new = edition.snapshot()
    shown = set(sections) | {"overview" if "overview" in sections else "", "quotes" if "pull_quote" in sections else ""}
    per_chapter = []
    for bid, (anchor, number) in sorted(chapters.items(), key=lambda item: item[1][1]):
        found = [c for c in compare({"blocks": {bid: old["blocks"].get(bid)}} if bid in old["blocks"] else
                                    {"blocks": {}}, {"blocks": {bid: new["blocks"][bid]}})
                 if {"summary": "overview"}.get(c.section, c.section) in shown
                 and edition.__dict__.get("_unseen", Unseen()).why(c) is None]
        lines = vetted_changes(reader_changes(found, aud.config.titles(), new), earlier_text_vetter(project, bid))
        if bid not in old["blocks"]:
            lines = []  # a new chapter: the whole chapter is new, said once below
        for line in lines:
            line.cites = [SourceRef(seed=c.partition("#")[0], anchor=c.partition("#")[2])  # type: ignore[misc]
                          for c in line.cites]
        if lines or bid not in old["blocks"]:
            per_chapter.append({"anchor": anchor, "number": number, "name": new["blocks"][bid].get("name", bid),
                                "lines": lines, "new": bid not in old["blocks"]})
    since_edition = editions.Edition(entry["number"], editions.dt.date.fromisoformat(entry["date"]))
    return (since_edition, per_chapter) if per_chapter else None
