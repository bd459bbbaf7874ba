"""A brief as a web page: the brief's sections in the site's frame, with its downloads, metadata and footnotes."""
from __future__ import annotations

from dataclasses import dataclass

from briefgen import prose
from briefgen.config.kinds import KIND_LABELS, KINDS, SITE_PAGE_KIND
from briefgen.errors import ContentError, Location
from briefgen.project import Project
from briefgen.render.context import document_context, document_edition
from briefgen.render.site import paths
from briefgen.render.site.frame import frame, render_page
from briefgen.render.site.notes import WebNotes
from briefgen.render.site.paths import SiteInfo, href

#: The brief's template in the web edition (an audience may override it under templates/audiences/NAME/site/).
TEMPLATE = "site/brief.html.j2"
#: Sections the web page opens with, in this order, before the fact box: what a reader on a phone sees first.
OPENING = ("bottom_line", "takeaways")


@dataclass
class WebPage:
    """A page's HTML and what rendering it read (linked blocks' fields), for the site's incremental rebuilds."""

    path: str
    html: str
    deps: dict[str, list[str]]
    edition: dict | None = None


def web_sections(sections: list[str]) -> list[str]:
    """SECTIONS reordered for the screen: the opening sections first, then the fact box, then the rest in order."""
    opening = [s for s in OPENING if s in sections]
    rest = [s for s in sections if s not in opening]
    if "sidebar" in rest:
        rest.remove("sidebar")
        return [*opening, "sidebar", *rest]
    return opening + rest


def render_brief_page(project: Project, block_id: str, site: SiteInfo) -> WebPage:
    """The web page of BLOCK_ID's brief for SITE's audience."""
    block = project.catalogue.get(block_id)
    if block is None or not type(block).document:  # a type declared to get its own documents
        raise ContentError(f"no alliance or obstacle with id {block_id!r}", Location("content/"),
                           "`briefgen list` shows every id")
    aud = project.audience(site.audience)
    edition = document_edition(project, block, SITE_PAGE_KIND, aud)
    here = paths.brief_page(block.id)
    deps: dict[str, set[str]] = {}
    ctx = document_context(project, block, SITE_PAGE_KIND, aud, WebNotes(project), deps=deps, edition=edition,
                           shared_styles=True)
    description = prose.plain(block.bottom_line or block.summary)
    ctx.update(frame(project, site, here, f"{block.name}: {KIND_LABELS[SITE_PAGE_KIND].lower()}", description))
    downloads = []
    for kind in KINDS:
        target = site.downloads.get((block.id, kind))
        if target:
            downloads.append(dict(url=href(here, target), label=f"{KIND_LABELS[kind]} (PDF, "
                                  f"{max(1, round(site.sizes.get(target, 0) / 1024))} KB)", kind=kind))
    pdf = site.downloads.get((block.id, SITE_PAGE_KIND))
    ctx.update(sections=web_sections(ctx["sections"]), downloads=downloads,
               editions_url=href(here, paths.editions_page(block.id)),
               brief_url=lambda block_id: href(here, paths.brief_page(block_id)),
               pdf_absolute=site.absolute(pdf) if pdf else None,
               report=_report(project, block.name, description, ctx, site.absolute(here),
                              site.absolute(pdf) if pdf else None))
    html = render_page(project, site.audience, TEMPLATE, ctx)
    return WebPage(here, html, {str(b): sorted(map(str, f)) for b, f in sorted(deps.items())},
                   edition.as_dict() if edition else None)


def _report(project: Project, name: str, description: str, ctx: dict, url: str | None, pdf: str | None) -> dict:
    """The schema.org Report describing the brief (JSON-LD)."""
    cfg = project.config
    data = {"@context": "https://schema.org", "@type": "Report", "name": name, "headline": ctx["title"],
            "description": description, "inLanguage": cfg.language, "datePublished": ctx["date"].isoformat(),
            "dateModified": ctx["date"].isoformat(), "reportNumber": ctx["doc_number"] or None,
            "author": [{"@type": "Person", "name": a.name} for a in cfg.authors]
            or [{"@type": "Organization", "name": cfg.author}],
            "publisher": {"@type": "Organization", "name": cfg.author},
            "keywords": ctx["keywords"], "url": url}
    if ctx["edition"]:
        data["version"] = str(ctx["edition"].number)
    if pdf:
        data["encoding"] = {"@type": "MediaObject", "encodingFormat": "application/pdf", "contentUrl": pdf}
    return {k: v for k, v in data.items() if v is not None}
