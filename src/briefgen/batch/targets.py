"""What a build makes and keeps: the plan of targets (config.kinds.Target), a selection of it, and its caches."""
from __future__ import annotations

import difflib
from pathlib import Path

from briefgen.config.kinds import DOCUMENT_KINDS, Target, document_kind
from briefgen.content.gate import fills, own_words
from briefgen.errors import COMMAND_LINE, BriefgenError, UsageError
from briefgen.project import Project
from briefgen.render.documents import CACHE, book_cache_dir

#: Every kind of target a build plans, in the order they are started (the book is the long pole).
ALL_KINDS: tuple[str, ...] = tuple(DOCUMENT_KINDS)
__all__ = ["ALL_KINDS", "CACHE", "book_cache_dir", "check_kinds", "keep_checked_content", "plan", "read_parsed_content",
           "save_checked_content", "select", "unknown_block"]


def keep_checked_content(project: Project, out: Path) -> None:
    """Keep PROJECT's parsed content files and each block's check findings in OUT's cache folder, from now on."""
    from briefgen.config.yamlcache import ParseCache
    from briefgen.content.checkcache import CheckCache

    if project.parse_cache is None:
        project.parse_cache = ParseCache(out / CACHE / "parse", out)
    if project.check_cache is None:
        project.check_cache = CheckCache(out / CACHE / "check", out)


def save_checked_content(project: Project) -> None:
    """Write the caches keep_checked_content gave PROJECT (their entries of this run), when they changed."""
    for cache in (project.parse_cache, project.check_cache):
        if cache is not None:
            cache.save()


def read_parsed_content(project: Project, out: Path) -> None:
    """Let a worker's PROJECT read content files the build into OUT parsed (never write): an unsafe cache is left
    alone here (the build reports it)."""
    from briefgen.config.yamlcache import ParseCache

    try:
        project.parse_cache = ParseCache(out / CACHE / "parse", out, writable=False).load()
    except BriefgenError:
        project.parse_cache = None


def plan(project: Project, audience: str | None = None, kinds: tuple[str, ...] = ALL_KINDS) -> list[Target]:
    """The book, then every brief and one-pager of every alliance and obstacle, for AUDIENCE (default: the project's);
    a topic too thin for a kind of document (content.gate) gets none of that kind."""
    name = audience or project.config.default_audience
    out: list[Target] = []
    words: dict[str, int] | None = None  # each block's own words, counted once for every kind (a walk of the block)
    for kind in kinds:
        if document_kind(kind).per_block:
            if words is None:
                words = {block.id: own_words(block) for block in project.catalogue.documents()}
            out += [Target(kind, block.id, name) for block in project.catalogue.documents()
                    if fills(block, kind, words[block.id])]
        else:
            out.append(Target.book(name))
    return out


def unknown_block(block_id: str, known: list[str], *, list_ids: bool = False) -> UsageError:
    """The usage error for BLOCK_ID, not one of KNOWN: the close ids it may mean, and every id when LIST_IDS (else
    where to find them)."""
    close = difflib.get_close_matches(block_id, known, n=3, cutoff=0.5)
    hints = [f"did you mean {' or '.join(close)}?"] if close else []
    if list_ids:
        hints.append(f"the ids are {', '.join(sorted(known))}")
    elif not close:
        hints.append("`briefgen list` shows every id")
    return UsageError(f"no alliance or obstacle with id {block_id!r}", COMMAND_LINE, " ".join(hints))


def check_kinds(kinds: tuple[str, ...]) -> None:
    """Refuse a kind that is not a document kind, naming the known ones."""
    for kind in kinds:
        if kind not in DOCUMENT_KINDS:
            raise UsageError(f"no document kind {kind!r}", COMMAND_LINE, f"the kinds are {', '.join(DOCUMENT_KINDS)}")


def select(project: Project, targets: list[Target], kinds: tuple[str, ...] = (),
           ids: tuple[str, ...] = ()) -> list[Target]:
    """The TARGETS of KINDS (default: every kind) and, when IDS are given, of those alliances and obstacles only.

    The book binds every block and has no id: with IDS it is kept only when KINDS names it. An unknown kind or id is
    a usage error naming the known ones; so is a selection that leaves nothing (a topic too thin for the kind asked)."""
    check_kinds(kinds)
    known = [block.id for block in project.catalogue.documents()]
    for block_id in ids:
        if block_id not in known:
            raise unknown_block(block_id, known, list_ids=True)
    chosen = [t for t in targets if (not kinds or t.kind in kinds)
              and (t.block_id in ids if ids and document_kind(t.kind).per_block else not ids or t.kind in kinds)]
    if targets and not chosen:
        raise UsageError(f"nothing to build: no {' or '.join(kinds) or 'document'}"
                         + (f" of {', '.join(ids)}" if ids else "") + " is planned", COMMAND_LINE,
                         "a thin topic gets no brief, or no brief and no one-pager (README: Thin topics); "
                         "`briefgen brief ID` or `briefgen onepager ID` renders one on request")
    return chosen
