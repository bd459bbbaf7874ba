"""What a build makes: Target (kind, id, audience, options) and where each output goes."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BriefgenError
from briefgen.project import Project
from briefgen.render.kinds import KINDS


def book_variant(select: str | None) -> str:
    """The output name of a book: `book`, or `book-<selection>` for a partial one."""
    if not select or not select.strip():
        return "book"
    slug = re.sub(r"[^a-z0-9]+", "-", select.lower()).strip("-") or "selection"
    if len(slug) > 40:
        slug = slug[:28].rstrip("-") + "-" + hashlib.sha256(select.encode()).hexdigest()[:8]
    return f"book-{slug}"



FOLDERS = {"brief": "briefs", "onepager": "onepagers"}


#: Every kind of target a build plans, in the order they are started (the book is the long pole).
ALL_KINDS: tuple[str, ...] = ("book", *KINDS)


#: Folder under the output folder that keeps rendered book segments between builds.
CACHE = ".cache"


#: Output formats: the PDF, or a standalone HTML file for reading on screen.
FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class Target:
    """One output document: a kind of document (brief, one-pager, book) for a block and an audience."""

    kind: str
    block_id: str
    audience: str

    def path(self, out: Path, fmt: str = "pdf") -> Path:
        """Where the output goes under OUT; never outside it."""
        if self.kind == "book":
            path = out / self.audience / f"{self.block_id}.{fmt}"
        else:
            path = out / self.audience / FOLDERS[self.kind] / f"{self.block_id}.{fmt}"
        if not path.resolve().is_relative_to(out.resolve()):
            raise BriefgenError(f"output path for {self.block_id!r} escapes {out}", None, "use a plain id")
        return path

    def rel(self) -> str:
        """The output's path relative to the output folder, as the manifest records it."""
        if self.kind == "book":
            return f"{self.audience}/{self.block_id}.pdf"
        return f"{self.audience}/{FOLDERS[self.kind]}/{self.block_id}.pdf"

    def __str__(self) -> str:
        return self.rel()[: -len(".pdf")]


def plan(project: Project, audience: str | None = None, kinds: tuple[str, ...] = ALL_KINDS) -> list[Target]:
    """The book, then every brief and one-pager of every alliance and obstacle, for AUDIENCE (default: the project's)."""
    name = audience or project.config.default_audience
    targets = [Target("book", "book", name)] if "book" in kinds else []
    return targets + [Target(kind, block.id, name) for kind in kinds if kind != "book"
                      for block in project.catalogue.documents()]


def book_cache_dir(out: Path, audience: str, name: str = "book") -> Path:
    """Where the rendered segments of one book are kept."""
    return out / CACHE / "book" / audience / name

