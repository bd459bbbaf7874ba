"""briefgen: seeds -> content blocks -> HTML -> branded PDF briefs. The public API is what this module exports.

    import briefgen
    project = briefgen.open_project("path/to/project")
    briefgen.check(project)                                     # raises briefgen.BriefgenError naming file:line
    pdf = briefgen.render_document(project, "brief", "nato", audience="congress")
    pdf.save("nato.pdf")                                        # or pdf.data: the bytes
    report = briefgen.run_build(project, out="build")           # what changed, in warm worker processes
    changes = briefgen.compare_editions(project, "brief", "nato")  # since its last edition: .changes, .summary

Subpackages are the pipeline's stages (config, seeds, content, editions, ingest, render, batch, preview); they are
not API (and their names are taken: hence render_document and run_build rather than render and build).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen._version import __version__
from briefgen.errors import BriefgenError, ContentError, RenderError, SeedError, TemplateError, UsageError

if TYPE_CHECKING:  # imported on first use, so `import briefgen` stays cheap
    from briefgen.batch.redline import Comparison
    from briefgen.batch.run import BuildReport
    from briefgen.config.kinds import Target
    from briefgen.errors import ContentWarning
    from briefgen.project import Project
    from briefgen.render.output import Output

__all__ = [
    "BriefgenError", "BuildReport", "ContentError", "Output", "Project", "RenderError", "SeedError", "Target",
    "TemplateError", "UsageError", "__version__", "check", "compare_editions", "open_project", "render_document",
    "run_build",
]

_LAZY = {
    "Project": ("briefgen.project", "Project"),
    "Target": ("briefgen.batch.targets", "Target"),
    "Output": ("briefgen.render.output", "Output"),
    "BuildReport": ("briefgen.batch.run", "BuildReport"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'briefgen' has no attribute {name!r}")


def open_project(path: str | Path = ".") -> Project:
    """Open the briefgen project at PATH, or at the nearest folder above it holding briefgen.yaml."""
    from briefgen.batch.pool import refuse_unguarded
    from briefgen.project import Project, find_root

    refuse_unguarded()  # a build's worker process importing an unguarded script stops here, before any work
    return Project(find_root(Path(path)))


def check(project: Project) -> list[ContentWarning]:
    """Validate everything a render will use; raise every error at once, return the warnings."""
    from briefgen.render.checks import check_project

    check_project(project)
    return project.warnings()


def render_document(project: Project, kind: str, block_id: str | None = None, *, audience: str | None = None,
           fmt: str = "pdf", select: str | None = None, title: str | None = None, strict: bool = False) -> Output:
    """Render one document (KIND brief or onepager of BLOCK_ID, or the book) as FMT; return its bytes and pages.

    The book takes SELECT (alliances, obstacles, recommendations or block ids, comma-separated) and TITLE.
    """
    from briefgen.batch.render import render as render_output
    from briefgen.config.kinds import Target, document_kind

    name = audience or project.config.default_audience
    if block_id is None and document_kind(kind).per_block:
        raise UsageError(f"a {kind} needs the id of an alliance or obstacle", None, "pass block_id")
    target = Target.of(kind, block_id, name, select, title)
    return render_output(project, target, fmt, strict=strict)


def run_build(project: Project, audiences: list[str] | None = None, out: str | Path | None = None, *,
              jobs: int | None = None, strict: bool = False, executor: str = "local",
              scheduler: str | None = None, kinds: tuple[str, ...] = (), ids: tuple[str, ...] = ()) -> BuildReport:
    """Build the book, briefs and one-pagers of AUDIENCES (default: the project's) into OUT, rendering what changed;
    EXECUTOR "dask" renders on a Dask cluster (SCHEDULER's address, else one started on this machine). KINDS and IDS
    build only those documents, as `build --kind/--id` does."""
    from briefgen.batch import run
    from briefgen.batch.executors import ExecutorChoice
    from briefgen.batch.pool import WorkersCannotStart, refuse_unguarded

    refuse_unguarded()  # in a worker process importing an unguarded script: stop before building again
    report = run.run_build(project, audiences, Path(out) if out is not None else None, jobs=jobs, strict=strict,
                           executor=ExecutorChoice(executor, scheduler), kinds=tuple(kinds), ids=tuple(ids))
    cannot = next((exc for _rel, exc in report.failures if isinstance(exc, WorkersCannotStart)), None)
    if cannot is not None and not report.built:
        raise cannot  # nothing could be built: say why and what to do, once
    return report


def compare_editions(project: Project, kind: str, block_id: str | None = None, *, audience: str | None = None,
                     since: str | None = None) -> Comparison:
    """What changed in one document (KIND brief, onepager or book) since an edition number, a date or a git
    revision (default: its last edition that differs from now): `.changes`, `.summary`, `.counts`; render the
    redline with `briefgen diff --format pdf`."""
    from briefgen.batch.redline import compare_target
    from briefgen.batch.render import check_target
    from briefgen.config.kinds import Target

    name = audience or project.config.default_audience
    target = Target.of(kind, block_id, name)
    check_target(project, target)
    return compare_target(project, target, since)
