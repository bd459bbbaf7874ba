"""Parse a seed's text into an outline: sections, paragraphs, lists, quotes, figures, with line spans and anchors."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Iterator

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

log = logging.getLogger(__name__)

#: Node kinds. Sections own a span up to the next heading of the same or a higher level.
SECTION_KINDS = ("section", "subsection")


@dataclass
class Node:
    """One element of a seed's outline, lines START..END (1-based, inclusive) of the seed file."""

    kind: str  # section, subsection, paragraph, list, item, quote, figure, caption, epigraph, pairs, pair, code
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

    def innermost(self, start: int, end: int) -> Node | None:
        """Return the smallest section containing lines START..END, or None."""
        best = None
        for node in self.sections():
            if node.start <= start and end <= node.end and (best is None or node.end - node.start <= best.end - best.start):
                best = node
        return best

    def note(self, line: int, message: str) -> None:
        self.notes.append(OutlineNote(line, message))


# --- shared helpers -------------------------------------------------------------------------------------

#: A line ends at LF, CRLF or a lone CR, nothing else: form feeds (pdftotext's page breaks), NEL and U+2028
#: are characters inside a line, as they are for markdown-it, grep -n and the line numbers seeds are cited by.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """Split TEXT into lines the way citations count them (str.splitlines also breaks at \\f, NEL, U+2028)."""
    lines = _LINE.findall(text)
    return lines if keepends else [ln.rstrip("\r\n") for ln in lines]


