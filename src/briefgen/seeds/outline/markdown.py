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


def parse_markdown(text: str, seed: str, fmt: str) -> Outline:
    """Outline a Markdown seed (with or without Jekyll front matter) using markdown-it-py's syntax tree."""
    lines = split_lines(text)
    outline = Outline(seed, fmt, len(lines))
    front, fm_lines, problems = split_front_matter(text)
    for problem in problems:
        outline.note(1, problem)
    outline.front_matter = front
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tree = SyntaxTreeNode(tokens)
    add, open_section, close_all, roots, stack = section_stack_builder()
    state = {"summary": None, "figures": 0, "last": None, "tables": 0}

    def span(n: SyntaxTreeNode) -> tuple[int, int]:
        start, end = n.map  # type: ignore[misc]
        return start + 1, trim(lines, start + 1, end)

    def heading_level() -> int:
        for node in reversed(stack):
            if node.kind == "section" and not node.attrs.get("pseudo"):
                return node.level
        return 0

    def block(n: SyntaxTreeNode) -> Node | None:
        """Turn one block-level syntax node into an outline node (None to skip it)."""
        start, end = span(n)
        if n.type == "paragraph":
            toks = _inline_tokens(n)
            solid = [t for t in toks if not (t.type == "text" and not t.content.strip())]
            if solid and solid[0].type == "image":
                state["figures"] += 1
                url = str(solid[0].attrs.get("src", ""))
                fig = Node("figure", "", start, end, attrs={
                    "url": url, "alt": solid[0].content or "", "number": str(state["figures"]),
                    "remote": "yes" if url.startswith(("http:", "https:", "//")) else "no"})
                if _inline_plain(n):  # the caption follows the image in the same paragraph
                    _attach_caption(fig, Node("paragraph", _inline_plain(n), start, end), n)
                return fig
            return Node("paragraph", _inline_plain(n), start, end, lead=_lead_in(toks))
        if n.type in ("bullet_list", "ordered_list"):
            lst = Node("list", "", start, end, attrs={"ordered": str(n.type == "ordered_list")})
            for item in n.children:
                istart, iend = span(item)
                paras = [c for c in item.children if c.type == "paragraph"]
                first = paras[0] if paras else None
                node = Node("item", _inline_plain(first) if first else "", istart, iend,
                            lead=_lead_in(_inline_tokens(first)) if first else None)
                node.parent = lst
                rest = item.children[1:] if item.children and item.children[0] is first else item.children
                for child in rest:
                    sub = block(child)
                    if sub is not None:
                        sub.parent = node
                        node.children.append(sub)
                lst.children.append(node)
            return lst
        if n.type == "blockquote":
            node = Node("quote", "", start, end)
            texts = []
            for child in n.children:
                if child.type == "heading":
                    texts.append(_inline_plain(child))
                    node.attrs["heading"] = "true"
                    continue
                sub = block(child)
                if sub is not None:
                    sub.parent = node
                    node.children.append(sub)
                    texts.append(sub.text)
            node.text = " ".join(t for t in texts if t)
            return node
        if n.type in ("fence", "code_block"):
            return Node("code", n.content.strip(), start, end)
        if n.type == "html_block":
            content = n.content.strip()
            if re.fullmatch(r"<excerpt\s*/?>", content, re.I):
                outline.note(start, "<excerpt/>: the post's excerpt separator, skipped")
            else:
                outline.note(start, "raw HTML block skipped")
            return None
        if n.type == "hr":
            return None
        if n.type == "table":
            state["tables"] += 1
            table = Node("table", "", start, end, attrs={"number": str(state["tables"])})
            rows = [tr for part in n.children for tr in part.children if tr.type == "tr"]
            for i, tr in enumerate(rows, start=1):
                cells = [_inline_plain(c) for c in tr.children]
                rstart, rend = span(tr)
                table.children.append(Node("row", " | ".join(cells), rstart, rend, parent=table,
                                           attrs={"number": str(i), "header": str(all(c.type == "th" for c in tr.children))}))
            table.text = table.children[0].text if table.children else ""
            table.attrs["columns"] = str(len(rows[0].children)) if rows else "0"
            return table
        return None

    for n in tree.children:
        if n.map is None or n.map[0] < fm_lines:
            continue
        start, end = span(n)
        if n.type == "heading":
            level = int(n.tag[1])
            title = _inline_plain(n)
            if level == 1 and outline.title is None and not stack and state["summary"] is None:
                outline.title = title
            if state["summary"] is not None and stack and stack[0] is state["summary"]:
                stack.clear()
                state["summary"].end = start - 1
            open_section(Node("section", title, start, len(lines), level=level, attrs={"tag": n.tag}))
            state["last"] = None
            continue
        bold = _bold_only(n) if n.type == "paragraph" else None
        if bold and not _inline_plain(n).startswith("\u25b2"):
            open_section(Node("subsection", bold, start, len(lines), level=heading_level() + 1))
            continue
        node = block(n)
        if node is None:
            continue
        last = state["last"]
        if last is not None and last.kind == "figure" and node.kind == "paragraph" and "caption" not in last.attrs:
            _attach_caption(last, node, n)
            state["last"] = None
            continue
        if not stack and not roots and any(t.type == "heading" for t in tree.children if t.map and t.map[0] >= fm_lines):
            summary = Node("section", "Summary", start, len(lines), level=7,
                           attrs={"pseudo": "summary", "about": "the text before the first heading"})
            state["summary"] = summary
            add(summary)
            stack.append(summary)
        add(node)
        state["last"] = node
    close_all(len(lines) + 1)
    outline.nodes = roots
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
