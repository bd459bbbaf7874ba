"""Ingest seeds: read any supported file into an outline, state its registry entry, register it, plan drafts."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen import safeio
from briefgen.content.catalogue import Catalogue
from briefgen.content.provenance import normalize
from briefgen.errors import BriefgenError, Location, SeedError, UsageError, display_path
from briefgen.ingest.drafts import Draft, plan_drafts, write_drafts
from briefgen.safeio import UnsafeFile, check_folder, read_text_inside
from briefgen.seeds.outline import BINARY_FORMATS, Node, Outline, slugify
from briefgen.seeds.registry import MAX_SEED_BYTES, SUFFIX_FORMATS, Seed, SeedInfo, SeedLibrary
from briefgen.seeds.repair import Repair
from briefgen.write import write_atomic

if TYPE_CHECKING:
    from briefgen.project import Project

log = logging.getLogger(__name__)


@dataclass
class Ingested:
    """One seed file read for ingestion: the seed (registered, or with a proposed entry) and its outline."""

    path: Path
    shown: str
    seed: Seed
    registered: bool
    entry: dict[str, object] = field(default_factory=dict)
    #: A registered seed with the same text (another format of the same report): its id and the share of
    #: this seed's text found in it.
    duplicate_of: tuple[str, float] | None = None

    @property
    def seed_id(self) -> str:
        return self.seed.info.id

    @property
    def format(self) -> str:
        return self.seed.info.format

    @property
    def outline(self) -> Outline:
        return self.seed.outline

    @property
    def repairs(self) -> list[Repair]:
        return self.seed.repairs


def detect_format(path: Path, text: str | None, shown: str | None = None) -> str:
    """Return the seed format of PATH from its suffix (and, for .txt and .md, its content)."""
    kind = SUFFIX_FORMATS.get(path.suffix.lower())
    if kind in BINARY_FORMATS:
        return kind
    if kind == "markdown" and text is not None:
        return "jekyll-markdown" if text.startswith("---") and re.match(r"---\s*\n.*?\n---\s*(\n|$)", text, re.S) \
            else "markdown"
    if kind == "text" and text is not None:
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        wiki = re.search(r"\SEdit\s*$", first) or re.search(r"^\s*\u2022 ", text, re.M)
        return "wiki-text" if wiki else "web-text"
    if kind == "html":
        return "html"
    shown = shown or display_path(path)
    raise SeedError(f"unsupported seed format {path.suffix or '(no suffix)'!r}", Location(shown),
                    "briefgen reads PDF (.pdf), Word (.docx), Markdown (.md, .markdown), HTML (.html, .htm) and "
                    "plain text (.txt, UTF-8); save the document in one of these formats first")


def read(path: Path, root: Path, library: SeedLibrary | None) -> Ingested:
    """Read PATH as a seed: use its registry entry when it is registered, else propose one."""
    shown = display_path(path, root)
    if not path.is_file():
        raise SeedError("no such seed file", Location(shown), "give the path of a seed file, e.g. seeds/report.pdf")
    try:
        raw = safeio.read_inside(path, None, MAX_SEED_BYTES)
    except OSError as exc:
        raise SeedError(f"cannot read the seed: {exc.strerror or exc}", Location(shown),
                        "seeds are documents of at most a few megabytes") from None
    digest = hashlib.sha256(raw).hexdigest()
    registered = None
    if library is not None:
        registered = next((s for s in library.seeds.values() if s.path.resolve() == path.resolve()), None)
    if registered is not None:
        ing = Ingested(path, shown, registered, True)
        ing.outline  # noqa: B018 - read now, so a damaged file is reported here
        if digest != registered.info.sha256:
            ing.outline.note(1, "the file's sha256 differs from seeds/sources.yaml: `briefgen check` will fail")
        return ing
    twin = next((s for s in library.seeds.values() if s.info.sha256 == digest), None) if library else None
    if twin is not None:
        raise SeedError(f"byte-identical copy of {twin.shown} (registered as seed {twin.info.id!r})",
                        Location(shown), f"cite the registered seed as {twin.info.id}#...; delete this copy")
    suffix = SUFFIX_FORMATS.get(path.suffix.lower())
    if suffix is None:
        detect_format(path, None, shown)  # raises: unsupported
    seed_id = _free_id(slugify(path.stem)[:40].strip("-") or "seed", library)
    info = SeedInfo(id=seed_id, file=path.name, title=path.stem, format="markdown", sha256=digest)
    seed = Seed(info, path, shown)
    if suffix in BINARY_FORMATS:
        info.format = suffix  # type: ignore[assignment]
    else:
        info.format = detect_format(path, seed.text, shown)  # type: ignore[assignment]
    ing = Ingested(path, shown, seed, False)
    ing.entry = _entry(ing, digest)
    info.title = str(ing.entry["title"])
    ing.duplicate_of = same_report(ing.outline, library)
    return ing


#: Share of a new seed's word sequences found in a registered seed that makes them one report.
SAME_REPORT = 0.8
_SHINGLE = 8  # words per compared sequence


def _shingles(outline: Outline) -> set[str]:
    """Every run of eight words of OUTLINE's text, folded as the provenance check folds quotes."""
    text = " ".join(n.text for n in outline.walk() if n.kind in (
        "paragraph", "item", "quote", "row", "pair", "section", "subsection", "epigraph") and n.text)
    words = re.sub(r"[^\w\s]", "", normalize(text).lower()).split()
    return {" ".join(words[i:i + _SHINGLE]) for i in range(max(0, len(words) - _SHINGLE + 1))}


