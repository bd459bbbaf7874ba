"""Ingest seeds: read any supported file into an outline, print it, draft content blocks, suggest its registry entry."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import safeio
from briefgen.content.catalogue import Catalogue
from briefgen.content.provenance import iter_refs
from briefgen.errors import BriefgenError, Location, SeedError, display_path
from briefgen.seeds.outline import Node, Outline, build_outline, label_slug, slugify
from briefgen.seeds.registry import MAX_SEED_BYTES, SUFFIX_FORMATS, SeedLibrary, decode_seed
from briefgen.seeds.repair import Repair, repair
from briefgen.write import write_atomic

if TYPE_CHECKING:
    from briefgen.project import Project

log = logging.getLogger(__name__)

DRAFTS = Path("content") / "drafts"


@dataclass
class Ingested:
    """One seed file read for ingestion: its text, repairs, outline, and registry entry (existing or proposed)."""

    path: Path
    shown: str
    seed_id: str
    format: str
    text: str
    repairs: list[Repair]
    outline: Outline
    registered: bool
    entry: dict[str, object] = field(default_factory=dict)


def detect_format(path: Path, text: str, shown: str | None = None) -> str:
    """Return the seed format of PATH from its suffix (and, for .txt, its content)."""
    kind = SUFFIX_FORMATS.get(path.suffix.lower())
    if kind == "markdown":
        return "jekyll-markdown" if text.startswith("---") and re.match(r"---\s*\n.*?\n---\s*(\n|$)", text, re.S) \
            else "markdown"
    if kind == "text":
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        wiki = re.search(r"\SEdit\s*$", first) or re.search(r"^\s*\u2022 ", text, re.M)
        return "wiki-text" if wiki else "web-text"
    if kind == "html":
        return "html"
    shown = shown or display_path(path)
    raise SeedError(f"unsupported seed format {path.suffix or '(no suffix)'!r}", Location(shown),
                    "briefgen reads Markdown (.md, .markdown), HTML (.html, .htm) and plain text (.txt) in UTF-8; "
                    "convert the document to one of these first")


def read(path: Path, root: Path, library: SeedLibrary | None) -> Ingested:
    """Read PATH as a seed: use its registry entry when it is registered, else propose one."""
    shown = display_path(path, root)
    if not path.is_file():
        raise SeedError("no such seed file", Location(shown), "give the path of a seed file, e.g. seeds/report.md")
    try:
        raw = safeio.read_inside(path, None, MAX_SEED_BYTES)
    except OSError as exc:
        raise SeedError(f"cannot read the seed: {exc.strerror or exc}", Location(shown),
                        "seeds are text documents of at most a few megabytes") from None
    text = decode_seed(raw, shown)
    registered = None
    if library is not None:
        registered = next((s for s in library.seeds.values() if s.path.resolve() == path.resolve()), None)
    fmt = registered.info.format if registered else detect_format(path, text, shown)
    seed_id = registered.info.id if registered else _free_id(slugify(path.stem) or "seed", library)
    fixed, repairs = repair(text, seed_id)
    outline = build_outline(fixed, seed_id, fmt)
    ing = Ingested(path, shown, seed_id, fmt, fixed, repairs, outline, registered is not None)
    ing.entry = _entry(ing, raw) if registered is None else {}
    if registered is not None and hashlib.sha256(raw).hexdigest() != registered.info.sha256:
        outline.note(1, "the file's sha256 differs from seeds/sources.yaml: `briefgen check` will fail")
    return ing


def _free_id(base: str, library: SeedLibrary | None) -> str:
    taken = set(library.seeds) if library else set()
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _entry(ing: Ingested, raw: bytes) -> dict[str, object]:
    """Propose the seeds/sources.yaml entry for an unregistered seed, from what the file itself states."""
    fm = ing.outline.front_matter
    authors = fm.get("authors") or fm.get("author") or []
    if isinstance(authors, str):
        authors = [a.strip() for a in re.split(r",|\band\b", authors) if a.strip() and a.strip() != "et al."]
    date = fm.get("date") or fm.get("article:published_time") or fm.get("citation_date")
    if isinstance(date, (dt.date, dt.datetime)):
        date = date.strftime("%Y-%m-%d")
    elif isinstance(date, str):
        m = re.match(r"\d{4}-\d{2}-\d{2}", date.strip())
        date = m.group(0) if m else None
    return {
        "id": ing.seed_id,
        "file": ing.path.name,
        "original": ing.path.name,
        "title": ing.outline.title or ing.path.stem,
        "publisher": fm.get("publisher") or fm.get("og:site_name") or None,
        "authors": [str(a) for a in authors] if isinstance(authors, list) else [],
        "date": date or None,
        "format": ing.format,
        "sha256": hashlib.sha256(raw).hexdigest(),
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
            out.append(f"{lead}{key}: [{', '.join(json.dumps(v, ensure_ascii=False) for v in value)}]")
        elif value is None:
            out.append(f"{lead}{key}: null")
        elif key in ("id", "format", "sha256"):  # validated shapes: plain scalars
            out.append(f"{lead}{key}: {value}")
        elif key in ("file", "original"):  # any file name: '#', ': ', quotes, a newline must not change the YAML
            out.append(f"{lead}{key}: {yaml_string(str(value))}")
        else:
            out.append(f"{lead}{key}: {json.dumps(str(value), ensure_ascii=False)}")
    return "\n".join(out) + "\n"


def register(root: Path, ing: Ingested) -> Path:
    """Append ING's proposed entry to seeds/sources.yaml; the seed must already be in seeds/."""
    seeds_dir = (root / "seeds").resolve()
    if ing.path.resolve().parent != seeds_dir:
        raise SeedError(f"{ing.shown} is not in seeds/", Location(ing.shown),
                        "copy the file into seeds/ (byte for byte), then run `briefgen ingest --register` on the copy")
    registry = seeds_dir / "sources.yaml"
    text = registry.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    write_atomic(registry, (text + entry_yaml(ing.entry)).encode("utf-8"))
    return registry


