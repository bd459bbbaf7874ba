"""The Word package around the body: footnotes and custom-properties parts, core properties, reproducible zip bytes."""
from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from xml.sax.saxutils import escape as xml_escape

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W}
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
#: The fmtid every user-defined custom property carries.
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def build_time() -> dt.datetime:
    """SOURCE_DATE_EPOCH's instant when set (reproducible builds), else 1980-01-01, the zip format's first date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(max(int(epoch), 315532800), tz=dt.timezone.utc)
    return dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)


def footnotes_root() -> etree._Element:
    """An empty footnotes part: the separator (-1) and continuation separator (0) Word requires."""
    # The relationships namespace is declared as Word declares it: readers (docx2python) look it up on the root.
    root = etree.Element(w("footnotes"), nsmap={"w": W, "r": R})
    for fid, kind, mark in (("-1", "separator", "separator"), ("0", "continuationSeparator",
                                                                  "continuationSeparator")):
        note = etree.SubElement(root, w("footnote"), {w("type"): kind, w("id"): fid})
        p = etree.SubElement(note, w("p"))
        ppr = etree.SubElement(p, w("pPr"))
        etree.SubElement(ppr, w("spacing"), {w("after"): "0", w("line"): "240", w("lineRule"): "auto"})
        etree.SubElement(etree.SubElement(p, w("r")), w(mark))
    return root


def add_footnotes(document, root: etree._Element) -> None:  # noqa: ANN001 - docx.Document
    """Attach the footnotes part ROOT to DOCUMENT and point settings at its separators."""
    part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT,
                etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    settings = document.settings.element
    pr = settings.find(w("footnotePr"))
    if pr is None:
        pr = etree.Element(w("footnotePr"))
        # CT_Settings orders its children; footnotePr goes before compat, which the default template has.
        compat = settings.find(w("compat"))
        if compat is not None:
            compat.addprevious(pr)
        else:
            settings.append(pr)
    for fid in ("-1", "0"):
        etree.SubElement(pr, w("footnote"), {w("id"): fid})


def add_custom_properties(document, props: dict[str, str]) -> None:  # noqa: ANN001 - docx.Document
    """Write PROPS as the document's custom properties (File > Properties > Custom), text values."""
    rows = "".join(f'<property fmtid="{_FMTID}" pid="{pid}" name="{xml_escape(name, {chr(34): "&quot;"})}">'
                   f"<vt:lpwstr>{xml_escape(value)}</vt:lpwstr></property>"
                   for pid, (name, value) in enumerate(sorted(props.items()), start=2))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{_CUSTOM}" '
           f'xmlns:vt="{_VT}">{rows}</Properties>').encode("utf-8")
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_CT, xml, package)
    package.relate_to(part, CUSTOM_RT)


def read_custom_properties(data: bytes) -> dict[str, str]:
    """The custom properties of a .docx (empty when it has none)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        try:
            info = z.getinfo("docProps/custom.xml")
            if info.file_size > 1024 * 1024:
                return {}
            root = etree.fromstring(z.read(info), etree.XMLParser(resolve_entities=False, no_network=True))
        except KeyError:
            return {}
    out = {}
    for prop in root.findall(f"{{{_CUSTOM}}}property"):
        value = next(iter(prop), None)
        out[prop.get("name", "")] = (value.text or "") if value is not None else ""
    return out


def set_app(document, application: str, company: str) -> None:  # noqa: ANN001 - docx.Document
    """Extended properties saying what made the file (the default package claims Word for Mac and one page)."""
    part = next((p for p in document.part.package.iter_parts() if str(p.partname) == "/docProps/app.xml"), None)
    if part is None:
        return
    part._blob = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
                  'openxmlformats.org/officeDocument/2006/extended-properties"><Application>'
                  f"{xml_escape(application)}</Application><Company>{xml_escape(company)}</Company>"
                  "<DocSecurity>0</DocSecurity></Properties>").encode("utf-8")


def set_core(document, *, title: str, author: str, subject: str, keywords: str,  # noqa: ANN001 - docx.Document
             when: dt.datetime, language: str = "en-US") -> None:
    """Core properties: what a file browser and Word's Info pane show; dates fixed (never the build's clock)."""
    core = document.core_properties
    core.title, core.author, core.subject, core.keywords = (_fit(x) for x in (title, author, subject, keywords))
    core.last_modified_by = author
    core.language = language
    core.created = core.modified = when.replace(tzinfo=None)
    core.last_printed = when.replace(tzinfo=None)
    core.revision = 1
    core.comments = ""


def _fit(text: str, limit: int = 255) -> str:
    """TEXT within a core property's 255 characters, cut at a word with an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "\u2026"


def reproducible(data: bytes, when: dt.datetime) -> bytes:
    """DATA's zip entries rewritten in name order with WHEN as every timestamp: the same inputs, the same bytes."""
    stamp = when.astimezone(dt.timezone.utc).timetuple()[:6]
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    # [Content_Types].xml first: some readers expect it there.
    order = sorted(names, key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()
