"""Where each page of the site lives, and relative links between them (the site works from file:// and a sub-path)."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from briefgen.config.kinds import document_kind

#: The site's fixed pages and assets, by role (site-relative paths).
HOME = "index.html"
RECOMMENDATIONS = "recommendations.html"
SOURCES = "sources.html"
SEARCH = "search.html"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
SEARCH_INDEX = "assets/search-index.js"
STYLESHEET = "assets/site.css"
SCRIPT = "assets/search.js"
LOGO = "assets/logo.svg"
FONTS = "assets/fonts"


def brief_page(block_id: str) -> str:
    """The page of BLOCK_ID's brief."""
    return f"briefs/{block_id}.html"


def editions_page(block_id: str) -> str:
    """The page listing the editions of BLOCK_ID's documents."""
    return f"editions/{block_id}.html"


def download(block_id: str, kind: str) -> str:
    """Where a document's PDF is offered for download (the site page's own kind's under the block id alone)."""
    return f"downloads/{block_id}.pdf" if document_kind(kind).site_page else f"downloads/{block_id}-{kind}.pdf"


def redline_download(block_id: str, kind: str) -> str:
    """Where a document's PDF redline (its changes marked since the previous edition) is offered."""
    return f"downloads/{block_id}-{kind}-changes.pdf"


def href(here: str, there: str) -> str:
    """The relative URL of THERE (a site path, maybe with a #fragment) as linked from page HERE."""
    path, hash_, fragment = there.partition("#")
    if path == here and hash_:
        return f"#{fragment}"
    rel = posixpath.relpath(path, posixpath.dirname(here) or ".")
    return rel + (f"#{fragment}" if hash_ else "")


@dataclass(frozen=True)
class SiteInfo:
    """What the site around a page offers: its audience, its published address, the PDFs it ships."""

    audience: str
    #: The audience site's own web address (`site_url` + audience + '/'), or None: no canonical links.
    base_url: str | None = None
    #: (block id, kind) -> the site path of its PDF, for the documents whose PDF the build has; (block id,
    #: "KIND-changes") -> its PDF redline, where `briefgen diff --format pdf` wrote one.
    downloads: dict[tuple[str, str], str] = field(default_factory=dict, hash=False, compare=False)
    #: Download sizes in bytes, by site path.
    sizes: dict[str, int] = field(default_factory=dict, hash=False, compare=False)

    def absolute(self, path: str) -> str | None:
        """The absolute address of site path PATH, when the project declares site_url."""
        return None if self.base_url is None else self.base_url + ("" if path == HOME else path)


def site_base_url(site_url: str | None, audience: str) -> str | None:
    """Audience AUDIENCE's site address under the project's site_url."""
    return f"{site_url}{audience}/" if site_url else None
