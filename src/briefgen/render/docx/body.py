"""A document's body in Word: the masthead block, the audience's sections in order, statements tagged with their
ids, and every citation a footnote (a passage cited again points back to its footnote, as the PDF reuses a note)."""
from __future__ import annotations

import dataclasses
import io
from typing import Any, Callable

from docx.shared import Inches, Pt
from lxml import etree
from markupsafe import Markup

from briefgen.content.model import SourceRef, as_list
from briefgen.render.docx.figures import alt_text, bar_chart_png
from briefgen.render.docx.ids import StatementId
from briefgen.render.docx.inline import Revision, Runs, paragraphs_of
from briefgen.render.docx.package import footnotes_root, w
from briefgen.render.notes import Notes

#: Character style of note references; runs in it are never part of a statement's wording.
NOTE_REF = "FootnoteReference"
#: Character style of an example's figure, shown before its text but a field of its own.
FIGURE_VALUE = "Strong"
_BOOKMARK = "_RefNote{0}"


class Body:
    """Writes into one python-docx Document: headings, tagged statements, lists, tables, figures and footnotes."""

    def __init__(self, document, colours: dict[str, str], revision: Revision | None = None) -> None:  # noqa: ANN001
        self.doc = document
        self.colours = colours
        self.revision = revision
        self.footnotes = footnotes_root()
        self.notes: Notes | None = None
        self._footnoted: dict[int, int] = {}  # note number -> footnote id, in the current notes
        self._next_footnote = 1
        self._next_bookmark = 1
        self._next_sdt = 0
        self._figures = 0
        self.ids: list[str] = []

    # --- paragraphs -------------------------------------------------------------------------------------------
    def heading(self, text: str, level: int) -> None:
        p = self.doc.add_paragraph(style=f"Heading {level}")
        Runs(p, self.revision).text(text)

    def paragraph(self, text: str = "", style: str | None = None, *, markdown: bool = False):  # noqa: ANN201
        p = self.doc.add_paragraph(style=style)
        runs = Runs(p, self.revision)
        runs.markdown(text) if markdown else runs.text(text)
        return p

    def statement(self, sid: StatementId | None, source: str, cites: Any, style: str | None = None,
                  *, quote: bool = False, lead: str | None = None, container=None) -> None:  # noqa: ANN001
        """Add a sourced statement: its paragraph(s) tagged with SID (a content control), then its note references."""
        target = container if container is not None else self.doc
        paras = [source] if quote else paragraphs_of(source)
        made = []
        for n, text in enumerate(paras):
            p = target.add_paragraph(style=style)
            runs = Runs(p, self.revision)
            if lead and n == 0:
                runs.text(lead + " ", bold=True, style=FIGURE_VALUE)
            if quote:
                runs.text("\u201c")
                runs.text(text)
                runs.text("\u201d")
            else:
                runs.markdown(text)
            made.append(p)
        self.cite(made[-1], cites)
        if sid is not None and sid.tag not in self.ids:  # shown twice (a book's linked recommendation): tag the first
            self._tag(made, sid)

    def _tag(self, paragraphs: list, sid: StatementId) -> None:
        """Wrap each paragraph's wording (not its note references) in an inline content control tagged with the
        statement id (what `review` reads back). Inline, not around the paragraph: LibreOffice drops the text of a
        paragraph-level control that holds a footnote."""
        for p in paragraphs:
            p = p._p
            sdt = etree.Element(w("sdt"))
            pr = etree.SubElement(sdt, w("sdtPr"))
            etree.SubElement(pr, w("alias"), {w("val"): sid.what})
            etree.SubElement(pr, w("tag"), {w("val"): sid.tag})
            self._next_sdt += 1  # unique per control (a statement of two paragraphs has two)
            etree.SubElement(pr, w("id"), {w("val"): str(self._next_sdt)})
            content = etree.SubElement(sdt, w("sdtContent"))
            words = []
            for child in p:
                if child.tag == w("pPr"):
                    continue
                if _is_note_ref(child):
                    break
                words.append(child)
            anchor = p.find(w("pPr"))
            if anchor is not None:
                anchor.addnext(sdt)
            else:
                p.insert(0, sdt)
            for child in words:
                content.append(child)
        self.ids.append(sid.tag)

    def bullets(self, items: list[tuple[StatementId | None, str, Any]], numbered: bool = False) -> None:
        for sid, text, cites in items:
            self.statement(sid, text, cites, "List Number" if numbered else "List Bullet")

    # --- notes ------------------------------------------------------------------------------------------------
    def use_notes(self, notes: Notes) -> None:
        """Number the following citations with NOTES (a document, or one book chapter)."""
        self.notes = notes
        self._footnoted = {}

    def cite(self, paragraph, refs: SourceRef | list[SourceRef] | None) -> None:  # noqa: ANN001
        """Add note references for REFS to PARAGRAPH: a footnote the first time a note is cited, else a NOTEREF
        field showing the first footnote's number."""
        if self.notes is None:
            return
        numbers = sorted({self.notes.number(r) for r in as_list(refs)})
        p = paragraph._p
        for i, number in enumerate(numbers):
            if i:
                p.append(_run(",", NOTE_REF))
            if number in self._footnoted:
                p.append(self._noteref(number))
            else:
                self._footnote(p, number)

    def _footnote(self, p: etree._Element, number: int) -> None:
        fid = self._next_footnote
        self._next_footnote += 1
        self._footnoted[number] = fid
        bid = str(self._next_bookmark)
        self._next_bookmark += 1
        name = _BOOKMARK.format(fid)
        p.append(etree.Element(w("bookmarkStart"), {w("id"): bid, w("name"): name}))
        r = _run(None, NOTE_REF)
        etree.SubElement(r, w("footnoteReference"), {w("id"): str(fid)})
        p.append(r)
        p.append(etree.Element(w("bookmarkEnd"), {w("id"): bid}))
        # As the PDF prints it: the first note on a source in full, later ones short (notes so far decide).
        self._note_text(fid, self.notes.forms()[number])

    def _note_text(self, fid: int, citation: Markup) -> None:
        fn = etree.SubElement(self.footnotes, w("footnote"), {w("id"): str(fid)})
        fp = etree.SubElement(fn, w("p"))
        ppr = etree.SubElement(fp, w("pPr"))
        etree.SubElement(ppr, w("pStyle"), {w("val"): "FootnoteText"})
        ref = _run(None, NOTE_REF)
        etree.SubElement(ref, w("footnoteRef"))
        fp.append(ref)
        fp.append(_run(" "))

        class _P:  # Runs wants a python-docx paragraph; it only uses ._p
            _p = fp
        Runs(_P()).markup(citation)

    def _noteref(self, number: int) -> etree._Element:
        fid = self._footnoted[number]
        fld = etree.Element(w("fldSimple"), {w("instr"): f" NOTEREF {_BOOKMARK.format(fid)} \\f \\h "})
        fld.append(_run(str(fid), NOTE_REF))
        return fld

    @property
    def footnote_count(self) -> int:
        return self._next_footnote - 1

    # --- tables and figures -----------------------------------------------------------------------------------
    def table(self, rows: list[tuple[str, Callable[[Any], None]]], caption: str | None = None) -> None:
        """A two-column table: a label, and a cell the callback fills (text with its note references)."""
        if caption:
            self.paragraph(caption, "Caption")
        table = self.doc.add_table(rows=0, cols=2)
        table.style = self.doc.styles["Table Grid"]
        widths = (Inches(1.6), Inches(5.1))  # a narrow label column, the text column the rest of the measure
        for label, fill in rows:
            cells = table.add_row().cells
            cells[0].paragraphs[0].add_run(label).bold = True
            for cell, width in zip(cells, widths):
                cell.width = width
            fill(cells[1])
        for col, width in zip(table._tbl.tblGrid.findall(w("gridCol")), widths):
            col.set(w("w"), str(int(width.twips)))
        _header_none(table)

    def figure(self, figure: Any, number: int, source: list[tuple[str, int]]) -> None:
        """A data figure: the bar chart as a picture with alt text, its caption, unit and source line."""
        self._figures += 1
        png = bar_chart_png(figure, self.colours)
        self.doc.add_picture(io.BytesIO(png), width=Inches(5.5))
        pic = self.doc.paragraphs[-1]._p
        for doc_pr in pic.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"):
            doc_pr.set("descr", alt_text(figure))
            doc_pr.set("title", f"Figure {number}. {figure.title}")
            doc_pr.set("name", f"Figure {number}")
        self.paragraph(f"Figure {number}. {figure.title}", "Caption")
        self.paragraph(f"Values in {figure.unit}." + (f" {figure.note}" if figure.note else ""), "Caption")
        line = "; ".join(f"{title}, note {n}" for title, n in source)
        self.paragraph(f"Source: {line}.", "Caption")
        for row in figure.items:  # the values as text too, for readers and reviewers who do not see the picture
            p = self.doc.add_paragraph(style="Caption")
            Runs(p, self.revision).text(f"{row.label}: {row.value}")
            self.cite(p, row.cite)


