"""Source notes: numbering cited seed passages in order of first citation, per document or per book."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup

from briefgen import prose
from briefgen.content.model import SourceRef, as_list
from briefgen.errors import ContentError
from briefgen.project import Project
from briefgen.seeds.registry import Passage, SeedInfo

_LINE_REF = re.compile(r"(?:L\d+(?:-L?\d+)?|p\d+(?:-L\d+(?:-L?\d+)?)?)\Z")  # spans of lines or of a page


def _place(p: Passage) -> str:
    """Where a passage is: its page(s) for a paged seed, else its lines."""
    if p.pages is not None:
        first, last = p.pages
        return f"p. {first}" if first == last else f"pp. {first}\u2013{last}"
    return f"line {p.start}" if p.start == p.end else f"lines {p.start}\u2013{p.end}"


@dataclass
class Note:
    """A numbered source note: one seed passage."""

    number: int
    ref: SourceRef
    seed: SeedInfo
    passage: Passage | None

    @property
    def where(self) -> str:
        """The passage as a reader finds it: outline section titles (outermost and innermost), then lines."""
        p = self.passage
        if p is None:
            return self.ref.anchor
        lines = _place(p)
        titles = [prose.plain(t) for t in p.path]
        named = not _LINE_REF.match(p.anchor)
        if named and (not titles or titles[-1] != prose.plain(p.title)):
            titles.append(prose.plain(p.title))
        if len(titles) > 2:
            titles = [titles[0], titles[-1]]
        if not titles:
            return lines
        return "section \u201c" + " \u203a ".join(titles) + f"\u201d ({lines})"

    @property
    def citation(self) -> str:
        """Authors, title, publisher, date, section: a one-line reference."""
        s = self.seed
        parts = []
        if s.authors:
            parts.append(s.authors[0] + (" et al." if len(s.authors) > 2 else
                                          f" and {s.authors[1]}" if len(s.authors) == 2 else ""))
        parts.append(f"\u201c{s.title}\u201d")
        if s.publisher:
            parts.append(s.publisher)
        if s.date:
            parts.append(s.date)
        parts.append(self.where)
        return ", ".join(parts) + "."

    @property
    def short(self) -> str:
        """Title and innermost section only, for one-pagers."""
        p = self.passage
        if p is None:
            return f"{self.seed.title}, {self.ref.anchor}."
        named = p.title if not _LINE_REF.match(p.anchor) else (p.path[-1] if p.path else "")
        if not named:
            return f"{self.seed.title}, {_place(p)}."
        page = f", {_place(p)}" if p.pages is not None else ""
        return f"{self.seed.title}, \u201c{prose.plain(named)}\u201d{page}."


@dataclass
class Notes:
    """Numbers source passages in order of first citation; the same passage keeps its number."""

    project: Project
    items: list[Note] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def number(self, ref: SourceRef) -> int:
        """Return REF's note number, adding a note on first use."""
        key = str(ref)
        if key not in self._index:
            seed = self.project.seeds.get(ref.seed)
            if seed is None:
                raise ContentError(f"unknown seed {ref.seed!r}", ref.loc, "run briefgen check")
            self.items.append(Note(len(self.items) + 1, ref, seed.info, seed.passage(ref.anchor)))
            self._index[key] = len(self.items)
        return self._index[key]

    def title_of(self, ref: SourceRef) -> str:
        """Return the title of the seed REF cites, e.g. to attribute an unattributed quote."""
        seed = self.project.seeds.get(ref.seed)
        return seed.info.title if seed is not None else ref.seed

    def cite(self, refs: SourceRef | list[SourceRef] | None) -> Markup:
        """Return superscript note links for REFS (used by templates as `{{ cite(x.cite) }}`)."""
        numbers = sorted({self.number(r) for r in as_list(refs)})
        if not numbers:
            return Markup("")
        links = Markup(",").join(Markup('<a href="#note-{0}" title="Source note {0}">{0}</a>').format(n)
                                 for n in numbers)
        # A word joiner keeps the note number on the line of the word it follows.
        return Markup('\u2060<sup class="note-ref">') + links + Markup("</sup>")



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

