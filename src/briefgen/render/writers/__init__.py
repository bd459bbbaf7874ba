"""Output formats: one writer per format, registered here by name (adding a format: its module and one line)."""
from __future__ import annotations

from briefgen.render.writers.base import Writer
from briefgen.render.writers.docx import DocxWriter
from briefgen.render.writers.html import HtmlWriter
from briefgen.render.writers.pdf import PdfWriter

#: Every output format by name, in the order `--format` lists them (the first is the default).
WRITERS: dict[str, Writer] = {w.name: w for w in (PdfWriter(), HtmlWriter(), DocxWriter())}
#: The formats' names.
FORMATS: tuple[str, ...] = tuple(WRITERS)


def writer(name: str) -> Writer:
    """The writer of format NAME; a ValueError names the known ones."""
    try:
        return WRITERS[name]
    except KeyError:
        raise ValueError(f"unknown output format {name!r}; known: {', '.join(WRITERS)}") from None


__all__ = ["FORMATS", "WRITERS", "Writer", "writer"]
