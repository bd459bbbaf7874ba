"""What a render returns (Output) and how it is asked for (RenderOptions): the hand-off from render to batch."""
from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from briefgen.config.kinds import Target
from briefgen.write import write_atomic

if TYPE_CHECKING:
    from briefgen.render.site.paths import SiteInfo

#: Renders book segments: (label, html, source, shared styles, render.book.segments.SegmentFit) jobs to rendered
#: segments, locally or in the pool.
RenderMany = Callable[[list[tuple]], list]


@dataclass(frozen=True)
class RenderOptions:
    """How one document is rendered: strictness, where its fit loops start, and what the batch stage lends it."""

    #: Warnings (missing resources, unknown links) are errors.
    strict: bool = False
    #: One-pagers: the condensing level the last build recorded (tried first).
    fit_start: int | None = None
    #: One-pagers: the grow level the last build recorded.
    grow_start: int | None = None
    #: Briefs: the tail (fit) level the last build recorded.
    tail_start: int | None = None
    #: Briefs: search the fit levels when the layout audit finds a defect (False: lay out once, at tail_start or the
    #: design; a redline, whose marks are not what the reader gets, costs one layout).
    fit_search: bool = True
    #: Lay the document out and audit it without making the file (`briefgen check --layout`): no bytes.
    layout_only: bool = False
    #: HTML: self-contained (checked by the PDF's policy, everything inlined), unless the caller serves the project's
    #: files itself (the preview): then it links them by project-relative URLs.
    standalone: bool = True
    #: HTML served by the caller (standalone False): what leads every project file URL, e.g. "/site/" for the preview,
    #: so a page's stylesheet, fonts and logo load whatever address it is served at.
    asset_prefix: str = ""
    #: Where the output will be written: the book keeps its rendered segments under OUT/.cache.
    out: Path | None = None
    #: Renders book segments (default: in this process).
    render_many: RenderMany | None = None
    #: Web pages: the site around the page (its audience, address and downloads); None: a site without downloads.
    site: SiteInfo | None = None


@dataclass
class Output:
    """A rendered document: its bytes, page count, what WeasyPrint warned, and how it was made."""

    target: Target
    fmt: str
    data: bytes
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    #: One-pagers: the condensing level that fitted (the next build starts its fit loop there).
    fit_level: int | None = None
    #: The book: segments rendered and reused, seconds.
    book: dict | None = None
    #: Fields of linked blocks the document showed (block id -> field names), recorded while rendering.
    deps: dict[str, list[str]] = field(default_factory=dict)
    #: Where rendering already wrote the file (the book is assembled in place), so writing it again is not needed.
    written: Path | None = None
    #: PDFs: what the layout audit found (render.audit.Finding.as_dict()), measured from the render's own layout.
    layout: list[dict] = field(default_factory=list)
    #: One-pagers: the condensing steps the fit loop applied (what condensing left out or tightened), or the grow
    #: steps that opened up a thin one; briefs: the fit steps that mended the layout (sidebar, tail).
    fit_steps: list[str] = field(default_factory=list)
    #: One-pagers: the grow steps applied; briefs: the tail steps applied (the next build starts there too).
    grow_level: int | None = None
    tail_level: int | None = None
    #: How many layouts the fit loops made of it (the recorded start levels keep this low on a rebuild).
    layouts: int = 0
    #: The document's current edition (editions.records.Proposal.as_dict()): what `briefgen build` records.
    edition: dict | None = None
    #: Curated content of its blocks the document does not show, and why (content.shown.Omission.as_dict()).
    omitted: list[dict] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def save(self, path: str | Path) -> Path:
        """Write the output to PATH atomically; return the path."""
        return write_atomic(Path(path), self.data)

    def _repr_html_(self) -> str:
        """Show a standalone HTML output in a notebook; describe any other."""
        if self.fmt == "html":
            return self.data.decode("utf-8")
        return (f"<p>{html.escape(str(self.target))}.{html.escape(self.fmt)}: {self.pages} page(s), "
                f"{len(self.data) / 1024:.0f} KB</p>")
