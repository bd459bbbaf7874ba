"""(block, audience, kind) -> HTML: the one template contract and the render."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from markupsafe import Markup, escape

from briefgen import prose
from briefgen.config.audiences import LoadedAudience
from briefgen.config.kinds import KIND_LABELS, KINDS, document_kind
from briefgen.content.model import TAKEAWAYS_MIN, Block, SourceRef
from briefgen.content.shown import Omission, Seen, Watched
from briefgen.content.views import Tracked, audience_view, lift_takeaways, related_blocks, track
from briefgen.editions.changes import compare, reader_changes, vetted_changes
from briefgen.editions.records import Edition, Proposal, propose, record_rel
from briefgen.errors import BriefgenError, ContentError, Location
from briefgen.project import Project
from briefgen.render import furniture
from briefgen.render.marks import apply_marks, has_marks
from briefgen.render.notes import Notes
from briefgen.render.omitted import Showing, Unseen, omissions, unseen
from briefgen.render.setup import render_setup
from briefgen.render.templates import render

#: Most points a list shows in a one-pager, whatever the audience allows in a brief.
ONEPAGER_MAX_POINTS = 4


#: Sections a one-pager's fit loop may add back to a thin one-pager's lead (the rest join its columns).
ONEPAGER_LEAD_ADDS: tuple[str, ...] = ("overview",)


#: What closes a one-pager, after its lead and columns: the related-blocks strip and the pull quote. The
#: source notes always follow, since every note number links to them, then the authors and contact line
#: (`credits`). The fit loop may drop any of these.
ONEPAGER_TAIL: tuple[str, ...] = ("related", "pull_quote", "credits")


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
class RenderedDocument:
    """A document's HTML and what the PDF stage needs to know about it."""

    kind: str
    block: Block
    audience: LoadedAudience
    title: str
    html: str
    #: Fields of linked blocks the templates read (block id -> field names): what else makes it stale.
    deps: dict[str, list[str]] = field(default_factory=dict)
    #: The document's current edition and number (editions.records.Proposal), recorded by `briefgen build`.
    edition: Proposal | None = None
    #: Curated content of its block the document does not show, and why (render.omitted).
    omitted: list[Omission] = field(default_factory=list)


def document_title(block: Block, kind: str) -> str:
    return f"{block.name} \u2014 {KIND_LABELS[kind]}"


def _with_lead_adds(lead: list[str], adds: list[str]) -> list[str]:
    """LEAD with ADDS put right after the bottom line (or first, when it has none)."""
    at = lead.index("bottom_line") + 1 if "bottom_line" in lead else 0
    return lead[:at] + adds + lead[at:]


@dataclass(frozen=True)
class Variant:
    """How a fit loop varies a document from its design (render.fit): the one-pager's condensing or grow steps and the
    brief's mending steps, as what they change in the context."""

    #: Sections left out (condensing).
    drop: tuple[str, ...] = ()
    #: Parts of the block a thin one-pager puts back (growing): the overview leads, lists join the columns.
    add: tuple[str, ...] = ()
    #: Sections moved to the front (a brief's sidebar).
    promote: tuple[str, ...] = ()
    #: At most this many points a list (None: the kind's own cap).
    max_points: int | None = None
    #: The one-pager's spacing: the --op-* custom properties (render.fit.Spacing).
    fit_css: str = ""
    #: Classes put on the body: each switches on the rules of one fit step in print.css ("Fit steps").
    fit_classes: tuple[str, ...] = ()


#: A document as designed.
DESIGN = Variant()


@dataclass
class Placed:
    """Which sections a document shows, in order: a brief's (MAIN), and a one-pager's LEAD, COLUMNS and TAIL."""

    main: list[str]
    lead: list[str]
    columns: list[str]
    tail: list[str]


def place_sections(aud: LoadedAudience, type_name: str, variant: Variant) -> Placed:
    """The audience's sections for a block of TYPE_NAME, less those VARIANT drops, plus those a thin one-pager adds."""
    cfg = aud.config
    dropped = set(variant.drop)
    main = [s for s in cfg.brief.sections_for(type_name) if s not in dropped]
    lead = [s for s in cfg.onepager.lead if s not in dropped]
    columns = [s for s in cfg.onepager.columns if s not in dropped]
    # A thin one-pager grows by parts of its block it leaves out (ADD): in the lead (the overview) or the columns.
    added = [s for s in variant.add if s not in dropped and s not in (*cfg.onepager.lead, *cfg.onepager.columns,
                                                               *ONEPAGER_TAIL)]
    lead = _with_lead_adds(lead, [s for s in added if s in ONEPAGER_LEAD_ADDS])
    columns += [s for s in added if s not in ONEPAGER_LEAD_ADDS]
    return Placed(main, lead, columns, [s for s in ONEPAGER_TAIL if s not in dropped])