def same_report(outline: Outline, library: SeedLibrary | None) -> tuple[str, float] | None:
    """The registered seed whose text holds most of OUTLINE's (another format of one report), with the share."""
    mine = _shingles(outline)
    if library is None or len(mine) < 20:
        return None
    best: tuple[str, float] | None = None
    for other in library.seeds.values():
        try:
            theirs = _shingles(other.outline)
        except (BriefgenError, ValueError, OSError):
            continue  # `briefgen check` reports a registered seed that cannot be read
        share = len(mine & theirs) / len(mine)
        if share >= SAME_REPORT and (best is None or share > best[1]):
            best = (other.info.id, round(share, 2))
    return best


@dataclass
class EntryOverrides:
    """Registry fields the analyst gives on the command line, over what the document says."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    date: str | None = None
    number: str | None = None
    allow_duplicate: bool = False

    def __post_init__(self) -> None:
        if self.date:  # checked once, before any file is read: a usage error
            date = parse_date(self.date) or month_date(self.date) or (
                self.date if re.fullmatch(r"\d{4}(?:-\d{2})?", self.date) else None)
            if date is None:
                raise UsageError(f"--date {self.date!r} is not a date", None,
                                 "give it as 2026-03-03, 2026-03, 'March 3, 2026' or 'March 2026'")
            self.date = date

    def apply(self, entry: dict[str, object]) -> None:
        """Overwrite ENTRY's fields with those given."""
        for key in ("title", "publisher", "number", "date"):
            if getattr(self, key):
                entry[key] = getattr(self, key)
        if self.authors:
            entry["authors"] = list(self.authors)
            entry["author_titles"] = []


def _free_id(base: str, library: SeedLibrary | None) -> str:
    taken = set(library.seeds) if library else set()
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# --- what the seed states about itself -----------------------------------------------------------------

