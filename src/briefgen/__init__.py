"""briefgen: seeds -> content blocks -> HTML -> branded PDF briefs. The public API is what this module exports."""
from __future__ import annotations

__version__ = "0.1.0"

from .build import Target, plan, render_target  # noqa: E402
from .errors import BriefgenError, ContentError, RenderError, SeedError, TemplateError  # noqa: E402
from .html import render_html  # noqa: E402
from .ingest import ingest_files  # noqa: E402
from .outline import Outline, build_outline  # noqa: E402
from .project import Project, find_root  # noqa: E402
from .repair import Repair, repair  # noqa: E402

__all__ = [
    "BriefgenError", "ContentError", "Outline", "Project", "Repair", "RenderError", "SeedError", "Target",
    "TemplateError", "__version__", "build_outline", "find_root", "ingest_files", "plan", "render_html",
    "render_target", "repair",
]