# --- printing the outline -------------------------------------------------------------------------------

def describe(ing: Ingested, every_node: bool = False) -> str:
    """Return a readable report: header, outline with anchors and line spans, figures, repairs, notes."""
    o = ing.outline
    out = [f"{ing.shown}: seed {ing.seed_id} ({ing.format}, {o.line_count} lines)"
           + ("" if ing.registered else ", not registered yet")]
    if o.breadcrumb:
        out.append(f"  breadcrumb:   {' > '.join(o.breadcrumb)}")
    out.append(f"  title:        {o.title or '(none found)'}")
    if o.subtitle:
        out.append(f"  subtitle:     {o.subtitle}")
    if o.front_matter:
        out.append("  front matter: " + ", ".join(f"{k}={_short(str(v), 40)}" for k, v in o.front_matter.items()))
    out.append("  nodes:        " + ", ".join(f"{k} {n}" for k, n in o.counts().items()))
    out.append("outline (line span, #anchor, kind, title):")
    for node in o.walk():
        if not (every_node or node.anchor or node.kind in ("section", "subsection", "figure", "pairs", "epigraph",
                                                            "caption")):
            continue
        depth = len([p for p in node.path() if p is not node]) + (0 if node.kind in ("section", "subsection") else 1)
        span = f"L{node.start}" + (f"-L{node.end}" if node.end != node.start else "")
        anchor = f"#{node.anchor}" if node.anchor else ""
        if node.aliases:
            anchor += " (also #" + ", #".join(node.aliases) + ")"
        out.append(f"  {span:<10} {'  ' * depth}{anchor} [{node.kind}] {_short(node.title, 70)}")
    figures = o.figures()
    if figures:
        out.append("figures (remote images are recorded, never fetched):")
        for fig in figures:
            out.append(f"  L{fig.start}  #{fig.anchor or '-'}  {fig.attrs.get('url', '')}  "
                       f"{_short(fig.attrs.get('caption', ''), 60)!r}"
                       + (f"  source: {_short(fig.attrs['source'], 60)}" if fig.attrs.get("source") else ""))
    if ing.repairs:
        certain = sum(r.certain for r in ing.repairs)
        out.append(f"encoding repairs ({certain} certain, {len(ing.repairs) - certain} uncertain, "
                   f"marked \ufffd; seed:line:col before -> after):")
        out.extend(f"  {r}" for r in ing.repairs)
    if o.duplicates:
        out.append("duplicates (kept once):")
        out.extend(f"  {d}" for d in o.duplicates)
    if o.notes:
        out.append("notes:")
        out.extend(f"  {ing.shown}:{n.line}: {n.message}" for n in o.notes)
    return "\n".join(out)


