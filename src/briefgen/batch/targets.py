"""What a build makes: the plan of targets (config.kinds.Target), a selection of it, and the book's segment cache."""
from __future__ import annotations

import difflib

from briefgen.config.kinds import DOCUMENT_KINDS, Target, document_kind
from briefgen.content.gate import fills
from briefgen.errors import COMMAND_LINE, UsageError
from briefgen.project import Project
from briefgen.render.documents import CACHE, book_cache_dir

#: Every kind of target a build plans, in the order they are started (the book is the long pole).
ALL_KINDS: tuple[str, ...] = tuple(DOCUMENT_KINDS)
__all__ = ["ALL_KINDS", "CACHE", "book_cache_dir", "check_kinds", "plan", "select"]


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
            close = difflib.get_close_matches(block_id, known, n=3, cutoff=0.5)
            raise UsageError(f"no alliance or obstacle with id {block_id!r}", COMMAND_LINE,
                             (f"did you mean {' or '.join(close)}? " if close else "")
                             + f"the ids are {', '.join(sorted(known))}")
    chosen = [t for t in targets if (not kinds or t.kind in kinds)
              and (t.block_id in ids if ids and document_kind(t.kind).per_block else not ids or t.kind in kinds)]
    if targets and not chosen:
        raise UsageError(f"nothing to build: no {' or '.join(kinds) or 'document'}"
                         + (f" of {', '.join(ids)}" if ids else "") + " is planned", COMMAND_LINE,
                         "a thin topic gets no brief, or no brief and no one-pager (README: Thin topics); "
                         "`briefgen brief ID` or `briefgen onepager ID` renders one on request")
    return chosen
