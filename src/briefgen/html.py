"""(block, audience, kind) -> HTML: the document context, source notes, and template rendering."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from markupsafe import Markup, escape

from . import prose
from .audiences import Audience, LoadedAudience
from .brand import load_brand
from .errors import ContentError, Location
from .model import Alliance, Block, Obstacle, Recommendation, SourceRef, as_list
from .project import Project
from .seeds import Passage, SeedInfo
from .templates import make_environment, render

Kind = Literal["brief", "onepager"]
KINDS: tuple[str, ...] = ("brief", "onepager")
KIND_LABELS = {"brief": "Policy brief", "onepager": "One-pager"}

#: Most points a list shows in a one-pager, whatever the audience allows in a brief.
ONEPAGER_MAX_POINTS = 4
#: What closes a one-pager, after its lead and columns: the related-blocks strip and the pull quote. The
#: source notes always follow, since every note number links to them. The fit loop may drop any of these.
ONEPAGER_TAIL: tuple[str, ...] = ("related", "pull_quote")
_LINE_REF = re.compile(r"L\d+(?:-L?\d+)?\Z")


def document_date() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


def document_timestamp() -> str:
    """The PDF creation date as a W3C date: SOURCE_DATE_EPOCH's instant when set, else today's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return dt.date.today().isoformat()


@dataclass
class Note:
    """A numbered source note: one seed passage."""

    number: int
    ref: SourceRef
    seed: SeedInfo
    passage: Passage | None

    @property
    def where(self) -> str:
        """The passage as a reader finds it: outline section titles (outermost and innermost), then lines."""
        p = self.passage
        if p is None:
            return self.ref.anchor
        lines = f"line {p.start}" if p.start == p.end else f"lines {p.start}\u2013{p.end}"
        titles = [prose.plain(t) for t in p.path]
        named = not _LINE_REF.match(p.anchor)
        if named and (not titles or titles[-1] != prose.plain(p.title)):
            titles.append(prose.plain(p.title))
        if len(titles) > 2:
            titles = [titles[0], titles[-1]]
        if not titles:
            return lines
        return "section \u201c" + " \u203a ".join(titles) + f"\u201d ({lines})"

    @property
    def citation(self) -> str:
        """Authors, title, publisher, date, section: a one-line reference."""
        s = self.seed
        parts = []
        if s.authors:
            parts.append(s.authors[0] + (" et al." if len(s.authors) > 2 else
                                          f" and {s.authors[1]}" if len(s.authors) == 2 else ""))
        parts.append(f"\u201c{s.title}\u201d")
        if s.publisher:
            parts.append(s.publisher)
        if s.date:
            parts.append(s.date)
        parts.append(self.where)
        return ", ".join(parts) + "."

    @property
    def short(self) -> str:
        """Title and innermost section only, for one-pagers."""
        p = self.passage
        if p is None:
            return f"{self.seed.title}, {self.ref.anchor}."
        named = p.title if not _LINE_REF.match(p.anchor) else (p.path[-1] if p.path else "")
        if not named:
            return f"{self.seed.title}, " + (f"line {p.start}." if p.start == p.end else f"lines {p.start}\u2013{p.end}.")
        return f"{self.seed.title}, \u201c{prose.plain(named)}\u201d."


@dataclass
class Notes:
    """Numbers source passages in order of first citation; the same passage keeps its number."""

    project: Project
    items: list[Note] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def number(self, ref: SourceRef) -> int:
        """Return REF's note number, adding a note on first use."""
        key = str(ref)
        if key not in self._index:
            seed = self.project.seeds.get(ref.seed)
            if seed is None:
                raise ContentError(f"unknown seed {ref.seed!r}", ref.loc, "run briefgen check")
            self.items.append(Note(len(self.items) + 1, ref, seed.info, seed.passage(ref.anchor)))
            self._index[key] = len(self.items)
        return self._index[key]

    def title_of(self, ref: SourceRef) -> str:
        """Return the title of the seed REF cites, e.g. to attribute an unattributed quote."""
        seed = self.project.seeds.get(ref.seed)
        return seed.info.title if seed is not None else ref.seed

    def cite(self, refs: SourceRef | list[SourceRef] | None) -> Markup:
        """Return superscript note links for REFS (used by templates as `{{ cite(x.cite) }}`)."""
        numbers = sorted({self.number(r) for r in as_list(refs)})
        if not numbers:
            return Markup("")
        links = Markup(",").join(Markup('<a href="#note-{0}" title="Source note {0}">{0}</a>').format(n)
                                 for n in numbers)
        # A word joiner keeps the note number on the line of the word it follows.
        return Markup('\u2060<sup class="note-ref">') + links + Markup("</sup>")


@dataclass
class RenderedDocument:
    """A document's HTML and what the PDF stage needs to know about it."""

    kind: str
    block: Block
    audience: LoadedAudience
    title: str
    html: str


def related_blocks(project: Project, block: Block) -> dict[str, list[Block]]:
    """Resolve the block's cross-links into block objects, so templates never look ids up."""
    cat = project.catalogue

    def resolve(ids: list[str]) -> list[Block]:
        return [b for b in (cat.get(i) for i in ids) if b is not None]

    if isinstance(block, Alliance):
        return {"obstacles": resolve(block.related_obstacles), "alliances": [],
                "recommendations": resolve(block.recommendations)}
    if isinstance(block, Obstacle):
        return {"obstacles": [], "alliances": resolve(block.affected_alliances),
                "recommendations": resolve(block.recommendations)}
    if isinstance(block, Recommendation):
        return {"obstacles": resolve(block.addresses), "alliances": [], "recommendations": []}
    return {"obstacles": [], "alliances": [], "recommendations": []}