def slugify(text: str) -> str:
    """Turn a heading into a stable anchor: lowercase words joined by hyphens (citations depend on it)."""
    text = re.sub(r"[_*`\[\]]", "", text).lower()
    text = re.sub(r"[’'`.]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


_OBSTACLE_PREFIX = re.compile(r"^(?:obstacle|challenge|problem|barrier|step|pillar|part|chapter)\s+\d+\s*[:.]\s*", re.I)
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


def label_slug(label: str) -> str:
    """Anchor for a lead-in, subsection or pair: drop an 'Obstacle 3:' prefix and a trailing (parenthesis)."""
    label = _OBSTACLE_PREFIX.sub("", label.strip())
    label = _TRAILING_PAREN.sub("", label) or label
    return slugify(label.rstrip(".:;,"))


def _section_stack_builder():  # noqa: ANN202 - small closure factory
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


def _trim(lines: list[str], start: int, end: int) -> int:
    """Return END moved up past blank lines (never above START)."""
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


def assign_anchors(outline: Outline) -> None:
    """Give anchored nodes unique, stable anchors: headings first (document order), then everything else.

    A later node whose anchor is taken is qualified by its section's anchor (`<section>-<slug>`), then numbered.
    """
    taken = outline.anchors
    next_suffix: dict[str, int] = {}

    def claim(node: Node, base: str) -> None:
        if not base:
            return
        candidates = [base]
        owner = next((p for p in reversed(node.path()) if p is not node and p.anchor), None)
        if owner is not None:
            candidates.append(f"{owner.anchor}-{base}")
        for cand in candidates:
            if cand not in taken:
                node.anchor = cand
                taken[cand] = node
                return
        n = next_suffix.get(candidates[-1], 2)  # resume where the last duplicate stopped (counting from 2 is quadratic)
        while f"{candidates[-1]}-{n}" in taken:
            n += 1
        next_suffix[candidates[-1]] = n + 1
        node.anchor = f"{candidates[-1]}-{n}"
        taken[node.anchor] = node

    nodes = list(outline.walk())
    headings = [n for n in nodes if n.kind == "section" and not n.attrs.get("pseudo")]
    for node in headings:
        claim(node, slugify(node.text))
    # The first of several same-named headings also answers to the qualified form the others get.
    seen: dict[str, list[Node]] = {}
    for node in headings:
        seen.setdefault(slugify(node.text), []).append(node)
    for slug, group in seen.items():
        first = group[0]
        owner = next((p for p in reversed(first.path()) if p is not first and p.anchor), None)
        if len(group) > 1 and owner is not None and f"{owner.anchor}-{slug}" not in taken:
            first.aliases.append(f"{owner.anchor}-{slug}")
            taken[first.aliases[-1]] = first
    for node in nodes:
        if node.attrs.get("pseudo"):
            claim(node, node.attrs["pseudo"])
    for node in nodes:
        if node.kind == "subsection" or node.kind == "pair" or (node.lead and node.kind in ("item", "paragraph")):
            claim(node, label_slug(node.title))
        elif node.kind == "figure" and node.attrs.get("number"):
            claim(node, f"figure-{node.attrs['number']}")


# --- Markdown -------------------------------------------------------------------------------------------

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
    tokens = MarkdownIt("commonmark").parse(text)
    tree = SyntaxTreeNode(tokens)
    add, open_section, close_all, roots, stack = _section_stack_builder()
    state = {"summary": None, "figures": 0, "last": None}

    def span(n: SyntaxTreeNode) -> tuple[int, int]:
        start, end = n.map  # type: ignore[misc]
        return start + 1, _trim(lines, start + 1, end)

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
            return Node("table", "", start, end)
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
    _mark_duplicates(outline)
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


def _mark_duplicates(outline: Outline) -> None:
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


# --- plain text pages (web-text, wiki-text) -------------------------------------------------------------

_TERMINAL = ".!?:;,\"\u201d\u2019"
_BULLET = re.compile(r"^\s*(?:[-*]|\u2022)\s+")
_PICTOGRAPH = re.compile("[\ufffd\u2600-\u27bf\U0001F000-\U0001FAFF]")
_COLON_LEAD = re.compile(r"^([A-Z][^:.!?]{1,80}?):\s+\S")
_ARROW_LEAD = re.compile(r"^([A-Z][\w&/' -]{1,50}?) > \S")
_SMALL = {"to", "and", "of", "the", "for", "in", "a", "an", "on", "with", "at", "by", "or"}


def _period_lead(text: str) -> str | None:
    """Return a Title Case lead-in closed by a period (`Broad View. WISC ...`), or None."""
    m = re.match(r"^([A-Z][\w-]*(?: [\w-]+){1,5})\. [A-Z]", text)
    if not m:
        return None
    words = m.group(1).split()
    if all(w[0].isupper() or w in _SMALL for w in words):
        return m.group(1)
    return None


def _text_lead(text: str) -> str | None:
    """Return the lead-in of a plain-text bullet or paragraph ('Name: description', 'Pillar > action')."""
    for rx in (_ARROW_LEAD, _COLON_LEAD):
        m = rx.match(text)
        if m:
            return m.group(1).strip()
    return _period_lead(text)


def _clean_title(text: str) -> str:
    """Drop decorative marks (damaged pictographs, emoji, bullets) from the start of a heading."""
    return re.sub(r"^[^\w\"\u201c(]+", "", text).strip()


def _title_like(text: str) -> bool:
    """A short line without closing punctuation: a heading, a name, a title."""
    t = text.strip()
    return bool(t) and t[-1] not in _TERMINAL and len(t.split()) <= 14 and t[0] not in "\"\u201c"


def _icon_labels(text: str) -> bool:
    """A line of icon labels (three or more pictographs, no sentence)."""
    return len(_PICTOGRAPH.findall(text)) >= 3


def parse_text(text: str, seed: str, fmt: str) -> Outline:
    """Outline a plain-text web page or wiki article (headings inferred from line shapes)."""
    lines = split_lines(text)
    outline = Outline(seed, fmt, len(lines))
    rows = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip()]
    k = 0
    # Header: breadcrumb, title, subtitle, epigraph, photo caption.
    if k < len(rows) and " > " in rows[k][1] and _title_like(rows[k][1]) and fmt == "web-text":
        outline.breadcrumb = [p.strip() for p in rows[k][1].split(" > ")]
        k += 1
    header: list[Node] = []
    if k < len(rows):
        lineno, title = rows[k]
        m = re.match(r"^(.*\S)Edit\s*$", title)
        if m and fmt == "wiki-text":
            title = m.group(1)
            outline.note(lineno, "trailing 'Edit' (the wiki's edit link) dropped from the title")
        outline.title = title.strip()
        k += 1
        if k < len(rows) and rows[k][1].strip() == outline.title:
            outline.note(rows[k][0], "the title repeated as the article heading; kept once")
            k += 1
    if (fmt == "web-text" and k + 1 < len(rows) and _title_like(rows[k][1])
            and not _BULLET.match(rows[k + 1][1]) and not _BULLET.match(rows[k][1])):
        outline.subtitle = rows[k][1].strip()
        k += 1
    if k < len(rows) and rows[k][1].lstrip()[:1] in "\"\u201c":
        lineno, line = rows[k]
        header.append(Node("epigraph", line.strip().strip("\"\u201c\u201d"), lineno, lineno))
        k += 1
        if (k + 1 < len(rows) and rows[k][1].strip().endswith(".") and len(rows[k][1].split()) <= 15
                and rows[k][0] > lineno + 1):
            header.append(Node("caption", rows[k][1].strip(), rows[k][0], rows[k][0],
                               attrs={"about": "photo caption; the image itself is not in the text"}))
            k += 1

    add, open_section, close_all, roots, stack = _section_stack_builder()
    for node in header:
        add(node)
    body = rows[k:]

    def is_bullet(i: int) -> bool:
        return i < len(body) and bool(_BULLET.match(body[i][1]))

    def prose(i: int) -> bool:
        return i < len(body) and not is_bullet(i) and not _title_like(body[i][1])

    def title(i: int) -> bool:
        return i < len(body) and not is_bullet(i) and _title_like(body[i][1]) and not _icon_labels(body[i][1])

    i = 0
    current_list: Node | None = None
    pairs: Node | None = None
    while i < len(body):
        lineno, line = body[i]
        if _icon_labels(line):
            outline.note(lineno, "a line of icon labels (page furniture) dropped: " + line.strip()[:60])
            close_all(lineno)
            current_list = pairs = None
            i += 1
            continue
        if is_bullet(i):
            item_text = _BULLET.sub("", line).strip()
            item = Node("item", item_text, lineno, lineno, lead=_text_lead(item_text))
            if current_list is None:
                current_list = Node("list", "", lineno, lineno)
                add(current_list)
            parent = current_list
            last = current_list.children[-1] if current_list.children else None
            if last is not None and last.children:
                shape = _shape(last.children[0].text)
                if _shape(item_text) == shape:
                    parent = last
            elif last is not None and last.text.endswith(":"):
                parent = last
            if parent is not current_list:
                parent.attrs["nested"] = "inferred: the page flattens sub-lists"
            item.parent = parent
            parent.children.append(item)
            parent.end = current_list.end = lineno
            i += 1
            continue
        current_list = None
        if title(i):
            name_desc = prose(i + 1) and (pairs is not None or (title(i + 2) and prose(i + 3)))
            if name_desc:
                if pairs is None:
                    pairs = Node("pairs", "", lineno, body[i + 1][0])
                    add(pairs)
                pair = Node("pair", body[i + 1][1].strip(), lineno, body[i + 1][0], lead=line.strip(), parent=pairs)
                pairs.children.append(pair)
                pairs.end = pair.end
                i += 2
                continue
            pairs = None
            level = 1 if (title(i + 1) and (is_bullet(i + 2) or title(i + 2) or prose(i + 2))) else 2
            see_also = line.strip().lower() == "see also"
            open_section(Node("section", _clean_title(line), lineno, len(lines), level=level,
                              attrs={"see_also": "true"} if see_also else {}))
            if see_also and not is_bullet(i + 1):
                outline.note(lineno, "'See also' section is empty")
            i += 1
            continue
        pairs = None
        add(Node("paragraph", line.strip(), lineno, lineno, lead=_text_lead(line.strip())))
        i += 1
    close_all(len(lines) + 1)
    outline.nodes = roots
    _mark_duplicates(outline)
    assign_anchors(outline)
    return outline


