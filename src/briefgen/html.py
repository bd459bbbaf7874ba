"""(block, audience, kind) -> HTML: the document context, source notes, and template rendering."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from markupsafe import Markup, escape

from . import prose
from .brand import load_brand
from .config import LoadedAudience
from .errors import ContentError, Location
from .model import Alliance, Block, Obstacle, Recommendation, SourceRef, as_list
from .project import Project
from .seeds import Passage, SeedInfo
from .templates import make_environment, render

Kind = Literal["brief", "onepager"]
KINDS: tuple[str, ...] = ("brief", "onepager")
KIND_LABELS = {"brief": "Policy brief", "onepager": "One-pager"}

#: Sections of each kind of document, in order. Each names templates/sections/<name>.html.j2; a section
#: that does not apply to a block's type renders nothing.
DEFAULT_SECTIONS: dict[str, tuple[str, ...]] = {
    "brief": ("bottom_line", "sidebar", "overview", "why_it_matters", "how_it_shows_up", "pull_quote",
              "examples", "modernization_priorities", "key_actions", "other_perspectives", "quotes",
              "recommendations", "sources"),
    "onepager": ("bottom_line", "overview", "why_it_matters", "how_it_shows_up", "modernization_priorities",
                 "key_actions", "examples", "related", "recommendations", "pull_quote"),
}
#: One-pager layout: sections across the full width first, then the two columns, then the tail (the source
#: notes always close it, since every note number links to them).
ONEPAGER_LEAD = ("bottom_line", "overview")
ONEPAGER_COLUMNS = ("why_it_matters", "how_it_shows_up", "modernization_priorities", "key_actions", "examples",
                    "other_perspectives")
ONEPAGER_TAIL = ("related", "recommendations", "pull_quote")
#: Most points a list shows, per kind of document.
MAX_POINTS = {"brief": 12, "onepager": 4}


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
        where = self.passage.title if self.passage else self.ref.anchor
        lines = f"lines {self.passage.start}\u2013{self.passage.end}" if self.passage else ""
        parts.append(f"section \u201c{prose.plain(where)}\u201d" + (f" ({lines})" if lines else "")
                     if not where.startswith("line") else where)
        return ", ".join(parts) + "."


    @property
    def short(self) -> str:
        """Title and section only, for one-pagers."""
        where = self.passage.title if self.passage else self.ref.anchor
        where = prose.plain(where)
        return f"{self.seed.title}, " + (where if where.startswith("line") else f"\u201c{where}\u201d") + "."


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


def document_title(block: Block, kind: str) -> str:
    return f"{block.name} \u2014 {KIND_LABELS[kind]}"


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
    notes = Notes(project)
    title = document_title(block, kind)
    env = make_environment(project.root, aud.name)
    brand = load_brand(project.root)
    html = render(
        env, f"{kind}.html.j2", project.root,
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
        sections=[s for s in DEFAULT_SECTIONS[kind] if s not in drop],
        lead_sections=ONEPAGER_LEAD,
        column_sections=ONEPAGER_COLUMNS,
        tail_sections=ONEPAGER_TAIL,
        max_points=max_points or MAX_POINTS[kind],
        brand=brand,
        brand_css=brand.css(asset_prefix),
        fit_css=Markup(fit_css),
        asset=lambda path: asset_prefix + path,
        notes=notes,
        cite=notes.cite,
        escape=escape,
    )
    return RenderedDocument(kind, block, aud, title, html)
