"""What each document kind does to become HTML and a laid-out PDF: one object per kind, looked up by name."""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefgen.config.kinds import DOCUMENT_KINDS, DocumentKind, Target
from briefgen.project import Project
from briefgen.render.audit import audit
from briefgen.render.context import render_html
from briefgen.render.fit import fit_brief, fit_onepager
from briefgen.render.output import Output, RenderOptions
from briefgen.render.pdf import Layout, lay_out, write_pdf
from briefgen.render.setup import render_setup

logger = logging.getLogger(__name__)


@dataclass
class Html:
    """A document's HTML (project-relative URLs) and what rendering it recorded."""

    html: str
    #: The project-relative file its relative links resolve against (the block's file; the book: content/).
    source: str
    deps: dict[str, list[str]]
    edition: Any
    fit_level: int | None = None
    grow_level: int | None = None
    #: Whether the PDF's layout rules check it (a book's HTML is checked chapter by chapter instead).
    layout_checked: bool = True
    #: Curated content the document leaves out, and why (content.shown.Omission).
    omitted: list = field(default_factory=list)


@dataclass
class Laid:
    """A document laid out for print, with what its fit loop chose."""

    layout: Layout
    deps: dict[str, list[str]]
    edition: Any
    layouts: int = 1
    steps: tuple[str, ...] | list[str] = ()
    fit_level: int | None = None
    grow_level: int | None = None
    tail_level: int | None = None
    omitted: list = field(default_factory=list)
    #: The layout audit's findings of LAYOUT when the fit loop made them already (render.audit.Finding), else None.
    findings: list | None = None


def omitted_of(found: list, target: Target, fmt: str = "pdf") -> list[dict]:
    """FOUND (content.shown.Omission) as the output records them, each naming the document."""
    return [replace(o, document=target.rel(fmt)).as_dict() for o in found]


class Document:
    """One document kind's behaviour: its HTML, and its PDF through one layout (fitted where the kind fits)."""

    def __init__(self, kind: DocumentKind) -> None:
        self.kind = kind

    def html(self, project: Project, target: Target, options: RenderOptions) -> Html:
        """The document's HTML, as a reader opens it on screen."""
        doc = render_html(project, target.block_id, target.kind, target.audience, asset_prefix=options.asset_prefix)
        return Html(doc.html, project.catalogue.file_of(doc.block), doc.deps, doc.edition, omitted=doc.omitted)

    def lay_out(self, project: Project, target: Target, options: RenderOptions) -> Laid:
        """The document laid out once, with the audience's shared stylesheets."""
        setup = render_setup(project, target.audience)
        doc = render_html(project, target.block_id, target.kind, target.audience, shared_styles=True)
        layout = lay_out(doc.html, project.root, project.catalogue.file_of(doc.block), strict=options.strict,
                         styles=setup.styles())
        return Laid(layout, doc.deps, doc.edition, omitted=doc.omitted)

    def pdf(self, project: Project, target: Target, options: RenderOptions) -> Output:
        """Lay the document out, audit the layout, and (unless only laying out) make the PDF."""
        from briefgen.render.collect import fewer_collections

        with fewer_collections():  # a layout's boxes live until the PDF is written: collecting often frees little
            return self._pdf(project, target, options)

    def _pdf(self, project: Project, target: Target, options: RenderOptions) -> Output:
        laid = self.lay_out(project, target, options)
        found = laid.findings if laid.findings is not None else audit(laid.layout.document, target.rel(), target.kind)
        findings = [replace(f, document=target.rel()).as_dict() for f in found]
        edition = laid.edition.as_dict() if laid.edition else None
        made = dict(fit_level=laid.fit_level, deps=laid.deps, layout=findings, fit_steps=list(laid.steps),
                    grow_level=laid.grow_level, tail_level=laid.tail_level, layouts=laid.layouts, edition=edition,
                    omitted=omitted_of(laid.omitted, target))
        if options.layout_only:
            return Output(target, "pdf", b"", laid.layout.pages, **made)
        result = write_pdf(laid.layout)
        for warning in result.warnings:
            logger.warning("%s: %s", target, warning)
        return Output(target, "pdf", result.data, result.pages, result.warnings, **made)