def _short(text: str, n: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 3] + "..."


# --- drafts ---------------------------------------------------------------------------------------------

_OBSTACLE_TITLE = re.compile(r"^(?:obstacle|challenge|problem|barrier)\s+\d+\s*:", re.I)
_OBSTACLE_PARENT = re.compile(r"\b(?:cracks|problems|obstacles|challenges|barriers)\b", re.I)
_ALLIANCE_NAME = re.compile(r"\b(?:NATO|Five Eyes|AUKUS|Quad|ANZUS|alliance|partnership|pact|treaty)\b"
                            r"|\b(?:United States|U\.S\.)[\u2013-][A-Z]", re.I)
_PROPER_NAME = re.compile(r"\b(?:NATO|Five Eyes|AUKUS|Quad|ANZUS)\b|\b(?:United States|U\.S\.)[\u2013-][A-Z]")
_NAMED_PARTNER = re.compile(r"^(?:.*\b(?:partnerships?|alliances?|partners?))\s*:\s*(.+)$", re.I)
_ABBREV = re.compile(r"(?:\b[A-Z]\.|\b(?:e\.g|i\.e|etc|Mr|Ms|Dr|vs|No|St|Jr|Sr)\.)$")


def sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping abbreviations such as U.S. and e.g. intact."""
    out, start = [], 0
    for m in re.finditer(r"[.!?][\"\u201d\u2019)]?\s+(?=[A-Z\"\u201c(])", text):
        # Only the few characters before the stop can be an abbreviation: search there, not from START (quadratic).
        if _ABBREV.search(text, max(start, m.start() - 8), m.start() + 1):
            continue
        out.append(text[start:m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


@dataclass
class Draft:
    """A draft content block proposed from one outline node."""

    kind: str  # alliance | obstacle
    block_id: str
    name: str
    node: Node
    path: Path  # relative to the project
    text: str
    status: str = ""


def _domain(node: Node) -> str:
    titles = " ".join(p.text for p in node.path()).lower()
    if "intelligence" in titles:
        return "intelligence-sharing"
    if "planning" in titles:
        return "strategic-planning"
    if "arms" in titles or "industrial" in titles:
        return "arms-sales"
    return "general"


def _alliance_kind(name: str) -> str:
    low = name.lower()
    if "five eyes" in low or "intelligence" in low:
        return "intelligence-sharing arrangement"
    if "aukus" in low or "quad" in low:
        return "minilateral"
    if "nato" in low or "alliance" in low or "treaty" in low:
        return "treaty alliance"
    return "partnership"


def candidates(outline: Outline) -> list[tuple[str, Node, str]]:
    """Return (kind, node, name) for each alliance-like and obstacle-like section of OUTLINE."""
    out: list[tuple[str, Node, str]] = []
    for node in outline.walk():
        if not node.anchor:
            continue
        title = node.title
        parent = next((p for p in reversed(node.path()) if p is not node), None)
        if node.kind in ("section", "subsection"):
            if _OBSTACLE_TITLE.match(title) or (parent is not None and _OBSTACLE_PARENT.search(parent.text)):
                out.append(("obstacle", node, re.sub(_OBSTACLE_TITLE, "", title).strip()))
                continue
            named = _NAMED_PARTNER.match(title)
            if named:
                out.append(("alliance", node, named.group(1).strip()))
            elif _PROPER_NAME.search(title):
                out.append(("alliance", node, title))
        elif node.kind == "pair" or (node.kind == "item" and node.lead and _ALLIANCE_NAME.search(title)):
            out.append(("alliance", node, title))
    return out


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _paragraphs(node: Node) -> list[Node]:
    """Prose children of a section (paragraphs, list items, pair descriptions), in order."""
    if node.kind in ("pair", "item", "paragraph"):
        return [node]
    out = []
    for child in node.walk():
        if child is node:
            continue
        if child.kind in ("section", "subsection") and child is not node:
            break
        if child.kind in ("paragraph", "item", "pair") and child.text and not child.text.endswith(":"):
            out.append(child)
    return out


def _span(node: Node) -> str:
    return f"L{node.start}" + (f"-L{node.end}" if node.end != node.start else "")


def draft_text(kind: str, block_id: str, name: str, node: Node, ing: Ingested) -> str:
    """Return the YAML of a draft block: schema-valid, every point and quote cited, TODOs for the analyst."""
    ref = f"{ing.seed_id}#{node.anchor}"
    paras = _paragraphs(node)
    body = [p for p in paras if p.text]
    lead_text = body[0].text if body else node.text
    lead_sents = sentences(_strip_lead(lead_text, body[0].lead if body else None)) or [lead_text]
    folder = "obstacles" if kind == "obstacle" else "alliances"
    lines = [
        f"# Draft {kind} from {ref} ({ing.shown}, lines {node.start}-{node.end}),",
        "# written by `briefgen ingest --draft`. Drafts are not loaded. To curate: rewrite the summary and the",
        "# points in your own words, check every TODO, then move the file to "
        f"content/{folder}/{block_id}.yaml.",
        f"id: {block_id}",
        f"name: {_q(name)}",
    ]
    if kind == "obstacle":
        lines.append(f"domain: {_domain(node)}  # TODO: check (general, intelligence-sharing, strategic-planning, arms-sales)")
    else:
        lines.append(f"kind: {_alliance_kind(name)}  # TODO: check (treaty alliance, partnership, minilateral, "
                     "intelligence-sharing arrangement, multilateral forum)")
    lines.append("# TODO: the summary below is the seed's own wording; rewrite it.")
    lines.append(f"summary: {_q(' '.join(lead_sents[:2]))}")
    field_name = "how_it_shows_up" if kind == "obstacle" else "why_it_matters"
    points = []
    for para in body[:6]:
        first = sentences(_strip_lead(para.text, para.lead))
        if first:
            points.append(f"  - text: {_q(first[0])}\n    cite: {ing.seed_id}#{_span(para)}")
    if points:
        lines.append(f"{field_name}:  # TODO: one point per paragraph of the seed; reword and prune")
        lines.extend(points)
    quote = lead_sents[0]
    lines.append("quotes:")
    lines.append(f"  - text: {_q(quote)}\n    cite: {ref}")
    lines.append("sources:")
    lines.append(f"  - {ref}")
    return "\n".join(lines) + "\n"


def _strip_lead(text: str, lead: str | None) -> str:
    """Drop a 'Name:' or bold lead-in from the start of TEXT."""
    if lead and text.startswith(lead):
        return text[len(lead):].lstrip(" .:>").strip()
    return text


def plan_drafts(ing: Ingested, root: Path, catalogue: Catalogue | None, library: SeedLibrary | None) -> list[Draft]:
    """Return the drafts ING's outline suggests, each with its status (write, or why it is skipped)."""
    covered: dict[tuple[str, str, int, int], str] = {}  # (block type, seed, start, end) -> curated file
    if catalogue is not None and library is not None:
        for block in catalogue.blocks.values():
            for ref in iter_refs(block):
                seed = library.get(ref.seed)
                passage = seed.passage(ref.anchor) if seed else None
                if passage is not None:
                    key = (block.type_name, ref.seed, passage.start, passage.end)
                    covered.setdefault(key, catalogue.files.get(block.id, block.id))
    drafts = []
    seen: set[str] = set()
    for kind, node, name in candidates(ing.outline):
        block_id = label_slug(name) or node.anchor or "draft"
        folder = "obstacles" if kind == "obstacle" else "alliances"
        path = DRAFTS / folder / f"{block_id}.yaml"
        draft = Draft(kind, block_id, name, node, path, draft_text(kind, block_id, name, node, ing))
        curated = root / "content" / folder / f"{block_id}.yaml"
        if block_id in seen:
            draft.status = "skipped: another section of this seed gives the same id"
        elif (catalogue is not None and catalogue.get(block_id) is not None) or curated.exists():
            where = catalogue.files.get(block_id) if catalogue is not None and catalogue.get(block_id) else None
            draft.status = f"skipped: curated block {where or display_path(curated, root)} has this id"
        elif (kind, ing.seed_id, node.start, node.end) in covered:
            draft.status = f"skipped: already curated in {covered[(kind, ing.seed_id, node.start, node.end)]}"
        elif (root / path).exists():
            draft.status = "skipped: draft exists (drafts are never overwritten)"
        else:
            draft.status = "write"
        seen.add(block_id)
        drafts.append(draft)
    return drafts


