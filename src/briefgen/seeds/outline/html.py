"""Read HTML article pages into an outline with html.parser; scripts, styles and navigation are skipped."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from briefgen.seeds.outline.anchors import assign_anchors
from briefgen.seeds.outline.model import Node, Outline, mark_duplicates, section_stack_builder, split_lines
from briefgen.seeds.outline.text import text_lead

_SKIP = {"script", "style", "nav", "noscript", "template", "svg", "form", "button", "iframe", "head", "select"}
_CHROME = {"header", "footer", "aside"}
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "pre", "td", "th", "dt", "dd",
           "table", "tr"}


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


_HIDING_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|"
                           r"opacity\s*:\s*0(?:\.0*)?\s*(?:;|$|!)|font-size\s*:\s*0(?:\.0*)?(?:px|pt|em|rem|%)?\s*(?:;|$|!))",
                           re.I)


def hidden(attrs: dict[str, str]) -> bool:
    """Whether an element with ATTRS is hidden from a reader of the page: `hidden`, `aria-hidden="true"`, or an
    inline style of display:none, visibility:hidden, opacity 0 or font-size 0."""
    return "hidden" in attrs or attrs.get("aria-hidden", "").strip().lower() == "true" \
        or bool(_HIDING_STYLE.search(attrs.get("style", "")))


#: Deepest nesting of elements read (real article pages stay under a hundred; each level costs every later tag).
MAX_DEPTH = 1_000


class HtmlTooDeep(ValueError):
    """An HTML seed nested beyond MAX_DEPTH."""


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
        self._hidden: list[int] = []  # stack depths at which a hidden element opened
        self._hidden_from: list[tuple[int, int]] = []  # where each open hidden element starts
        self.hidden_spans: list[tuple[int, int, int, int]] = []
        self.running: list[str] = []  # text of page <header>/<footer> elements: metadata, never content
        self._chrome: list[list[str]] = []
        self._list_tags: list[str] = []
        self._noteref = 0  # inside a footnote call (<a role="doc-noteref">, <sup><a href="#fn1">): its number is left out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        line = self.getpos()[0]
        if tag == "meta":
            key = a.get("name") or a.get("property") or ""
            if key and a.get("content"):
                key = key.lower()
                if key in self.meta and key.endswith(("author", "creator")):  # one tag per author
                    self.meta[key] += "; " + a["content"].strip()
                else:
                    self.meta[key] = a["content"].strip()
            return
        if tag == "time" and a.get("datetime") and not self._skip:
            self.meta.setdefault("time", a["datetime"].strip())  # the first dated element: the article's date
        if tag == "link" and "canonical" in a.get("rel", "").lower().split() and a.get("href"):
            self.meta.setdefault("canonical", a["href"].strip())
            return
        if tag == "title":
            self._in_title = True
        if tag in ("br", "img", "hr", "input", "link", "meta", "source", "wbr"):
            if tag == "br" and not self._skip and self._open:
                self._open[-1].parts.append(" ")  # a line break separates words ("Name<br>Title")
            if tag == "img" and not self._skip and not hidden(a):
                self.blocks.append(_HtmlBlock("img", line, line, a.get("alt", ""), attrs={"url": a.get("src", "")}))
            return
        self._imply_end(tag)
        if len(self._stack) >= MAX_DEPTH:
            raise HtmlTooDeep(f"elements nested more than {MAX_DEPTH:,} deep (line {line}): not a page a reader "
                              "reads")
        self._stack.append(tag)
        self._counts[tag] = self._counts.get(tag, 0) + 1
        if tag in ("article", "main"):
            self._article += 1
        if tag not in _SKIP and hidden(a):  # not shown to a reader: not a source of anything
            self._hidden.append(len(self._stack))
            self._hidden_from.append(self.getpos())
            self._skip += 1
            self.skipped["hidden"] = self.skipped.get("hidden", 0) + 1
            return
        if tag in _SKIP or (tag in _CHROME and not self._article):
            self._skip += 1
            self.skipped[tag] = self.skipped.get(tag, 0) + 1
            if tag in ("header", "footer") and self._skip == 1:
                self._chrome.append([])
            return
        if self._skip or (self.article_only and not self._article):
            return
        if tag == "a" and (a.get("role") == "doc-noteref" or (self._counts.get("sup") and re.match(
                r"#fn(?:ref)?[-:]?\w", a.get("href", "")))):
            self._noteref += 1
            if self._open:
                calls = self._open[-1].attrs.get("footnotes")
                number = re.sub(r"^#fn(?:ref)?[-:]?", "", a.get("href", ""))
                self._open[-1].attrs["footnotes"] = f"{calls},{number}" if calls else number
        if tag in ("ul", "ol"):
            self._lists += 1
            self._list_tags.append(tag)
        if tag in _BLOCKS and len(self._open) < MAX_OPEN_BLOCKS:
            block = _HtmlBlock(tag, line, depth=self._lists)
            if tag == "li" and self._list_tags and self._list_tags[-1] == "ol":
                block.attrs["ordered"] = "True"
            note = re.match(r"fn[-:]?(\w{1,20})$", a.get("id", ""))
            if tag == "li" and (note or a.get("role") in ("doc-endnote", "doc-footnote")):
                block.attrs["footnote"] = note.group(1) if note else str(len(self.blocks))
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
            if self._hidden and len(self._stack) < self._hidden[-1]:
                self._hidden.pop()
                self.hidden_spans.append((*self._hidden_from.pop(), *self.getpos()))
                self._skip = max(0, self._skip - 1)
                if top in ("article", "main"):
                    self._article = max(0, self._article - 1)
            else:
                self._close(top)
            if top == tag:
                break

    def _close(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in ("article", "main"):
            self._article = max(0, self._article - 1)
        if tag in _SKIP or (tag in _CHROME and self._skip and not self._article):
            self._skip = max(0, self._skip - 1)
            if tag in ("header", "footer") and not self._skip and self._chrome:
                text = re.sub(r"\s+", " ", "".join(self._chrome.pop())).strip()
                if text:
                    self.running.append(text)
            return
        if self._skip or (self.article_only and not self._article and tag not in ("article", "main")):
            return
        if tag == "a" and self._noteref:
            self._noteref -= 1
        if tag in ("ul", "ol"):
            self._lists = max(0, self._lists - 1)
            if self._list_tags:
                self._list_tags.pop()
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
        if self._skip and self._chrome and self._skip == 1:
            self._chrome[-1].append(data)
        if self._skip or not self._open or self._noteref:
            return
        inner = self._open[-1]
        inner.parts.append(data)
        if not inner.has_text and data.strip():
            inner.has_text = True

    def close(self) -> None:
        """Finish parsing; blocks never closed keep their text as written (as before, with no end line)."""
        super().close()
        while self._hidden_from:  # hidden to the end of the page
            self.hidden_spans.append((*self._hidden_from.pop(), 1 << 30, 0))
        while self._open:
            block = self._open.pop()
            raw = block.so_far()
            block.parts = []
            if self._open:
                self._open[-1].parts.append(raw)
                self._open[-1].has_text = self._open[-1].has_text or block.has_text
            block.text = raw


def blank_hidden(lines: list[str], first: int, spans: list[tuple[int, int, int, int]]) -> list[str]:
    """LINES (the first being line FIRST of the page) with every character inside a hidden span made a space."""
    out = list(lines)
    last = first + len(out) - 1
    for l1, c1, l2, c2 in spans:
        if l2 < first or l1 > last:
            continue
        for line in range(max(l1, first), min(l2, last) + 1):
            text = out[line - first]
            start = c1 if line == l1 else 0
            end = c2 if line == l2 else len(text)
            out[line - first] = text[:start] + " " * max(0, end - start) + text[end:]
    return out


def html_text(source: str) -> str:
    """Return the readable text of an HTML fragment: tags dropped, entities decoded, scripts and styles skipped."""
    reader = _HtmlReader()
    reader.feed(source)
    reader.close()
    return "\n".join(b.text for b in reader.blocks if b.text and b.tag not in ("img", "table", "tr"))


#: The page metadata (meta tags, canonical link) an outline keeps as its front matter.
_META_KEYS = ("author", "description", "og:title", "og:site_name", "og:url", "canonical", "article:published_time",
              "date", "citation_date", "citation_publication_date", "citation_title", "citation_author",
              "citation_publisher", "dc.title", "dc.creator", "dc.date", "dc.publisher", "publisher", "time")


def _page_facts(outline: Outline, reader: _HtmlReader) -> None:
    """Record in OUTLINE what READER found around the blocks: hidden spans, what it skipped, running text, metadata."""
    outline.hidden = sorted(reader.hidden_spans)
    if reader.article_only:
        outline.note(1, "read only the <article>/<main> element; page chrome outside it skipped")
    for tag, n in sorted(reader.skipped.items()):
        outline.note(1, f"skipped {n} <{tag}> element(s)")
    outline.running = list(dict.fromkeys(reader.running))
    outline.front_matter = {k: v for k, v in reader.meta.items() if k in _META_KEYS}


class _Nester:
    """The reader's blocks nested into outline nodes: tables and their rows, figures, sections, lists, paragraphs."""

    def __init__(self, outline: Outline, total: int) -> None:
        self.outline = outline
        self.total = total
        self.add, self.open_section, self.close_all, self.roots, _ = section_stack_builder()
        self.lists: dict[int, Node] = {}
        self.last_item: dict[int, Node] = {}
        self.figures = self.tables = 0
        self.last: Node | None = None
        self.table: Node | None = None
        self.row: Node | None = None

    def table_part(self, b: _HtmlBlock) -> bool:
        """Take B when it is a table, a row or a cell of a row; say whether it did."""
        if b.tag == "table":
            self.tables += 1
            self.table = Node("table", "", b.start, b.end, attrs={"number": str(self.tables)})
            self.add(self.table)
            self.lists.clear()
            return True
        if b.tag == "tr" and self.table is not None:
            self.row = Node("row", "", b.start, b.end, parent=self.table,
                            attrs={"number": str(len(self.table.children) + 1)})
            self.table.children.append(self.row)
            return True
        row = self.row
        if b.tag in ("td", "th") and row is not None and b.attrs.get("inside") == "tr":
            cells = row.attrs.get("cells", "")
            row.attrs["cells"] = str(int(cells or 0) + 1)
            row.text = f"{row.text} | {b.text}" if cells else b.text
            if self.table is not None and row is self.table.children[0]:
                self.table.text = row.text
                self.table.attrs["columns"] = row.attrs["cells"]
            return True
        return False

    def figure(self, b: _HtmlBlock) -> None:
        self.figures += 1
        self.last = Node("figure", b.text, b.start, b.end, attrs={
            "url": b.attrs["url"], "alt": b.text, "number": str(self.figures),
            "remote": str(b.attrs["url"].startswith(("http:", "https:", "//")))})
        self.add(self.last)
        self.lists.clear()

    def item(self, b: _HtmlBlock) -> None:
        """A list item: under the item one level up when nested, else in the list of its depth."""
        depth = max(b.depth, 1)
        item = Node("item", b.text, b.start, b.end, lead=_lead_from_html(b))
        if depth > 1 and depth - 1 in self.last_item:
            parent = self.last_item[depth - 1]
            if item.text and parent.text.endswith(item.text):
                parent.text = parent.text[: -len(item.text)].strip()
        else:
            parent = self.lists.get(depth)
            if parent is None:
                parent = Node("list", "", b.start, b.end)
                if b.attrs.get("ordered"):
                    parent.attrs["ordered"] = "True"
                self.add(parent)
                self.lists[depth] = parent
        item.parent = parent
        parent.children.append(item)
        parent.end = max(parent.end, b.end)
        self.last_item[depth] = item

    def block(self, b: _HtmlBlock) -> None:
        """Place one block of the page."""
        if self.table is not None and b.start > self.table.end:
            self.table = self.row = None
        if self.table_part(b):
            return
        if b.tag == "img":
            self.figure(b)
            return
        if not b.text:
            return
        last = self.last
        if b.tag == "figcaption" and last is not None and last.kind == "figure":
            last.attrs["caption"] = b.text
            last.text = b.text
            last.end = max(last.end, b.end)
        elif b.tag[0] == "h" and b.tag[1:].isdigit():
            level = int(b.tag[1])
            if level == 1 and self.outline.title is None:
                self.outline.title = b.text
            self.open_section(Node("section", b.text, b.start, self.total, level=level, attrs={"tag": b.tag}))
            self.lists.clear()
        elif b.tag == "li" and b.attrs.get("footnote"):  # an endnote: cited as footnote-N, never a list item
            self.add(Node("footnote", re.sub(r"\s*[\u21a9\u21aa]\ufe0e?\s*$", "", b.text), b.start, b.end,
                          attrs={"number": b.attrs["footnote"]}))
        elif b.tag == "li":
            self.item(b)
        else:
            self.paragraph(b)

    def paragraph(self, b: _HtmlBlock) -> None:
        """A paragraph, quote or code block (not one inside a quote, list item or cell: that node has its text)."""
        self.lists.clear()
        self.last_item.clear()
        kind = {"blockquote": "quote", "pre": "code"}.get(b.tag, "paragraph")
        if b.attrs.get("inside") in ("blockquote", "li", "figcaption", "td", "th", "dd"):
            return
        self.last = Node(kind, b.text, b.start, b.end, lead=_lead_from_html(b) if kind == "paragraph" else None)
        if b.attrs.get("footnotes"):
            self.last.attrs["footnotes"] = b.attrs["footnotes"]
        self.add(self.last)


def parse_html(text: str, seed: str, fmt: str = "html") -> Outline:
    """Outline an HTML article page with the standard library's html.parser."""
    lines = split_lines(text)
    outline = Outline(seed, fmt, len(lines))
    reader = _HtmlReader(article_only=bool(re.search(r"<(?:article|main)\b", text, re.I)))
    reader.feed(text)
    reader.close()
    _page_facts(outline, reader)
    nester = _Nester(outline, len(lines))
    for b in reader.blocks:
        nester.block(b)
    nester.close_all(len(lines) + 1)
    outline.nodes = nester.roots
    if outline.title is None:
        outline.title = (reader.meta.get("og:title") or reader.title or "").strip() or None
    mark_duplicates(outline)
    assign_anchors(outline)
    return outline


def _lead_from_html(block: _HtmlBlock) -> str | None:
    """A bold lead-in followed by more text, or a 'Name: description' pair."""
    if block.lead and len(block.text) > len(block.lead) + 1:
        return block.lead.rstrip(".:")
    return text_lead(block.text)


