"""HTML -> PDF with WeasyPrint: a locked-down fetcher, captured log, metadata and page checks."""
from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import ContentError, Location, RenderError

logger = logging.getLogger(__name__)

_weasyprint = None


def weasyprint():  # noqa: ANN201 - the module
    """Import WeasyPrint once, on first use (it costs about a second)."""
    global _weasyprint
    if _weasyprint is None:
        import weasyprint as wp

        _weasyprint = wp
    return _weasyprint


class ResourceRefused(Exception):
    """A document asked for a resource outside the project or on the network."""


def make_fetcher(root: Path):  # noqa: ANN201 - a weasyprint URLFetcher
    """Return a URL fetcher that serves only data: URLs and files inside ROOT, and records refusals."""
    wp = weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = root.resolve()

    class ProjectFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols=("data", "file"))
            self.refused: list[str] = []

        def fetch(self, url: str, headers=None):  # noqa: ANN001, ANN201 - WeasyPrint's signature
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime}, 200)
                if path.is_relative_to(root):
                    self.refused.append(f"{url} (no such file in the project)")
                    raise ResourceRefused(f"missing file: {url}")
            self.refused.append(url)
            raise ResourceRefused(f"resource outside the project refused: {url}")

    del wp
    return ProjectFetcher()


class _Capture(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


#: The PDF profile every document is written to: tagged, with language, title and alt texts.
PDF_VARIANT = "pdf/ua-1"


class _Images(HTMLParser):
    """Collect images that lack alternative text: <img> without alt, inline <svg> without <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.missing: list[str] = []
        self._svg: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" and not (values.get("alt") or "").strip():
            self.missing.append(f"<img src={values.get('src') or '?'!r}>")
        elif tag == "svg":
            self._svg.append(False)
        elif tag == "title" and self._svg:
            self._svg[-1] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self._svg and not self._svg.pop():
            self.missing.append("<svg> without a <title>")


def check_alt_text(html: str, source: str) -> None:
    """Raise a ContentError when any image in HTML has no alternative text."""
    parser = _Images()
    parser.feed(html)
    parser.close()
    if parser.missing:
        raise ContentError("image without alternative text: " + ", ".join(parser.missing), Location(source),
                           "give every image an alt text (brand.yml: logo.images.<name>.alt; templates: alt=\"...\")")


@dataclass
class Layout:
    """A laid-out document: its pages, ready to count or to write, and what WeasyPrint reported."""

    document: Any
    source: str
    strict: bool
    records: list[logging.LogRecord] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return len(self.document.pages)

    def overflow_lines(self) -> int:
        """Count the lines of text laid out after the first page."""
        from weasyprint.formatting_structure import boxes

        def count(box: Any) -> int:
            if isinstance(box, boxes.LineBox):
                return 1
            if isinstance(box, boxes.MarginBox):  # running header and footer are not content
                return 0
            return sum(count(child) for child in getattr(box, "children", ()) or ())

        return sum(count(page._page_box) for page in self.document.pages[1:])


@dataclass
class PdfResult:
    """The PDF bytes and what the render reported."""

    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


@contextmanager
def _captured(records: list[logging.LogRecord], source: str) -> Iterator[None]:
    """Record WeasyPrint's warnings and errors into RECORDS; its exceptions become located RenderErrors."""
    capture = _Capture(logging.WARNING)
    wlog = logging.getLogger("weasyprint")
    wlog.addHandler(capture)
    try:
        yield
    except (RenderError, ContentError):
        raise
    except Exception as exc:  # noqa: BLE001 - WeasyPrint raises many types; each becomes a located error
        raise RenderError(f"WeasyPrint failed: {type(exc).__name__}: {exc}", Location(source),
                          "check the template and stylesheet this document uses") from exc
    finally:
        wlog.removeHandler(capture)
        records.extend(capture.records)


def _fail_on_errors(records: list[logging.LogRecord], source: str, strict: bool) -> list[str]:
    """Raise on ERROR records (and on warnings when STRICT); return the warnings."""
    errors = [r.getMessage() for r in records if r.levelno >= logging.ERROR]
    warnings = [r.getMessage() for r in records if r.levelno < logging.ERROR]
    if strict:
        errors += warnings
    if errors:
        raise RenderError("WeasyPrint reported: " + "; ".join(dict.fromkeys(errors)), Location(source),
                          "fix the resource or style it names")
    return list(dict.fromkeys(warnings))


def lay_out(html: str, root: Path, source: str, *, strict: bool = False) -> Layout:
    """Lay out HTML (from SOURCE, for messages) into pages; refused URLs and WeasyPrint errors fail it."""
    check_alt_text(html, source)
    wp = weasyprint()
    fetcher = make_fetcher(root)
    records: list[logging.LogRecord] = []
    with _captured(records, source):
        document = wp.HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).render()
    if fetcher.refused:
        raise RenderError("refused to load " + ", ".join(sorted(set(fetcher.refused))), Location(source),
                          "use only files inside the project (fonts/, brand/) or data: URLs")
    _fail_on_errors(records, source, strict)
    return Layout(document, source, strict, records)


def write_pdf(layout: Layout, *, variant: str | None = PDF_VARIANT) -> PdfResult:
    """Write LAYOUT as a tagged PDF/UA-1 file; the bytes depend only on the input (no clock, no random id)."""
    records = list(layout.records)
    with _captured(records, layout.source):
        # pdf_identifier=True makes pydyf derive /ID from the file's own content, so it is reproducible.
        data = layout.document.write_pdf(pdf_variant=variant, pdf_identifier=True)
    warnings = _fail_on_errors(records, layout.source, layout.strict)
    return PdfResult(data, layout.pages, warnings)


def render_pdf(html: str, root: Path, source: str, *, strict: bool = False, variant: str | None = PDF_VARIANT) -> PdfResult:
    """Lay out HTML (from SOURCE, for messages) and return the PDF; errors and refused URLs fail it."""
    return write_pdf(lay_out(html, root, source, strict=strict), variant=variant)
