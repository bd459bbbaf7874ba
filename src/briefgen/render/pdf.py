"""HTML -> PDF with WeasyPrint: a locked-down fetcher, captured log, metadata and page checks."""
from __future__ import annotations

import logging
import mimetypes
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from briefgen import prose, safeio
from briefgen.errors import BriefgenError, ContentError, ErrorCollector, Location, RenderError, display_path

_weasyprint = None


def weasyprint():  # noqa: ANN201 - the module
    """Import WeasyPrint once, on first use (it costs about a second), its line breaking cached (render.linebreaks)."""
    global _weasyprint
    if _weasyprint is None:
        import weasyprint as wp

        from briefgen.render import linebreaks

        linebreaks.install(wp)
        _weasyprint = wp
    return _weasyprint


class ResourceRefused(Exception):
    """A document asked for a resource outside the project or on the network."""


#: The project folders a document may load files from (stylesheets, fonts, images, logos). Nothing else of
#: the project is a resource: not .git/, .env, content/, seeds/, build/ (other audiences' PDFs), .venv/.
RESOURCE_DIRS = ("templates", "fonts", "images", "brand")
#: Template sources are inputs of the render, never resources of the document.
TEMPLATE_SOURCES = (".j2", ".jinja", ".jinja2")


def _resource_refusal(rel: PurePosixPath) -> str | None:
    """Why the project file REL may not be loaded by a document, or None."""
    if not rel.parts or rel.parts[0] not in RESOURCE_DIRS:
        return "not in " + ", ".join(f"{d}/" for d in RESOURCE_DIRS) + " (only those hold a document's resources)"
    if any(part.startswith(".") for part in rel.parts):
        return "a hidden file (a name starting with '.')"
    if rel.suffix in TEMPLATE_SOURCES:
        return "a template source, not a resource"
    return None


def make_fetcher(root: Path):  # noqa: ANN201 - a weasyprint URLFetcher
    """Return a URL fetcher that serves only data: URLs and resource files of ROOT, and records refusals.

    The file is opened first and the open file checked (its real path, through /proc/self/fd), so a link
    swapped in between a check and the read cannot make it read anything else.
    """
    wp = weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    given, root = Path(os.path.abspath(root)), root.resolve()

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
            base = root if written.is_relative_to(root) else given if written.is_relative_to(given) else None
            if base is None:
                raise self.refuse(url, "outside the project")
            why = _resource_refusal(PurePosixPath(written.relative_to(base).as_posix()))
            if why:
                raise self.refuse(url, why)
            try:
                fd = safeio.open_inside(written, root)
            except safeio.UnsafeFile as exc:
                raise self.refuse(url, exc.why) from None
            except OSError:
                raise self.refuse(url, "no such file in the project") from None
            with os.fdopen(fd, "rb") as fh:
                real = Path(os.readlink(f"/proc/self/fd/{fd}")) if os.path.exists(f"/proc/self/fd/{fd}") else None
                if real is not None:  # what was opened, not what the name pointed at a moment ago
                    why = _resource_refusal(PurePosixPath(real.relative_to(root).as_posix()))
                    if why:
                        raise self.refuse(url, f"a link to a file that is {why}")
                data = fh.read()
            mime = mimetypes.guess_type(written.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, {"Content-Type": mime}, 200)

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
    root: Path
    fetcher: Any = None
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
    except BriefgenError:
        raise
    except Exception as exc:  # noqa: BLE001 - WeasyPrint raises many types; each becomes a located error
        raise RenderError(f"WeasyPrint failed: {type(exc).__name__}: {exc}", Location(source),
                          "check the template and stylesheet this document uses") from exc
    finally:
        wlog.removeHandler(capture)
        records.extend(capture.records)


def _problems(records: list[logging.LogRecord], root: Path, source: str, strict: bool) -> list[BriefgenError]:
    """Turn WeasyPrint's ERROR records (and warnings when STRICT) into located errors."""
    out: list[BriefgenError] = []
    seen: set[str] = set()
    for record in records:
        if record.levelno < logging.ERROR and not (strict and record.levelno >= logging.WARNING):
            continue
        message = record.getMessage()
        if message in seen:
            continue
        seen.add(message)
        what = "reported" if record.levelno >= logging.ERROR else "warned (an error with --strict)"
        out.append(RenderError(f"WeasyPrint {what}: {message}", _locate_record(root, record, source),
                               "fix the resource or style it names"))
    return out


def refusal_errors(fetcher: Any, root: Path, source: str) -> list[BriefgenError]:
    """One located error per URL the fetcher refused."""
    out: list[BriefgenError] = []
    for url in dict.fromkeys(fetcher.refused):
        reason = fetcher.reasons[url]
        missing = reason == "no such file in the project"
        out.append(RenderError(f"refused to load {_shown_url(root, url)} ({reason}), rendering {source}",
                               locate(root, url, source),
                               "check the file name, or add the file to the project" if missing else
                               "use only files inside the project (fonts/, brand/, images/) or data: URLs"))
    return out


