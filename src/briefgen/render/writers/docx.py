"""The Word writer: briefs and the briefing book as .docx for review, citations as footnotes, statements tagged."""
from __future__ import annotations

from briefgen.config.kinds import Target
from briefgen.project import Project
from briefgen.render.output import Output, RenderOptions
from briefgen.render.writers.base import Writer


class DocxWriter(Writer):
    """A branded Word document for review (clearance) in Word; `briefgen review` reads the reviewed copy back."""

    name = "docx"
    label = "Word"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    kinds = ("book", "brief")

    def write(self, project: Project, target: Target, options: RenderOptions) -> Output:
        # Imported here: python-docx costs a no-op build (which writes nothing) a fifth of its start-up.
        from briefgen.render.docx.make import make_document

        made = make_document(project, target)
        edition = made.edition.as_dict() if made.edition is not None else None
        return Output(target, self.name, made.data, deps=made.deps, edition=edition)