def _shape(text: str) -> str:
    """How a list item ends: its closing punctuation, or '' (sibling items share it)."""
    t = text.rstrip()
    return t[-1] if t and t[-1] in ".?!:;" else ""


# --- HTML -----------------------------------------------------------------------------------------------

_SKIP = {"script", "style", "nav", "noscript", "template", "svg", "form", "button", "iframe", "head", "select"}
_CHROME = {"header", "footer", "aside"}
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "pre", "td", "th", "dt", "dd"}


@dataclass
class _HtmlBlock:
    tag: str
    start: int
    end: int = 0
    text: str = ""
    depth: int = 0  # list nesting
    lead: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)  # text so far, inner blocks' text included when they close
    has_text: bool = False

    def so_far(self) -> str:
        return "".join(self.parts)


#: Elements whose start tag ends an open <p> (HTML's implied end tags), as a browser reads them.
_CLOSES_P = {"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figcaption", "figure",
             "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main", "menu", "nav",
             "ol", "p", "pre", "section", "table", "ul", "li", "dd", "dt"}
#: Start tags that end an open element of the same family, unless a container of theirs opened since.
_IMPLIED = {"li": ({"li"}, {"ul", "ol"}), "dt": ({"dt", "dd"}, {"dl"}), "dd": ({"dt", "dd"}, {"dl"}),
            "td": ({"td", "th"}, {"table", "tr"}), "th": ({"td", "th"}, {"table", "tr"}),
            "tr": ({"tr", "td", "th"}, {"table", "thead", "tbody", "tfoot"})}