_MONTH = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), start=1)}
_DATE_FORMS = (
    re.compile(r"\b(?P<y>\d{4})[-/](?P<m>\d{2})[-/](?P<d>\d{2})(?!\d)"),
    re.compile(r"\b(?P<mon>[A-Z][a-z]{2,8})\.? (?P<d>\d{1,2}),? (?P<y>\d{4})\b"),
    re.compile(r"\b(?P<d>\d{1,2}) (?P<mon>[A-Z][a-z]{2,8})\.? (?P<y>\d{4})\b"),
    re.compile(r"^D:(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),  # PDF dates
)
_BY = re.compile(r"^\W*(?:written\s+|prepared\s+)?by\s+(?P<rest>[A-Z].*)$", re.I)
_BY_END = re.compile(r"\s*(?:[|\u2022\u00b7\u2013\u2014]|\b(?:updated|published|posted|on)\b|\d{4}-\d{2}-\d{2}|"
                     r"[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4})")


_UNIT = re.compile(r"\b(?:desk|team|staff|office|program|programme|center|centre|institute|department|unit|"
                   r"division|bureau|service|research)\b", re.I)


def byline_authors(text: str) -> list[str]:
    """The names a byline gives ('By A, B and C | May 21, 2024'), or []."""
    m = _BY.match(text.strip())
    if not m:
        return []
    rest = m.group("rest")
    end = _BY_END.search(rest)
    names = [n for n in split_authors(rest[:end.start()] if end else rest) if not _UNIT.search(n)]
    ok = all(1 <= len(n.split()) <= 5 and n[0].isupper() for n in names)
    return names if ok else []


def parse_date(value: Any) -> str | None:
    """Return VALUE (a date, or text stating one) as YYYY-MM-DD, or None."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    if not isinstance(value, str):
        return None
    for rx in _DATE_FORMS:
        m = rx.search(value.strip())
        if not m:
            continue
        parts = m.groupdict()
        month = int(parts["m"]) if parts.get("m") else _MONTH.get((parts.get("mon") or "")[:3].lower())
        if not month:
            continue
        try:
            return dt.date(int(parts["y"]), month, int(parts["d"])).isoformat()
        except ValueError:
            continue
    return None


def split_authors(value: Any) -> list[str]:
    """Authors from a list, or from text such as 'A, B and C' or 'A; B'."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if not isinstance(value, str):
        return []
    parts = re.split(r";|,(?!\s*(?:Jr|Sr|PhD|Ph\.D)\b)|\s+and\s+|\s*&\s*", value)
    return [p.strip() for p in parts if p.strip() and p.strip().lower() not in ("et al.", "et al")]


def _header_nodes(outline: Outline) -> list[Node]:
    """The first few prose nodes, where bylines and datelines stand."""
    out = []
    for node in outline.walk():
        if node.kind in ("paragraph", "epigraph", "caption", "item", "byline", "dateline"):
            out.append(node)
        if len(out) >= 6:
            break
    return out


_MONTH_YEAR = re.compile(r"^\W*(?P<mon>[A-Z][a-z]{2,8})\.? (?P<y>\d{4})\W*$")


def month_date(text: str) -> str | None:
    """'March 2026' as 2026-03 (a dateline that names no day), or None."""
    m = _MONTH_YEAR.match(text.strip())
    month = _MONTH.get(m.group("mon")[:3].lower()) if m else None
    return f"{m.group('y')}-{month:02d}" if m and month else None


def running_publisher(outline: Outline) -> str | None:
    """The publisher a running header or footer names: the repeated line that is neither title nor date."""
    title = (outline.title or "").strip().lower()
    for text in outline.running:
        for part in re.split(r"\s+[|\u2022\u00b7\u2013\u2014-]\s+|\s*[|\u2022\u00b7\u2014]\s*", text):
            t = part.strip(" |\u2022\u00b7-")
            if not t or t.lower() == title or parse_date(t) or month_date(t) or len(t.split()) > 8 \
                    or not t[:1].isupper() or re.fullmatch(r"(?:page\s+)?\d+(?:\s+of\s+\d+)?", t, re.I):
                continue
            return t
    return None


def stated(outline: Outline) -> dict[str, Any]:
    """Title, authors, publisher, date, number and URL as the seed states them (front matter, byline, footer)."""
    fm = {k.lower(): v for k, v in outline.front_matter.items()}

    def first(*keys: str) -> Any:
        return next((fm[k] for k in keys if fm.get(k) not in (None, "", [])), None)

    authors = split_authors(first("authors", "author", "citation_author", "dc.creator"))
    titles: list[str] = []
    people = outline.stated.get("authors") or []
    if people:
        authors, titles = [p["name"] for p in people], [p["title"] for p in people]
    date = parse_date(first("date", "article:published_time", "citation_publication_date", "citation_date",
                            "dc.date"))
    line = outline.stated.get("date")
    if date is None and line:
        date = parse_date(line) or month_date(line)
    header = [t for t in (outline.subtitle, *outline.breadcrumb) if t] + [n.text for n in _header_nodes(outline)]
    for text in header:
        text = text.strip()
        if len(text.split()) > 30:
            continue
        by = byline_authors(text)
        if by and not people and (not authors or set(authors) < set(by)):  # the byline the reader sees
            authors = by
        if date is None and (by or re.match(r"^\W*(?:updated|published|posted|dated?|as of)\b", text, re.I)
                             or len(text.split()) <= 8):
            date = parse_date(text)
    # A dated element of the page, then the file's own creation date (PDF metadata, Word core properties).
    date = date or parse_date(first("time")) or parse_date(first("creationdate", "created"))
    title = first("citation_title", "dc.title") or outline.title or first("title", "og:title")
    publisher = first("publisher", "citation_publisher", "dc.publisher", "og:site_name") or \
        running_publisher(outline) or first("company")
    return {
        "title": str(title).strip() if title else None,
        "publisher": publisher,
        "authors": authors,
        "author_titles": titles,
        "date": date,
        "number": outline.stated.get("number") or first("report_number", "citation_technical_report_number"),
        "url": first("url", "canonical_url", "canonical", "og:url", "permalink", "link", "identifier"),
    }


#: Characters a registered title, publisher or author may not hold: controls (C0, DEL, C1 such as NEL), line and
#: paragraph separators, bidi and zero-width controls, private-use characters. YAML would refuse some, read others
#: as spaces, and the rest spoof what a reader sees.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                          "\u2066-\u2069\ufeff\ue000-\uf8ff]")


def printable(value: object, field: str, notes: list[str]) -> object:
    """VALUE when it is clean text (or a list of clean texts); else None, with a note saying why it was refused."""
    if isinstance(value, list):
        kept = [v for v in value if printable(v, field, notes) is not None]
        return kept
    if isinstance(value, str):
        found = _UNPRINTABLE.search(value)
        if found is not None:
            notes.append(f"{field} not registered: it holds the control character U+{ord(found.group(0)):04X} "
                         f"at character {found.start() + 1}; type it into seeds/sources.yaml by hand")
            return None
    return value


def _entry(ing: Ingested, digest: str) -> dict[str, object]:
    """Propose the seeds/sources.yaml entry for an unregistered seed, from what the file itself states; a stated
    value holding control characters is refused (left empty, with a note), never written into the registry."""
    said = stated(ing.outline)
    refused: list[str] = []
    said = {k: printable(v, k, refused) if k in ("title", "publisher", "authors") else v for k, v in said.items()}
    for note in refused:
        log.warning("%s: %s", ing.shown, note)
        ing.outline.note(1, note)
    url = said["url"] if isinstance(said["url"], str) and re.match(r"https?://", said["url"]) else None
    return {
        "id": ing.seed_id,
        "file": ing.path.name,
        "original": ing.path.name,
        "title": said["title"] or printable(ing.path.stem, "title", refused) or ing.seed_id,
        "publisher": str(said["publisher"]) if said["publisher"] else None,
        "authors": said["authors"],
        "author_titles": said["author_titles"],
        "date": said["date"],
        "number": str(said["number"]) if said["number"] else None,
        "url": url,
        "format": ing.format,
        "sha256": digest,
    }


#: Characters YAML reads as line breaks or refuses as unprintable, though JSON leaves them as they are.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def yaml_string(value: str) -> str:
    """VALUE as a YAML double-quoted scalar that reads back exactly (JSON escapes, plus YAML's line breaks)."""
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(value, ensure_ascii=False))


