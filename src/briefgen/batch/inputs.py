"""Which project files each output depends on, and their hashes."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from briefgen._version import tool_id  # noqa: F401 - re-exported: what outputs record as their tool
from briefgen.config.inputs import EDITION_GLOBS, SHARED_GLOBS, project_files
from briefgen.config.kinds import Target, document_kind
from briefgen.content.catalogue import content_files
from briefgen.content.model import SourceRef
from briefgen.content.views import related_blocks
from briefgen.content.walk import walk
from briefgen.project import Project
from briefgen.safeio import hash_file


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


def shared_inputs(root: Path, audience: str | None = None) -> list[str]:
    """Files every document depends on: configuration, brand, templates, stylesheets, fonts (config/inputs.py).

    Every audience's template overrides count (an audience may extend another), so the set is the same for all.
    """
    return project_files(root, SHARED_GLOBS)


def _field_digest(block: Any, names: list[str]) -> str:
    values = {n: repr(getattr(block, n, None)) for n in names}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def content_inputs(project: Project, target: Target, hasher: Hasher,
                   deps: dict[str, list[str]] | None = None) -> dict[str, str | None]:
    """Content TARGET reads: its block's file, the fields of linked blocks it shows (`file#fields`), cited seeds.

    DEPS are the linked blocks' fields the last render read (recorded while rendering); without them (a first
    build) a linked block counts whole, so nothing can be missed.
    """
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
    for block in blocks:
        for ref in walk(block, SourceRef):
            seed = project.seeds.get(ref.seed)
            if seed is not None:
                inputs[seed.shown] = hasher(seed.shown)
    return dict(sorted(inputs.items()))


def watched_files(root: Path, audiences: list[str]) -> dict[str, None]:
    """Every project file any planned output may read, for the no-op check."""
    files = {p.relative_to(root).as_posix(): None for p in content_files(root)}
    for name in audiences:
        files.update(dict.fromkeys(shared_inputs(root, name)))
    for path in (root / "seeds").glob("*"):
        if path.is_file() and not path.name.startswith("."):
            files[path.relative_to(root).as_posix()] = None
    files.update(dict.fromkeys(project_files(root, EDITION_GLOBS)))  # the editions each output shows
    return dict(sorted(files.items()))

