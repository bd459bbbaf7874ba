"""Load content blocks from content/ into the typed model, validate ids and cross-links."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, TypeVar

from briefgen.config import yamlsafe
from briefgen.content.model import BLOCK_BY_FOLDER, Alliance, Block, Framework, Obstacle, Recommendation, new_converter
from briefgen.errors import BriefgenError, ContentError, ErrorCollector, Location

B = TypeVar("B", bound=Block)

#: Folders under content/ that hold work in progress, never loaded into the catalogue.
SKIPPED_FOLDERS = {"drafts"}


@dataclass
class Catalogue:
    """Every content block of a project, by id, in a stable order (type, then file name)."""

    blocks: dict[str, Block] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # id -> content/... path

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
        """Blocks that get their own brief and one-pager: alliances and obstacles."""
        yield from self.alliances
        yield from self.obstacles

    def file_of(self, block: Block) -> str:
        return self.files[block.id]


def content_files(project_root: Path) -> list[Path]:
    """Every content YAML file, sorted; folders named in SKIPPED_FOLDERS are left out."""
    root = project_root / "content"
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIPPED_FOLDERS or path.is_dir():
            continue
        if path.suffix in (".yaml", ".yml"):
            out.append(path)
    return out


def load_catalogue(project_root: Path) -> Catalogue:
    """Load and validate every block under content/; report every error before raising."""
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
            node = yamlsafe.load(path, shown)
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
    errors.extend(check_links(cat, broken))
    errors.raise_if_any()
    return cat


def check_links(cat: Catalogue, broken: set[str] = frozenset()) -> list[BriefgenError]:
    """Every cross-reference resolves to a block of the right type; alliance/obstacle links go both ways.

    Ids in BROKEN belong to files that failed to load and were already reported; links to them are skipped.
    """
    errors: list[BriefgenError] = []

    def expect(block: Block, field_name: str, ids: list[str], cls: type[Block]) -> None:
        for ref in ids:
            target = cat.get(ref)
            if target is None and ref in broken:
                continue
            loc = getattr(ref, "loc", None) or block.where(field_name)
            if target is None:
                known = ", ".join(b.id for b in cat.of(cls)) or "none yet"
                errors.append(ContentError(f"{field_name}: no {cls.type_name} with id {ref!r}", loc,
                                           f"known {cls.type_name} ids: {known}"))
            elif not isinstance(target, cls):
                errors.append(ContentError(f"{field_name}: {ref!r} is a {target.type_name}, not a {cls.type_name}",
                                           loc, f"list only {cls.type_name} ids here"))

    for a in cat.alliances:
        expect(a, "related_obstacles", a.related_obstacles, Obstacle)
        expect(a, "recommendations", a.recommendations, Recommendation)
    for o in cat.obstacles:
        expect(o, "affected_alliances", o.affected_alliances, Alliance)
        expect(o, "recommendations", o.recommendations, Recommendation)
    for r in cat.recommendations:
        expect(r, "addresses", r.addresses, Obstacle)

    for a in cat.alliances:
        for oid in a.related_obstacles:
            o = cat.get(oid)
            if isinstance(o, Obstacle) and a.id not in o.affected_alliances:
                errors.append(ContentError(
                    f"{a.id} lists obstacle {oid!r}, but {oid} does not list {a.id!r} in affected_alliances",
                    getattr(oid, "loc", None) or a.where("related_obstacles"),
                    f"add '{a.id}' to affected_alliances in {cat.files[oid]}, or remove '{oid}' here"))
    for o in cat.obstacles:
        for aid in o.affected_alliances:
            a = cat.get(aid)
            if isinstance(a, Alliance) and o.id not in a.related_obstacles:
                errors.append(ContentError(
                    f"{o.id} lists alliance {aid!r}, but {aid} does not list {o.id!r} in related_obstacles",
                    getattr(aid, "loc", None) or o.where("affected_alliances"),
                    f"add '{o.id}' to related_obstacles in {cat.files[aid]}, or remove '{aid}' here"))
    return errors