#: Elements across which a <p> is not closed by a later start tag (HTML's "button scope" boundaries).
_P_SCOPE = {"button", "table", "td", "th", "caption", "object", "marquee", "applet", "html", "template"}
#: Text blocks nested deeper than this are read as part of the innermost tracked one (a page nests a few).
MAX_OPEN_BLOCKS = 32


class _HtmlReader(HTMLParser):
    """Collect the article's text blocks with their source lines; skip scripts, styles, navigation."""

    def __init__(self, article_only: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.article_only = article_only  # the page has <article> or <main>: read only inside it
        self._article = 0
        self.blocks: list[_HtmlBlock] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self._skip = 0
        self._open: list[_HtmlBlock] = []
        self._stack: list[str] = []
        self._counts: dict[str, int] = {}  # open elements by name, so lookups need not walk the stack
        self._lists = 0
        self._in_title = False
        self._strong_first: list[bool] = []
        self.skipped: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        line = self.getpos()[0]
        if tag == "meta":
            key = a.get("name") or a.get("property") or ""
            if key and a.get("content"):
                self.meta[key.lower()] = a["content"]
            return
        if tag == "title":
            self._in_title = True
        if tag in ("br", "img", "hr", "input", "link", "meta", "source", "wbr"):
            if tag == "img" and not self._skip:
                self.blocks.append(_HtmlBlock("img", line, line, a.get("alt", ""), attrs={"url": a.get("src", "")}))
            return
        self._imply_end(tag)
        self._stack.append(tag)
        self._counts[tag] = self._counts.get(tag, 0) + 1
        if tag in ("article", "main"):
            self._article += 1
        if tag in _SKIP or (tag in _CHROME and not self._article):
            self._skip += 1
            self.skipped[tag] = self.skipped.get(tag, 0) + 1
            return
        if self._skip or (self.article_only and not self._article):
            return
        if tag in ("ul", "ol"):
            self._lists += 1
        if tag in _BLOCKS and len(self._open) < MAX_OPEN_BLOCKS:
            block = _HtmlBlock(tag, line, depth=self._lists)
            if self._open:
                block.attrs["inside"] = self._open[-1].tag
            self._open.append(block)
            self.blocks.append(block)
        if tag in ("strong", "b") and self._open and not self._open[-1].has_text:
            self._open[-1].attrs["lead_open"] = "1"

    def _imply_end(self, tag: str) -> None:
        """End the elements TAG's start tag ends in HTML (a new <p> ends an open one; <li> an open <li>)."""
        closes, scope = (({"p"}, _P_SCOPE) if tag in _CLOSES_P else _IMPLIED.get(tag, (set(), set())))
        if tag in _IMPLIED and tag in _CLOSES_P:
            self._imply_end_of({"p"}, _P_SCOPE)
            closes, scope = _IMPLIED[tag]
        self._imply_end_of(closes, scope)

    def _imply_end_of(self, closes: set[str], scope: set[str]) -> None:
        if not any(self._counts.get(name) for name in closes):
            return  # the usual case, found without walking a deep stack
        for i in range(len(self._stack) - 1, -1, -1):
            name = self._stack[i]
            if name in closes:
                self.handle_endtag(name)
                return
            if name in scope:
                return

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if not self._counts.get(tag):
            return
        while self._stack:
            top = self._stack.pop()
            self._counts[top] -= 1
            self._close(top)
            if top == tag:
                break

    def _close(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in ("article", "main"):
            self._article = max(0, self._article - 1)
        if tag in _SKIP or (tag in _CHROME and self._skip and not self._article):
            self._skip = max(0, self._skip - 1)
            return
        if self._skip or (self.article_only and not self._article and tag not in ("article", "main")):
            return
        if tag in ("ul", "ol"):
            self._lists = max(0, self._lists - 1)
        if tag in ("strong", "b") and self._open and self._open[-1].attrs.get("lead_open") == "1":
            self._open[-1].attrs["lead_open"] = "done"
            self._open[-1].lead = self._open[-1].so_far().strip()
        if tag in _BLOCKS and self._open and self._open[-1].tag == tag:
            block = self._open.pop()
            block.end = line
            raw = block.so_far()
            block.parts = []
            if self._open:  # the enclosing block reads this one's text too (each character is copied once a level)
                self._open[-1].parts.append(raw)
                self._open[-1].has_text = self._open[-1].has_text or block.has_text
            block.text = re.sub(r"\s+", " ", raw).strip()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._skip or not self._open:
            return
        inner = self._open[-1]
        inner.parts.append(data)
        if not inner.has_text and data.strip():
            inner.has_text = True

    def close(self) -> None:
        """Finish parsing; blocks never closed keep their text as written (as before, with no end line)."""
        super().close()
        while self._open:
            block = self._open.pop()
            raw = block.so_far()
            block.parts = []
            if self._open:
                self._open[-1].parts.append(raw)
                self._open[-1].has_text = self._open[-1].has_text or block.has_text
            block.text = raw


def html_text(source: str) -> str:
    """Return the readable text of an HTML fragment: tags dropped, entities decoded, scripts and styles skipped."""
    reader = _HtmlReader()
    reader.feed(source)
    reader.close()
    return "\n".join(b.text for b in reader.blocks if b.text and b.tag != "img")


def parse_html(text: str, seed: str, fmt: str = "html") -> Outline:
    """Outline an HTML article page with the standard library's html.parser."""
    lines = split_lines(text)
    outline = Outline(seed, fmt, len(lines))
    reader = _HtmlReader(article_only=bool(re.search(r"<(?:article|main)\b", text, re.I)))
    reader.feed(text)
    reader.close()
    if reader.article_only:
        outline.note(1, "read only the <article>/<main> element; page chrome outside it skipped")
    for tag, n in sorted(reader.skipped.items()):
        outline.note(1, f"skipped {n} <{tag}> element(s)")
    meta = reader.meta
    outline.front_matter = {k: v for k, v in meta.items() if k in (
        "author", "description", "og:title", "og:site_name", "article:published_time", "date", "citation_date")}
    add, open_section, close_all, roots, stack = _section_stack_builder()
    lists: dict[int, Node] = {}
    last_item: dict[int, Node] = {}
    figures = 0
    last: Node | None = None
    for b in reader.blocks:
        if b.tag == "img":
            figures += 1
            last = Node("figure", b.text, b.start, b.end, attrs={
                "url": b.attrs["url"], "alt": b.text, "number": str(figures),
                "remote": str(b.attrs["url"].startswith(("http:", "https:", "//")))})
            add(last)
            lists.clear()
            continue
        if not b.text:
            continue
        if b.tag == "figcaption" and last is not None and last.kind == "figure":
            last.attrs["caption"] = b.text
            last.text = b.text
            last.end = max(last.end, b.end)
            continue
        if b.tag[0] == "h" and b.tag[1:].isdigit():
            level = int(b.tag[1])
            if level == 1 and outline.title is None:
                outline.title = b.text
            open_section(Node("section", b.text, b.start, len(lines), level=level, attrs={"tag": b.tag}))
            lists.clear()
            continue
        if b.tag == "li":
            depth = max(b.depth, 1)
            item = Node("item", b.text, b.start, b.end, lead=_lead_from_html(b))
            if depth > 1 and depth - 1 in last_item:
                parent = last_item[depth - 1]
                if item.text and parent.text.endswith(item.text):
                    parent.text = parent.text[: -len(item.text)].strip()
            else:
                parent = lists.get(depth)
                if parent is None:
                    parent = Node("list", "", b.start, b.end)
                    add(parent)
                    lists[depth] = parent
            item.parent = parent
            parent.children.append(item)
            parent.end = max(parent.end, b.end)
            last_item[depth] = item
            continue
        lists.clear()
        last_item.clear()
        kind = {"blockquote": "quote", "pre": "code"}.get(b.tag, "paragraph")
        if b.attrs.get("inside") in ("blockquote", "li", "figcaption", "td", "th", "dd"):
            continue  # a paragraph inside a quote or list item is already part of that node's text
        last = Node(kind, b.text, b.start, b.end, lead=_lead_from_html(b) if kind == "paragraph" else None)
        add(last)
    close_all(len(lines) + 1)
    outline.nodes = roots
    if outline.title is None:
        outline.title = (meta.get("og:title") or reader.title or "").strip() or None
    _mark_duplicates(outline)
    assign_anchors(outline)
    return outline


def _lead_from_html(block: _HtmlBlock) -> str | None:
    """A bold lead-in followed by more text, or a 'Name: description' pair."""
    if block.lead and len(block.text) > len(block.lead) + 1:
        return block.lead.rstrip(".:")
    return _text_lead(block.text)


def build_outline(text: str, seed: str, fmt: str) -> Outline:
    """Outline TEXT read as FMT (one of the formats in seeds/sources.yaml)."""
    if fmt in ("jekyll-markdown", "markdown"):
        return parse_markdown(text, seed, fmt)
    if fmt in ("web-text", "wiki-text"):
        return parse_text(text, seed, fmt)
    if fmt == "html":
        return parse_html(text, seed)
    raise ValueError(f"unknown seed format {fmt!r}")
