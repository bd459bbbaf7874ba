"""Each block's check findings (provenance and claims) kept by the hash of everything that check reads."""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from briefgen._version import tool_id
from briefgen.config.sealed import read_sealed, write_sealed
from briefgen.content.catalogue import Catalogue
from briefgen.content.claims import Context, check_block_claims
from briefgen.content.model import Block, SourceRef
from briefgen.content.provenance import check_record
from briefgen.content.walk import walk
from briefgen.errors import BriefgenError, ContentError, ContentWarning, Location, SeedError
from briefgen.safeio import CACHE_LIMIT
from briefgen.seeds.registry import Passage, SeedLibrary

log = logging.getLogger(__name__)

#: The cache file, in the folder a build keeps it (OUT/.cache/check/).
CACHE_FILE = "findings.json"
#: The error classes a block's check reports: a cached finding becomes one of these, or the entry is not used.
_CLASSES: dict[str, type[BriefgenError]] = {c.__name__: c for c in (ContentError, ContentWarning, SeedError)}
#: Package files the tool's code hash leaves out but the checks read (the claims rules' word lists).
_CODE_SUFFIXES = (".py", ".j2", ".css", ".js", ".pyc")


#: Libraries whose behaviour a block's check reads through (Markdown to plain text, PDF seeds' text).
_LIBRARIES = ("markdown-it-py", "pdfplumber", "pdfminer.six", "PyYAML")


def _library_versions() -> str:
    from importlib import metadata

    out = []
    for name in _LIBRARIES:
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=none")
    return ",".join(out)