def _lift_key_points(block: Block, kind: str, placed: Placed, shown: set[str] | None) -> tuple[Block, list]:
    """BLOCK without the key points a Key takeaways box shows once, and those points (none: no box)."""
    # An audience that leaves some out (us_internal: false) and keeps fewer than TAKEAWAYS_MIN gets no box, the
    # points in place.
    key_points = block.key_points()
    shows = placed.lead + placed.columns if document_kind(kind).summary else placed.main
    if "takeaways" not in shows or len(key_points) < TAKEAWAYS_MIN:
        return block, []
    if shown is not None:  # the box shows these fields' key points: the edition depends on them
        key = {id(p) for p in key_points}
        shown.update(f.name for f in dataclasses.fields(block)
                     if isinstance(v := getattr(block, f.name), list) and any(id(p) in key for p in v))
    return lift_takeaways(block)


def _place_what_changed(placed: Placed, aud: LoadedAudience) -> None:
    """Put the what-changed section in PLACED where the audience does not place it itself."""
    onepager = aud.config.onepager
    if "what_changed" in (*placed.main, *onepager.lead, *onepager.columns):
        return
    # A brief: in the main column beside the sidebar (after it; else after the bottom line), so the sidebar keeps its
    # place at the opening of page 1.
    after = next((s for s in ("sidebar", "bottom_line") if s in placed.main), None)
    placed.main.insert(placed.main.index(after) + 1 if after else 0, "what_changed")
    placed.tail.insert(0, "what_changed")  # a one-pager: after its columns


def _promoted(sections: list[str], promote: tuple[str, ...]) -> list[str]:
    """SECTIONS with those in PROMOTE moved right after the first section."""
    # The brief fit loop may move a section (the sidebar) up: right after the first section, so the headings still
    # open with that section's (a sidebar first would put its h3 labels before any h2: PDF/UA heading nesting).
    if not promote:
        return sections
    rest = [s for s in sections if s not in promote]
    return rest[:1] + [s for s in sections if s in promote] + rest[1:]


def _edition_fields(project: Project, block: Block, kind: str, edition: Proposal | None,
                    changed: dict | None) -> dict:
    """The context's edition furniture: date, edition, document number, citation, what changed."""
    current = edition.edition if edition else None
    doc_number = edition.doc_number if edition else ""
    return dict(
        # The edition's date (the content's last change), never the build's; the document number, per block and kind.
        date=edition.edition.date if edition else document_date(),
        edition=current,
        doc_number=doc_number,
        created=document_timestamp(),
        citation=furniture.suggested_citation(project.config, block.name, KIND_LABELS[kind], doc_number, current),
        what_changed=changed["items"] if changed else [],
        what_changed_since=changed["since"] if changed else None,
    )


def _style_fields(brand: Any, variant: Variant, shared_styles: bool, asset_prefix: str) -> dict:
    """The context's styling: the brand, its CSS (unless the PDF stage shares it), the fit loop's CSS and classes."""
    return dict(
        brand=brand,
        brand_css="" if shared_styles else brand.css(asset_prefix),
        shared_styles=shared_styles,
        fit_css=Markup(variant.fit_css),
        fit_classes=" ".join(variant.fit_classes),
        asset=lambda path: asset_prefix + path,
    )


