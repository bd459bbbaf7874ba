"""Seed documents: the registry in seeds/sources.yaml, integrity checks, repaired text, and passage lookup."""
from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from briefgen import safeio
from briefgen.config import yamlsafe
from briefgen.config.schema import Converter, Id, Record, Text, doc
from briefgen.errors import BriefgenError, ContentError, ErrorCollector, Location, SeedError
from briefgen.seeds.outline import (
    BINARY_FORMATS,
    Node,
    Outline,
    blank_hidden,
    build_outline,
    html_text,
    read_binary,
    split_lines,
)
from briefgen.seeds.outline.markdown import markdown_heading_spans
from briefgen.seeds.repair import Repair, repair

SeedFormat = Literal["web-text", "wiki-text", "jekyll-markdown", "markdown", "html", "pdf", "docx"]


#: Largest seed file read (the biggest real one is under 200 KB; outlining a huge page is slow).
MAX_SEED_BYTES = 10_000_000


@dataclass(kw_only=True)
class SeedInfo(Record):
    """One entry of seeds/sources.yaml."""

    id: Id = doc("short id used in citations, e.g. csis-2025")
    file: Text = doc("file name inside seeds/")
    original: Text | None = doc("the file name the seed arrived with", default=None)
    title: Text = doc("document title")
    publisher: Text | None = doc("publisher, where the seed states it", default=None)
    authors: list[Text] = doc("authors, where the seed names them", default_factory=list)
    author_titles: list[Text] = doc("the authors' job titles, in the order of authors, where a byline gives them",
                                    default_factory=list)
    date: Text | None = doc("publication date (YYYY-MM-DD, or YYYY-MM when the seed names no day), where the seed "
                            "states it", default=None)
    number: Text | None = doc("report number, where the seed states one (e.g. R48123)", default=None)
    url: Text | None = doc("where the document was published, where the seed states it or the analyst found it",
                           default=None)
    site: Text | None = doc("the website an unsigned web page or wiki article appeared on, where known",
                            default=None)
    accessed: Text | None = doc("for web pages: the date (YYYY-MM-DD) the copy was taken; notes print it as "
                                "'accessed ...'", default=None)
    format: SeedFormat = doc("how to read the file")
    sha256: Text = doc("SHA-256 of the file's bytes; proves the copy is verbatim")


@dataclass(kw_only=True)
class SourcesFile(Record):
    """The whole seeds/sources.yaml."""

    seeds: list[SeedInfo] = doc("one entry per seed")


@dataclass(frozen=True)
class Passage:
    """A span of a seed: lines start..end (1-based, inclusive), with a title, on the repaired text."""

    seed: str
    anchor: str
    title: str
    start: int
    end: int
    text: str
    #: Titles of the outline sections holding the passage, outermost first (for source notes).
    path: tuple[str, ...] = ()
    #: First and last page of the passage, for paged seeds (PDF); None otherwise.
    pages: tuple[int, int] | None = None


_LINE_SPAN = re.compile(r"L(\d+)(?:-L?(\d+))?\Z")
#: `p12` (page 12) and `p12-L3-L5` (lines 3 to 5 of page 12, counted within the page), for paged seeds.
_PAGE_SPAN = re.compile(r"p(\d+)(?:-L(\d+)(?:-L?(\d+))?)?\Z")

#: Suffixes briefgen can read, and the format each implies (plain text is told apart by its content).
SUFFIX_FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "text",
                  ".pdf": "pdf", ".docx": "docx"}


_RENDITIONS: dict[tuple[str, str, str], tuple[str, Outline]] = {}


def read_rendition(raw: bytes, seed_id: str, fmt: str, shown: str) -> tuple[str, Outline]:
    """Read a binary seed (PDF, .docx) into its text rendition and outline; raise SeedError naming the file.

    Reading a PDF takes about 0.1 s a page, so the last few renditions are kept for this process, by content hash.
    """
    seed_id, fmt = str(seed_id), str(fmt)  # plain strings: the cached outline is copied for each reader
    key = (hashlib.sha256(raw).hexdigest(), seed_id, fmt)
    if key not in _RENDITIONS:
        _RENDITIONS[key] = _read_rendition(raw, seed_id, fmt, shown)
        while len(_RENDITIONS) > 8:
            _RENDITIONS.pop(next(iter(_RENDITIONS)))
    return copy.deepcopy(_RENDITIONS[key])


