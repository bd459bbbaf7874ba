"""The kinds of document briefgen renders (brief, one-pager, book): the one declaration of each."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["brief", "onepager", "book"]


@dataclass(frozen=True)
class DocumentKind:
    """One kind of output document and the facts every stage asks about it."""

    #: The name used on the command line, in targets and in the manifest.
    name: str
    #: What a reader calls it (shown on the document and in the preview).
    label: str
    #: The template that renders it, under templates/ (an audience may override it).
    template: str
    #: Folder under OUT/AUDIENCE/ for its files; "" puts them in OUT/AUDIENCE/ itself.
    folder: str
    #: One per alliance and obstacle (True), or one per build (the book).
    per_block: bool
    #: Output formats it can be written in.
    formats: tuple[str, ...] = ("pdf", "html")


#: Every kind, in the order a build starts them (the book is the long pole).
DOCUMENT_KINDS: dict[str, DocumentKind] = {
    "book": DocumentKind("book", "Briefing book", "book.html.j2", "", per_block=False),
    "brief": DocumentKind("brief", "Policy brief", "brief.html.j2", "briefs", per_block=True),
    "onepager": DocumentKind("onepager", "One-pager", "onepager.html.j2", "onepagers", per_block=True),
}
#: The kinds rendered once per alliance and obstacle.
KINDS: tuple[str, ...] = tuple(k.name for k in DOCUMENT_KINDS.values() if k.per_block)
#: Every kind's reader-facing label.
KIND_LABELS: dict[str, str] = {k.name: k.label for k in DOCUMENT_KINDS.values()}
#: Output formats any kind may be written in.
FORMATS: tuple[str, ...] = ("pdf", "html")


def document_kind(name: str) -> DocumentKind:
    """Return the kind called NAME; a ValueError names the known ones."""
    try:
        return DOCUMENT_KINDS[name]
    except KeyError:
        raise ValueError(f"unknown document kind {name!r}; known: {', '.join(DOCUMENT_KINDS)}") from None
