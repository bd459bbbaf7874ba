"""Read Markdown seeds (with or without Jekyll front matter) into an outline, with markdown-it-py."""
from __future__ import annotations

import re
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from briefgen.seeds.outline.anchors import assign_anchors, slugify
from briefgen.seeds.outline.model import Node, Outline, mark_duplicates, section_stack_builder, split_lines, trim

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)---[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, Any], int, list[str]]:
    """Return (front matter, number of lines it takes, problems) for a Markdown text."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, 0, []
    lines = m.group(0).count("\n") + (0 if m.group(0).endswith("\n") else 1)
    try:
        data = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        return {}, lines, [f"front matter is not valid YAML: {exc}".splitlines()[0]]
    if not isinstance(data, dict):
        return {}, lines, ["front matter is not a mapping"]
    return {str(k): v for k, v in data.items()}, lines, []


def _inline_plain(node: SyntaxTreeNode) -> str:
    """Plain text of an inline node: emphasis dropped, links reduced to their text, images skipped."""
    out: list[str] = []
    for tok in _inline_tokens(node):
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _inline_tokens(node: SyntaxTreeNode) -> list:
    if node.children and node.children[0].type == "inline":
        return list(node.children[0].token.children or [])
    return []


def _bold_only(node: SyntaxTreeNode) -> str | None:
    """If a paragraph is nothing but bold text (a lead-in subheading), return that text."""
    toks = [t for t in _inline_tokens(node) if not (t.type == "text" and not t.content.strip())]
    if not toks or not any(t.type == "strong_open" for t in toks):
        return None
    if all(t.type in ("strong_open", "strong_close", "em_open", "em_close", "text", "softbreak") for t in toks):
        first, last = toks[0].type, toks[-1].type
        if first in ("strong_open", "em_open") and last in ("strong_close", "em_close"):
            return _inline_plain(node)
    return None


def _lead_in(tokens: list) -> str | None:
    """Return the bold lead-in that opens a paragraph followed by more text (`__Security.__ Allies ...`)."""
    toks = [t for t in tokens if not (t.type == "text" and not t.content)]
    if len(toks) < 4 or toks[0].type != "strong_open":
        return None
    lead = []
    for i, tok in enumerate(toks[1:], start=1):
        if tok.type == "strong_close":
            rest = "".join(t.content for t in toks[i + 1:] if t.type == "text").strip()
            text = "".join(lead).strip()
            return text.rstrip(".:") if rest and text else None
        if tok.type != "text":
            return None
        lead.append(tok.content)
    return None


class _Reader:
    """One Markdown seed read into an outline: its syntax tree's blocks nested under its headings."""

    def __init__(self, text: str, seed: str, fmt: str) -> None:
        self.lines = split_lines(text)
        self.outline = Outline(seed, fmt, len(self.lines))
        self.front, self.fm_lines, problems = split_front_matter(text)
        for problem in problems:
            self.outline.note(1, problem)
        self.outline.front_matter = self.front
        self.tree = SyntaxTreeNode(MarkdownIt("commonmark").enable("table").parse(text))
        self.add, self.open_section, self.close_all, self.roots, self.stack = section_stack_builder()
        self.summary: Node | None = None
        self.figures = 0
        self.tables = 0
        self.last: Node | None = None

    def span(self, n: SyntaxTreeNode) -> tuple[int, int]:
        start, end = n.map  # type: ignore[misc]
        return start + 1, trim(self.lines, start + 1, end)

    def heading_level(self) -> int:
        for node in reversed(self.stack):
            if node.kind == "section" and not node.attrs.get("pseudo"):
                return node.level
        return 0

    def block(self, n: SyntaxTreeNode) -> Node | None:
        """Turn one block-level syntax node into an outline node (None to skip it)."""
        start, end = self.span(n)
        if n.type == "paragraph":
            return self.paragraph(n, start, end)
        if n.type in ("bullet_list", "ordered_list"):
            return self.bullets(n, start, end)
        if n.type == "blockquote":
            return self.quote(n, start, end)
        if n.type in ("fence", "code_block"):
            return Node("code", n.content.strip(), start, end)
        if n.type == "html_block":
            content = n.content.strip()
            if re.fullmatch(r"<excerpt\s*/?>", content, re.I):
                self.outline.note(start, "<excerpt/>: the post's excerpt separator, skipped")
            else:
                self.outline.note(start, "raw HTML block skipped")
            return None
        if n.type == "table":
            return self.table(n, start, end)
        return None  # a rule (hr), or a block the outline has no place for

    def paragraph(self, n: SyntaxTreeNode, start: int, end: int) -> Node:
        """A paragraph, or a figure when it opens with an image (its text is the caption)."""
        toks = _inline_tokens(n)
        solid = [t for t in toks if not (t.type == "text" and not t.content.strip())]
        if not (solid and solid[0].type == "image"):
            return Node("paragraph", _inline_plain(n), start, end, lead=_lead_in(toks))
        self.figures += 1
        url = str(solid[0].attrs.get("src", ""))
        fig = Node("figure", "", start, end, attrs={
            "url": url, "alt": solid[0].content or "", "number": str(self.figures),
            "remote": "yes" if url.startswith(("http:", "https:", "//")) else "no"})
        if _inline_plain(n):  # the caption follows the image in the same paragraph
            _attach_caption(fig, Node("paragraph", _inline_plain(n), start, end), n)
        return fig

    def bullets(self, n: SyntaxTreeNode, start: int, end: int) -> Node:
        """A list; each item's first paragraph is its text, its other blocks its children."""
        lst = Node("list", "", start, end, attrs={"ordered": str(n.type == "ordered_list")})
        for item in n.children:
            istart, iend = self.span(item)
            paras = [c for c in item.children if c.type == "paragraph"]
            first = paras[0] if paras else None
            node = Node("item", _inline_plain(first) if first else "", istart, iend,
                        lead=_lead_in(_inline_tokens(first)) if first else None)
            node.parent = lst
            rest = item.children[1:] if item.children and item.children[0] is first else item.children
            for child in rest:
                sub = self.block(child)
                if sub is not None:
                    sub.parent = node
                    node.children.append(sub)
            lst.children.append(node)
        return lst

    def quote(self, n: SyntaxTreeNode, start: int, end: int) -> Node:
        """A block quote: its blocks as children, their text (and any heading's) as its own."""
        node = Node("quote", "", start, end)
        texts = []
        for child in n.children:
            if child.type == "heading":
                texts.append(_inline_plain(child))
                node.attrs["heading"] = "true"
                continue
            sub = self.block(child)
            if sub is not None:
                sub.parent = node
                node.children.append(sub)
                texts.append(sub.text)
        node.text = " ".join(t for t in texts if t)
        return node

    def table(self, n: SyntaxTreeNode, start: int, end: int) -> Node:
        """A table: one row node per row, cells joined by ' | '."""
        self.tables += 1
        table = Node("table", "", start, end, attrs={"number": str(self.tables)})
        rows = [tr for part in n.children for tr in part.children if tr.type == "tr"]
        for i, tr in enumerate(rows, start=1):
            cells = [_inline_plain(c) for c in tr.children]
            rstart, rend = self.span(tr)
            table.children.append(Node("row", " | ".join(cells), rstart, rend, parent=table,
                                       attrs={"number": str(i), "header": str(all(c.type == "th" for c in tr.children))}))
        table.text = table.children[0].text if table.children else ""
        table.attrs["columns"] = str(len(rows[0].children)) if rows else "0"
        return table

    def heading(self, n: SyntaxTreeNode, start: int) -> None:
        """Open a section at a heading (the first level-1 heading before any text is the title)."""
        level = int(n.tag[1])
        title = _inline_plain(n)
        if level == 1 and self.outline.title is None and not self.stack and self.summary is None:
            self.outline.title = title
        if self.summary is not None and self.stack and self.stack[0] is self.summary:
            self.stack.clear()
            self.summary.end = start - 1
        self.open_section(Node("section", title, start, len(self.lines), level=level, attrs={"tag": n.tag}))
        self.last = None

    def top_level(self, n: SyntaxTreeNode) -> None:
        """Place one top-level syntax node: a heading, a bold lead-in subheading, a caption, or a block."""
        start, _ = self.span(n)
        if n.type == "heading":
            self.heading(n, start)
            return
        bold = _bold_only(n) if n.type == "paragraph" else None
        if bold and not _inline_plain(n).startswith("\u25b2"):
            self.open_section(Node("subsection", bold, start, len(self.lines), level=self.heading_level() + 1))
            return
        node = self.block(n)
        if node is None:
            return
        last = self.last
        if last is not None and last.kind == "figure" and node.kind == "paragraph" and "caption" not in last.attrs:
            _attach_caption(last, node, n)
            self.last = None
            return
        if not self.stack and not self.roots and any(t.type == "heading" for t in self.tree.children
                                                     if t.map and t.map[0] >= self.fm_lines):
            self.summary = Node("section", "Summary", start, len(self.lines), level=7,
                                attrs={"pseudo": "summary", "about": "the text before the first heading"})
            self.add(self.summary)
            self.stack.append(self.summary)
        self.add(node)
        self.last = node

    def read(self) -> Outline:
        """The outline: every top-level node placed, the title from the front matter when no heading gave one."""
        for n in self.tree.children:
            if n.map is not None and n.map[0] >= self.fm_lines:
                self.top_level(n)
        self.close_all(len(self.lines) + 1)
        outline, front = self.outline, self.front
        outline.nodes = self.roots
        if outline.title is None:
            outline.title = str(front.get("description") or front.get("title") or "") or None
            if front.get("title") and front.get("description") and front["title"] != front["description"]:
                outline.subtitle = str(front["title"])
        for key in ("image",):
            if isinstance(front.get(key), str):
                outline.note(1, f"front matter {key}: {front[key]} (remote image recorded, never fetched)")
        mark_duplicates(outline)
        assign_anchors(outline)
        return outline