def _refuse_links_on_the_way(root: Path, folder: Path) -> None:
    """Refuse to write into FOLDER when any folder between ROOT and it is a link (it could lead out of the project)."""
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            shown = current.relative_to(root).as_posix()
            raise SeedError("drafts not written: this folder is a link, and drafts are written only inside the "
                            "project", Location(shown), f"replace the link {shown} with a real folder")
        if not current.exists():
            return


def write_drafts(root: Path, drafts: list[Draft]) -> list[Draft]:
    """Write the drafts whose status is 'write'; return them with status 'wrote'."""
    written = []
    for draft in drafts:
        if draft.status != "write":
            continue
        target = root / draft.path
        _refuse_links_on_the_way(root, target.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, draft.text.encode("utf-8"))
        draft.status = "wrote"
        written.append(draft)
    return written


def ingest_error(path: Path, exc: Exception) -> BriefgenError:
    """Wrap an unexpected parse failure so it names the file."""
    shown = display_path(path)
    return SeedError(f"could not be read as a seed: {exc}", Location(shown),
                     "check that the file is a Markdown, HTML or plain-text document")


def resolve(root: Path, given: Path) -> Path:
    """Find a relative GIVEN in the project first (`seeds/x.md` means the project's), else in the working folder."""
    if given.is_absolute() or not (root / given).exists():
        return given
    return root / given