def _limit_words(text: str, limit: int | None, rule: str, block: Block, field_name: str, audience: str) -> str:
    """Apply an audience's word limit to TEXT: keep whole sentences (truncate) or fail (error)."""
    words = text.split()
    if limit is None or len(words) <= limit:
        return text
    if rule == "error":
        raise ContentError(f"{field_name} has {len(words)} words; audience {audience!r} allows {limit}",
                           block.where(field_name), f"shorten it, or set limits.over_limit: truncate in "
                           f"audiences/{audience}.yaml")
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    kept = [sentences[0]]
    for sentence in sentences[1:]:
        if len(" ".join(kept + [sentence]).split()) > limit:
            break
        kept.append(sentence)
    out = " ".join(kept)
    return out if len(kept) == len(sentences) else out + " \u2026"


def audience_view(block: Block, audience: Audience, name: str) -> Block:
    """Return BLOCK as AUDIENCE reads it: U.S.-internal points left out, summaries within the word limit."""
    changes: dict[str, object] = {}
    for f in dataclasses.fields(block):
        value = getattr(block, f.name)
        if isinstance(value, list) and not audience.us_internal:
            kept = [item for item in value if not getattr(item, "us_internal", False)]
            if len(kept) != len(value):
                changes[f.name] = kept
    limits = audience.limits
    for field_name in ("summary", "bottom_line"):
        text = getattr(block, field_name, None)
        if text:
            limited = _limit_words(text, limits.max_summary_words, limits.over_limit, block, field_name, name)
            if limited != text:
                changes[field_name] = limited
    if not changes:
        return block
    view = dataclasses.replace(block, **changes)
    view.loc, view.locs = block.loc, block.locs
    return view


def document_title(block: Block, kind: str) -> str:
    return f"{block.name} \u2014 {KIND_LABELS[kind]}"


def brand_overrides(aud: LoadedAudience) -> Any:
    """Return the audience's `brand:` overrides, located in its file (after `extends:` merging) when possible."""
    if aud.tree is not None and aud.tree.kind == "map":
        node = next((v for k, v in aud.tree.value.items() if str(k) == "brand"), None)
        if node is not None:
            return node
    return aud.config.brand or None


def document_context(project: Project, block: Block, kind: str, aud: LoadedAudience, notes: Notes, *,
                     drop: Collection[str] = (), max_points: int | None = None, fit_css: str = "",
                     asset_prefix: str = "") -> dict:
    """Return the template context of one brief or one-pager of BLOCK as AUDIENCE reads it (also for book chapters)."""
    cfg = aud.config
    block = audience_view(block, cfg, aud.name)
    title = document_title(block, kind)
    brand = load_brand(project.root, brand_overrides(aud), overrides_file=aud.file)
    dropped = set(drop)
    return dict(
        kind=kind,
        kind_label=KIND_LABELS[kind],
        block=block,
        block_type=block.type_name,
        related=related_blocks(project, block),
        audience=aud.config,
        audience_name=aud.name,
        project=project.config,
        title=title,
        running_title=getattr(block, "short_name", None) or block.name,
        description=prose.plain(block.summary),
        keywords=", ".join([block.name, block.type_name, *block.keywords]),
        date=document_date(),
        created=document_timestamp(),
        sections=[s for s in cfg.brief.sections if s not in dropped],
        lead_sections=[s for s in cfg.onepager.lead if s not in dropped],
        column_sections=[s for s in cfg.onepager.columns if s not in dropped],
        tail_sections=[s for s in ONEPAGER_TAIL if s not in dropped],
        titles=cfg.titles(),
        max_points=min(max_points or cfg.limits.max_points, ONEPAGER_MAX_POINTS) if kind == "onepager"
        else cfg.limits.max_points,
        brand=brand,
        brand_css=brand.css(asset_prefix),
        fit_css=Markup(fit_css),
        asset=lambda path: asset_prefix + path,
        notes=notes,
        cite=notes.cite,
        escape=escape,
    )


def render_html(project: Project, block_id: str, kind: str, audience: str | None = None, *,
                drop: Collection[str] = (), max_points: int | None = None, fit_css: str = "",
                asset_prefix: str = "") -> RenderedDocument:
    """Render the HTML of one brief or one-pager.

    DROP, MAX_POINTS and FIT_CSS are how the one-pager fit loop condenses a document (sections left out,
    fewer points per list, tighter spacing); ASSET_PREFIX leads every project file URL (empty for PDFs,
    the way back to the project root for a standalone HTML file).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    cat = project.catalogue
    block = cat.get(block_id)
    if block is None or not isinstance(block, (Alliance, Obstacle)):
        known = ", ".join(b.id for b in cat.documents())
        raise ContentError(f"no alliance or obstacle with id {block_id!r}", Location("content/"),
                           f"known ids: {known}")
    aud = project.audience(audience)
    context = document_context(project, block, kind, aud, Notes(project), drop=drop, max_points=max_points,
                               fit_css=fit_css, asset_prefix=asset_prefix)
    env = make_environment(project.root, aud.chain)
    html = render(env, f"{kind}.html.j2", project.root, **context)
    return RenderedDocument(kind, context["block"], aud, context["title"], html)
