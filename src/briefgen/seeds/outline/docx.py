"""Read Word documents (.docx) with python-docx into a text rendition (one line per block) and its outline.

Headings come from paragraph styles (Title, Heading N), list items from list styles or numbering, block quotes from
the Quote styles; tables become table nodes with one line per row; footnotes are gathered at the end; the core
properties (title, author, dates) become the outline's front matter.
"""
from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from briefgen.seeds.outline.anchors import assign_anchors
from briefgen.seeds.outline.model import Node, Outline, mark_duplicates, section_stack_builder

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING = re.compile(r"^heading\s*(\d)$", re.I)


class DocxError(ValueError):
    """A .docx that cannot be read as a seed; the message says why."""


def _style(paragraph: Any) -> str:
    try:
        return (paragraph.style.name or "") if paragraph.style is not None else ""
    except (KeyError, AttributeError):
        return ""


def _text(element: Any) -> str:
    """Plain text of a paragraph element: runs, tabs and breaks, footnote calls left out."""
    out = []
    for node in element.iter():
        if node.tag == W + "t":
            out.append(node.text or "")
        elif node.tag in (W + "tab", W + "br", W + "cr"):
            out.append(" ")
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _footnote_calls(element: Any) -> list[str]:
    return [ref.get(W + "id") for ref in element.iter(W + "footnoteReference") if ref.get(W + "id")]


def _footnotes(document: Any) -> dict[str, str]:
    """Footnote id -> text, from the document's footnotes part (ids 0 and -1 are Word's separators)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    out: dict[str, str] = {}
    for rel in document.part.rels.values():
        if rel.reltype != RT.FOOTNOTES or rel.is_external:
            continue
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(rel.target_part.blob, parser)
        for note in root.iter(W + "footnote"):
            fid = note.get(W + "id")
            if fid is None or note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            text = " ".join(t for t in (_text(p) for p in note.iter(W + "p")) if t)
            if text:
                out[fid] = text
    return out


def _company(raw: bytes) -> str:
    """The Company field of docProps/app.xml, where Word records the publishing organisation."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            data = zf.read("docProps/app.xml")
    except (KeyError, zipfile.BadZipFile):
        return ""
    m = re.search(rb"<(?:\w+:)?Company>([^<]*)</(?:\w+:)?Company>", data)
    return m.group(1).decode("utf-8", "replace").strip() if m else ""


def _running(document: Any) -> list[str]:
    """The text of the sections' headers and footers (page fields and numbers aside)."""
    out: list[str] = []
    for section in document.sections:
        for part in (section.header, section.footer):
            if part is None or part.is_linked_to_previous and out:
                continue
            for para in part.paragraphs:
                text = re.sub(r"\s*\b(?:page\s+)?\d+(?:\s+of\s+\d+)?\s*$", "", para.text.strip(), flags=re.I).strip()
                if text and text not in out:
                    out.append(text)
    return out


def read_docx(raw: bytes, seed: str) -> tuple[str, Outline]:
    """Return the text rendition of a .docx file and its outline."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(raw))
        notes = _footnotes(document)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise DocxError(f"not a readable Word document ({exc.__class__.__name__}: {exc})") from None
    outline = Outline(seed, "docx", 0)
    props = document.core_properties
    front: dict[str, Any] = {}
    for key in ("title", "author", "subject", "keywords", "created", "identifier"):
        value = getattr(props, key, None)
        if value:
            front[key] = value
    company = _company(raw)
    if company:
        front["company"] = company
    outline.front_matter = front
    outline.running = _running(document)

    lines: list[str] = []
    add, open_section, close_all, roots, stack = section_stack_builder()
    state: dict[str, Any] = {"list": None, "tables": 0}
    called: list[str] = []
    titled = int(any(_style(p).lower() == "title" for p in document.paragraphs))  # headings sit below a Title

    def emit(text: str) -> int:
        lines.append(text)
        return len(lines)

    for child in document.element.body.iterchildren():
        if child.tag == W + "p":
            para = Paragraph(child, document)
            text = _text(child)
            calls = _footnote_calls(child)
            called.extend(c for c in calls if c in notes and c not in called)
            if not text:
                continue
            style = _style(para)
            heading = _HEADING.match(style)
            level = 1 if style.lower() == "title" else int(heading.group(1)) + titled if heading else 0
            if level:
                state["list"] = None
                n = emit(text)
                if outline.title is None and (style.lower() == "title" or level == 1):
                    outline.title = text
                open_section(Node("section", text, n, n, level=level, attrs={"style": style}))
                continue
            attrs = {"style": style} if style and style != "Normal" else {}
            if calls:
                attrs["footnotes"] = ",".join(str(called.index(c) + 1) for c in calls if c in called)
            numbered = child.find(f"{W}pPr/{W}numPr") is not None
            if style.lower().startswith("list") or numbered:
                n = emit(text)
                lst = state["list"]
                if lst is None:
                    lst = Node("list", "", n, n, attrs={"ordered": str("number" in style.lower())})
                    add(lst)
                    state["list"] = lst
                lst.children.append(Node("item", text, n, n, parent=lst, attrs=attrs))
                lst.end = n
                continue
            state["list"] = None
            kind = "quote" if "quote" in style.lower() else "paragraph"
            n = emit(text)
            add(Node(kind, text, n, n, attrs=attrs))
        elif child.tag == W + "tbl":
            state["list"] = None
            table = Table(child, document)
            rows = []
            for row in table.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is listed once per column it spans
                        continue
                    seen.add(id(cell._tc))
                    cells.append(re.sub(r"\s+", " ", cell.text).strip())
                if any(cells):
                    rows.append(cells)
            if not rows:
                continue
            state["tables"] += 1
            node = Node("table", " | ".join(rows[0]), len(lines) + 1, len(lines) + len(rows),
                        attrs={"number": str(state["tables"]), "columns": str(len(rows[0]))})
            for i, cells in enumerate(rows, start=1):
                n = emit(" | ".join(cells))
                node.children.append(Node("row", " | ".join(cells), n, n, parent=node, attrs={"number": str(i)}))
            add(node)
    close_all(len(lines) + 1)
    if called:
        n0 = len(lines) + 1
        section = Node("section", "Footnotes", n0, n0, level=1,
                       attrs={"pseudo": "footnotes", "about": "the document's footnotes, in the order they are called"})
        add(section)
        for number, fid in enumerate(called, start=1):
            n = emit(notes[fid])
            section.children.append(Node("footnote", notes[fid], n, n, parent=section, attrs={"number": str(number)}))
        section.end = len(lines)
    if outline.title is None and front.get("title"):
        outline.title = str(front["title"])
    outline.nodes = roots
    outline.line_count = len(lines)
    mark_duplicates(outline)
    assign_anchors(outline)
    return "\n".join(lines) + "\n", outline

