"""Plan output targets, render each one (HTML -> PDF), and write it atomically."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .errors import BriefgenError
from .html import KINDS, render_html
from .onepager import fit_onepager
from .pdf import lay_out, write_pdf
from .project import Project
from .write import write_atomic

logger = logging.getLogger(__name__)

FOLDERS = {"brief": "briefs", "onepager": "onepagers"}
#: Output formats: the PDF, or a standalone HTML file for reading on screen.
FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class Target:
    """One output document: a kind of document for a block and an audience."""

    kind: str
    block_id: str
    audience: str

    def path(self, out: Path, fmt: str = "pdf") -> Path:
        """Where the output goes under OUT; never outside it."""
        path = out / self.audience / FOLDERS[self.kind] / f"{self.block_id}.{fmt}"
        if not path.resolve().is_relative_to(out.resolve()):
            raise BriefgenError(f"output path for {self.block_id!r} escapes {out}", None, "use a plain id")
        return path

    def __str__(self) -> str:
        return f"{self.audience}/{FOLDERS[self.kind]}/{self.block_id}"


def plan(project: Project, audience: str | None = None, kinds: tuple[str, ...] = KINDS) -> list[Target]:
    """Every brief and one-pager of every alliance and obstacle, for AUDIENCE (default: the project's)."""
    name = audience or project.config.default_audience
    return [Target(kind, block.id, name) for kind in kinds for block in project.catalogue.documents()]


def render_target(project: Project, target: Target, out: Path, *, strict: bool = False, fmt: str = "pdf") -> Path:
    """Render TARGET to its PDF (or standalone HTML) under OUT; a one-pager is fitted to one page or fails."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
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
