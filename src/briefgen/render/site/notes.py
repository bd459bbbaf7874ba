"""Source notes for the web: footnotes whose numbers link down, back links up, and side notes for wide screens."""
from __future__ import annotations

from markupsafe import Markup

from briefgen.content.model import SourceRef, as_list
from briefgen.project import Project
from briefgen.render.notes import Notes


class WebNotes(Notes):
    """Notes numbered per page; each first citation carries `ref-N` (the note's back link) and a side note copy."""

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        self._anchored: set[int] = set()

    def has_ref(self, number: int) -> bool:
        """Whether the text carries the anchor note NUMBER links back to."""
        return number in self._anchored

    def _anchor(self, number: int) -> Markup:
        if number in self._anchored:
            return Markup("")
        self._anchored.add(number)
        return Markup(' id="ref-{0}"').format(number)

    def link(self, ref: SourceRef) -> Markup:
        n = self.number(ref)
        return Markup('<a{1} href="#note-{0}">{0}</a>').format(n, self._anchor(n))

    def cite(self, refs: SourceRef | list[SourceRef] | None) -> Markup:
        numbers = sorted({self.number(r) for r in as_list(refs)})
        if not numbers:
            return Markup("")
        links, side = [], []
        for n in numbers:
            first = n not in self._anchored
            links.append(Markup('<a{1} href="#note-{0}" aria-label="Source note {0}">{0}</a>')
                         .format(n, self._anchor(n)))
            if first:  # the side note repeats the note beside the text on wide screens (hidden from screen readers)
                side.append(Markup('<span class="sidenote" aria-hidden="true"><b>{0}</b> {1}</span>')
                            .format(n, self.items[n - 1].citation))
        return (Markup('\u2060<sup class="note-ref">') + Markup(",").join(links) + Markup("</sup>")
                + Markup("").join(side))