def _warnings(records: list[logging.LogRecord]) -> list[str]:
    return list(dict.fromkeys(r.getMessage() for r in records if r.levelno < logging.ERROR))


@dataclass(frozen=True)
class Styles:
    """Stylesheets parsed once (weasyprint.CSS, in cascade order), their FontConfiguration, and the log of parsing."""

    sheets: list[Any]
    font_config: Any
    records: list[logging.LogRecord] = field(default_factory=list)


def parse_styles(root: Path, css: str, files: tuple[str, ...], source: str) -> Styles:
    """Parse CSS (a string) and FILES (project paths) once, with one FontConfiguration; refusals fail it."""
    from weasyprint.text.fonts import FontConfiguration

    wp = weasyprint()
    fetcher = make_fetcher(root)
    font_config = FontConfiguration()
    records: list[logging.LogRecord] = []
    errors = ErrorCollector()
    sheets = []
    with _captured(records, source):
        sheets.append(wp.CSS(string=css, base_url=root.as_uri() + "/", url_fetcher=fetcher, font_config=font_config))
        for rel in files:
            path = root / rel
            if not path.is_file():
                errors.add(RenderError(f"stylesheet {rel} is missing", Location(rel),
                                       "restore it, or remove the audience override that names it"))
                continue
            # Through the fetcher, like every resource: a stylesheet linked from outside the project is refused.
            sheets.append(wp.CSS(url=path.as_uri(), url_fetcher=fetcher, font_config=font_config))
    errors.extend(refusal_errors(fetcher, root, source))
    errors.raise_if_any()
    return Styles(sheets, font_config, records)


#: Layouts this process has made (calls of lay_out): a debug counter the fit loops, the book and the bench read.
_LAYOUTS = [0]


def layouts_made() -> int:
    """How many layouts this process has made so far (read it before and after a render to count its layouts)."""
    return _LAYOUTS[0]


def lay_out(html: str, root: Path, source: str, *, strict: bool = False, styles: Styles | None = None) -> Layout:
    """Lay out HTML (from SOURCE, for messages) into pages; refused URLs, bad links and WeasyPrint errors fail it.

    STYLES (from a RenderSetup) are applied after the document's own styles, so stylesheets and fonts are parsed
    once per audience, not once per document. This is the only call of WeasyPrint's render() in briefgen.
    """
    check_alt_text(html, source)
    wp = weasyprint()
    _LAYOUTS[0] += 1
    fetcher = make_fetcher(root)
    records: list[logging.LogRecord] = list(styles.records) if styles else []
    with _captured(records, source):
        document = wp.HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).render(
            stylesheets=styles.sheets if styles else None, font_config=styles.font_config if styles else None)
    errors = ErrorCollector()
    errors.extend(refusal_errors(fetcher, root, source))
    for page in document.pages:
        for link_type, target, *_ in page.links:
            reason = _link_problem(link_type, target)
            if reason:
                errors.add(RenderError(f"link to {target} refused ({reason}), rendering {source}",
                                       locate(root, target, source),
                                       "link only to web pages (http/https), mailto: or #anchors in the document"))
    if fetcher.refused:  # WeasyPrint's own "failed to load" records repeat the refusals above
        errors.raise_if_any()
    errors.extend(_problems(records, root, source, strict))
    errors.raise_if_any()
    return Layout(document, source, strict, root, fetcher, records)


def write_pdf(layout: Layout, *, variant: str | None = PDF_VARIANT) -> PdfResult:
    """Write LAYOUT as a tagged PDF/UA-1 file; the bytes depend only on the input (no clock, no random id)."""
    records: list[logging.LogRecord] = []
    with _captured(records, layout.source):
        # pdf_identifier=True makes pydyf derive /ID from the file's own content, so it is reproducible.
        data = layout.document.write_pdf(pdf_variant=variant, pdf_identifier=True)
    errors = ErrorCollector()
    if layout.fetcher is not None and layout.fetcher.refused:  # attachments are fetched while writing
        errors.extend(refusal_errors(layout.fetcher, layout.root, layout.source))
        errors.raise_if_any()
    errors.extend(_problems(records, layout.root, layout.source, layout.strict))
    errors.raise_if_any()
    return PdfResult(data, layout.pages, _warnings(layout.records + records))


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
    # A URL the parser rewrote (a backslash as %5C, a tab dropped): as the template wrote it, then its plain head.
    needles += [unquote(url), re.split(r"[\\%\s]", unquote(url))[0] if len(url) > 12 else ""]
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
