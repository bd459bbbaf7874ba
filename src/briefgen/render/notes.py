"""Source notes: numbering cited seed passages in order of first citation, per document or per book chapter."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from briefgen import prose
from briefgen.content.model import SourceRef, as_list
from briefgen.errors import ContentError
from briefgen.project import Project
from briefgen.seeds.registry import Passage, Seed, SeedInfo

_LINE_REF = re.compile(r"(?:L\d+(?:-L?\d+)?|p\d+(?:-L\d+(?:-L?\d+)?)?)\Z")  # spans of lines or of a page


def page_of(p: Passage | None) -> str:
    """A paged source's page(s) as a reader cites them ("p. 12", "pp. 12–13"); "" for other sources."""
    if p is None or getattr(p, "pages", None) is None:
        return ""
    first, last = p.pages
    return f"p. {first}" if first == last else f"pp. {first}\u2013{last}"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def reader_date(date: str | None) -> str:
    """A registry date (YYYY-MM-DD, YYYY-MM or YYYY) as a reader writes it: "October 14, 2025"."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", (date or "").strip())
    if not m:
        return (date or "").strip()
    year, month, day = m.groups()
    if month and 1 <= int(month) <= 12:
        return f"{_MONTHS[int(month) - 1]} {int(day)}, {year}" if day else f"{_MONTHS[int(month) - 1]} {year}"
    return year


def section_of(seed: Seed | None, ref: SourceRef, passage: Passage | None) -> str:
    """The passage as a reader finds it: its outline section (outermost › innermost), never file lines."""
    if passage is None:
        return ""
    titles = [prose.plain(t) for t in passage.path]
    if not _LINE_REF.match(passage.anchor) and (not titles or titles[-1] != prose.plain(passage.title)):
        titles.append(prose.plain(passage.title))
    if not titles and seed is not None:
        # A span inside a named part (a lead-in, a figure) or across sections: name the smallest part that
        # holds it, else the section it starts in.
        best = None
        for node in seed.outline.anchors.values():
            if node.start <= passage.start and passage.end <= node.end and (
                    best is None or node.end - node.start < best.end - best.start):
                best = node
        if best is None:
            best = seed.outline.innermost(passage.start, passage.start)
        if best is not None:
            titles = [prose.plain(n.text) for n in best.path()]
            if (best.lead or best.kind == "figure") and (not titles or titles[-1] != prose.plain(best.title)):
                titles.append(prose.plain(best.title))
    if len(titles) > 2:
        titles = [titles[0], titles[-1]]
    return " \u203a ".join(titles) if titles else "opening passage"


#: What an unsigned source of each web format is, as its note names it.
WEB_KINDS = {"web-text": "web page", "wiki-text": "unsigned wiki article", "html": "web page"}


def _publisher(info: SeedInfo) -> str:
    """The publisher without a trailing "(ACRONYM)", which would nest parentheses in a note."""
    return re.sub(r"\s*\([A-Z&.]{2,}\)\s*$", "", info.publisher or "")


def _section_and_page(section: str, page: str) -> Markup:
    """The end of a note, Chicago style: , "Section." or , "Section," p. 12. or , p. 12. or ."""
    section = section.rstrip(".")
    if section and page:
        return Markup(", \u201c{0},\u201d {1}.").format(section, page)
    if section:
        return Markup(", \u201c{0}.\u201d").format(section)
    return Markup(", {0}.").format(page) if page else Markup(".")


@dataclass
class Note:
    """A numbered source note: one passage as a reader cites it (title, author, publisher, date, section).
    Citations of different spans of one section share the note."""

    number: int
    ref: SourceRef
    seed: SeedInfo
    passage: Passage | None
    section: str = ""

    @property
    def where(self) -> str:
        """Where in the document the note points: its section, and the page(s) of a paged source."""
        page = page_of(self.passage)
        return ", ".join(x for x in (self.section, page) if x)

    @property
    def citation(self) -> Markup:
        """The full note, Chicago style: Author et al., *Title* (Publisher, Date), "Section."; an unsigned web
        page or wiki article says what it is, its site, "undated" and when it was accessed."""
        s = self.seed
        head = Markup("")
        if s.authors:
            head = escape(s.authors[0] + (" et al." if len(s.authors) > 2 else
                                          f" and {s.authors[1]}" if len(s.authors) == 2 else "")) + Markup(", ")
        head += Markup("<cite>{0}</cite>").format(s.title)
        if getattr(s, "number", None):  # a report's number, as readers order it ("R48123")
            head += Markup(", {0}").format(s.number)
        kind = None if s.authors else WEB_KINDS.get(s.format)
        if kind:
            head += Markup(", {0}").format(kind)
        facts = [x for x in (_publisher(s), s.site, reader_date(s.date) or ("undated" if kind else "")) if x]
        tail = [f"accessed {reader_date(s.accessed)}"] if s.accessed else []
        tail += [s.url] if s.url else []
        if facts or tail:
            head += Markup(" ({0})").format("; ".join(x for x in (", ".join(facts), *tail) if x))
        # The source part is marked so the layout audit can see a full citation printed twice in one document.
        return Markup('<span class="source-full">{0}</span>').format(head) + _section_and_page(
            self.section, page_of(self.passage))

    @property
    def short(self) -> Markup:
        """Title and innermost section only, for one-pagers."""
        return self.short_form(1)

    def short_form(self, depth: int) -> Markup:
        """Title and the DEPTH innermost sections (the whole path when DEPTH is larger)."""
        parts = self.section.split(" \u203a ") if self.section else []
        inner = " \u203a ".join(parts[-depth:]) if parts else ""
        head = Markup("<cite>{0}</cite>").format(self.seed.title)
        return head + _section_and_page(inner, page_of(self.passage))


@dataclass
class Notes:
    """Numbers source passages in order of first citation; the same passage (as a reader cites it) keeps its
    number; only cited passages are numbered, the others are "Further reading"."""

    project: Project
    items: list[Note] = field(default_factory=list)
    _index: dict[tuple[str, str, str], int] = field(default_factory=dict)
    _further: list[Note] = field(default_factory=list)

    def _note(self, ref: SourceRef, number: int) -> Note:
        seed = self.project.seeds.get(ref.seed)
        if seed is None:
            raise ContentError(f"unknown seed {ref.seed!r}", ref.loc, "run briefgen check")
        passage = seed.passage(ref.anchor)
        return Note(number, ref, seed.info, passage, section_of(seed, ref, passage))

    def number(self, ref: SourceRef) -> int:
        """Return REF's note number, adding a note on first use."""
        note = self._note(ref, len(self.items) + 1)
        key = (ref.seed, note.section, page_of(note.passage))  # a paged source's pages stay apart
        if key not in self._index:
            self.items.append(note)
            self._index[key] = note.number
        return self._index[key]

    def short_forms(self) -> dict[int, Markup]:
        """Each note's short form (one-pagers), deepened where two notes would otherwise read the same.

        Two sections with one name under different parents ("Security" in two chapters) keep their parent.
        """
        depth = dict.fromkeys((n.number for n in self.items), 1)
        for _ in range(4):
            forms = {n.number: n.short_form(depth[n.number]) for n in self.items}
            seen: dict[str, list[int]] = {}
            for number, form in forms.items():
                seen.setdefault(str(form), []).append(number)
            clashes = [nums for nums in seen.values() if len(nums) > 1]
            if not clashes:
                break
            for nums in clashes:
                for number in nums:
                    depth[number] += 1
        return forms

    def forms(self) -> dict[int, Markup]:
        """Each note as a brief prints it: the first note on a source in full, later ones in short form."""
        shorts = self.short_forms()
        seen: set[str] = set()
        out: dict[int, Markup] = {}
        for note in self.items:
            out[note.number] = shorts[note.number] if note.ref.seed in seen else note.citation
            seen.add(note.ref.seed)
        return out

    def further_forms(self, further: list[Note]) -> list[Markup]:
        """FURTHER reading as printed: the short form for a source a numbered note already gives in full."""
        cited = {note.ref.seed for note in self.items}
        seen: set[str] = set()
        out: list[Markup] = []
        for note in further:
            out.append(note.short_form(2) if note.ref.seed in cited | seen else note.citation)
            seen.add(note.ref.seed)
        return out

    def further(self, refs: list[SourceRef]) -> list[Note]:
        """Notes for REFS that no statement cites (unnumbered "Further reading"), one per document section."""
        out: list[Note] = []
        seen: set[tuple[str, str]] = set()
        for ref in refs:
            note = self._note(ref, 0)
            key = (ref.seed, note.section, page_of(note.passage))
            if key in self._index or key in seen:
                continue
            seen.add(key)
            out.append(note)
        return out

    def credit_of(self, ref: SourceRef) -> str:
        """A quote's credit when the content names no speaker, in the one credit style (who, then what):
        "Byman et al., CSIS" (authors, publisher), "WISC, “Modernizing Alliances”" (publisher, title),
        else "“Title”"."""
        seed = self.project.seeds.get(ref.seed)
        if seed is None:
            return ref.seed
        s = seed.info
        short = re.search(r"\(([A-Z&.]{2,})\)\s*$", s.publisher or "")
        publisher = short[1] if short else _publisher(s)
        if s.authors:
            who = s.authors[0].split()[-1] + (" et al." if len(s.authors) > 2 else
                                              f" and {s.authors[1].split()[-1]}" if len(s.authors) == 2 else "")
            return f"{who}, {publisher}" if publisher else f"{who}, “{s.title}”"
        return f"{publisher}, “{s.title}”" if publisher else f"“{s.title}”"

    def title_of(self, ref: SourceRef) -> str:
        """Return the title of the seed REF cites, e.g. to attribute an unattributed quote."""
        seed = self.project.seeds.get(ref.seed)
        return seed.info.title if seed is not None else ref.seed

    def link(self, ref: SourceRef) -> Markup:
        """The number of REF's note as a link to it, inline (a figure's source line: "note 3")."""
        return Markup('<a href="#note-{0}" title="Source note {0}">{0}</a>').format(self.number(ref))

    def cite(self, refs: SourceRef | list[SourceRef] | None) -> Markup:
        """Return superscript note links for REFS (used by templates as `{{ cite(x.cite) }}`)."""
        numbers = sorted({self.number(r) for r in as_list(refs)})
        if not numbers:
            return Markup("")
        links = Markup(",").join(Markup('<a href="#note-{0}" title="Source note {0}">{0}</a>').format(n)
                                 for n in numbers)
        # A word joiner keeps the note number on the line of the word it follows.
        return Markup('\u2060<sup class="note-ref">') + links + Markup("</sup>")


class ChapterNotes(Notes):
    """A book chapter's notes: numbered from 1 in the chapter's reading order and printed in the book's Notes
    appendix, under the chapter. Each number links to its note there (anchor `note-<chapter>-<n>`), and the first
    citation of each note carries the id `ref-<n>` its note links back to (namespaced with the chapter's anchor)."""

    def __init__(self, project: Project, anchor: str) -> None:
        super().__init__(project)
        self.anchor = anchor
        self._linked: set[int] = set()

    def link(self, ref: SourceRef) -> Markup:
        n = self.number(ref)
        return Markup('<a href="#note-{0}-{1}" title="Note {1}">{1}</a>').format(self.anchor, n)

    def cite(self, refs: SourceRef | list[SourceRef] | None) -> Markup:
        numbers = sorted({self.number(r) for r in as_list(refs)})
        if not numbers:
            return Markup("")
        links = []
        for n in numbers:
            back = Markup(' id="ref-{0}"').format(n) if n not in self._linked else Markup("")
            self._linked.add(n)
            links.append(Markup('<a{0} href="#note-{1}-{2}" title="Note {2}">{2}</a>').format(back, self.anchor, n))
        return Markup('\u2060<sup class="note-ref">') + Markup(",").join(links) + Markup("</sup>")
