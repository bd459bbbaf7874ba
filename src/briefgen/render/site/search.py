"""The site's search index: each page's sections as plain text, shipped as a script the search page loads."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

#: Elements whose text is not searched: side-note copies, note numbers, scripts, navigation.
_SKIP_CLASSES = {"sidenote", "note-ref", "visually-hidden", "backref"}
_SKIP_TAGS = {"script", "style", "nav", "form", "svg", "title", "noscript"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Sections(HTMLParser):
    """Text of <main>, cut at each h1/h2 (each section keeps its heading and nearest id)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[list[str]] = []
        self.stack: list[tuple[str, bool]] = []
        self.in_main = False
        self.heading: list[str] | None = None
        self.last_id = ""

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "main":
            self.in_main = True
        if tag in _VOID:
            return
        classes = set((a.get("class") or "").split())
        skip = tag in _SKIP_TAGS or bool(classes & _SKIP_CLASSES) or a.get("aria-hidden") == "true"
        self.stack.append((tag, skip))
        if a.get("id") and self.in_main:
            self.last_id = a["id"] or ""
        if self.in_main and tag in ("h1", "h2") and not self._skipping():
            self.sections.append(["", self.last_id if tag == "h2" else "", ""])
            self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False
        while self.stack:
            name, _ = self.stack.pop()
            if name == tag:
                break
        if tag in ("h1", "h2") and self.heading is not None and self.sections:
            self.sections[-1][0] = " ".join("".join(self.heading).split())
            self.heading = None

    def handle_data(self, data: str) -> None:
        if not self.in_main or self._skipping() or not self.sections:
            return
        if self.heading is not None:
            self.heading.append(data)
        else:
            self.sections[-1][2] += data


def page_sections(html: str) -> list[list[str]]:
    """[heading, anchor, text] for each h1/h2 section of HTML's main element."""
    parser = _Sections()
    parser.feed(html)
    return [[h, anchor, re.sub(r"\s+", " ", text.replace("\u2060", "")).strip()]
            for h, anchor, text in parser.sections if h or text.strip()]


def search_index(pages: list[dict]) -> str:
    """The index script: `briefgenSearch = {"pages": [{"t": title, "u": url, "s": [[heading, anchor, text]]}]}`."""
    text = json.dumps({"pages": pages}, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c")  # inert however it is loaded
    return f"window.briefgenSearch = {text};\n"