def entry_yaml(entry: dict[str, object]) -> str:
    """Return ENTRY as a list item of seeds/sources.yaml, in the file's own field order."""
    out = []
    for i, (key, value) in enumerate(entry.items()):
        lead = "  - " if i == 0 else "    "
        if isinstance(value, list):
            out.append(f"{lead}{key}: [{', '.join(yaml_string(str(v)) for v in value)}]")
        elif value is None:
            out.append(f"{lead}{key}: null")
        elif key in ("id", "format", "sha256"):
            out.append(f"{lead}{key}: {value}")
        elif key in ("file", "original"):  # any file name: '#', ': ', quotes, a newline must not change the YAML
            out.append(f"{lead}{key}: {yaml_string(str(value))}")
        else:  # every text quoted the same way: nothing a source states can change the YAML around it
            out.append(f"{lead}{key}: {yaml_string(str(value))}")
    return "\n".join(out) + "\n"


def register(root: Path, ing: Ingested) -> Path:
    """Append ING's proposed entry to seeds/sources.yaml; the seed must already be in seeds/."""
    seeds_dir = (root / "seeds").resolve()
    if ing.path.resolve().parent != seeds_dir:
        raise SeedError(f"{ing.shown} is not in seeds/", Location(ing.shown),
                        "copy the file into seeds/ (byte for byte), then run `briefgen ingest --register` on the copy")
    registry = seeds_dir / "sources.yaml"
    try:
        check_folder(root / "seeds" / "sources.yaml", root)
        text = read_text_inside(root / "seeds" / "sources.yaml", root, 1_000_000)
    except UnsafeFile as exc:
        raise SeedError(f"not registered: {exc.why}", Location("seeds/sources.yaml"),
                        "make seeds/ a real folder of the project and seeds/sources.yaml a plain file") from None
    if not text.endswith("\n"):
        text += "\n"
    write_atomic(root / "seeds" / "sources.yaml", (text + entry_yaml(ing.entry)).encode("utf-8"), inside=root)
    ing.registered = True
    return registry


