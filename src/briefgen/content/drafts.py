"""Check drafts where they lie in content/drafts/, and refuse uncurated drafts moved into content/."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import safeio
from briefgen.config import yamlsafe
from briefgen.config.inputs import ADDITIONS, DRAFTS, REVIEWS
from briefgen.config.schema import Id, Record, doc
from briefgen.content.catalogue import content_files
from briefgen.content.fragments import refusal
from briefgen.content.model import BLOCK_BY_FOLDER, Example, Point, Quote, SourceRef, new_converter
from briefgen.content.provenance import check_record
from briefgen.errors import BriefgenError, ContentError, Location

if TYPE_CHECKING:
    from briefgen.seeds.registry import SeedLibrary


@dataclass(kw_only=True)
class Addition(Record):
    """A proposed addition to an existing block (content/drafts/additions/)."""

    draft: bool = doc("marks the file as uncurated", default=True)
    addition_to: Id = doc("id of the block the points are for")
    why_it_matters: list[Point] = doc("new points for an alliance", default_factory=list)
    key_actions: list[Point] = doc("new actions for an alliance", default_factory=list)
    how_it_shows_up: list[Point] = doc("new points for an obstacle", default_factory=list)
    examples: list[Example] = doc("new examples for an obstacle", default_factory=list)
    quotes: list[Quote] = doc("new verbatim quotes", default_factory=list)
    sources: list[SourceRef] = doc("passages the points come from", default_factory=list)


def draft_files(root: Path) -> list[Path]:
    folder = root / DRAFTS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                  and p.relative_to(folder).parts[0] != REVIEWS)  # review proposals are not block drafts


def _read(path: Path, root: Path) -> str:
    """A content file's text: a regular file inside the project, capped (a FIFO must not block the read)."""
    return safeio.read_inside(path, root, yamlsafe.MAX_FILE_BYTES).decode("utf-8")


def check_drafts(root: Path, library: "SeedLibrary") -> list[BriefgenError]:
    """Validate each draft in content/drafts/ against its schema and verify its citations and quotes."""
    errors: list[BriefgenError] = []
    for path in draft_files(root):
        shown = path.relative_to(root).as_posix()
        if not path.resolve().is_relative_to(root.resolve()):
            errors.append(ContentError("draft is a link to a file outside the project", Location(shown),
                                       "copy the draft into content/drafts/ instead of linking to it"))
            continue
        rel = path.relative_to(root / DRAFTS)
        try:
            if not any(ln.strip() and not ln.lstrip().startswith("#")
                       for ln in _read(path, root).splitlines()):
                continue  # an empty draft (comments only) has nothing to verify yet
        except (OSError, UnicodeDecodeError):
            pass  # yamlsafe reports it, located
        try:
            node = yamlsafe.load(path, shown)
        except BriefgenError as exc:
            errors.append(exc)
            continue
        if node.kind != "map":
            errors.append(ContentError(f"draft is not a mapping ({node.describe()})", node.loc,
                                       "a draft is a content block written as 'key: value' lines"))
            continue
        cls = Addition if rel.parts[0] == ADDITIONS else BLOCK_BY_FOLDER.get(rel.parts[0])
        if cls is None or len(rel.parts) != 2:
            errors.append(ContentError("draft is not in a known folder", Location(shown),
                                       "drafts live in content/drafts/{alliances,obstacles,additions}/"))
            continue
        if cls is not Addition:
            node.value = {k: v for k, v in node.value.items() if str(k) != "draft"}
        conv = new_converter()
        record = conv.record(node, cls, "")
        errors.extend(conv.errors)
        if record is not None:
            errors.extend(check_record(record, library))
            errors.extend(check_statements(record))
    return errors


#: The list fields of a draft whose items are statements a reader will see.
STATEMENT_FIELDS = ("why_it_matters", "key_actions", "modernization_priorities", "how_it_shows_up", "examples")


def check_statements(record: Record) -> list[BriefgenError]:
    """Refuse a draft's point that is a byline, a dateline or a fragment, at its line, with the fix."""
    errors: list[BriefgenError] = []
    for name in STATEMENT_FIELDS:
        for item in getattr(record, name, None) or []:
            text = getattr(item, "text", None)
            problem = refusal(text) if isinstance(text, str) else None
            if problem is not None:
                errors.append(ContentError(f"{name}: {text[:60]!r} {problem[0]}",
                                           getattr(item, "loc", None) or record.loc, problem[1]))
    return errors


_TODO = re.compile(r"#.*\bTODO\b")
_DRAFT_FLAG = re.compile(r"^draft\s*:\s*(?:true|yes|on)\s*(?:#.*)?$", re.I)


def check_uncurated(root: Path) -> list[BriefgenError]:
    """Refuse a draft moved into content/ as it was written: a `draft: true` flag or TODO markers left in."""
    errors: list[BriefgenError] = []
    for path in content_files(root):
        shown = path.relative_to(root).as_posix()
        try:
            text = _read(path, root)
        except (OSError, UnicodeDecodeError):
            continue  # the catalogue reports unreadable files (a FIFO, a link out, a huge file) with their reason
        lines = text.splitlines()
        flag = next((i for i, ln in enumerate(lines) if _DRAFT_FLAG.match(ln)), None)
        todo = next((i for i, ln in enumerate(lines) if _TODO.search(ln)), None)
        if flag is None and todo is None:
            continue
        at = flag if flag is not None else todo
        col = 1 if flag is not None else _TODO.search(lines[at]).start() + 1  # type: ignore[union-attr]
        what = "a `draft: true` flag" if flag is not None else "a TODO marker"
        errors.append(ContentError(
            f"uncurated draft: {what} is left in", Location(shown, at + 1, col),
            "curate the block (rewrite the seed's wording, settle each TODO), then delete the TODO "
            "comments and the `draft: true` line"))
    return errors

