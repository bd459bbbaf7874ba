"""Render Markdown prose fields safely: markdown-it-py's preset without raw HTML, inert links."""
from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("js-default", {"typographer": True, "html": False, "linkify": False})
_md.disable(["image"])  # pictures belong in figures with alt text, not inside prose


def _safe_link(url: str) -> bool:
    """Allow only web links and in-document anchors; javascript:, file:, data: and the like are dropped."""
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://", "mailto:", "#"))


_md.validateLink = _safe_link  # type: ignore[method-assign]


def block(text: str) -> Markup:
    """Render TEXT as block-level HTML (paragraphs, lists)."""
    return Markup(_md.render(text))


def inline(text: str) -> Markup:
    """Render TEXT as inline HTML, for a one-paragraph field inside an existing element."""
    return Markup(_md.renderInline(text.strip()))


def plain(text: str) -> str:
    """Return TEXT with Markdown markup removed, for metadata and alt text."""
    tokens = _md.parseInline(text.strip())
    parts: list[str] = []
    for tok in tokens:
        for child in tok.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return "".join(parts)
