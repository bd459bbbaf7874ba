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
    return "\n".join(b.text for b in reader.blocks if b.text and b.tag not in ("img", "table", "tr"))


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
    outline.running = list(dict.fromkeys(reader.running))
    outline.front_matter = {k: v for k, v in meta.items() if k in (
        "author", "description", "og:title", "og:site_name", "og:url", "canonical", "article:published_time", "date",
        "citation_date", "citation_publication_date", "citation_title", "citation_author", "citation_publisher",
        "dc.title", "dc.creator", "dc.date", "dc.publisher", "publisher", "time")}
    add, open_section, close_all, roots, stack = section_stack_builder()
    lists: dict[int, Node] = {}
    last_item: dict[int, Node] = {}
    figures = tables = 0
    last: Node | None = None
    table: Node | None = None
    row: Node | None = None
    for b in reader.blocks:
        if table is not None and b.start > table.end:
            table = row = None
        if b.tag == "table":
            tables += 1
            table = Node("table", "", b.start, b.end, attrs={"number": str(tables)})
            add(table)
            lists.clear()
            continue
        if b.tag == "tr" and table is not None:
            row = Node("row", "", b.start, b.end, parent=table, attrs={"number": str(len(table.children) + 1)})
            table.children.append(row)
            continue
        if b.tag in ("td", "th") and row is not None and b.attrs.get("inside") == "tr":
            cells = row.attrs.get("cells", "")
            row.attrs["cells"] = str(int(cells or 0) + 1)
            row.text = f"{row.text} | {b.text}" if cells else b.text
            if row is table.children[0]:
                table.text = row.text
                table.attrs["columns"] = row.attrs["cells"]
            continue
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
        if b.tag == "li" and b.attrs.get("footnote"):  # an endnote: cited as footnote-N, never a list item
            add(Node("footnote", re.sub(r"\s*[\u21a9\u21aa]\ufe0e?\s*$", "", b.text), b.start, b.end,
                     attrs={"number": b.attrs["footnote"]}))
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
                    if b.attrs.get("ordered"):
                        parent.attrs["ordered"] = "True"
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
        if b.attrs.get("footnotes"):
            last.attrs["footnotes"] = b.attrs["footnotes"]
        add(last)
    close_all(len(lines) + 1)
    outline.nodes = roots
    if outline.title is None:
        outline.title = (meta.get("og:title") or reader.title or "").strip() or None
    mark_duplicates(outline)
    assign_anchors(outline)
    return outline


def _lead_from_html(block: _HtmlBlock) -> str | None:
    """A bold lead-in followed by more text, or a 'Name: description' pair."""
    if block.lead and len(block.text) > len(block.lead) + 1:
        return block.lead.rstrip(".:")
    return text_lead(block.text)


