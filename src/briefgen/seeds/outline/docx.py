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


#: Bounds on a Word package, checked before it is parsed: members, inflated bytes in all and in one, paragraphs.
MAX_MEMBERS = 5_000
MAX_INFLATED = 200_000_000
MAX_MEMBER = 100_000_000
MAX_PARAGRAPHS = 50_000


def check_package(raw: bytes) -> None:
    """Refuse a .docx whose zip would inflate beyond the bounds (a zip bomb), from its directory, before reading."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DocxError(f"not a readable Word document ({exc.__class__.__name__}: {exc})") from None
    if len(infos) > MAX_MEMBERS:
        raise DocxError(f"the Word package holds {len(infos):,} parts (at most {MAX_MEMBERS:,})")
    total = sum(i.file_size for i in infos)
    big = max(infos, key=lambda i: i.file_size, default=None)
    if total > MAX_INFLATED or (big is not None and big.file_size > MAX_MEMBER):
        raise DocxError(f"the Word document would inflate to {total / 1e6:,.0f} MB ({big.filename if big else ''} "
                        f"alone {big.file_size / 1e6 if big else 0:,.0f} MB; at most {MAX_INFLATED // 1_000_000} MB):"
                        " not a document briefgen reads")


def _style_names(document: Any) -> tuple[dict[str, str], str]:
    """Style id -> name, and the default paragraph style's name: looked up once, not once per paragraph."""
    names, default = {}, ""
    for style in document.styles:
        try:
            names[style.style_id] = style.name or ""
            if getattr(style, "type", None) == 1 and style.element.get(W + "default") in ("1", "true"):
                default = style.name or ""
        except (KeyError, AttributeError, ValueError):
            continue
    return names, default


def _style_of(element: Any, names: dict[str, str], default: str) -> str:
    props = element.find(W + "pPr")
    ref = props.find(W + "pStyle") if props is not None else None
    value = ref.get(W + "val") if ref is not None else None
    return names.get(value, "") if value else default


#: Run sizes (w:sz, half-points) below this are not text a reader reads (4 pt).
MIN_HALF_POINTS = 8
_OFF = ("0", "false", "off")


def _on(prop: Any) -> bool:
    return prop is not None and (prop.get(W + "val") or "true").lower() not in _OFF


def hidden_run(run: Any) -> bool:
    """Whether a run is hidden from a reader: vanish or webHidden, white text, or under 4 pt."""
    props = run.find(W + "rPr") if run is not None else None
    if props is None:
        return False
    if _on(props.find(W + "vanish")) or _on(props.find(W + "webHidden")) or _on(props.find(W + "specVanish")):
        return True
    colour = props.find(W + "color")
    if colour is not None and (colour.get(W + "val") or "").upper() in ("FFFFFF", "FFFFFE", "FEFEFE"):
        return True
    size = props.find(W + "sz")
    value = size.get(W + "val") if size is not None else None
    return bool(value and value.isdigit() and int(value) < MIN_HALF_POINTS)


def _text(element: Any) -> str:
    """Plain text of a paragraph element: runs, tabs and breaks, footnote calls and hidden runs left out."""
    out = []
    for node in element.iter():
        if node.tag in (W + "t", W + "tab", W + "br", W + "cr") and node.getparent() is not None \
                and node.getparent().tag == W + "r" and hidden_run(node.getparent()):
            continue
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


def _open(raw: bytes) -> tuple[Any, dict[str, str]]:
    """The Word document in RAW and its footnotes (id -> text); DocxError when it cannot be read."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    check_package(raw)
    try:
        document = docx.Document(io.BytesIO(raw))
        return document, _footnotes(document)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise DocxError(f"not a readable Word document ({exc.__class__.__name__}: {exc})") from None


def _properties(document: Any, raw: bytes) -> dict[str, Any]:
    """The document's core properties that name it, and the Company of its app properties."""
    props = document.core_properties
    front: dict[str, Any] = {}
    for key in ("title", "author", "subject", "keywords", "created", "identifier"):
        value = getattr(props, key, None)
        if value:
            front[key] = value
    company = _company(raw)
    if company:
        front["company"] = company
    return front


def _table_rows(element: Any, document: Any) -> list[list[str]]:
    """The text of each non-empty row of the table ELEMENT, a merged cell once."""
    from docx.table import Table

    rows = []
    for row in Table(element, document).rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(re.sub(r"\s+", " ", cell.text).strip())
        if any(cells):
            rows.append(cells)
    return rows


