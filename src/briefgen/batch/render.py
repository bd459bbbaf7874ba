"""The one render path: a target to its output, used by the CLI, the workers, the preview, the API and the bench."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from briefgen.config.kinds import Target, document_kind
from briefgen.errors import COMMAND_LINE, UsageError
from briefgen.project import Project
from briefgen.render.output import Output, RenderMany, RenderOptions
from briefgen.render.writers import WRITERS, writer
from briefgen.write import write_atomic

__all__ = ["Output", "RenderMany", "RenderOptions", "RenderTargetJob", "check_target", "render", "render_target",
           "start_levels", "write"]


def check_target(project: Project, target: Target) -> None:
    """Refuse a target whose block or audience does not exist, before anything renders."""
    kind = document_kind(target.kind)
    project.audience(target.audience)
    if kind.per_block:
        known = [b.id for b in project.catalogue.documents()]
        if target.block_id not in known:
            from briefgen.batch.targets import unknown_block  # here: it loads the render stage a no-op build skips

            raise unknown_block(target.block_id, known)


def render(project: Project, target: Target, fmt: str = "pdf", options: RenderOptions | None = None,
           **changes: Any) -> Output:
    """Render TARGET as FMT through that format's writer and return its bytes; a one-pager is fitted to one page or
    fails. OPTIONS (render.output.RenderOptions), with CHANGES to its fields applied, says how: strictness, the fit
    loops' recorded start levels, laying out only (`briefgen check --layout`), standalone HTML, the book's cache."""
    chosen = writer(fmt)
    options = replace(options or RenderOptions(), **changes)
    check_target(project, target)
    if target.kind not in chosen.kinds:
        able = " or ".join(name for name, w in WRITERS.items() if target.kind in w.kinds)
        raise UsageError(f"a {document_kind(target.kind).label.lower()} cannot be written as {chosen.label}",
                         COMMAND_LINE, f"use --format {able}")
    return chosen.write(project, target, options)


def write(output: Output, path: Path, inside: Path | None = None) -> Path:
    """Write OUTPUT to PATH atomically (the previous file stays until the new one is whole), with no link on the
    way from INSIDE (the output folder) to it."""
    if output.written is not None and output.written.resolve() == path.resolve():
        return path
    return write_atomic(path, output.data, inside=inside)


def render_target(project: Project, target: Target, out: Path, *, fmt: str = "pdf", write_out: bool = True,
                  options: RenderOptions | None = None, **changes: Any) -> Output:
    """Render TARGET and write it to its place under OUT; return the output (its path is target.path(out, fmt)).

    With WRITE_OUT false nothing is written: the document is laid out and audited only (`briefgen check --layout`).
    """
    output = render(project, target, fmt, options, out=out, layout_only=not write_out, **changes)
    if write_out:
        write(output, target.path(out, fmt), out)
    return output


def start_levels(entry: dict | None) -> dict[str, int | None]:
    """The fit levels a manifest ENTRY recorded, as render()'s start keywords (None where none is recorded)."""
    entry = entry or {}
    return {key: value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
            for key, value in (("fit_start", entry.get("fit_level")), ("grow_start", entry.get("grow_level")),
                               ("tail_start", entry.get("tail_level")))}


@dataclass(frozen=True)
class RenderTargetJob:
    """Render one target for its file under OUT in a worker (batch.executors); the build writes what it returns."""

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
        """Render; the output (bytes, pages, findings, dependencies) goes back to the build, which alone writes it."""
        options = RenderOptions(strict=self.strict, fit_start=self.fit_start, grow_start=self.grow_start,
                                tail_start=self.tail_start)
        return render(project, self.target, self.fmt, options, out=Path(self.out), layout_only=not self.write_out)
