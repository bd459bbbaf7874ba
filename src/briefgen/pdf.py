"""HTML -> PDF with WeasyPrint: a locked-down fetcher, captured log, metadata and page checks."""
from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Location, RenderError

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


@dataclass
class PdfResult:
    """The PDF bytes and what the render reported."""

    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


def render_pdf(html: str, root: Path, source: str, *, strict: bool = False, variant: str | None = None) -> PdfResult:
    """Lay out HTML (from SOURCE, for messages) and return the PDF; errors and refused URLs fail it."""
    wp = weasyprint()
    fetcher = make_fetcher(root)
    capture = _Capture(logging.WARNING)
    wlog = logging.getLogger("weasyprint")
    wlog.addHandler(capture)
    try:
        document = wp.HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).render()
        data = document.write_pdf(pdf_variant=variant) if variant else document.write_pdf()
    except RenderError:
        raise
    except Exception as exc:  # noqa: BLE001 - WeasyPrint raises many types; each becomes a located error
        raise RenderError(f"WeasyPrint failed: {type(exc).__name__}: {exc}", Location(source),
                          "check the template and stylesheet this document uses") from exc
    finally:
        wlog.removeHandler(capture)
    if fetcher.refused:
        raise RenderError("refused to load " + ", ".join(sorted(set(fetcher.refused))), Location(source),
                          "use only files inside the project (fonts/, images/) or data: URLs")
    errors = [r.getMessage() for r in capture.records if r.levelno >= logging.ERROR]
    warnings = [r.getMessage() for r in capture.records if r.levelno < logging.ERROR]
    if strict:
        errors += warnings
    if errors:
        raise RenderError("WeasyPrint reported: " + "; ".join(errors), Location(source),
                          "fix the resource or style it names")
    return PdfResult(data, len(document.pages), warnings)
