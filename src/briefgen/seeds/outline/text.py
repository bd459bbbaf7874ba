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

    add, open_section, close_all, roots, stack = section_stack_builder()
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
            item = Node("item", item_text, lineno, lineno, lead=text_lead(item_text))
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
        add(Node("paragraph", line.strip(), lineno, lineno, lead=text_lead(line.strip())))
        i += 1
    close_all(len(lines) + 1)
    outline.nodes = roots
    mark_duplicates(outline)
    assign_anchors(outline)
    return outline


def _shape(text: str) -> str:
    """How a list item ends: its closing punctuation, or '' (sibling items share it)."""
    t = text.rstrip()
    return t[-1] if t and t[-1] in ".?!:;" else ""


