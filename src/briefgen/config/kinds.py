"""The kinds of document briefgen renders (brief, one-pager, book), and Target: one document of a kind."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BriefgenError


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
    #: The letter that stands for the kind in a document number (PREFIX-B12345).
    code: str
    #: A one-page summary: it shows the audience's one-pager sections (`onepager.lead` and `.columns`) and at most
    #: four points a list; other kinds show the audience's brief sections.
    summary: bool = False
    #: The web edition has a page of it for each block, and its PDF is that page's main download
    #: (downloads/ID.pdf; another kind's PDF is downloads/ID-KIND.pdf). One kind at most.
    site_page: bool = False
    #: The least words of its own text (summary, bottom line, points, examples) a topic needs for one; a build plans
    #: none for a thinner topic (content.gate). 0: every topic gets one.
    min_words: int = 0


#: Every kind, in the order a build starts them (the book is the long pole). A brief needs 200 words of a topic's own
#: (fewer gave a one-page brief); a one-pager 150 (at most 15 % of its page unused); the book takes every topic.
DOCUMENT_KINDS: dict[str, DocumentKind] = {
    "book": DocumentKind("book", "Briefing book", "book.html.j2", "", per_block=False, code="K"),
    "brief": DocumentKind("brief", "Policy brief", "brief.html.j2", "briefs", per_block=True, code="B",
                          site_page=True, min_words=200),
    "onepager": DocumentKind("onepager", "One-pager", "onepager.html.j2", "onepagers", per_block=True, code="P",
                             summary=True, min_words=150),
}
#: The kinds rendered once per alliance and obstacle.
KINDS: tuple[str, ...] = tuple(k.name for k in DOCUMENT_KINDS.values() if k.per_block)
#: The kinds `check --layout` lays out and audits, per-block kinds first (the book's segments are audited as they
#: are rendered).
AUDITED_KINDS: tuple[str, ...] = tuple(sorted(DOCUMENT_KINDS, key=lambda k: not DOCUMENT_KINDS[k].per_block))
#: Every kind's reader-facing label.
KIND_LABELS: dict[str, str] = {k.name: k.label for k in DOCUMENT_KINDS.values()}
#: The kind the web edition has a page of for each block.
SITE_PAGE_KIND: str = next(k.name for k in DOCUMENT_KINDS.values() if k.site_page)


def document_kind(name: str) -> DocumentKind:
    """Return the kind called NAME; a ValueError names the known ones."""
    try:
        return DOCUMENT_KINDS[name]
    except KeyError:
        raise ValueError(f"unknown document kind {name!r}; known: {', '.join(DOCUMENT_KINDS)}") from None


def book_variant(select: str | None) -> str:
    """The output name of a book: `book`, or `book-<selection>` for a partial one."""
    if not select or not select.strip():
        return "book"
    slug = re.sub(r"[^a-z0-9]+", "-", select.lower()).strip("-") or "selection"
    if len(slug) > 40:
        slug = slug[:28].rstrip("-") + "-" + hashlib.sha256(select.encode()).hexdigest()[:8]
    return f"book-{slug}"


@dataclass(frozen=True)
class Target:
    """One output document: a kind, a name (the block id; for a book its variant), an audience, book options."""

    kind: str
    block_id: str
    audience: str
    #: Book only: which blocks it binds (`--select`), and its cover title.
    select: str | None = None
    title: str | None = None
    #: Book only: the edition (number or date) its changes appendix lists changes since (default: the previous).
    changes_since: str | None = None

    @classmethod
    def book(cls, audience: str, select: str | None = None, title: str | None = None,
             changes_since: str | None = None) -> Target:
        """The book of AUDIENCE, whole or a selection."""
        return cls("book", book_variant(select), audience, select or None, title or None, changes_since or None)

    @classmethod
    def of(cls, kind: str, block_id: str | None, audience: str, select: str | None = None,
           title: str | None = None) -> Target:
        """The document of KIND: of the block BLOCK_ID, or (a kind made once per build) the book of AUDIENCE."""
        if not document_kind(kind).per_block:
            return cls.book(audience, select, title)
        return cls(kind, block_id or "", audience)

    @property
    def name(self) -> str:
        """The output's file stem: the block id, or the book's variant name."""
        return self.block_id

    def rel(self, fmt: str = "pdf") -> str:
        """The output's path relative to the output folder (the manifest's key for it)."""
        if not re.fullmatch(r"[a-z0-9]+", fmt):
            raise ValueError(f"not an output format: {fmt!r}")
        folder = document_kind(self.kind).folder
        return "/".join(p for p in (self.audience, folder, f"{self.block_id}.{fmt}") if p)

    def path(self, out: Path, fmt: str = "pdf") -> Path:
        """Where the output goes under OUT; never outside it."""
        path = out / self.rel(fmt)
        if not path.resolve().is_relative_to(out.resolve()):
            raise BriefgenError(f"output path for {self.block_id!r} escapes {out}", None, "use a plain id")
        return path

    @property
    def key(self) -> str:
        """The target's URL form: audience/kind/name (the preview's document address)."""
        return f"{self.audience}/{self.kind}/{self.block_id}"

    def __str__(self) -> str:
        return self.rel().rsplit(".", 1)[0]
