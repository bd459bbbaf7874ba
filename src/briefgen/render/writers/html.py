"""The HTML writer: one self-contained, inert file per document, checked by the PDF's resource and link policy."""
from __future__ import annotations

from briefgen.config.kinds import Target
from briefgen.project import Project
from briefgen.render.output import Output, RenderOptions
from briefgen.render.writers.base import Writer


class HtmlWriter(Writer):
    """A document as one HTML file to read on screen or send: stylesheets inlined, images as data: URLs."""

    name = "html"
    label = "HTML"
    media_type = "text/html; charset=utf-8"

    def write(self, project: Project, target: Target, options: RenderOptions) -> Output:
        from briefgen.render.documents import document, omitted_of  # on first use (see pdf.py)
        from briefgen.render.standalone import standalone_html

        doc = document(target.kind).html(project, target, options)
        text = doc.html
        if options.standalone:
            # The PDF's resource and link policy, then everything inlined: the file opens the same from any folder.
            text = standalone_html(doc.html, project.root, doc.source, strict=options.strict,
                                   layout=doc.layout_checked)
        edition = doc.edition.as_dict() if doc.edition else None
        return Output(target, self.name, text.encode("utf-8"), fit_level=doc.fit_level, deps=doc.deps,
                      grow_level=doc.grow_level, edition=edition, omitted=omitted_of(doc.omitted, target, self.name))
