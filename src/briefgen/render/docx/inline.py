"""Prose to Word runs: Markdown emphasis, code and links as run formatting; redline marks as w:ins/w:del."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn
from lxml import etree
from markdown_it import MarkdownIt
from markupsafe import Markup

from briefgen.render.docx.package import w
from briefgen.render.marks import DEL, DEL_END, INS, INS_END, MARK

_md = MarkdownIt("js-default", {"typographer": True, "html": False, "linkify": False})
_md.disable(["image"])
_MARKS = re.compile(f"([{INS}{INS_END}{DEL}{DEL_END}{MARK}])")


@dataclass
class Revision:
    """Who a tracked change is by and when, and the running id counter of a document's revisions."""

    author: str = "briefgen"
    date: str = "1980-01-01T00:00:00Z"
    next_id: list[int] = field(default_factory=lambda: [1000])

    def new_id(self) -> str:
        self.next_id[0] += 1
        return str(self.next_id[0])


class Runs:
    """Appends text runs to one paragraph element, tracking the redline state (inside an insertion or a deletion)."""

    def __init__(self, paragraph, revision: Revision | None = None) -> None:  # noqa: ANN001 - python-docx Paragraph
        self.p = paragraph._p
        self.revision = revision
        self.state = ""  # "", "ins" or "del"

    def text(self, text: str, *, bold: bool = False, italic: bool = False, code: bool = False,
             style: str | None = None) -> None:
        """Add TEXT (which may hold redline marks) as runs with the given formatting."""
        for part in _MARKS.split(text):
            if part in (INS, DEL):
                self.state = "ins" if part == INS else "del"
            elif part in (INS_END, DEL_END):
                self.state = ""
            elif part == MARK or not part:
                continue
            else:
                self._run(part, bold, italic, code, style)

    def _run(self, text: str, bold: bool, italic: bool, code: bool, style: str | None) -> None:
        r = etree.Element(w("r"))
        rpr = etree.SubElement(r, w("rPr"))
        if style:
            etree.SubElement(rpr, w("rStyle"), {w("val"): style})
        if code:
            etree.SubElement(rpr, w("rFonts"), {w("ascii"): "Courier New", w("hAnsi"): "Courier New"})
        if bold:
            etree.SubElement(rpr, w("b"))
        if italic:
            etree.SubElement(rpr, w("i"))
        if not len(rpr):
            r.remove(rpr)
        t = etree.SubElement(r, w("delText" if self.state == "del" else "t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        if self.state and self.revision is not None:
            wrap = etree.SubElement(self.p, w(self.state), {w("id"): self.revision.new_id(),
                                                            w("author"): self.revision.author,
                                                            w("date"): self.revision.date})
            wrap.append(r)
        else:
            self.p.append(r)

    def markdown(self, source: str, *, inline_only: bool = True) -> None:
        """Add Markdown SOURCE's inline content (emphasis, strong, code, link text) as runs."""
        tokens = _md.parseInline(source) if inline_only else _md.parse(source)
        bold = italic = False
        for tok in tokens:
            for child in tok.children or ():
                if child.type == "strong_open":
                    bold = True
                elif child.type == "strong_close":
                    bold = False
                elif child.type == "em_open":
                    italic = True
                elif child.type == "em_close":
                    italic = False
                elif child.type == "code_inline":
                    self.text(child.content, bold=bold, italic=italic, code=True)
                elif child.type in ("softbreak", "hardbreak"):
                    self.text(" ", bold=bold, italic=italic)
                elif child.type == "text":
                    self.text(child.content, bold=bold, italic=italic)

    def markup(self, value: Markup | str) -> None:
        """Add a note's Markup (`<cite>` titles in italics, other tags dropped) as runs."""
        for part in re.split(r"(<cite>.*?</cite>)", str(value)):
            if part.startswith("<cite>"):
                self.text(html.unescape(re.sub(r"<[^>]+>", "", part)), italic=True)
            elif part:
                self.text(html.unescape(re.sub(r"<[^>]+>", "", part)))


def paragraphs_of(source: str) -> list[str]:
    """A prose field's Markdown split into its paragraphs (each then added with Runs.markdown)."""
    return [p.strip() for p in re.split(r"\n\s*\n", source.strip()) if p.strip()] or [""]


__all__ = ["Revision", "Runs", "paragraphs_of", "qn"]
