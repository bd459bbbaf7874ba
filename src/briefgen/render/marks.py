"""Redline marks: the characters a marked-up copy of the content carries, turned into <ins>/<del> in the HTML.

A redline (build.redline) renders a document through the same templates from a copy of its blocks whose changed
statements hold these private-use characters around inserted and deleted words. No content may hold them (they are
private-use code points, and the copy never leaves the redline), so the HTML pass below is a no-op for every other
document. The pass turns them into <ins>/<del>, gives the block element holding a mark the class `changed` (the
change bar in the margin, templates/css/redline.css), strips them from attributes and from text that is not laid out
(the title, metadata), and adds the redline's stylesheet and first-page summary.
"""
from __future__ import annotations

import re

INS, INS_END, DEL, DEL_END, MARK = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
MARKS = (INS, INS_END, DEL, DEL_END, MARK)
_TAGS = {INS: "<ins>", INS_END: "</ins>", DEL: "<del>", DEL_END: "</del>", MARK: ""}
_ANY = re.compile("[" + "".join(MARKS) + "]")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
#: Elements a change bar is drawn beside: the innermost of these holding a mark.
_BARRED = {"li", "p", "blockquote", "dd", "dt", "figcaption", "td", "h1", "h2", "h3"}
#: Elements whose text is not laid out on the page.
_HIDDEN = {"title", "style", "script", "head"}


def has_marks(text: str) -> bool:
    return bool(_ANY.search(text))


def strip_marks(text: str) -> str:
    return _ANY.sub("", text)


def insert(text: str) -> str:
    return f"{INS}{text}{INS_END}"


def delete(text: str) -> str:
    return f"{DEL}{text}{DEL_END}"


def mark_words(words: list[tuple[str, str]]) -> str:
    """A word diff (editions.changes.word_diff) as marked text."""
    out = []
    for op, run in words:
        out.append(run if op == "=" else insert(run) if op == "+" else delete(run))
    return " ".join(out)


def _add_class(tag: str, name: str) -> str:
    match = re.search(r'\sclass="([^"]*)"', tag)
    if match:
        return tag[:match.start(1)] + f"{match[1]} {name}".strip() + tag[match.end(1):]
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:end]} class="{name}"{tag[end:]}'


def apply_marks(html: str, css: str = "", summary: str = "") -> str:
    """Turn the marks in HTML into <ins>/<del> with change bars; add CSS in the head and SUMMARY after the masthead."""
    if not has_marks(html) and not summary:
        return html
    out: list[str] = []
    open_blocks: list[tuple[str, int, bool]] = []  # element name, index in out, already barred
    hidden = 0
    for part in _TAG_OR_TEXT.split(html):
        if part.startswith("<"):
            name = part[1:].split(None, 1)[0].rstrip("/>").lower() if len(part) > 2 else ""
            closing = name.startswith("/")
            name = name.lstrip("/")
            if name in _HIDDEN and not part.endswith("/>"):
                hidden = max(0, hidden + (-1 if closing else 1))
            if name in _BARRED:
                if closing:
                    while open_blocks:
                        if open_blocks.pop()[0] == name:
                            break
                elif not part.endswith("/>"):
                    open_blocks.append((name, len(out), False))
            out.append(strip_marks(part))
            continue
        if hidden or not has_marks(part):
            out.append(strip_marks(part))
            continue
        if open_blocks and not open_blocks[-1][2]:
            name, index, _ = open_blocks[-1]
            out[index] = _add_class(out[index], "changed")
            open_blocks[-1] = (name, index, True)
        out.append(_ANY.sub(lambda m: _TAGS[m[0]], part))
    text = "".join(out)
    if css:
        text = text.replace("</head>", f"<style>{css}</style></head>", 1)
    if summary:
        head_end = text.find("</header>")
        at = head_end + len("</header>") if head_end >= 0 else text.find(">", text.find("<body")) + 1
        text = text[:at] + summary + text[at:]
    return text