class _Body:
    """The document's body as lines of a text rendition (one per block) and the outline nodes over them."""

    def __init__(self, document: Any, outline: Outline, notes: dict[str, str]) -> None:
        self.document = document
        self.outline = outline
        self.notes = notes
        self.lines: list[str] = []
        self.add, self.open_section, self.close_all, self.roots, _ = section_stack_builder()
        self.current_list: Node | None = None
        self.tables = 0
        self.called: list[str] = []
        paragraphs = document.element.body.findall(W + "p")
        if len(paragraphs) > MAX_PARAGRAPHS:
            raise DocxError(f"the Word document has {len(paragraphs):,} paragraphs (at most {MAX_PARAGRAPHS:,})")
        self.names, self.default = _style_names(document)
        # Headings sit one level below a Title, when the document has one.
        self.titled = int(any(_style_of(p, self.names, self.default).lower() == "title" for p in paragraphs))

    def emit(self, text: str) -> int:
        self.lines.append(text)
        return len(self.lines)

    def paragraph(self, child: Any) -> None:
        """A heading opens a section; a list paragraph joins the current list; others are paragraphs or quotes."""
        text = _text(child)
        calls = _footnote_calls(child)
        self.called.extend(c for c in calls if c in self.notes and c not in self.called)
        if not text:
            return
        style = _style_of(child, self.names, self.default)
        heading = _HEADING.match(style)
        level = 1 if style.lower() == "title" else int(heading.group(1)) + self.titled if heading else 0
        if level:
            self.current_list = None
            n = self.emit(text)
            if self.outline.title is None and (style.lower() == "title" or level == 1):
                self.outline.title = text
            self.open_section(Node("section", text, n, n, level=level, attrs={"style": style}))
            return
        attrs = {"style": style} if style and style != "Normal" else {}
        if calls:
            attrs["footnotes"] = ",".join(str(self.called.index(c) + 1) for c in calls if c in self.called)
        if style.lower().startswith("list") or child.find(f"{W}pPr/{W}numPr") is not None:
            n = self.emit(text)
            if self.current_list is None:
                self.current_list = Node("list", "", n, n, attrs={"ordered": str("number" in style.lower())})
                self.add(self.current_list)
            self.current_list.children.append(Node("item", text, n, n, parent=self.current_list, attrs=attrs))
            self.current_list.end = n
            return
        self.current_list = None
        n = self.emit(text)
        self.add(Node("quote" if "quote" in style.lower() else "paragraph", text, n, n, attrs=attrs))

    def table(self, child: Any) -> None:
        self.current_list = None
        rows = _table_rows(child, self.document)
        if not rows:
            return
        self.tables += 1
        node = Node("table", " | ".join(rows[0]), len(self.lines) + 1, len(self.lines) + len(rows),
                    attrs={"number": str(self.tables), "columns": str(len(rows[0]))})
        for i, cells in enumerate(rows, start=1):
            n = self.emit(" | ".join(cells))
            node.children.append(Node("row", " | ".join(cells), n, n, parent=node, attrs={"number": str(i)}))
        self.add(node)

    def footnotes(self) -> None:
        """The footnotes called in the text, in the order they are called, as a last section."""
        n0 = len(self.lines) + 1
        section = Node("section", "Footnotes", n0, n0, level=1,
                       attrs={"pseudo": "footnotes", "about": "the document's footnotes, in the order they are called"})
        self.add(section)
        for number, fid in enumerate(self.called, start=1):
            n = self.emit(self.notes[fid])
            section.children.append(Node("footnote", self.notes[fid], n, n, parent=section,
                                         attrs={"number": str(number)}))
        section.end = len(self.lines)

    def read(self) -> list[Node]:
        for child in self.document.element.body.iterchildren():
            if child.tag == W + "p":
                self.paragraph(child)
            elif child.tag == W + "tbl":
                self.table(child)
        self.close_all(len(self.lines) + 1)
        if self.called:
            self.footnotes()
        return self.roots


def read_docx(raw: bytes, seed: str) -> tuple[str, Outline]:
    """Return the text rendition of a .docx file and its outline."""
    document, notes = _open(raw)
    outline = Outline(seed, "docx", 0)
    front = _properties(document, raw)
    outline.front_matter = front
    outline.running = _running(document)
    body = _Body(document, outline, notes)
    outline.nodes = body.read()
    if outline.title is None and front.get("title"):
        outline.title = str(front["title"])
    outline.line_count = len(body.lines)
    mark_duplicates(outline)
    assign_anchors(outline)
    return "\n".join(body.lines) + "\n", outline
