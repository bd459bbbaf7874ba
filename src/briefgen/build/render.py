"""The one render path: a target to its output, used by the CLI, workers, preview and bench."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import quote

from briefgen.build.targets import FORMATS, Target, book_cache_dir
from briefgen.project import Project
from briefgen.render.context import render_html
from briefgen.render.fit import fit_onepager
from briefgen.render.pdf import lay_out, write_pdf
from briefgen.write import write_atomic

logger = logging.getLogger(__name__)


def render_target(project: Project, target: Target, out: Path, *, strict: bool = False, fmt: str = "pdf") -> Path:
    """Render TARGET to its PDF (or standalone HTML) under OUT; a one-pager is fitted to one page or fails."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    if target.kind == "book":
        from briefgen.render.book.plan import plan_book
        from briefgen.render.book.segments import render_book, render_locally

        if fmt == "html":
            return write_atomic(target.path(out, fmt), plan_book(project, target.audience).whole_html())
        book = plan_book(project, target.audience)
        return render_book(book, target.path(out), book_cache_dir(out, target.audience),
                           render_locally(project, strict), strict=strict).path
    path = target.path(out, fmt)
    fitted = fit_onepager(project, target.block_id, target.audience, strict=strict) \
        if target.kind == "onepager" else None
    condense = fitted.options if fitted else {}
    if fmt == "html":
        # Project files (stylesheet, fonts, logo) are referenced relative to the HTML file, so it opens from OUT.
        back = os.path.relpath(project.root, path.parent.resolve()).replace(os.sep, "/")
        doc = render_html(project, target.block_id, target.kind, target.audience, asset_prefix=quote(back) + "/",
                          **condense)
        return write_atomic(path, doc.html)
    if fitted is not None:
        layout = fitted.layout
    else:
        doc = render_html(project, target.block_id, target.kind, target.audience)
        layout = lay_out(doc.html, project.root, project.catalogue.file_of(doc.block), strict=strict)
    result = write_pdf(layout)
    for warning in result.warnings:
        logger.warning("%s: %s", target, warning)
    return write_atomic(path, result.data)

