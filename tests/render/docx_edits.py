"""A reviewer's edits written into a .docx with lxml, as Word writes them: tracked changes, comments, plain edits."""
from __future__ import annotations

import io
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
WHEN = "2026-12-02T09:30:00Z"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _t(parent: etree._Element, text: str, tag: str = "t") -> etree._Element:
    r = etree.SubElement(parent, w("r"))
    t = etree.SubElement(r, w(tag))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


class Reviewed:
    """A .docx opened for editing: its document XML, comments, and the other parts kept as they are."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.root = etree.fromstring(self.zip.read("word/document.xml"))
        self.comments = etree.Element(w("comments"), nsmap={"w": W})

    def content(self, tag: str) -> etree._Element:
        """The content control (its w:sdtContent) of the statement TAG."""
        sdt = next(t for t in self.root.iter(w("tag")) if t.get(w("val")) == tag).getparent().getparent()
        return sdt.find(w("sdtContent"))

    def text(self, tag: str) -> str:
        return "".join(t.text or "" for t in self.content(tag).iter(w("t")))

    def _replace_runs(self, tag: str) -> tuple[etree._Element, str]:
        content = self.content(tag)
        text = self.text(tag)
        for child in list(content):
            content.remove(child)
        return content, text

    def track_change(self, tag: str, old: str, new: str, author: str) -> None:
        """Replace OLD with NEW in statement TAG as a tracked deletion and insertion by AUTHOR."""
        content, text = self._replace_runs(tag)
        head, _, tail = text.partition(old)
        _t(content, head)
        d = etree.SubElement(content, w("del"), {w("id"): "901", w("author"): author, w("date"): WHEN})
        _t(d, old, "delText")
        i = etree.SubElement(content, w("ins"), {w("id"): "902", w("author"): author, w("date"): WHEN})
        _t(i, new)
        _t(content, tail)

    def edit(self, tag: str, old: str, new: str) -> None:
        """Replace OLD with NEW in statement TAG without tracking."""
        content, text = self._replace_runs(tag)
        _t(content, text.replace(old, new))

    def comment(self, tag: str, text: str, author: str) -> None:
        """Anchor a comment by AUTHOR on statement TAG."""
        content = self.content(tag)
        cid = str(len(self.comments))
        content.insert(0, etree.Element(w("commentRangeStart"), {w("id"): cid}))
        content.append(etree.Element(w("commentRangeEnd"), {w("id"): cid}))
        ref = etree.SubElement(content, w("r"))
        etree.SubElement(ref, w("commentReference"), {w("id"): cid})
        c = etree.SubElement(self.comments, w("comment"), {w("id"): cid, w("author"): author, w("date"): WHEN,
                                                            w("initials"): author[:2]})
        _t(etree.SubElement(c, w("p")), text)

    def add_paragraph_after(self, tag: str, text: str) -> None:
        """A new paragraph the reviewer typed after statement TAG's paragraph."""
        p = next(a for a in self.content(tag).iterancestors(w("p")))
        new = etree.Element(w("p"))
        _t(new, text)
        p.addnext(new)

    def save(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name in self.zip.namelist():
                data = self.zip.read(name)
                if name == "word/document.xml":
                    data = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
                elif name == "[Content_Types].xml" and len(self.comments):
                    data = data.replace(b"</Types>", b'<Override PartName="/word/comments.xml" ContentType="'
                                        + CT.encode() + b'"/></Types>')
                elif name == "word/_rels/document.xml.rels" and len(self.comments):
                    data = data.replace(b"</Relationships>", b'<Relationship Id="rIdReview1" Type="' + REL.encode()
                                        + b'" Target="comments.xml"/></Relationships>')
                z.writestr(name, data)
            if len(self.comments):
                z.writestr("word/comments.xml", etree.tostring(self.comments, xml_declaration=True,
                                                              encoding="UTF-8", standalone=True))
        return out.getvalue()