def _run(text: str | None, style: str | None = None) -> etree._Element:
    r = etree.Element(w("r"))
    if style:
        rpr = etree.SubElement(r, w("rPr"))
        etree.SubElement(rpr, w("rStyle"), {w("val"): style})
    if text is not None:
        t = etree.SubElement(r, w("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def _is_note_ref(el: etree._Element) -> bool:
    """Whether EL belongs to a note reference (its bookmark, a NOTEREF field, a reference run or separator)."""
    if el.tag in (w("bookmarkStart"), w("bookmarkEnd"), w("fldSimple")):
        return True
    style = el.find(f"{w('rPr')}/{w('rStyle')}")
    return style is not None and style.get(w("val")) == NOTE_REF


def _header_none(table) -> None:  # noqa: ANN001
    """Tables here have no header row: a label column instead (firstColumn on, firstRow off)."""
    tblpr = table._tbl.tblPr
    look = tblpr.find(w("tblLook"))
    if look is None:
        look = etree.SubElement(tblpr, w("tblLook"))
    for key, value in (("firstRow", "0"), ("firstColumn", "1"), ("lastRow", "0"), ("lastColumn", "0"),
                       ("noHBand", "1"), ("noVBand", "1"), ("val", "0120")):
        look.set(w(key), value)


def original_index(block: Any) -> dict[int, tuple[str, int]]:
    """Each listed record of BLOCK (as read from its file) by identity -> its field and 1-based index there."""
    out = {}
    for f in dataclasses.fields(block):
        value = getattr(block, f.name)
        if isinstance(value, list):
            for i, item in enumerate(value, start=1):
                out[id(item)] = (f.name, i)
    return out


__all__ = ["Body", "NOTE_REF", "FIGURE_VALUE", "Pt", "original_index"]