@functools.cache
def checker_id() -> str:
    """The tool's code hash, its word lists, Python's and the libraries' versions: a changed rule, list or reader
    re-checks every block."""
    h = hashlib.sha256(f"{tool_id()}\0{sys.version}\0{_library_versions()}".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix not in _CODE_SUFFIXES and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def context_digest(ctx: Context) -> str:
    """The claims check's configuration: forbidden words, line citations, house spellings and glossary."""
    shown = {"forbidden": [word for word, _ in ctx.forbidden], "lines": ctx.line_citations,
             "spellings": sorted(ctx.spellings.items()), "glossary": sorted(ctx.glossary.items())}
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


@dataclass
class BlockFindings:
    """What checking one block found: provenance errors, then the claims rules' errors and warnings."""

    provenance: list[BriefgenError]
    claims: list[BriefgenError]


def _as_dict(error: BriefgenError) -> dict:
    loc = error.location
    return {"class": type(error).__name__, "message": error.message, "hint": error.hint,
            "path": loc.path if loc else None, "line": loc.line if loc else None, "col": loc.col if loc else None}


def _storable(errors: list[BriefgenError], file: str) -> bool:
    """Whether ERRORS can be kept and read back the same: known classes, each at FILE (or nowhere)."""
    return all(type(e) in _CLASSES.values() and (e.location is None or e.location.path == file) for e in errors)


def _finding(data: object, file: str) -> BriefgenError:
    """A stored finding rebuilt; anything unexpected (a class, a type, a place outside FILE) is a ValueError."""
    if not isinstance(data, dict) or data.get("class") not in _CLASSES:
        raise ValueError("not a finding")
    message, hint, path, line, col = (data.get(k) for k in ("message", "hint", "path", "line", "col"))
    if not isinstance(message, str) or not (hint is None or isinstance(hint, str)) or path not in (None, file) \
            or any(not (v is None or type(v) is int) for v in (line, col)):
        raise ValueError("not a finding")
    return _CLASSES[data["class"]](message, Location(path, line, col) if path is not None else None, hint)


@dataclass
class CheckCache:
    """Findings by key in FOLDER/findings.json; read and written only as a plain file, no folder from BASE down to it
    a link. The file's own sha256 over its entries must match, and each finding must name its block's file: a cache
    that does not verify is ignored (every block is checked again), never trusted."""

    folder: Path
    base: Path
    entries: dict[str, dict] = field(default_factory=dict)
    used: dict[str, dict] = field(default_factory=dict)
    #: Blocks checked now, and blocks whose findings came from the cache.
    checked: int = 0
    reused: int = 0
    #: Whether ENTRIES are already what to start from (a cache held in memory, as the preview's): load reads nothing.
    loaded: bool = False

    @property
    def path(self) -> Path:
        return self.folder / CACHE_FILE

    def load(self) -> CheckCache:
        """Read the cache file once (a missing, unreadable or unverified one is empty); a link or FIFO is an error."""
        if not self.loaded:
            self.entries = read_sealed(self.path, self.base, CACHE_LIMIT, "check cache", "every block is checked again")
            self.loaded = True
        return self

    def get(self, key: str, file: str) -> BlockFindings | None:
        """The findings kept under KEY for the block in FILE, or None (missing, or not as a check writes them)."""
        entry = self.entries.get(key)
        try:
            if not isinstance(entry, dict) or entry.get("file") != file:
                raise ValueError("no entry")
            found = BlockFindings([_finding(d, file) for d in entry["provenance"]],
                                  [_finding(d, file) for d in entry["claims"]])
        except (ValueError, KeyError, TypeError):
            return None
        self.used[key] = entry
        self.reused += 1
        return found

    def put(self, key: str, file: str, found: BlockFindings) -> None:
        """Keep FOUND under KEY, when every finding reads back the same."""
        if _storable(found.provenance, file) and _storable(found.claims, file):
            self.used[key] = {"file": file, "provenance": [_as_dict(e) for e in found.provenance],
                              "claims": [_as_dict(e) for e in found.claims]}

    def save(self) -> None:
        """Write the entries this check used (so deleted blocks drop out), when they changed; a write that fails
        (a full disk) leaves the cache as it was: the next check reads the blocks again."""
        if self.used == self.entries:
            return
        write_sealed(self.path, self.used, self.base, "check cache")


class _Keys:
    """Cache keys of a catalogue's blocks: what each block's check reads, hashed."""

    def __init__(self, cat: Catalogue, library: SeedLibrary, ctx: Context) -> None:
        self.cat, self.library = cat, library
        self.common = f"{checker_id()}\0{context_digest(ctx)}"
        self.seeds: dict[str, str] = {}

    def seed(self, seed_id: str) -> str:
        """A cited seed: its registry entry, name and bytes; an unknown one: the ids a hint would list."""
        if seed_id not in self.seeds:
            seed = self.library.get(seed_id)
            if seed is None:
                self.seeds[seed_id] = "unknown\0" + ",".join(self.library.seeds)
            else:
                self.seeds[seed_id] = f"{seed.info!r}\0{seed.shown}\0{hashlib.sha256(seed.raw).hexdigest()}"
        return self.seeds[seed_id]

    def __call__(self, block: Block) -> str | None:
        digest = self.cat.digests.get(block.id)
        if digest is None:
            return None
        try:
            cited = sorted({str(ref.seed) for ref in walk(block, SourceRef)})
            parts = [self.common, self.cat.file_of(block), digest, *(f"{s}\0{self.seed(s)}" for s in cited)]
        except BriefgenError:  # an unreadable seed: its check reports it, uncached
            return None
        return hashlib.sha256("\0\0".join(parts).encode()).hexdigest()


def check_blocks(cat: Catalogue, library: SeedLibrary, ctx: Context, cache: CheckCache | None = None
                 ) -> list[BlockFindings]:
    """Check every block of CAT (provenance, then the claims rules with CTX), in catalogue order; with CACHE, a block
    whose file, cited seeds, configuration and tool are unchanged gets its recorded findings, errors included (the
    caller saves the cache)."""
    keys = _Keys(cat, library, ctx) if cache is not None else None
    passages: dict[tuple[str, str], Passage | None] = {}
    out: list[BlockFindings] = []
    for block in cat.blocks.values():
        file = cat.file_of(block)
        key = keys(block) if keys is not None else None
        found = cache.get(key, file) if cache is not None and key is not None else None
        if found is None:
            found = BlockFindings(check_record(block, library), check_block_claims(block, library, ctx, None, passages))
            if cache is not None:
                cache.checked += 1
                if key is not None:
                    cache.put(key, file, found)
        out.append(found)
    if cache is not None:
        log.info("check: %d block(s) checked, %d from the cache", cache.checked, cache.reused)
    return out
