"""The site's Atom feed of new editions and its sitemap."""
from __future__ import annotations

import datetime as dt
import uuid
from xml.sax.saxutils import escape, quoteattr

from briefgen.project import Project
from briefgen.render.site import paths
from briefgen.render.site.paths import SiteInfo


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(project: Project, site: SiteInfo, editions: list[dict]) -> str:
    """An Atom feed with one entry per edition of each brief, newest first.

    EDITIONS: dicts of block id, name, doc_number, number, date, changes and summary. Links are relative to the feed
    (it sits at the site's root) unless the project declares site_url.
    """
    cfg = project.config
    entries = sorted(editions, key=lambda e: (e["date"], e["name"]), reverse=True)
    updated = _stamp(entries[0]["date"]) if entries else "1970-01-01T00:00:00Z"
    base = site.base_url or ""
    feed_id = site.absolute(paths.FEED) or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, cfg.title + site.audience)}"
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(cfg.language)}>',
           f"  <title>{escape(cfg.title)}: new editions</title>",
           f"  <id>{escape(feed_id)}</id>", f"  <updated>{updated}</updated>",
           f"  <author><name>{escape(cfg.author)}</name></author>",
           f'  <link rel="self" href={quoteattr(base + paths.FEED)}/>',
           f'  <link rel="alternate" type="text/html" href={quoteattr(base + paths.HOME)}/>']
    for e in entries:
        page = paths.brief_page(e["id"])
        key = "/".join(str(e[k]) for k in ("doc_number", "id", "number"))
        entry_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
        summary = e["summary"] + (f" Changes: {e['changes']}." if e.get("changes") else "")
        out += ["  <entry>",
                f"    <title>{escape(e['name'])}: edition {e['number']}</title>",
                f"    <id>{entry_id}</id>", f"    <updated>{_stamp(e['date'])}</updated>",
                f'    <link rel="alternate" type="text/html" href={quoteattr(base + page)}/>',
                f"    <summary>{escape(summary)}</summary>", "  </entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def sitemap(site: SiteInfo, pages: dict[str, dt.date | None]) -> str | None:
    """A sitemap of PAGES (site path -> last change, if known); None when the site's address is not declared."""
    if site.base_url is None:
        return None
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, day in sorted(pages.items()):
        out.append(f"  <url><loc>{escape(site.absolute(path) or '')}</loc>"
                   + (f"<lastmod>{day.isoformat()}</lastmod>" if day else "") + "</url>")
    out.append("</urlset>")
    return "\n".join(out) + "\n"
