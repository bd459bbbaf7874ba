"""The Writer interface: one output format, registered by name in render.writers."""
from __future__ import annotations

from typing import ClassVar

from briefgen.config.kinds import DOCUMENT_KINDS, Target
from briefgen.project import Project
from briefgen.render.output import Output, RenderOptions


class Writer:
    """One output format (the Sphinx builder pattern): what it is called, its file suffix, what it can write."""

    #: The name on the command line (`--format NAME`), in the manifest and in the output's file suffix.
    name: ClassVar[str]
    #: What a reader calls the format (help texts, the preview).
    label: ClassVar[str]
    #: The media type the preview serves it as.
    media_type: ClassVar[str]
    #: The document kinds it can write (config.kinds names; by default every kind).
    kinds: ClassVar[tuple[str, ...]] = tuple(DOCUMENT_KINDS)
    #: Offered by `--format` (False: a page written only as part of a larger output, such as the web site's pages).
    on_command_line: ClassVar[bool] = True

    def write(self, project: Project, target: Target, options: RenderOptions) -> Output:
        """Render TARGET in this format; return its bytes (or, laying out only, its audit) as an Output."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