def document_context(project: Project, block: Block, kind: str, aud: LoadedAudience, notes: Notes,
                     variant: Variant = DESIGN, *, asset_prefix: str = "", shared_styles: bool = False,
                     deps: dict[str, set[str]] | None = None, edition: Proposal | None = None,
                     shown: set[str] | None = None) -> dict:
    """Return the template context of one brief or one-pager of BLOCK as AUDIENCE reads it (also for book chapters),
    varied from its design by VARIANT.

    With SHARED_STYLES the document carries no brand CSS and no stylesheet link: the PDF stage applies the
    audience's parsed stylesheets (RenderSetup.styles) instead. DEPS, when given, records the fields of linked blocks
    the templates read. EDITION is the document's current edition (editions.records; render_html finds it). SHOWN,
    when given, records the fields of BLOCK itself that the document reads (what its edition depends on).
    """
    cfg = aud.config
    raw = block
    view = audience_view(block, cfg, aud.name)
    placed = place_sections(aud, raw.type_name, variant)
    # A Key takeaways box shows the block's key points once, in place of their own sections.
    lifted, takeaways = _lift_key_points(view, kind, placed, shown)
    # What the templates read of the block, field by field and item by item: what the document shows (its edition
    # depends on those fields) and so what it leaves out (render.omitted).
    seen = Seen()
    block = Tracked(lifted, shown) if shown is not None else lifted  # type: ignore[assignment]
    brand = render_setup(project, aud.name).brand
    related = related_blocks(project.catalogue, block)
    if deps is not None:
        related = track(related, deps)
    changed = edition_changes(project, aud, edition) if cfg.what_changed and "what_changed" not in variant.drop \
        else None
    if changed:
        _place_what_changed(placed, aud)
    sections = _promoted(placed.main, variant.promote)
    points = min(variant.max_points or ONEPAGER_MAX_POINTS, cfg.limits.max_points) if document_kind(kind).summary \
        else cfg.limits.max_points
    showing = Showing(raw, view, lifted, seen, points,
                      *_points_reason(kind, cfg.limits.max_points, variant.max_points),
                      dropped=frozenset(variant.drop), file=project.catalogue.file_of(raw),
                      sections_from=f"the audience's brief sections for {raw.type_name} briefs")
    return dict(
        _showing=showing,
        kind=kind,
        # The kind's declaration (config.kinds.DocumentKind): templates ask it (`document.summary`), not the name.
        document=document_kind(kind),
        kind_label=KIND_LABELS[kind],
        block=Watched(lifted, shown if shown is not None else set(), seen),
        block_type=block.type_name,
        related=related,
        linked=related.get(block.counterpart, []),
        audience=aud.config,
        audience_name=aud.name,
        project=project.config,
        title=document_title(block, kind),
        running_title=getattr(block, "short_name", None) or block.name,
        description=prose.plain(block.summary),
        keywords=", ".join([block.name, block.type_name, *block.keywords]),
        **_edition_fields(project, block, kind, edition, changed),
        sections=sections,
        lead_sections=placed.lead,
        column_sections=placed.columns,
        tail_sections=placed.tail,
        takeaways=seen.items_of(takeaways),
        figure_svg=lambda figure, number: furniture.figure_svg(figure, brand.colors, number),
        titles=cfg.titles(),
        # A one-pager shows at most four points a list, fewer when condensed; a grow step may lift that cap up to
        # the audience's own limit (max_points above ONEPAGER_MAX_POINTS).
        max_points=points,
        **_style_fields(brand, variant, shared_styles, asset_prefix),
        notes=notes,
        cite=notes.cite,
        escape=escape,
    )


def earlier_text_vetter(project: Project, block_id: str | None) -> Callable[[Any], bool]:
    """A check for an earlier edition's text (content.vetting) against the project's seeds and forbidden words, as
    a statement of block BLOCK_ID."""
    from briefgen.content.vetting import vetted

    block = project.catalogue.get(block_id) if block_id else None

    def vet(item: Any) -> bool:
        return vetted(item.text, list(item.cites), project.seeds, project.config.forbidden_words, quote=item.quote,
                      block=block)

    return vet


def _points_reason(kind: str, audience_max: int, fit_max: int | None) -> tuple[str, str, bool]:
    """Why a list shows no more than it does: (reason, code, expected in this kind of document)."""
    summary = document_kind(kind).summary
    if not summary or audience_max <= (fit_max or ONEPAGER_MAX_POINTS):
        # In a one-pager (a grown one shows up to the audience's limit) it is expected: the brief warns of it.
        return f"the audience's max_points is {audience_max}", "limit", summary
    if fit_max and fit_max < ONEPAGER_MAX_POINTS:
        return f"the one-pager's fit loop cut lists to {fit_max} points to fit one page", "fit", True
    return f"a one-pager shows at most {fit_max or ONEPAGER_MAX_POINTS} points a list", "design", True


def edition_changes(project: Project, aud: LoadedAudience, edition: Proposal | None) -> dict | None:
    """What changed in this edition since the previous one, for readers (editions.changes.reader_changes): the
    previous edition (number, date) and the lines, each with its own citations; None for a first edition."""
    if edition is None or edition.edition.number < 2:
        return None
    cached = edition.__dict__.get("_reader")
    if cached is not None:
        return cached or None
    previous = edition.previous(project.root)
    result: dict = {}
    if previous is not None:
        entry, old = previous
        hidden = edition.__dict__.get("_unseen") or Unseen()
        shown = [c for c in compare(old, edition.snapshot()) if hidden.why(c) is None]
        items = vetted_changes(reader_changes(shown, aud.config.titles(), edition.snapshot()),
                               earlier_text_vetter(project, next(iter(edition.snapshot()["blocks"]), None)))
        if items:
            for item in items:
                item.cites = [SourceRef(seed=c.partition("#")[0], anchor=c.partition("#")[2])  # type: ignore[misc]
                              for c in item.cites]
            result = {"items": items, "since": Edition(entry["number"], dt.date.fromisoformat(entry["date"]))}
    edition.__dict__["_reader"] = result
    return result or None