# --- the orchestrator ----------------------------------------------------------------------------------


@dataclass
class IngestReport:
    """What ingesting one seed did: the seed read, its registration, the drafts, and sections left undrafted."""

    ing: Ingested
    registered_in: Path | None = None
    drafts: list[Draft] = field(default_factory=list)
    no_draft: list[tuple[Node, str]] = field(default_factory=list)
    drafted: bool = False


def resolve(root: Path, given: Path) -> Path:
    """Find a relative GIVEN in the project first (`seeds/x.md` means the project's), else in the working folder."""
    if given.is_absolute() or not (root / given).exists():
        return given
    return root / given


def ingest_files(project: "Project", paths: list[Path], *, draft: bool, register_new: bool,
                 warn=log.warning, overrides: EntryOverrides | None = None,  # noqa: ANN001
                 ) -> tuple[list[IngestReport], list[BriefgenError]]:
    """Read each seed, optionally register it and write drafts; return the reports and the errors."""
    errors: list[BriefgenError] = []
    reports: list[IngestReport] = []
    root = project.root
    try:
        library: SeedLibrary | None = project.seeds
    except BriefgenError as exc:
        library = None
        warn(f"seeds/sources.yaml could not be read, every seed is treated as new ({exc})")
    catalogue: Catalogue | None = None
    if draft:
        try:
            catalogue = project.catalogue
        except BriefgenError:
            warn("content/ has errors; drafts are checked against curated file names only")
    for given in paths:
        path = resolve(root, given)
        try:
            ing = read(path, root, library)
        except BriefgenError as exc:
            errors.append(exc)
            continue
        except (ValueError, RecursionError) as exc:
            errors.append(SeedError(f"could not be read as a seed: {exc}", Location(display_path(path, root)),
                                    "check that the file is a complete PDF, Word, Markdown, HTML or text document"))
            continue
        report = IngestReport(ing)
        if not ing.registered and overrides is not None:
            overrides.apply(ing.entry)
        duplicate = ing.duplicate_of if not ing.registered else None
        if duplicate is not None and register_new and not (overrides and overrides.allow_duplicate):
            errors.append(SeedError(
                f"the same report as registered seed {duplicate[0]!r} ({duplicate[1]:.0%} of its text is there); "
                "not registered", Location(ing.shown),
                f"cite {duplicate[0]}#... instead and delete this copy, or pass --allow-duplicate to register it "
                "anyway"))
        if not ing.registered and register_new and not (duplicate is not None and not (
                overrides and overrides.allow_duplicate)):
            try:
                report.registered_in = register(root, ing)
            except BriefgenError as exc:
                errors.append(exc)
        if draft:
            report.drafts, report.no_draft = plan_drafts(ing.seed, ing.shown, root, catalogue, library)
            try:
                write_drafts(root, report.drafts)
            except BriefgenError as exc:  # a linked content/drafts: nothing is written through it
                errors.append(exc)
            report.drafted = True
        reports.append(report)
    return reports, errors
