"""The PDF writer: each document kind lays itself out (fitted, audited), then WeasyPrint writes PDF/UA-1."""
from __future__ import annotations

from briefgen.config.kinds import Target
from briefgen.project import Project
from briefgen.render.output import Output, RenderOptions
from briefgen.render.writers.base import Writer


class PdfWriter(Writer):
    """Print-ready PDF/UA-1: the documents' primary form."""

    name = "pdf"
    label = "PDF"
    media_type = "application/pdf"

    def write(self, project: Project, target: Target, options: RenderOptions) -> Output:
        from briefgen.render.documents import document  # on first use: the registry's names stay cheap to read

        return document(target.kind).pdf(project, target, options)
