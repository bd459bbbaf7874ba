"""What a build makes: Target (kind, name, audience, book options), where each output goes, and the plan."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BriefgenError
from briefgen.project import Project
from briefgen.render.kinds import DOCUMENT_KINDS, FORMATS, KINDS, document_kind

#: Every kind of target a build plans, in the order they are started (the book is the long pole).
ALL_KINDS: tuple[str, ...] = tuple(DOCUMENT_KINDS)
#: Folder under the output folder that keeps rendered book segments between builds.
CACHE = ".cache"

__all__ = ["ALL_KINDS", "CACHE", "FORMATS", "KINDS", "Target", "book_cache_dir", "book_variant", "plan"]


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

    @property
    def name(self) -> str:
        """The output's file stem: the block id, or the book's variant name."""
        return self.block_id

    def rel(self, fmt: str = "pdf") -> str:
        """The output's path relative to the output folder (the manifest's key for it)."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown output format {fmt!r}")
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


def plan(project: Project, audience: str | None = None, kinds: tuple[str, ...] = ALL_KINDS) -> list[Target]:
    """The book, then every brief and one-pager of every alliance and obstacle, for AUDIENCE (default: the project's)."""
    name = audience or project.config.default_audience
    out: list[Target] = []
    for kind in kinds:
        if document_kind(kind).per_block:
            out += [Target(kind, block.id, name) for block in project.catalogue.documents()]
        else:
            out.append(Target.book(name))
    return out


def book_cache_dir(out: Path, target: Target) -> Path:
    """Where the rendered segments of one book are kept."""
    return out / CACHE / "book" / target.audience / target.block_id