def parse_markdown(text: str, seed: str, fmt: str) -> Outline:
    """Outline a Markdown seed (with or without Jekyll front matter) using markdown-it-py's syntax tree."""
    return _Reader(text, seed, fmt).read()


def _attach_caption(figure: Node, para: Node, syntax: SyntaxTreeNode) -> None:
    """Make PARA the caption of FIGURE: caption text, source and link URLs."""
    caption = para.text.lstrip("\u25b2 ").strip()
    figure.end = para.end
    source = ""
    m = re.search(r"\bSource:\s*(.*)$", caption)
    if m:
        source, caption = m.group(1).strip(), caption[:m.start()].strip()
    figure.attrs["caption"] = caption
    figure.text = caption
    if source:
        figure.attrs["source"] = source.rstrip(".")
    links = [str(t.attrs.get("href")) for t in _inline_tokens(syntax) if t.type == "link_open"]
    if links:
        figure.attrs["source_url"] = " ".join(links)
    num = re.match(r"(?i)figure\s+(\d+)", caption)
    if num:
        figure.attrs["number"] = num.group(1)


def markdown_heading_spans(text: str) -> dict[str, tuple[str, int, int]]:
    """Anchor -> (title, start, end) of each Markdown heading: the original anchor scheme, kept exactly.

    A heading's passage runs to the line before the next heading of the same or a higher level; the
    first heading with a given slug owns it. Citations written against this scheme must never move.
    """

    out: dict[str, tuple[str, int, int]] = {}
    _, fm_lines, _ = split_front_matter(text)
    tokens = MarkdownIt("commonmark").parse(text)
    heads: list[tuple[int, int, str]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map and tok.map[0] >= fm_lines:
            heads.append((tok.map[0] + 1, int(tok.tag[1]), tokens[i + 1].content))
    total = len(split_lines(text))
    for i, (line, level, title) in enumerate(heads):
        end = total
        for nline, nlevel, _ in heads[i + 1:]:
            if nlevel <= level:
                end = nline - 1
                break
        anchor = slugify(title)
        if anchor and anchor not in out:
            out[anchor] = (title, line, end)
    return out
