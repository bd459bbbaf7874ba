"""The site's pages besides the briefs: home (parts and matrix), recommendations, sources, editions, search."""
from __future__ import annotations

import datetime as dt

from briefgen import prose
from briefgen.config.kinds import KIND_LABELS, KINDS
from briefgen.content.model import BOOK_PARTS, Alliance, Obstacle, SourceRef
from briefgen.content.walk import walk
from briefgen.editions.changes import READER_SECTIONS, Change, compare, summary
from briefgen.editions.records import load_record, record_rel, resolve
from briefgen.project import Project
from briefgen.render.context import document_edition
from briefgen.render.notes import Note
from briefgen.render.site import paths
from briefgen.render.site.brief import WebPage
from briefgen.render.site.frame import frame, render_page
from briefgen.render.site.notes import WebNotes
from briefgen.render.site.paths import SiteInfo, href


def _entry(here: str, block) -> dict:  # noqa: ANN001 - any block
    target = paths.brief_page(block.id) if type(block).document else f"{paths.RECOMMENDATIONS}#{block.id}"
    # The bottom line where the block has one: a sentence or two, where the summary runs to a paragraph.
    return dict(name=block.name, url=href(here, target),
                summary=prose.plain(getattr(block, "bottom_line", None) or block.summary))


def render_home(project: Project, site: SiteInfo) -> WebPage:
    """The home page: the catalogue's parts in the book's order (obstacles by domain) and the matrix as a table."""
    here = paths.HOME
    cat = project.catalogue
    parts = []
    for key, title in BOOK_PARTS:
        members = [b for b in cat.blocks.values() if b.book_part == key]
        groups: dict[str | None, list] = {}  # by domain, for blocks that have one (obstacles)
        for b in members:
            groups.setdefault(getattr(b, "domain_label", None), []).append(_entry(here, b))
        if members:
            parts.append(dict(key=key, title=title, groups=[dict(title=t, items=i) for t, i in groups.items()]))
    ctx = frame(project, site, here, "Home", f"{project.config.title}: briefs on each alliance and obstacle")
    aud = project.audience(site.audience).config
    ctx.update(parts=parts, matrix=_matrix(here, cat.obstacles, cat.alliances),
               intro=f"Policy briefs on U.S. alliances and partnerships and the obstacles to allied cooperation, "
                     f"for {aud.label[:1].lower() + aud.label[1:]}, each with its sources, its editions and a "
                     "PDF to download.")
    return WebPage(here, render_page(project, site.audience, "site/home.html.j2", ctx), {})


def _matrix(here: str, obstacles: list[Obstacle], alliances: list[Alliance]) -> dict:
    """Rows (obstacles) and columns (alliances) of the matrix, with the marks and their counts."""
    linked = {(o.id, a) for o in obstacles for a in o.affected_alliances}
    linked |= {(oid, a.id) for a in alliances for oid in a.related_obstacles}
    rows = [dict(name=o.name, url=href(here, paths.brief_page(o.id)),
                 cells=[(o.id, a.id) in linked for a in alliances],
                 total=sum((o.id, a.id) in linked for a in alliances)) for o in obstacles]
    cols = [dict(name=a.name, label=a.short_name or a.name, url=href(here, paths.brief_page(a.id)),
                 total=sum((o.id, a.id) in linked for o in obstacles)) for a in alliances]
    return dict(rows=rows, cols=cols)


def render_recommendations(project: Project, site: SiteInfo) -> WebPage:
    """Every recommendation with its actions and the obstacles it answers, then the frameworks."""
    here = paths.RECOMMENDATIONS
    cat = project.catalogue
    notes = WebNotes(project)
    recs = [dict(block=r, obstacles=[_entry(here, o) for o in cat.obstacles if o.id in r.addresses
                                     or r.id in o.recommendations]) for r in cat.recommendations]
    ctx = frame(project, site, here, "Recommendations", "What the briefs recommend, with the actions each calls for")
    ctx.update(recommendations=recs, frameworks=cat.frameworks, notes=notes, cite=notes.cite,
               titles=project.audience(site.audience).config.titles())
    return WebPage(here, render_page(project, site.audience, "site/recommendations.html.j2", ctx), {})


def render_sources(project: Project, site: SiteInfo) -> WebPage:
    """The documents the briefs cite, in full, each with the briefs that cite it."""
    here = paths.SOURCES
    cat = project.catalogue
    cited: dict[str, list] = {}
    for block in cat.documents():
        for seed_id in dict.fromkeys(ref.seed for ref in walk(block, SourceRef)):
            cited.setdefault(seed_id, []).append(_entry(here, block))
    sources = []
    for number, (seed_id, seed) in enumerate(sorted(project.seeds.seeds.items(), key=lambda s: s[1].info.title), 1):
        note = Note(number, SourceRef(seed=seed_id, anchor=""), seed.info, None, "")
        sources.append(dict(anchor=f"source-{number}", citation=note.citation, url=seed.info.url,
                            cited_in=cited.get(seed_id, [])))
    ctx = frame(project, site, here, "Sources", "The documents the briefs cite, and which briefs cite each")
    ctx.update(sources=sources)
    return WebPage(here, render_page(project, site.audience, "site/sources.html.j2", ctx), {})


