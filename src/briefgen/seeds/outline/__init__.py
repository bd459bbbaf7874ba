"""Parse a seed into an outline: sections, paragraphs, lists, quotes, figures, tables, with line spans and anchors."""
from __future__ import annotations

from briefgen.seeds.outline.anchors import assign_anchors, label_slug, slugify
from briefgen.seeds.outline.html import html_text, parse_html
from briefgen.seeds.outline.markdown import parse_markdown, split_front_matter
from briefgen.seeds.outline.model import SECTION_KINDS, Node, Outline, split_lines
from briefgen.seeds.outline.structure import mark_structure
from briefgen.seeds.outline.text import parse_text

__all__ = ["BINARY_FORMATS", "SECTION_KINDS", "Node", "Outline", "assign_anchors", "build_outline", "html_text", "label_slug", "read_binary",
           "slugify", "split_front_matter", "split_lines"]


def build_outline(text: str, seed: str, fmt: str) -> Outline:
    """Outline TEXT read as FMT (one of the formats in seeds/sources.yaml)."""
    if fmt in ("jekyll-markdown", "markdown"):
        return mark_structure(parse_markdown(text, seed, fmt))
    if fmt in ("web-text", "wiki-text"):
        return mark_structure(parse_text(text, seed, fmt))
    if fmt == "html":
        return mark_structure(parse_html(text, seed))
    raise ValueError(f"unknown seed format {fmt!r}")


#: Formats stored as binary files: read into a text rendition (one line per block) with its outline.
BINARY_FORMATS = ("pdf", "docx")


def read_binary(raw: bytes, seed: str, fmt: str) -> tuple[str, Outline]:
    """Return the text rendition and outline of a binary seed; raise ValueError (saying why) if it cannot be read."""
    if fmt == "pdf":
        from briefgen.seeds.outline.pdf import read_pdf

        text, outline = read_pdf(raw, seed)
        return text, mark_structure(outline)
    if fmt == "docx":
        from briefgen.seeds.outline.docx import read_docx

        text, outline = read_docx(raw, seed)
        return text, mark_structure(outline)
    raise ValueError(f"unknown binary seed format {fmt!r}")