class Brief(Document):
    """A multi-page brief: laid out, then mended by its fit steps where the audit finds a page defect."""

    def lay_out(self, project: Project, target: Target, options: RenderOptions) -> Laid:
        brief = fit_brief(project, target.block_id, target.audience, strict=options.strict, start=options.tail_start,
                          search=options.fit_search)
        return Laid(brief.layout, brief.document.deps, brief.document.edition, brief.layouts, brief.applied,
                    tail_level=brief.level, omitted=brief.document.omitted, findings=brief.findings)


class OnePager(Document):
    """One page: condensed (or grown) by its fit steps until it fills exactly one page."""

    def _fit(self, project: Project, target: Target, options: RenderOptions):  # noqa: ANN202 - render.fit.Fitted
        return fit_onepager(project, target.block_id, target.audience, strict=options.strict,
                            start=options.fit_start, grow_start=options.grow_start)

    def html(self, project: Project, target: Target, options: RenderOptions) -> Html:
        fitted = self._fit(project, target, options)
        doc = render_html(project, target.block_id, target.kind, target.audience, fitted.variant,
                          asset_prefix=options.asset_prefix)
        return Html(doc.html, project.catalogue.file_of(doc.block), doc.deps, doc.edition, fitted.level, fitted.grow,
                    omitted=doc.omitted)

    def lay_out(self, project: Project, target: Target, options: RenderOptions) -> Laid:
        fitted = self._fit(project, target, options)
        return Laid(fitted.layout, fitted.document.deps, fitted.document.edition, fitted.layouts, fitted.applied,
                    fit_level=fitted.level, grow_level=fitted.grow, omitted=fitted.document.omitted,
                    findings=fitted.findings)


class Book(Document):
    """The briefing book: planned whole, laid out in cached segments, joined."""

    def html(self, project: Project, target: Target, options: RenderOptions) -> Html:
        from briefgen.render.book.plan import plan_book

        book = plan_book(project, target.audience, target.select, target.title, target.changes_since)
        return Html(book.whole_html(), "content/", {}, book.edition, layout_checked=False)

    def pdf(self, project: Project, target: Target, options: RenderOptions) -> Output:
        from briefgen.render.book.plan import plan_book
        from briefgen.render.book.segments import render_book, render_locally
        from briefgen.render.collect import fewer_collections

        with fewer_collections():  # the book's templates and joining allocate much, and little of it is garbage
            book = plan_book(project, target.audience, target.select, target.title, target.changes_since)
            many = options.render_many or render_locally(project, options.strict, target.audience)
            if options.out is None:  # no output folder: render into a scratch one (no segment cache to reuse)
                with tempfile.TemporaryDirectory(prefix="briefgen-book-") as scratch:
                    result = render_book(book, Path(scratch) / "book.pdf", Path(scratch) / "cache", many,
                                         strict=options.strict)
                    data = result.path.read_bytes()
            else:
                result = render_book(book, target.path(options.out), book_cache_dir(options.out, target), many,
                                     strict=options.strict, base=options.out)
                data = result.path.read_bytes()
        findings = [{**finding, "document": target.rel()} for finding in result.findings]
        return Output(target, "pdf", data, result.pages,
                      book={"pages": result.pages, "rendered": result.rendered, "reused": result.reused},
                      written=result.path if options.out is not None else None, layout=findings, layouts=result.layouts,
                      edition=book.edition.as_dict(),
                      omitted=omitted_of([o for found in book.omitted.values() for o in found], target))


#: Folder under the output folder that keeps rendered book segments between builds.
CACHE = ".cache"


def book_cache_dir(out: Path, target: Target) -> Path:
    """Where the rendered segments of one book are kept."""
    return out / CACHE / "book" / target.audience / target.block_id


#: The behaviour of every document kind, by name (the declarations are config.kinds.DOCUMENT_KINDS).
DOCUMENTS: dict[str, Document] = {
    "book": Book(DOCUMENT_KINDS["book"]),
    "brief": Brief(DOCUMENT_KINDS["brief"]),
    "onepager": OnePager(DOCUMENT_KINDS["onepager"]),
}


def document(name: str) -> Document:
    """The document kind called NAME; a ValueError names the known ones."""
    try:
        return DOCUMENTS[name]
    except KeyError:
        raise ValueError(f"unknown document kind {name!r}; known: {', '.join(DOCUMENTS)}") from None
