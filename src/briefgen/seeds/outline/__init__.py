"""Parse a seed into an outline: sections, paragraphs, lists, quotes, figures, tables, with line spans and anchors."""
from __future__ import annotations

from briefgen.seeds.outline.anchors import assign_anchors, label_slug, slugify
from briefgen.seeds.outline.html import html_text, parse_html
from briefgen.seeds.outline.markdown import parse_markdown, split_front_matter
from briefgen.seeds.outline.model import SECTION_KINDS, Node, Outline
from briefgen.seeds.outline.text import parse_text

__all__ = ["SECTION_KINDS", "Node", "Outline", "assign_anchors", "build_outline", "html_text", "label_slug",
           "slugify", "split_front_matter"]


def build_outline(text: str, seed: str, fmt: str) -> Outline:
    """Outline TEXT read as FMT (one of the formats in seeds/sources.yaml)."""
    if fmt in ("jekyll-markdown", "markdown"):
        return parse_markdown(text, seed, fmt)
    if fmt in ("web-text", "wiki-text"):
        return parse_text(text, seed, fmt)
    if fmt == "html":
        return parse_html(text, seed)
    raise ValueError(f"unknown seed format {fmt!r}")
