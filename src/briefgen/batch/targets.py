"""What a build makes: the plan of targets (config.kinds.Target) and where the book's segment cache goes."""
from __future__ import annotations

from briefgen.config.kinds import DOCUMENT_KINDS, Target, document_kind
from briefgen.content.gate import fills
from briefgen.project import Project
from briefgen.render.documents import CACHE, book_cache_dir

#: Every kind of target a build plans, in the order they are started (the book is the long pole).
ALL_KINDS: tuple[str, ...] = tuple(DOCUMENT_KINDS)
__all__ = ["ALL_KINDS", "CACHE", "book_cache_dir", "plan"]


def plan(project: Project, audience: str | None = None, kinds: tuple[str, ...] = ALL_KINDS) -> list[Target]:
    """The book, then every brief and one-pager of every alliance and obstacle, for AUDIENCE (default: the project's);
    a topic too thin for a kind of document (content.gate) gets none of that kind."""
    name = audience or project.config.default_audience
    out: list[Target] = []
    for kind in kinds:
        if document_kind(kind).per_block:
            out += [Target(kind, block.id, name) for block in project.catalogue.documents() if fills(block, kind)]
        else:
            out.append(Target.book(name))
    return out
