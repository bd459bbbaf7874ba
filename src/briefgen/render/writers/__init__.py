"""Output formats: one writer per format, registered here by name (adding a format: its module and one line)."""
from __future__ import annotations

from briefgen.render.writers.base import Writer
from briefgen.render.writers.docx import DocxWriter
from briefgen.render.writers.html import HtmlWriter
from briefgen.render.writers.pdf import PdfWriter
from briefgen.render.writers.web import WebWriter

#: Every output format by name, in the order `--format` lists them (the first is the default).
WRITERS: dict[str, Writer] = {w.name: w for w in (PdfWriter(), HtmlWriter(), DocxWriter(), WebWriter())}
#: The names of the formats `--format` offers.
FORMATS: tuple[str, ...] = tuple(name for name, w in WRITERS.items() if w.on_command_line)


def writer(name: str) -> Writer:
    """The writer of format NAME; a ValueError names the known ones."""
    try:
        return WRITERS[name]
    except KeyError:
        raise ValueError(f"unknown output format {name!r}; known: {', '.join(WRITERS)}") from None


__all__ = ["FORMATS", "WRITERS", "Writer", "writer"]
