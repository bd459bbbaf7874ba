"""HTML -> PDF with WeasyPrint: a locked-down fetcher, captured log, metadata and page checks."""
from __future__ import annotations

import logging
import mimetypes
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import prose
from .errors import BriefgenError, ErrorCollector, Location, RenderError, display_path

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
            self.reasons: dict[str, str] = {}

        def refuse(self, url: str, reason: str) -> ResourceRefused:
            self.refused.append(url)
            self.reasons.setdefault(url, reason)
            return ResourceRefused(f"{reason}: {url}")

        def fetch(self, url: str, headers=None):  # noqa: ANN001, ANN201 - WeasyPrint's signature
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise self.refuse(url, "network access is not allowed")
            written = Path(os.path.normpath(unquote(urlsplit(url).path)))
            path = written.resolve()  # resolve() follows links: they cannot escape
            if not path.is_relative_to(root):
                inside = written.is_relative_to(root)
                raise self.refuse(url, "a link to a file outside the project" if inside else "outside the project")
            if not path.is_file():
                raise self.refuse(url, "no such file in the project")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime}, 200)

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
    except BriefgenError:
        raise
    except Exception as exc:  # noqa: BLE001 - WeasyPrint raises many types; each becomes a located error
        raise RenderError(f"WeasyPrint failed: {type(exc).__name__}: {exc}", Location(source),
                          "check the template and stylesheet this document uses") from exc
    finally:
        wlog.removeHandler(capture)
    errors = ErrorCollector()
    for url in dict.fromkeys(fetcher.refused):
        reason = fetcher.reasons[url]
        missing = reason == "no such file in the project"
        shown = _shown_url(root, url)
        errors.add(RenderError(f"refused to load {shown} ({reason}), rendering {source}", locate(root, url, source),
                               "check the file name, or add the file to the project" if missing else
                               "use only files inside the project (fonts/, images/) or data: URLs"))
    for page in document.pages:
        for link_type, target, *_ in page.links:
            reason = _link_problem(link_type, target)
            if reason:
                errors.add(RenderError(f"link to {target} refused ({reason}), rendering {source}",
                                       locate(root, target, source),
                                       "link only to web pages (http/https), mailto: or #anchors in the document"))
    if fetcher.refused:  # WeasyPrint's own "failed to load" records repeat the refusals above
        errors.raise_if_any()
    problems = [r for r in capture.records if r.levelno >= logging.ERROR or (strict and r.levelno >= logging.WARNING)]
    for record in problems:
        what = "reported" if record.levelno >= logging.ERROR else "warned (an error with --strict)"
        errors.add(RenderError(f"WeasyPrint {what}: {record.getMessage()}", _locate_record(root, record, source),
                               "fix the resource or style it names"))
    errors.raise_if_any()
    warnings = [r.getMessage() for r in capture.records if r.levelno < logging.ERROR]
    return PdfResult(data, len(document.pages), warnings)


def _shown_url(root: Path, url: str) -> str:
    """Write a file: URL inside ROOT as a project-relative path (without following links)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        return url
    try:
        return Path(os.path.normpath(unquote(parts.path))).relative_to(root.resolve()).as_posix()
    except ValueError:
        return url


def _link_problem(link_type: str, target: str) -> str | None:
    """Say why a link in the laid-out document may not stay in the PDF, or None."""
    if link_type != "external":
        return None
    scheme = urlsplit(target).scheme.lower()
    if scheme not in prose.LINK_SCHEMES:
        return prose.refused_url(target) or f"the {scheme or 'empty'}: scheme is not allowed in a document"
    return prose.refused_url(target)


#: Project files where a URL or a style can be written, searched to locate a render problem.
_SEARCHED = ("*.css", "*.j2", "*.html")


def _searched_files(root: Path, source: str) -> list[Path]:
    files = [root / source] if (root / source).is_file() else []
    templates = root / "templates"
    if templates.is_dir():
        files += sorted(p for pattern in _SEARCHED for p in templates.rglob(pattern) if p.is_file())
    return files


def _find(files: list[Path], root: Path, needle: str) -> Location | None:
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        idx = text.find(needle)
        if idx >= 0:
            line = text.count("\n", 0, idx) + 1
            return Location(display_path(path, root), line, idx - (text.rfind("\n", 0, idx) + 1) + 1)
    return None


def locate(root: Path, url: str, source: str) -> Location:
    """Find where URL is written (a template, a stylesheet or the content file); else the content file."""
    root = root.resolve()
    needles = [url]
    parts = urlsplit(url)
    if parts.scheme.lower() == "file":
        path = Path(os.path.normpath(unquote(parts.path)))
        try:
            needles.append(path.relative_to(root).as_posix())
        except ValueError:
            needles.append(path.as_posix())
        if "." in path.name:  # a file name alone is a weaker clue, tried last
            needles.append(path.name)
    files = _searched_files(root, source)
    for needle in filter(None, needles):
        found = _find(files, root, needle)
        if found:
            return found
    return Location(source)


_CSS_AT = re.compile(r"`([^`:]+)[^`]*` at (\d+):(\d+)")
_URL_IN = re.compile(r"['\"]?((?:file|https?|ftp)://[^\s'\"]+)")


def _locate_record(root: Path, record: logging.LogRecord, source: str) -> Location:
    """Find the stylesheet line a WeasyPrint message means ("Ignored `x: y` at 12:5"), or its URL."""
    message = record.getMessage()
    m = _CSS_AT.search(message)
    if m:
        prop, line, col = m.group(1).strip(), int(m.group(2)), int(m.group(3))
        for path in _searched_files(root.resolve(), source):
            if path.suffix != ".css":
                continue
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            if line <= len(lines) and lines[line - 1][col - 1:].lstrip().startswith(prop):
                return Location(display_path(path, root), line, col)
    m = _URL_IN.search(message)
    if m:
        return locate(root, m.group(1), source)
    return Location(source)
