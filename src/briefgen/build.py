"""Plan output targets, render each one (HTML -> PDF), and write it atomically."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefgenError, Location, RenderError
from .html import KINDS, render_html
from .pdf import render_pdf
from .project import Project
from .write import write_atomic

logger = logging.getLogger(__name__)

FOLDERS = {"brief": "briefs", "onepager": "onepagers"}


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


def render_target(project: Project, target: Target, out: Path, *, strict: bool = False) -> Path:
    """Render TARGET to its PDF under OUT; a one-pager that does not fit one page is an error."""
    doc = render_html(project, target.block_id, target.kind, target.audience)
    source = project.catalogue.file_of(doc.block)
    result = render_pdf(doc.html, project.root, source, strict=strict)
    if target.kind == "onepager" and result.pages != 1:
        raise RenderError(f"one-pager for {target.block_id!r} runs to {result.pages} pages", Location(source),
                          "shorten the summary or the lists; a one-pager must fit one page")
    for warning in result.warnings:
        logger.warning("%s: %s", target, warning)
    return write_atomic(target.path(out), result.data)
