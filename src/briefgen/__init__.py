"""briefgen: seeds -> content blocks -> HTML -> branded PDF briefs. The public API is what this module exports."""
from __future__ import annotations

__version__ = "0.1.0"

from .build import Target, plan, render_target  # noqa: E402
from .errors import BriefgenError, ContentError, RenderError, SeedError, TemplateError  # noqa: E402
from .html import render_html  # noqa: E402
from .project import Project, find_root  # noqa: E402

__all__ = [
    "BriefgenError", "ContentError", "Project", "RenderError", "SeedError", "Target", "TemplateError",
    "__version__", "find_root", "plan", "render_html", "render_target",
]
