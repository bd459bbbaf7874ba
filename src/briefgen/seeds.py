"""Seed documents: the registry in seeds/sources.yaml, integrity checks, and passage lookup."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from markdown_it import MarkdownIt

from . import yamlsafe
from .errors import BriefgenError, ContentError, ErrorCollector, Location, SeedError
from .schema import Converter, Id, Record, Text, doc

SeedFormat = Literal["web-text", "wiki-text", "jekyll-markdown", "markdown", "html"]


@dataclass(kw_only=True)
class SeedInfo(Record):
    """One entry of seeds/sources.yaml."""

    id: Id = doc("short id used in citations, e.g. csis-2025")
    file: Text = doc("file name inside seeds/")
    original: Text | None = doc("the file name the seed arrived with", default=None)
    title: Text = doc("document title")
    publisher: Text | None = doc("publisher, where the seed states it", default=None)
    authors: list[Text] = doc("authors, where the seed names them", default_factory=list)
    date: Text | None = doc("publication date (YYYY-MM-DD), where the seed states it", default=None)
    format: SeedFormat = doc("how to read the file")
    sha256: Text = doc("SHA-256 of the file's bytes; proves the copy is verbatim")


@dataclass(kw_only=True)
class SourcesFile(Record):
    """The whole seeds/sources.yaml."""

    seeds: list[SeedInfo] = doc("one entry per seed")


@dataclass(frozen=True)
class Passage:
    """A span of a seed: lines start..end (1-based, inclusive), with a title."""

    seed: str
    anchor: str
    title: str
    start: int
    end: int
    text: str


_LINE_SPAN = re.compile(r"L(\d+)(?:-L?(\d+))?\Z")


def slugify(text: str) -> str:
    """Turn a heading into a stable anchor: lowercase words joined by hyphens."""
    text = re.sub(r"[_*`\[\]]", "", text).lower()
    text = re.sub(r"[’'`.]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass
class Seed:
    """A seed file with its registry entry, read and ready for passage lookup."""

    info: SeedInfo
    path: Path
    shown: str

    @cached_property
    def raw(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def text(self) -> str:
        return self.raw.decode("utf-8")

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def verify(self) -> None:
        """Raise SeedError when the file's SHA-256 differs from the registry."""
        digest = hashlib.sha256(self.raw).hexdigest()
        if digest != self.info.sha256:
            raise SeedError(f"seed {self.info.id!r} ({self.shown}) has sha256 {digest[:12]}..., registry says "
                            f"{self.info.sha256[:12]}...", self.info.where("sha256"),
                            "seeds are verbatim copies: restore the file, or register the new one with its hash")

    @cached_property
    def sections(self) -> dict[str, Passage]:
        """Anchor -> passage for each heading (Markdown formats); the outline reader refines this."""
        out: dict[str, Passage] = {}
        if self.info.format not in ("jekyll-markdown", "markdown"):
            return out
        tokens = MarkdownIt("commonmark").parse(self.text)
        heads: list[tuple[int, int, str]] = []
        for i, tok in enumerate(tokens):
            if tok.type == "heading_open" and tok.map:
                heads.append((tok.map[0] + 1, int(tok.tag[1]), tokens[i + 1].content))
        for i, (line, level, title) in enumerate(heads):
            end = len(self.lines)
            for nline, nlevel, _ in heads[i + 1:]:
                if nlevel <= level:
                    end = nline - 1
                    break
            anchor = slugify(title)
            if anchor and anchor not in out:
                out[anchor] = self._span(anchor, title, line, end)
        return out

    def _span(self, anchor: str, title: str, start: int, end: int) -> Passage:
        return Passage(self.info.id, anchor, title, start, end, "\n".join(self.lines[start - 1:end]))

    def passage(self, anchor: str) -> Passage | None:
        """Return the passage ANCHOR names (section anchor or L12-L30), or None."""
        m = _LINE_SPAN.match(anchor)
        if m:
            start = int(m.group(1))
            end = int(m.group(2) or start)
            if 1 <= start <= end <= len(self.lines):
                return self._span(anchor, f"lines {start}-{end}" if end != start else f"line {start}", start, end)
            return None
        return self.sections.get(anchor)


@dataclass
class SeedLibrary:
    """Every registered seed of a project, by id."""

    root: Path
    seeds: dict[str, Seed] = field(default_factory=dict)

    def get(self, seed_id: str) -> Seed | None:
        return self.seeds.get(seed_id)

    def verify(self) -> list[BriefgenError]:
        """Check every seed's hash; return the errors."""
        errors: list[BriefgenError] = []
        for seed in self.seeds.values():
            try:
                seed.verify()
            except BriefgenError as exc:
                errors.append(exc)
        return errors


def load_library(project_root: Path) -> SeedLibrary:
    """Read seeds/sources.yaml and locate each seed file; all problems are reported together."""
    seeds_dir = project_root / "seeds"
    registry = seeds_dir / "sources.yaml"
    shown = "seeds/sources.yaml"
    if not registry.is_file():
        raise ContentError("seed registry is missing", Location(shown), "create seeds/sources.yaml listing each seed")
    node = yamlsafe.load(registry, shown)
    conv = Converter()
    parsed = conv.record(node, SourcesFile, "")
    errors = ErrorCollector()
    errors.extend(conv.errors)
    library = SeedLibrary(project_root)
    for info in parsed.seeds if parsed else []:
        path = seeds_dir / info.file
        if info.id in library.seeds:
            errors.add(ContentError(f"duplicate seed id {info.id!r}", info.where("id"), "give each seed its own id"))
            continue
        if not path.is_file() or path.resolve().parent != seeds_dir.resolve():
            errors.add(SeedError(f"seed file {info.file!r} not found in seeds/", info.where("file"),
                                 "copy the seed into seeds/ or fix the file name"))
            continue
        library.seeds[info.id] = Seed(info, path, f"seeds/{info.file}")
    errors.raise_if_any()
    return library
