"""Load content blocks from content/ into the typed model, validate ids and cross-links."""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, TypeVar

from briefgen.config import yamlsafe
from briefgen.config.inputs import SKIPPED_FOLDERS, content_files  # noqa: F401 - re-exported
from briefgen.content.model import (
    BLOCK_BY_FOLDER,
    BLOCK_BY_NAME,
    BLOCK_TYPES,
    Alliance,
    Block,
    Framework,
    Obstacle,
    Recommendation,
    new_converter,
)
from briefgen.errors import BriefgenError, ContentError, ErrorCollector, Location

if TYPE_CHECKING:
    from briefgen.config.yamlcache import ParseCache

B = TypeVar("B", bound=Block)


@dataclass
class Catalogue:
    """Every content block of a project, by id, in a stable order (type, then file name)."""

    blocks: dict[str, Block] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # id -> content/... path
    #: id -> sha256 of the text its block was parsed from (what a cached check of the block was keyed by).
    digests: dict[str, str] = field(default_factory=dict)

    def get(self, block_id: str) -> Block | None:
        return self.blocks.get(block_id)

    def of(self, cls: type[B]) -> list[B]:
        """Return the blocks of one type."""
        return [b for b in self.blocks.values() if isinstance(b, cls)]

    @property
    def alliances(self) -> list[Alliance]:
        return self.of(Alliance)

    @property
    def obstacles(self) -> list[Obstacle]:
        return self.of(Obstacle)

    @property
    def recommendations(self) -> list[Recommendation]:
        return self.of(Recommendation)

    @property
    def frameworks(self) -> list[Framework]:
        return self.of(Framework)

    def documents(self) -> Iterator[Block]:
        """Blocks that get their own brief and one-pager (types declared `document`), type by type."""
        for cls in BLOCK_TYPES:
            if cls.document:
                yield from self.of(cls)

    def by_type(self) -> list[tuple[type[Block], list[Block]]]:
        """Every block type with its blocks, in catalogue order."""
        return [(cls, self.of(cls)) for cls in BLOCK_TYPES]

    def file_of(self, block: Block) -> str:
        return self.files[block.id]


def load_catalogue(project_root: Path, parsed: ParseCache | None = None) -> Catalogue:
    """Load and validate every block under content/; report every error before raising. With PARSED, a file whose
    text was parsed before is read from that cache (which keeps this run's files till its owner saves it)."""
    errors = ErrorCollector()
    cat = Catalogue()
    folded: dict[str, str] = {}
    broken: set[str] = set()  # stems of files that failed; links to them are not reported again
    top = project_root / "content"
    for folder in sorted(top.iterdir()) if top.is_dir() else []:
        if folder.is_symlink() and folder.is_dir() and folder.name not in SKIPPED_FOLDERS:
            # Its blocks would be silently left out otherwise (folders are walked without following links).
            errors.add(ContentError("content folder is a link; the blocks in it are not read",
                                    Location(folder.relative_to(project_root).as_posix()),
                                    "replace the link with a real folder holding the block files"))
    for path in content_files(project_root):
        shown = path.relative_to(project_root).as_posix()
        rel = path.relative_to(project_root / "content")
        cls = BLOCK_BY_FOLDER.get(rel.parts[0]) if len(rel.parts) == 2 else None
        if cls is None:
            errors.add(ContentError("content file is not in a known folder", Location(shown),
                                    "move it to content/{" + ",".join(BLOCK_BY_FOLDER) + "}/"))
            continue
        if not path.resolve().is_relative_to(project_root.resolve()):
            errors.add(ContentError("content file is a link to a file outside the project", Location(shown),
                                    "copy the block into content/ instead of linking to it"))
            broken.add(path.stem)
            continue
        try:
            text = yamlsafe.read_text(path, shown)
            node = parsed.parse(text, shown) if parsed is not None else yamlsafe.loads(text, shown)
        except BriefgenError as exc:
            errors.add(exc)
            broken.add(path.stem)
            continue
        conv = new_converter()
        block = conv.record(node, cls, "")
        errors.extend(conv.errors)
        if block is None:
            broken.add(path.stem)
            continue
        if block.id != path.stem:
            errors.add(ContentError(f"id {block.id!r} does not match the file name {path.name!r}",
                                    block.where("id"), f"rename the file to {block.id}.yaml or change the id"))
            continue
        key = unicodedata.normalize("NFKC", block.id).casefold()
        if key in folded:
            errors.add(ContentError(f"duplicate id {block.id!r} (also in {folded[key]})", block.where("id"),
                                    "ids name output files and must be unique across content/"))
            continue
        folded[key] = shown
        cat.blocks[block.id] = block
        cat.files[block.id] = shown
        cat.digests[block.id] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    errors.extend(check_links(cat, broken))
    errors.raise_if_any()
    return cat


def check_links(cat: Catalogue, broken: set[str] = frozenset()) -> list[BriefgenError]:
    """Every cross-reference resolves to a block of the right type; alliance/obstacle links go both ways.

    Ids in BROKEN belong to files that failed to load and were already reported; links to them are skipped.
    """
    errors: list[BriefgenError] = []
    for block in cat.blocks.values():
        for link in block.links:
            cls = BLOCK_BY_NAME[link.target]
            for ref in getattr(block, link.field):
                target = cat.get(ref)
                if target is None and ref in broken:
                    continue
                loc = getattr(ref, "loc", None) or block.where(link.field)
                if target is None:
                    known = ", ".join(b.id for b in cat.of(cls)) or "none yet"
                    errors.append(ContentError(f"{link.field}: no {cls.type_name} with id {ref!r}", loc,
                                               f"known {cls.type_name} ids: {known}"))
                elif not isinstance(target, cls):
                    errors.append(ContentError(f"{link.field}: {ref!r} is a {target.type_name}, not a "
                                               f"{cls.type_name}", loc, f"list only {cls.type_name} ids here"))
                elif link.mirror and block.id not in getattr(target, link.mirror):
                    errors.append(ContentError(
                        f"{block.id} lists {cls.type_name} {ref!r}, but {ref} does not list {block.id!r} in "
                        f"{link.mirror}", loc,
                        f"add '{block.id}' to {link.mirror} in {cat.files[ref]}, or remove '{ref}' here"))
    return errors