def ingest_files(project: "Project", paths: list[Path], *, draft: bool, register_new: bool, every_node: bool,
                 echo) -> list[BriefgenError]:  # noqa: ANN001 - echo is click.echo or print
    """Read each seed, print its outline, optionally register it and write drafts; return the errors."""
    errors: list[BriefgenError] = []
    root = project.root
    try:
        library: SeedLibrary | None = project.seeds
    except BriefgenError as exc:
        library = None
        echo(f"warning: seeds/sources.yaml could not be read, every seed is treated as new ({exc})")
    catalogue: Catalogue | None = None
    if draft:
        try:
            catalogue = project.catalogue
        except BriefgenError:
            echo("warning: content/ has errors; drafts are checked against curated file names only")
    for given in paths:
        path = resolve(root, given)
        try:
            ing = read(path, root, library)
        except BriefgenError as exc:
            errors.append(exc)
            continue
        except (ValueError, RecursionError) as exc:
            errors.append(ingest_error(path, exc))
            continue
        echo(describe(ing, every_node))
        if not ing.registered:
            if register_new:
                try:
                    registry = register(root, ing)
                    echo(f"registered {ing.seed_id} in {display_path(registry, root)}")
                    ing.registered = True
                except BriefgenError as exc:
                    errors.append(exc)
            else:
                echo("to register it, add this entry to seeds/sources.yaml (or run again with --register):")
                echo(entry_yaml(ing.entry).rstrip("\n"))
        if draft:
            drafts = plan_drafts(ing, root, catalogue, library)
            try:
                write_drafts(root, drafts)
            except BriefgenError as exc:
                errors.append(exc)
            echo(f"drafts ({sum(d.status == 'wrote' for d in drafts)} written of {len(drafts)} found):")
            for d in drafts:
                echo(f"  {d.kind:<9} {d.path.as_posix():<60} {d.status}")
            if not ing.registered and any(d.status == "wrote" for d in drafts):
                echo(f"note: the drafts cite seed id {ing.seed_id!r}; register the seed before curating them")
        echo("")
    return errors