#: Changes a reader is not shown (the framing, whole-item bookkeeping, a field's structure).
_UNSHOWN_CHANGES = ("framing", "item", "field")


def redline(changes: list[Change], titles: dict[str, str]) -> list[dict]:
    """The document's own changed statements as a web redline: a lead, then runs kept, removed and added."""
    out = []
    for c in changes:
        if not c.own or c.what in _UNSHOWN_CHANGES:
            continue
        heading = titles.get(READER_SECTIONS.get(c.section, c.section), c.section.replace("_", " ").capitalize())
        runs = c.words or ([("+", c.new)] if c.op in ("added", "moved", "recited") and c.new else
                           [("-", c.old)] if c.op == "removed" and c.old else [("=", c.new or c.old or "")])
        lead = {"added": "Added", "removed": "Removed", "changed": "Revised", "moved": "Moved",
                "recited": "Sourced to a different passage"}.get(c.op, c.op.capitalize())
        out.append(dict(lead=f"{lead}, under \u201c{heading}\u201d:", runs=[(op, prose.plain(w)) for op, w in runs]))
    return out


def edition_history(project: Project, audience: str, kind: str, block_id: str) -> tuple[str, list[dict]]:
    """The document number and the editions (newest first) of one document, each with its changes in words: those
    the record holds, and the one the content makes now when the record does not hold it yet."""
    record = load_record(project.root, record_rel(kind, block_id, audience))
    entries = sorted(record.get("editions", []), key=lambda e: e["number"])
    titles = project.audience(audience).config.titles()
    out = []
    previous = None

    def described(snap: dict | None) -> dict:
        changes = compare(previous, snap) if previous is not None and snap is not None else []
        return dict(changes=summary(changes) if changes else "", redline=redline(changes, titles), current=False)

    for entry in entries:
        snap = resolve(project.root, entry)
        out.append(dict(number=entry["number"], date=dt.date.fromisoformat(entry["date"]), **described(snap)))
        previous = snap
    block = project.catalogue.get(block_id)
    current = document_edition(project, block, kind, project.audience(audience)) if block is not None else None
    if current is not None and current.new:
        out.append(dict(number=current.edition.number, date=current.edition.date, **described(current.snapshot())))
    if out:
        out[-1]["current"] = True
    return (current.doc_number if current else record.get("doc_number", "")), out[::-1]


def render_editions(project: Project, site: SiteInfo, block_id: str) -> WebPage:
    """The editions page of one alliance or obstacle: each of its documents' editions."""
    here = paths.editions_page(block_id)
    block = project.catalogue.get(block_id)
    documents = []
    for kind in KINDS:
        number, editions = edition_history(project, site.audience, kind, block_id)
        download, changes = site.downloads.get((block_id, kind)), site.downloads.get((block_id, f"{kind}-changes"))
        for e in editions:
            e["download"] = href(here, download) if download and e["current"] else None
            e["redline_pdf"] = href(here, changes) if changes and e["current"] and e["number"] > 1 else None
        documents.append(dict(kind=kind, label=KIND_LABELS[kind], doc_number=number, editions=editions))
    ctx = frame(project, site, here, f"{block.name}: editions", f"The editions of the documents on {block.name}")
    ctx.update(block_name=block.name, documents=documents, brief_url=href(here, paths.brief_page(block_id)))
    return WebPage(here, render_page(project, site.audience, "site/editions.html.j2", ctx), {})


def render_fonts(project: Project, site: SiteInfo, files: list[str]) -> WebPage:
    """The page listing the site's fonts and their licences (FILES: names in the fonts folder)."""
    here = f"{paths.FONTS}/index.html"
    ctx = frame(project, site, here, "Fonts and licences", "The typefaces this site ships and their licences")
    ctx.update(files=[(name, href(here, f"{paths.FONTS}/{name}")) for name in files])
    return WebPage(here, render_page(project, site.audience, "site/fonts.html.j2", ctx), {})


def render_search(project: Project, site: SiteInfo) -> WebPage:
    """The search page (the index and its script are assets of their own)."""
    ctx = frame(project, site, paths.SEARCH, "Search", "Search every brief, recommendation and source")
    return WebPage(paths.SEARCH, render_page(project, site.audience, "site/search.html.j2", ctx), {})


__all__ = ["edition_history", "render_editions", "render_fonts", "render_home", "render_recommendations", "render_search",
           "render_sources"]
