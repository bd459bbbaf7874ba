"""Which project files each output depends on, and their hashes."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen._version import tool_id  # noqa: F401 - re-exported: what outputs record as their tool
from briefgen.config.audiences import AUDIENCE_DIR
from briefgen.config.inputs import EDITION_GLOBS, SHARED_GLOBS, content_files, project_files
from briefgen.config.kinds import Target, document_kind
from briefgen.safeio import hash_file

if TYPE_CHECKING:  # the content stage loads when a plan needs it: the no-op check reads files only
    from briefgen.project import Project


def source_epoch() -> str | None:
    """SOURCE_DATE_EPOCH as set for this build (it dates the documents, so it is part of what an output was built
    with: a build under another value is not "up to date")."""
    return os.environ.get("SOURCE_DATE_EPOCH", "").strip() or None


class Hasher:
    """SHA-256 of project files, each read once per build, in chunks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, str | None] = {}

    def __call__(self, rel: str) -> str | None:
        if rel not in self._cache:
            path = self.root / rel
            try:
                self._cache[rel] = hash_file(path, self.root)
            except OSError:  # gone, unreadable, not a regular file, or a link out of the project
                self._cache[rel] = None
        return self._cache[rel]


def shared_inputs(root: Path, audience: str | None = None, chain: list[str] | None = None) -> list[str]:
    """Files every document of AUDIENCE depends on: configuration, brand, stylesheets, fonts, the default templates,
    and of the audiences only its own `extends:` CHAIN (their files and template overrides), so adding or editing
    another audience rebuilds none of its documents. The seeds registry is not here: a document depends on the
    entries of the seeds it cites (content_inputs)."""
    if audience is None or chain is None:
        chain = [audience] if audience else []
    files = [f for f in project_files(root, SHARED_GLOBS)
             if not f.startswith((f"{AUDIENCE_DIR}/", OVERRIDES_DIR, REGISTRY))]
    files += project_files(root, tuple(f"{AUDIENCE_DIR}/{name}.yaml" for name in chain)
                           + tuple(f"{OVERRIDES_DIR}{name}/**/*" for name in chain))
    return sorted(files)


#: Where audiences' template overrides live (templates/audiences/<name>/).
OVERRIDES_DIR = "templates/audiences/"
#: The seeds registry: a document depends on the entries it cites, `seeds/sources.yaml#<id>`, not the whole file.
REGISTRY = "seeds/sources.yaml"


def _entry_digest(info: Any) -> str:
    values = {f: repr(getattr(info, f)) for f in ("id", "file", "title", "publisher", "authors", "date", "url",
                                                  "format", "sha256")}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _field_digest(block: Any, names: list[str]) -> str:
    values = {n: repr(getattr(block, n, None)) for n in names}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def content_inputs(project: Project, target: Target, hasher: Hasher,
                   deps: dict[str, list[str]] | None = None) -> dict[str, str | None]:
    """Content TARGET reads: its block's file, the fields of linked blocks it shows (`file#fields`), cited seeds.

    DEPS are the linked blocks' fields the last render read (recorded while rendering); without them (a first
    build) a linked block counts whole, so nothing can be missed.
    """
    from briefgen.content.model import SourceRef
    from briefgen.content.views import related_blocks
    from briefgen.content.walk import walk

    cat = project.catalogue
    inputs: dict[str, str | None] = {}
    if not document_kind(target.kind).per_block:
        blocks = list(cat.blocks.values())
        for path in content_files(project.root):
            rel = path.relative_to(project.root).as_posix()
            inputs[rel] = hasher(rel)
    else:
        block = cat.get(target.block_id)
        if block is None:
            return {}
        blocks = [block]
        inputs[cat.file_of(block)] = hasher(cat.file_of(block))
        for group in related_blocks(cat, block).values():
            for other in group:
                if deps is None or other.id not in deps:
                    inputs[cat.file_of(other)] = hasher(cat.file_of(other))
                    blocks.append(other)
                    continue
                names = deps[other.id]
                inputs[f"{cat.file_of(other)}#{','.join(names)}"] = _field_digest(other, names)
                blocks += [getattr(other, n) for n in names]
    cited = {ref.seed for block in blocks for ref in walk(block, SourceRef)}  # a seed is cited many times over
    for seed in (project.seeds.get(seed_id) for seed_id in cited):
        if seed is None:
            continue
        inputs[seed.shown] = hasher(seed.shown)
        inputs[f"{REGISTRY}#{seed.info.id}"] = _entry_digest(seed.info)  # its notes print the entry
    return dict(sorted(inputs.items()))


def watched_files(root: Path, audiences: list[str]) -> dict[str, None]:
    """Every project file any planned output may read, for the no-op check."""
    files = {p.relative_to(root).as_posix(): None for p in content_files(root)}
    files.update(dict.fromkeys(project_files(root, SHARED_GLOBS)))  # every audience: any change takes the full path
    for path in (root / "seeds").glob("*"):
        if path.is_file() and not path.name.startswith("."):
            files[path.relative_to(root).as_posix()] = None
    files.update(dict.fromkeys(project_files(root, EDITION_GLOBS)))  # the editions each output shows
    return dict(sorted(files.items()))

