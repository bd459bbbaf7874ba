"""Render resources built once per audience: the Jinja environment, the brand, parsed stylesheets and fonts."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefgen.config.audiences import LoadedAudience, brand_overrides
from briefgen.config.brand import Brand, load_brand
from briefgen.render.fitclasses import FitRule, fit_rules
from briefgen.render.pdf import Styles, parse_styles
from briefgen.render.templates import Sandbox, make_environment
from briefgen.safeio import RECORD_LIMIT, read_text_inside

if TYPE_CHECKING:
    from briefgen.project import Project

logger = logging.getLogger(__name__)

#: The stylesheet every brief and one-pager uses, after the brand's fonts and custom properties.
PRINT_CSS = "templates/css/print.css"
#: What the book adds on top of PRINT_CSS.
BOOK_CSS = "templates/css/book.css"
#: The rules of a book segment rendered as its own document (after BOOK_CSS).
BOOK_SEGMENT_CSS = "templates/css/book-segment.css"
#: The stylesheets of a book segment, in cascade order.
BOOK_SEGMENT_STYLES = (PRINT_CSS, BOOK_CSS, BOOK_SEGMENT_CSS)


@dataclass
class RenderSetup:
    """Everything one audience's documents share, built once per project snapshot and process.

    The environment compiles each template once; the brand is read and validated once; for PDFs the brand's
    @font-face rules and custom properties and print.css are parsed once into weasyprint.CSS objects that share one
    FontConfiguration, as WeasyPrint requires for stylesheets applied to the same documents.
    """

    project: Project
    audience: LoadedAudience
    env: Sandbox
    brand: Brand
    _styles: dict[tuple[str, ...], Styles] = field(default_factory=dict, repr=False)
    _fit_rules: dict[tuple[str, ...], list[FitRule]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def name(self) -> str:
        return self.audience.name

    def brand_css(self, prefix: str = "") -> str:
        """The brand's @font-face rules and custom properties; PREFIX leads every file URL."""
        return self.brand.css(prefix)

    def styles(self, files: tuple[str, ...] = (PRINT_CSS,)) -> Styles:
        """The brand CSS and FILES (project paths) parsed once, sharing one FontConfiguration."""
        with self._lock:
            if files not in self._styles:
                self._styles[files] = parse_styles(self.project.root, str(self.brand_css()), files,
                                                   f"the stylesheets of audience {self.name!r}")
                logger.debug("parsed stylesheets %s for audience %s", files, self.name)
            return self._styles[files]

    def fit_rules(self, files: tuple[str, ...] = (PRINT_CSS,)) -> list[FitRule]:
        """The selectors of the brand CSS and FILES that name fit classes (render.fitclasses), read once."""
        with self._lock:
            if files not in self._fit_rules:
                root = self.project.root
                texts = [str(self.brand_css())] + [read_text_inside(root / rel, root, RECORD_LIMIT)
                                                   for rel in files if (root / rel).is_file()]
                self._fit_rules[files] = fit_rules(texts)
            return self._fit_rules[files]


def render_setup(project: Project, audience: str | None = None) -> RenderSetup:
    """Return AUDIENCE's RenderSetup, built on first use and kept on PROJECT (a snapshot of the files)."""
    aud = project.audience(audience)
    cache: dict[str, RenderSetup] = project.__dict__.setdefault("_render_setups", {})
    setup = cache.get(aud.name)
    if setup is None:
        brand = load_brand(project.root, brand_overrides(aud), overrides_file=aud.file)
        setup = cache[aud.name] = RenderSetup(project, aud, make_environment(project.root, aud.chain), brand)
    return setup
