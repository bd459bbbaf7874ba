"""What a build makes and keeps: the plan of targets (config.kinds.Target) and where its caches go."""
from __future__ import annotations

from pathlib import Path

from briefgen.config.kinds import DOCUMENT_KINDS, Target, document_kind
from briefgen.content.gate import fills
from briefgen.project import Project
from briefgen.render.documents import CACHE, book_cache_dir

#: Every kind of target a build plans, in the order they are started (the book is the long pole).
ALL_KINDS: tuple[str, ...] = tuple(DOCUMENT_KINDS)
__all__ = ["ALL_KINDS", "CACHE", "book_cache_dir", "keep_checked_content", "plan", "read_parsed_content"]


def keep_checked_content(project: Project, out: Path) -> None:
    """Keep PROJECT's parsed content files and each block's check findings in OUT's cache folder, from now on."""
    from briefgen.config.yamlcache import ParseCache
    from briefgen.content.checkcache import CheckCache

    if project.parse_cache is None:
        project.parse_cache = ParseCache(out / CACHE / "parse", out)
    if project.check_cache is None:
        project.check_cache = CheckCache(out / CACHE / "check", out)


def read_parsed_content(project: Project, out: Path) -> None:
    """Let a worker's PROJECT read content files the build into OUT parsed (never write): an unsafe cache is left
    alone here (the build reports it)."""
    from briefgen.config.yamlcache import ParseCache
    from briefgen.errors import BriefgenError

    try:
        project.parse_cache = ParseCache(out / CACHE / "parse", out, writable=False).load()
    except BriefgenError:
        project.parse_cache = None


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
