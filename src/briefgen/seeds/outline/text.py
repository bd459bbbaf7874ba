"""Read plain-text web pages and wiki articles into an outline; headings are inferred from line shapes."""
from __future__ import annotations

import re

from briefgen.seeds.outline.anchors import assign_anchors
from briefgen.seeds.outline.model import Node, Outline, mark_duplicates, section_stack_builder, split_lines

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


def text_lead(text: str) -> str | None:
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


def _header(rows: list[tuple[int, str]], outline: Outline, fmt: str) -> tuple[list[Node], int]:
    """Read the page's header (breadcrumb, title, subtitle, epigraph, photo caption) from ROWS into OUTLINE; return
    the nodes it adds to the body and the number of rows it took."""
    k = 0
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
    return header, k


class _Body:
    """The page's body read line by line: icon lines dropped, bullets into lists, titles into sections or
    name/description pairs, the rest paragraphs."""

    def __init__(self, body: list[tuple[int, str]], outline: Outline, header: list[Node]) -> None:
        self.body = body
        self.outline = outline
        self.add, self.open_section, self.close_all, self.roots, _ = section_stack_builder()
        for node in header:
            self.add(node)
        self.current_list: Node | None = None
        self.pairs: Node | None = None

    def is_bullet(self, i: int) -> bool:
        return i < len(self.body) and bool(_BULLET.match(self.body[i][1]))

    def prose(self, i: int) -> bool:
        return i < len(self.body) and not self.is_bullet(i) and not _title_like(self.body[i][1])

    def title(self, i: int) -> bool:
        return (i < len(self.body) and not self.is_bullet(i) and _title_like(self.body[i][1])
                and not _icon_labels(self.body[i][1]))

    def bullet(self, lineno: int, line: str) -> None:
        """Add a bullet to the current list, nested under the last item when the page flattened a sub-list."""
        item_text = _BULLET.sub("", line).strip()
        item = Node("item", item_text, lineno, lineno, lead=text_lead(item_text))
        if self.current_list is None:
            self.current_list = Node("list", "", lineno, lineno)
            self.add(self.current_list)
        parent = self.current_list
        last = parent.children[-1] if parent.children else None
        if last is not None and last.children:
            if _shape(item_text) == _shape(last.children[0].text):
                parent = last
        elif last is not None and last.text.endswith(":"):
            parent = last
        if parent is not self.current_list:
            parent.attrs["nested"] = "inferred: the page flattens sub-lists"
        item.parent = parent
        parent.children.append(item)
        parent.end = self.current_list.end = lineno

    def titled(self, i: int, total: int) -> int:
        """Read the title line at I: a name/description pair, or a section; return the next line's index."""
        lineno, line = self.body[i]
        if self.prose(i + 1) and (self.pairs is not None or (self.title(i + 2) and self.prose(i + 3))):
            if self.pairs is None:
                self.pairs = Node("pairs", "", lineno, self.body[i + 1][0])
                self.add(self.pairs)
            pair = Node("pair", self.body[i + 1][1].strip(), lineno, self.body[i + 1][0], lead=line.strip(),
                        parent=self.pairs)
            self.pairs.children.append(pair)
            self.pairs.end = pair.end
            return i + 2
        self.pairs = None
        level = 1 if (self.title(i + 1) and (self.is_bullet(i + 2) or self.title(i + 2) or self.prose(i + 2))) else 2
        see_also = line.strip().lower() == "see also"
        self.open_section(Node("section", _clean_title(line), lineno, total, level=level,
                               attrs={"see_also": "true"} if see_also else {}))
        if see_also and not self.is_bullet(i + 1):
            self.outline.note(lineno, "'See also' section is empty")
        return i + 1

    def read(self, total: int) -> list[Node]:
        """The body's nodes, sections closing at TOTAL (the text's number of lines)."""
        i = 0
        while i < len(self.body):
            lineno, line = self.body[i]
            if _icon_labels(line):
                self.outline.note(lineno, "a line of icon labels (page furniture) dropped: " + line.strip()[:60])
                self.close_all(lineno)
                self.current_list = self.pairs = None
                i += 1
            elif self.is_bullet(i):
                self.bullet(lineno, line)
                i += 1
            elif self.title(i):
                self.current_list = None
                i = self.titled(i, total)
            else:
                self.current_list = self.pairs = None
                self.add(Node("paragraph", line.strip(), lineno, lineno, lead=text_lead(line.strip())))
                i += 1
        self.close_all(total + 1)
        return self.roots


def parse_text(text: str, seed: str, fmt: str) -> Outline:
    """Outline a plain-text web page or wiki article (headings inferred from line shapes)."""
    lines = split_lines(text)
    outline = Outline(seed, fmt, len(lines))
    rows = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip()]
    header, k = _header(rows, outline, fmt)
    outline.nodes = _Body(rows[k:], outline, header).read(len(lines))
    mark_duplicates(outline)
    assign_anchors(outline)
    return outline


def _shape(text: str) -> str:
    """How a list item ends: its closing punctuation, or '' (sibling items share it)."""
    t = text.rstrip()
    return t[-1] if t and t[-1] in ".?!:;" else ""