def render_html(project: Project, block_id: str, kind: str, audience: str | None = None,
                variant: Variant = DESIGN, *, asset_prefix: str = "", shared_styles: bool = False) -> RenderedDocument:
    """Render the HTML of one brief or one-pager, varied from its design by VARIANT (a fit loop's steps).

    ASSET_PREFIX leads every project file URL (empty for PDFs, the way back to the project root for a standalone HTML
    file); SHARED_STYLES leaves the stylesheets to the PDF stage (see document_context).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    cat = project.catalogue
    block = cat.get(block_id)
    if block is None or not type(block).document:  # a type declared to get its own documents
        known = ", ".join(b.id for b in cat.documents())
        raise ContentError(f"no alliance or obstacle with id {block_id!r}", Location("content/"),
                           f"known ids: {known}")
    aud = project.audience(audience)
    edition = document_edition(project, block, kind, aud)
    return _render_document(project, block, kind, aud, edition, variant=variant, asset_prefix=asset_prefix,
                            shared_styles=shared_styles)


def _render_document(project: Project, block: Block, kind: str, aud: LoadedAudience, edition: Proposal | None,
                     shown: set[str] | None = None, **options: object) -> RenderedDocument:
    setup = render_setup(project, aud.name)
    deps: dict[str, set[str]] = {}
    context = document_context(project, block, kind, aud, Notes(project), deps=deps, edition=edition, shown=shown,
                               **options)  # type: ignore[arg-type]
    html = protect_names(render(setup.env, document_kind(kind).template, project.root, **context))
    redline = getattr(project, "redline", None)  # a redline's copy of the project (build.redline) marks changes
    if redline is not None or has_marks(html):
        html = apply_marks(html, *(redline or ()))
    watched = context["block"]
    return RenderedDocument(kind, getattr(watched, "_block", watched), aud, context["title"], html,
                            {str(bid): sorted(map(str, names)) for bid, names in sorted(deps.items())},
                            edition=edition, omitted=omissions(context, aud))


def document_edition(project: Project, block: Block, kind: str, aud: LoadedAudience) -> Proposal:
    """The document's current edition (editions.records.propose), from what its full, uncondensed form shows.

    The linked fields it shows are found by rendering it once (Jinja only); the answer is kept for this catalogue
    and this state of the record, so the fit loop's renders reuse it. Condensing never changes the edition.
    """
    rel = record_rel(kind, block.id, aud.name)
    try:
        stat = (project.root / rel).stat()
        stamp: tuple = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = ()
    cache: dict = project.__dict__.setdefault("_editions", {})
    key = (kind, block.id, aud.name)
    hit = cache.get(key)
    if hit is not None and hit[0] is project.catalogue and hit[1] is aud and hit[2] == stamp:
        return hit[3]
    shown: set[str] = set()
    try:
        first = _render_document(project, block, kind, aud, None, shown)
        fields: list[str] | None = sorted(shown)
    except BriefgenError:
        raise
    except Exception:  # noqa: BLE001 - a template that cannot read a tracked block: every field counts
        first, fields = _render_document(project, block, kind, aud, None), None
    proposal = propose(project, kind, block.id, aud.name, [block.id], first.deps, fields)
    # What the document does not show (its design, uncondensed): its changes there are not the reader's.
    proposal.__dict__["_unseen"] = unseen(first.omitted, {block.id: block})
    cache[key] = (project.catalogue, aud, stamp, proposal)
    return proposal


#: A capitalised word long enough to be hyphenated (print.css: hyphenate-limit-chars 8): a proper noun, in English;
#: with the space before it, which goes inside the span: WeasyPrint (70) breaks a line at its first space instead
#: when the space before an inline box is where the line should end ("The / United States ... on September").
_PROPER = re.compile(r"( ?)(?<![\w&#])([A-Z][A-Za-z]{7,})(?![\w;])")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
#: Elements whose text is not prose a reader sees laid out, or must not gain markup (a link stays one tagged run).
_RAW = ("style", "script", "title", "head", "svg", "a")


def protect_names(html: str) -> str:
    """Wrap capitalised words (Washington, Philippines, European) in <span class="name">, never hyphenated.

    print.css sets `.name { hyphens: manual }`: proper nouns, countries and organisations are not broken at a line
    end, whatever the hyphenation dictionary allows.
    """
    out: list[str] = []
    raw = 0
    for part in _TAG_OR_TEXT.split(html):
        if part.startswith("<"):
            name = part[1:].split(None, 1)[0].rstrip("/>").lower() if len(part) > 2 else ""
            if name.lstrip("/") in _RAW and not part.endswith("/>"):
                raw += -1 if name.startswith("/") else 1
                raw = max(raw, 0)
            out.append(part)
        elif raw or not part.strip():
            out.append(part)
        else:
            out.append(_PROPER.sub(r'<span class="name">\1\2</span>', part))
    return "".join(out)
