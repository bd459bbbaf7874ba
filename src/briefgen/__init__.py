"""briefgen: seeds -> content blocks -> HTML -> branded PDF briefs. The public API is what this module exports."""
from __future__ import annotations

__version__ = "0.1.0"

from briefgen.build.render import render_target  # noqa: E402
from briefgen.build.run import BuildReport, run_build  # noqa: E402
from briefgen.build.targets import Target, plan  # noqa: E402
from briefgen.errors import BriefgenError, ContentError, RenderError, SeedError, TemplateError  # noqa: E402
from briefgen.project import Project, find_root  # noqa: E402
from briefgen.render.book.plan import plan_book  # noqa: E402
from briefgen.render.book.segments import render_book  # noqa: E402
from briefgen.render.context import render_html  # noqa: E402
from briefgen.seeds.ingest import ingest_files  # noqa: E402
from briefgen.seeds.outline import Outline, build_outline  # noqa: E402
from briefgen.seeds.repair import Repair, repair  # noqa: E402

__all__ = [
    "BriefgenError", "BuildReport", "ContentError", "Outline", "Project", "Repair", "RenderError", "SeedError",
    "Target", "TemplateError", "__version__", "build_outline", "find_root", "ingest_files", "plan", "plan_book",
    "render_book", "render_html", "render_target", "repair", "run_build",
]
