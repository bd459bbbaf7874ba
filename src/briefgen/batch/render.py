"""The one render path: a target to its output, used by the CLI, the workers, the preview, the API and the bench."""
from __future__ import annotations

import difflib
import hashlib
import html
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from briefgen.batch.targets import FORMATS, Target, book_cache_dir
from briefgen.errors import COMMAND_LINE, UsageError
from briefgen.project import Project
from briefgen.render.audit import audit
from briefgen.render.context import render_html
from briefgen.render.fit import fit_brief, fit_onepager
from briefgen.render.kinds import document_kind
from briefgen.render.pdf import lay_out, write_pdf
from briefgen.render.setup import render_setup
from briefgen.render.standalone import standalone_html
from briefgen.write import write_atomic

logger = logging.getLogger(__name__)


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

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def save(self, path: str | Path) -> Path:
        """Write the output to PATH atomically; return the path."""
        return write_atomic(Path(path), self.data)

    def _repr_html_(self) -> str:
        """Show a standalone HTML output in a notebook; describe a PDF."""
        if self.fmt == "html":
            return self.data.decode("utf-8")
        return (f"<p>{html.escape(str(self.target))}.pdf: {self.pages} page(s), "
                f"{len(self.data) / 1024:.0f} KB</p>")


#: Renders book segments: (label, html, source, shared styles) jobs to rendered segments, locally or in the pool.
RenderMany = Callable[[list[tuple[str, str, str, bool]]], list]


def check_target(project: Project, target: Target) -> None:
    """Refuse a target whose block or audience does not exist, before anything renders."""
    kind = document_kind(target.kind)
    project.audience(target.audience)
    if kind.per_block:
        known = [b.id for b in project.catalogue.documents()]
        if target.block_id not in known:
            close = difflib.get_close_matches(target.block_id, known, n=3, cutoff=0.5)
            hint = f"did you mean {' or '.join(close)}?" if close else "`briefgen list` shows every id"
            raise UsageError(f"no alliance or obstacle with id {target.block_id!r}", COMMAND_LINE, hint)