def _read_rendition(raw: bytes, seed_id: str, fmt: str, shown: str) -> tuple[str, Outline]:
    try:
        return read_binary(raw, seed_id, fmt)
    except ValueError as exc:
        hint = ("add a text layer with OCR (e.g. `ocrmypdf in.pdf out.pdf`) and ingest the OCR'd copy"
                if "no text layer" in str(exc) else
                f"check that the file is a complete {fmt.upper()} document; export it again from its source")
        raise SeedError(str(exc), Location(shown), hint) from None


def _looks_utf16(head: bytes) -> bool:
    """Whether HEAD is ASCII-range text in UTF-16 without a BOM: every other byte NUL, on one side."""
    even, odd = head[0::2], head[1::2]
    return len(head) >= 16 and (odd.count(0) > 0.9 * len(odd) or even.count(0) > 0.9 * len(even))


def decode_seed(raw: bytes, shown: str) -> str:
    """Decode a seed's bytes as UTF-8 (a BOM is allowed); raise SeedError naming the file otherwise."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"\x00" in raw[:8192] and _looks_utf16(raw[:8192])):
        raise SeedError("the file is UTF-16 text; seeds are read as UTF-8", Location(shown),
                        "re-save the file as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`), then register the new copy")
    if b"\x00" in raw[:8192]:
        raise SeedError("binary file, not a text seed", Location(shown),
                        "seeds must be text: Markdown (.md), HTML (.html) or plain text (.txt) in UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SeedError(f"not valid UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
                        Location(shown, line, col), "save the file as UTF-8 and try again") from None


@dataclass
class Seed:
    """A seed file with its registry entry, read, repaired and outlined for passage lookup."""

    info: SeedInfo
    path: Path = field(repr=False)  # a template printing the seed must not learn where the project lives
    shown: str = ""

    @cached_property
    def raw(self) -> bytes:
        try:
            return safeio.read_inside(self.path, self.path.parent, MAX_SEED_BYTES)  # checked on the open file
        except OSError as exc:
            raise SeedError(f"seed {self.info.id!r} cannot be read: {exc.strerror or exc}", Location(self.shown),
                            "seeds are text documents of at most a few megabytes; split or trim the file"
                            if isinstance(exc, safeio.UnsafeFile) else "check the file and its permissions") from None

    @property
    def binary(self) -> bool:
        """Whether the file is a PDF or Word document, read through a text rendition."""
        return self.info.format in BINARY_FORMATS

    @cached_property
    def _rendition(self) -> tuple[str, Outline]:
        return read_rendition(self.raw, self.info.id, self.info.format, self.shown)

    @cached_property
    def text(self) -> str:
        """The file's text exactly as stored (for PDF and .docx: the text rendition, one line per block)."""
        if self.binary:
            return self._rendition[0]
        return decode_seed(self.raw, self.shown)

    @cached_property
    def _repaired(self) -> tuple[str, list[Repair]]:
        return repair(self.text, self.info.id)

    @property
    def repaired(self) -> str:
        """The text with encoding damage repaired where certain and marked (U+FFFD) where not; same lines."""
        return self._repaired[0]

    @property
    def repairs(self) -> list[Repair]:
        """Every repair made, and every damaged spot left marked, in reading order."""
        return self._repaired[1]

    @cached_property
    def lines(self) -> list[str]:
        """Lines of the repaired text (line numbers are those of the file)."""
        return split_lines(self.repaired)

    @cached_property
    def outline(self) -> Outline:
        if self.binary:
            return self._rendition[1]
        try:
            return build_outline(self.repaired, self.info.id, self.info.format)
        except (ValueError, RecursionError) as exc:  # a reader's bound (nesting, size): the seed, not a crash
            raise SeedError(f"cannot outline the seed: {exc}", Location(self.shown),
                            "check that it is the document itself, as published; save it again from its source"
                            ) from None

    def verify(self) -> None:
        """Raise SeedError when the file's SHA-256 differs from the registry."""
        digest = hashlib.sha256(self.raw).hexdigest()
        if digest != self.info.sha256:
            raise SeedError(f"seed {self.info.id!r} ({self.shown}) has sha256 {digest[:12]}..., registry says "
                            f"{self.info.sha256[:12]}...", self.info.where("sha256"),
                            "seeds are verbatim copies: restore the file, or register the new one with its hash")

    @cached_property
    def _heading_spans(self) -> dict[str, tuple[str, int, int]]:
        """Anchor -> (title, start, end) of each Markdown heading (the original anchor scheme)."""
        if self.info.format not in ("jekyll-markdown", "markdown"):
            return {}
        return markdown_heading_spans(self.text)

    @cached_property
    def sections(self) -> dict[str, Passage]:
        """Anchor -> passage: Markdown headings (original scheme), then every anchor of the outline."""
        out: dict[str, Passage] = {}
        for anchor, (title, start, end) in self._heading_spans.items():
            out[anchor] = self._span(anchor, title, start, end)
        for anchor, node in self.outline.anchors.items():
            if anchor not in out:
                out[anchor] = self._span(anchor, node.title, node.start, node.end)
        return out

    @cached_property
    def _named_spans(self) -> dict[tuple[int, int], Node]:
        """(start, end) -> the first anchored outline node with exactly that span."""
        out: dict[tuple[int, int], Node] = {}
        for node in self.outline.anchors.values():
            out.setdefault((node.start, node.end), node)
        return out

    def _span(self, anchor: str, title: str, start: int, end: int) -> Passage:
        if self.info.format == "html":  # what a reader of the page sees: hidden elements' text is not a source
            text = html_text("\n".join(blank_hidden(self.lines[start - 1:end], start, self.outline.hidden)))
        else:
            text = "\n".join(self.lines[start - 1:end])
        inner = self.outline.innermost(start, end, self._outline_sections)
        path = tuple(n.text for n in inner.path()) if inner is not None else ()
        exact = self._named_spans.get((start, end))
        if exact is not None and exact.kind not in ("section", "subsection"):
            path += (exact.title,)
        return Passage(self.info.id, anchor, title, start, end, text, path, self.outline.page_span(start, end))

    @cached_property
    def _outline_sections(self) -> list[Node]:
        return self.outline.sections()

    def passage(self, anchor: str) -> Passage | None:
        """Return the passage ANCHOR names (section anchor, L12-L30, or for paged seeds p12 and p12-L3-L5)."""
        m = _PAGE_SPAN.match(anchor)
        if m and self.outline.pages:
            page = int(m.group(1))
            lines = self.outline.page_lines(page)
            if lines is None:
                return None
            first, last = lines
            if m.group(2) is None:
                return self._span(anchor, f"page {page}", first, last)
            start = first + int(m.group(2)) - 1
            end = first + int(m.group(3) or m.group(2)) - 1
            if not first <= start <= end <= last:
                return None
            return self._span(anchor, f"page {page}", start, end)
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

    root: Path = field(repr=False)  # a template printing the library must not learn the absolute path
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
    hashes: dict[str, SeedInfo] = {}
    for info in parsed.seeds if parsed else []:
        path = seeds_dir / info.file
        if info.id in library.seeds:
            errors.add(ContentError(f"duplicate seed id {info.id!r}", info.where("id"), "give each seed its own id"))
            continue
        first = hashes.setdefault(info.sha256.lower(), info)
        if first is not info:
            errors.add(SeedError(f"seed {info.id!r} ({info.file}) is a byte-identical copy of seed {first.id!r} "
                                 f"(seeds/{first.file})", info.where("sha256"),
                                 f"remove this entry and its file; cite {first.id}#... instead"))
            continue
        if path.is_file() and path.resolve().parent != seeds_dir.resolve():
            errors.add(SeedError(f"seed file {info.file!r} refused: it is a link to a file outside seeds/",
                                 info.where("file"), "copy the seed into seeds/ instead of linking to it"))
            continue
        if not path.is_file():
            errors.add(SeedError(f"seed file {info.file!r} not found in seeds/", info.where("file"),
                                 "copy the seed into seeds/ or fix the file name"))
            continue
        library.seeds[info.id] = Seed(info, path, f"seeds/{info.file}")
    errors.raise_if_any()
    return library
