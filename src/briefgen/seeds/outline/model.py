"""The outline model: nodes with line spans, the outline, and helpers every reader shares."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

#: Node kinds. Sections own a span up to the next heading of the same or a higher level.
SECTION_KINDS = ("section", "subsection")



#: A line ends at LF, CRLF or a lone CR, nothing else: form feeds (pdftotext's page breaks), NEL and U+2028
#: are characters inside a line, as they are for markdown-it, grep -n and the line numbers seeds are cited by.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """Split TEXT into lines the way citations count them (str.splitlines also breaks at \\f, NEL, U+2028)."""
    lines = _LINE.findall(text)
    return lines if keepends else [ln.rstrip("\r\n") for ln in lines]

@dataclass
class Node:
    """One element of a seed's outline, lines START..END (1-based, inclusive) of the seed file."""

    kind: str  # section, subsection, paragraph, list, item, quote, figure, caption, epigraph, pairs, pair, code,
    #            table, row, footnote
    text: str
    start: int
    end: int
    level: int = 0
    lead: str | None = None  # bold or "Name:" lead-in of a paragraph, item or pair
    anchor: str | None = None
    aliases: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False, compare=False)

    @property
    def title(self) -> str:
        """The name a reader knows this node by: heading text, lead-in, or the first words."""
        if self.kind in SECTION_KINDS:
            return self.text
        if self.lead:
            return self.lead
        if self.kind == "figure":
            return self.attrs.get("caption") or self.attrs.get("alt") or "figure"
        if self.kind == "table":
            return f"table {self.attrs.get('number', '')}".strip()
        if self.kind == "row" and self.parent is not None:
            return f"{self.parent.title}, row {self.attrs.get('number', '')}"
        if self.kind == "footnote":
            return f"note {self.attrs.get('number', '')}".strip()
        words = self.text.split()
        return " ".join(words[:8]) + (" ..." if len(words) > 8 else "")

    def walk(self) -> Iterator[Node]:
        """Yield this node and its descendants in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def path(self) -> list[Node]:
        """Sections enclosing this node, outermost first (the node itself included if a section)."""
        out, node = [], self
        while node is not None:
            if node.kind in SECTION_KINDS:
                out.append(node)
            node = node.parent
        return out[::-1]


@dataclass(frozen=True)
class OutlineNote:
    """Something the reader did to the seed's text that a curator should know about."""

    line: int
    message: str


@dataclass(frozen=True)
class Duplicate:
    """A repeated list item that was kept once."""

    seed: str
    line: int
    first_line: int
    text: str

    def __str__(self) -> str:
        return f"{self.seed}:{self.line}: duplicate of line {self.first_line}, kept once: {self.text[:70]!r}"


@dataclass
class Outline:
    """A seed's structure: title, breadcrumb, front matter and a tree of nodes, with every anchor."""

    seed: str
    format: str
    line_count: int
    title: str | None = None
    subtitle: str | None = None
    breadcrumb: list[str] = field(default_factory=list)
    front_matter: dict[str, Any] = field(default_factory=dict)
    nodes: list[Node] = field(default_factory=list)
    notes: list[OutlineNote] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    anchors: dict[str, Node] = field(default_factory=dict)
    #: For paged seeds (PDF): the page (1-based) of each line of the text rendition; empty otherwise.
    pages: list[int] = field(default_factory=list)
    #: Running headers and footers (PDF margins, Word section headers/footers, HTML page <header>/<footer>),
    #: page numbers taken out: metadata, never content.
    running: list[str] = field(default_factory=list)
    #: What the document says about itself in its front: authors (name, title), date, report number.
    stated: dict[str, Any] = field(default_factory=dict)

    def page_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Return the first and last page of lines START..END, or None for a seed without pages."""
        if not self.pages or not 1 <= start <= end <= len(self.pages):
            return None
        return self.pages[start - 1], self.pages[end - 1]

    def page_lines(self, page: int) -> tuple[int, int] | None:
        """Return the first and last line of PAGE's text in the rendition, or None.

        That is the page's first run of lines; its footnotes, gathered at the end, are cited by their own anchors.
        """
        if page not in self.pages:
            return None
        first = self.pages.index(page)
        last = first
        while last + 1 < len(self.pages) and self.pages[last + 1] == page:
            last += 1
        return first + 1, last + 1

    def tables(self) -> list[Node]:
        return [n for n in self.walk() if n.kind == "table"]

    def walk(self) -> Iterator[Node]:
        """Every node in document order."""
        for node in self.nodes:
            yield from node.walk()

    def counts(self) -> dict[str, int]:
        """Number of nodes of each kind."""
        out: dict[str, int] = {}
        for node in self.walk():
            out[node.kind] = out.get(node.kind, 0) + 1
        return dict(sorted(out.items()))

    def sections(self) -> list[Node]:
        return [n for n in self.walk() if n.kind in SECTION_KINDS]

    def figures(self) -> list[Node]:
        """Figures, with image URLs recorded (remote images are never fetched)."""
        return [n for n in self.walk() if n.kind == "figure"]

    def innermost(self, start: int, end: int, sections: list[Node] | None = None) -> Node | None:
        """Return the smallest section containing lines START..END, or None (SECTIONS: self.sections(), when the
        caller keeps them: a seed cited thousands of times walks its tree once)."""
        best = None
        for node in self.sections() if sections is None else sections:
            if node.start <= start and end <= node.end and (best is None or node.end - node.start <= best.end - best.start):
                best = node
        return best

    def note(self, line: int, message: str) -> None:
        self.notes.append(OutlineNote(line, message))


# --- shared by every reader ------------------------------------------------------------------------

def section_stack_builder():  # noqa: ANN202 - small closure factory
    """Return (add, open_section, close_all, roots, stack) for nesting nodes under headings by level."""
    roots: list[Node] = []
    stack: list[Node] = []

    def add(node: Node) -> None:
        if stack:
            node.parent = stack[-1]
            stack[-1].children.append(node)
        else:
            roots.append(node)

    def close_to(level: int, line: int) -> None:
        while stack and stack[-1].level >= level:
            stack.pop().end = line - 1

    def open_section(node: Node) -> None:
        close_to(node.level, node.start)
        add(node)
        stack.append(node)

    def close_all(line: int) -> None:
        close_to(-1, line)

    return add, open_section, close_all, roots, stack


def trim(lines: list[str], start: int, end: int) -> int:
    """Return END moved up past blank lines (never above START)."""
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end



def mark_duplicates(outline: Outline) -> None:
    """Drop list items that repeat an earlier item of the same list; report each."""
    for node in list(outline.walk()):
        if not any(c.kind == "item" for c in node.children):
            continue
        seen: dict[str, int] = {}
        kept = []
        for item in node.children:
            key = re.sub(r"\s+", " ", item.text).strip().lower()
            if key and key in seen:
                outline.duplicates.append(Duplicate(outline.seed, item.start, seen[key], item.text))
                continue
            seen[key] = item.start
            kept.append(item)
        node.children = kept