def render(project: Project, target: Target, fmt: str = "pdf", *, strict: bool = False, fit_start: int | None = None,
           out: Path | None = None, render_many: RenderMany | None = None, standalone: bool = True,
           grow_start: int | None = None, tail_start: int | None = None, layout_only: bool = False) -> Output:
    """Render TARGET as FMT and return its bytes; a one-pager is fitted to one page or fails.

    FIT_START is the condensing level the last build recorded for a one-pager, GROW_START its grow level, TAIL_START
    a brief's fit level: each fit loop tries the recorded level first. LAYOUT_ONLY lays a brief or one-pager out and
    audits it without making the PDF (the output has no bytes): `briefgen check --layout`. OUT is where the output will be
    written: the book keeps its rendered segments under OUT/.cache. RENDER_MANY renders book segments (default: in
    this process). HTML is STANDALONE (checked by the PDF's policy, everything inlined) unless the caller serves the
    project's files itself (the preview): then it links them by project-relative URLs.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    check_target(project, target)
    if target.kind == "book":
        return _render_book(project, target, fmt, strict=strict, out=out, render_many=render_many)
    if fmt == "html":
        fitted = fit_onepager(project, target.block_id, target.audience, strict=strict, start=fit_start,
                              grow_start=grow_start) if target.kind == "onepager" else None
        doc = render_html(project, target.block_id, target.kind, target.audience, **(fitted.options if fitted else {}))
        # The PDF's resource and link policy, then everything inlined: the file opens the same from any folder.
        text = standalone_html(doc.html, project.root, project.catalogue.file_of(doc.block), strict=strict) \
            if standalone else doc.html
        return Output(target, fmt, text.encode("utf-8"), fit_level=fitted.level if fitted else None,
                      deps=doc.deps, grow_level=fitted.grow if fitted else None,
                      edition=doc.edition.as_dict() if doc.edition else None)
    grow = tail = None
    if target.kind == "onepager":
        fitted = fit_onepager(project, target.block_id, target.audience, strict=strict, start=fit_start,
                              grow_start=grow_start)
        layout, level, deps, steps, grow = fitted.layout, fitted.level, fitted.document.deps, fitted.applied, \
            fitted.grow
        layouts, edition = fitted.layouts, fitted.document.edition
    elif target.kind == "brief":
        brief = fit_brief(project, target.block_id, target.audience, strict=strict, start=tail_start)
        layout, level, deps, steps, tail = brief.layout, None, brief.document.deps, brief.applied, brief.level
        layouts, edition = brief.layouts, brief.document.edition
    else:
        setup = render_setup(project, target.audience)
        doc = render_html(project, target.block_id, target.kind, target.audience, shared_styles=True)
        layout = lay_out(doc.html, project.root, project.catalogue.file_of(doc.block), strict=strict,
                         styles=setup.styles())
        level, deps, steps, layouts, edition = None, doc.deps, [], 1, doc.edition
    findings = [f.as_dict() for f in audit(layout.document, target.rel(), target.kind)]
    if layout_only:
        return Output(target, fmt, b"", layout.pages, fit_level=level, deps=deps, layout=findings, fit_steps=steps,
                      grow_level=grow, tail_level=tail, layouts=layouts,
                      edition=edition.as_dict() if edition else None)
    result = write_pdf(layout)
    for warning in result.warnings:
        logger.warning("%s: %s", target, warning)
    return Output(target, fmt, result.data, result.pages, result.warnings, fit_level=level, deps=deps,
                  layout=findings, fit_steps=steps, grow_level=grow, tail_level=tail, layouts=layouts,
                  edition=edition.as_dict() if edition else None)


def _render_book(project: Project, target: Target, fmt: str, *, strict: bool, out: Path | None,
                 render_many: RenderMany | None) -> Output:
    from briefgen.render.book.plan import plan_book
    from briefgen.render.book.segments import render_book, render_locally

    book = plan_book(project, target.audience, target.select, target.title, target.changes_since)
    if fmt == "html":
        text = standalone_html(book.whole_html(), project.root, "content/", strict=strict, layout=False)
        return Output(target, fmt, text.encode("utf-8"), edition=book.edition.as_dict())
    many = render_many or render_locally(project, strict, target.audience)
    if out is None:  # no output folder: render into a scratch one (no segment cache to reuse)
        with tempfile.TemporaryDirectory(prefix="briefgen-book-") as scratch:
            result = render_book(book, Path(scratch) / "book.pdf", Path(scratch) / "cache", many, strict=strict)
            data = result.path.read_bytes()
    else:
        result = render_book(book, target.path(out), book_cache_dir(out, target), many, strict=strict)
        data = result.path.read_bytes()
    findings = [{**finding, "document": target.rel()} for finding in result.findings]
    return Output(target, fmt, data, result.pages,
                  book={"pages": result.pages, "rendered": result.rendered, "reused": result.reused},
                  written=result.path if out is not None else None, layout=findings,
                  edition=book.edition.as_dict())


def write(output: Output, path: Path) -> Path:
    """Write OUTPUT to PATH atomically (the previous file stays until the new one is whole)."""
    if output.written is not None and output.written.resolve() == path.resolve():
        return path
    return write_atomic(path, output.data)


def render_target(project: Project, target: Target, out: Path, *, strict: bool = False, fmt: str = "pdf",
                  fit_start: int | None = None, render_many: RenderMany | None = None,
                  grow_start: int | None = None, tail_start: int | None = None, write_out: bool = True) -> Output:
    """Render TARGET and write it to its place under OUT; return the output (its path is target.path(out, fmt)).

    With WRITE_OUT false nothing is written: the document is laid out and audited only (`briefgen check --layout`).
    """
    output = render(project, target, fmt, strict=strict, fit_start=fit_start, out=out, render_many=render_many,
                    grow_start=grow_start, tail_start=tail_start, layout_only=not write_out and fmt == "pdf")
    if write_out:
        write(output, target.path(out, fmt))
    return output


def start_levels(entry: dict | None) -> dict[str, int | None]:
    """The fit levels a manifest ENTRY recorded, as render()'s start keywords (None where none is recorded)."""
    entry = entry or {}
    return {key: value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
            for key, value in (("fit_start", entry.get("fit_level")), ("grow_start", entry.get("grow_level")),
                               ("tail_start", entry.get("tail_level")))}


@dataclass(frozen=True)
class RenderTargetJob:
    """Render one target to its file under OUT in a worker process (see build.pool)."""

    target: Target
    out: str
    strict: bool = False
    fmt: str = "pdf"
    fit_start: int | None = None
    source: str = ""
    grow_start: int | None = None
    tail_start: int | None = None
    #: False: lay out and audit only, write nothing (`briefgen check --layout`).
    write_out: bool = True

    @property
    def label(self) -> str:
        return self.target.key

    def run(self, project: Project) -> Output:
        """Render and write; the output's bytes stay in the worker (the build reads the file it wrote)."""
        output = render_target(project, self.target, Path(self.out), strict=self.strict, fmt=self.fmt,
                               fit_start=self.fit_start, grow_start=self.grow_start, tail_start=self.tail_start,
                               write_out=self.write_out)
        output.data = b""  # no need to send megabytes back through the pipe
        return output
