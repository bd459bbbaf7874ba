"""Reading a reviewed Word document back: each tagged statement's wording before and after the tracked changes,
the changes and comments on it, and the paragraphs that carry no statement."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from briefgen.render.docx.body import FIGURE_VALUE, NOTE_REF
from briefgen.render.docx.ids import StatementId, parse_id
from briefgen.render.docx.package import read_custom_properties, w

_SKIP_STYLES = {NOTE_REF, FIGURE_VALUE}
#: A reviewed file comes from outside: no entities, no network, no huge trees, and parts of bounded size.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
MAX_PART = 64 * 1024 * 1024


@dataclass
class Comment:
    """A reviewer's comment: who, when, what."""

    author: str
    date: str
    text: str

    def as_dict(self) -> dict:
        return {"author": self.author, "date": self.date, "text": self.text}


@dataclass
class Revision:
    """One tracked insertion or deletion."""

    kind: str  # "inserted" | "deleted"
    author: str
    date: str
    text: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "author": self.author, "date": self.date, "text": self.text}


@dataclass
class ReadStatement:
    """A statement as the reviewed document holds it."""

    sid: StatementId
    #: The wording with every tracked change rejected (what the reviewer received, plus untracked edits).
    before: str = ""
    #: The wording with every tracked change accepted.
    after: str = ""
    revisions: list[Revision] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


@dataclass
class ReadDocument:
    """What a .docx holds: its statements by id, its other paragraphs' text, and its custom properties."""

    statements: dict[str, ReadStatement]
    others: list[tuple[str, bool, list[Comment]]]  # text (changes accepted), wholly inserted, comments
    properties: dict[str, str]


class NotWord(ValueError):
    """The file is not a Word document."""


def _text(el: etree._Element, accepted: bool) -> str:
    """The text of EL's runs with tracked changes accepted (or rejected), note references left out."""
    out = []
    for node in el.iter(w("t"), w("delText"), w("tab"), w("br")):
        if any(a.tag == w("fldSimple") for a in node.iterancestors()):
            continue
        run = next((a for a in node.iterancestors(w("r"))), None)
        style = run.find(f"{w('rPr')}/{w('rStyle')}") if run is not None else None
        if style is not None and style.get(w("val")) in _SKIP_STYLES:
            continue
        inserted = any(a.tag == w("ins") for a in node.iterancestors())
        deleted = node.tag == w("delText") or any(a.tag == w("del") for a in node.iterancestors())
        if (accepted and deleted) or (not accepted and inserted):
            continue
        out.append(" " if node.tag in (w("tab"), w("br")) else (node.text or ""))
    return " ".join("".join(out).split())


def _part(z: zipfile.ZipFile, name: str) -> etree._Element:
    """Part NAME of the package, parsed safely; KeyError when it is missing, NotWord when it is too large."""
    if z.getinfo(name).file_size > MAX_PART:
        raise NotWord(f"{name} is larger than {MAX_PART // (1024 * 1024)} MB")
    return etree.fromstring(z.read(name), _PARSER)


def _comments(z: zipfile.ZipFile) -> dict[str, Comment]:
    try:
        root = _part(z, "word/comments.xml")
    except KeyError:
        return {}
    out = {}
    for c in root.iter(w("comment")):
        text = "\n".join(" ".join("".join(t.text or "" for t in p.iter(w("t"))).split()) for p in c.iter(w("p")))
        out[c.get(w("id"))] = Comment(c.get(w("author"), ""), c.get(w("date"), ""), text.strip())
    return out


def _paragraph_comments(p: etree._Element, comments: dict[str, Comment]) -> list[Comment]:
    ids = [e.get(w("id")) for e in p.iter(w("commentRangeStart"), w("commentReference"))]
    return [comments[i] for i in dict.fromkeys(ids) if i in comments]


def _revisions(p: etree._Element) -> list[Revision]:
    out = []
    for el in p.iter(w("ins"), w("del")):
        if el.getparent().tag == w("rPr"):
            continue  # a paragraph mark's change
        text = "".join(t.text or "" for t in el.iter(w("t"), w("delText")))
        if text:
            out.append(Revision("inserted" if el.tag == w("ins") else "deleted", el.get(w("author"), ""),
                                el.get(w("date"), ""), text))
    return out


def _wholly_inserted(p: etree._Element) -> bool:
    """A paragraph the reviewer added with tracking on: its mark is inserted and no text sits outside w:ins."""
    mark = p.find(f"{w('pPr')}/{w('rPr')}/{w('ins')}")
    texts = list(p.iter(w("t")))
    return mark is not None or (bool(texts) and all(any(a.tag == w("ins") for a in t.iterancestors())
                                                   for t in texts))


def read_docx(data: bytes) -> ReadDocument:
    """Read DATA (a .docx) into its statements, other paragraphs and properties."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        root = _part(z, "word/document.xml")
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise NotWord(str(exc)) from None
    comments = _comments(z)
    statements: dict[str, ReadStatement] = {}
    others = []
    body = root.find(w("body"))
    for p in body.iter(w("p")):
        tags = [t.get(w("val")) for t in p.iter(w("tag"))]
        sid = next((s for s in map(parse_id, tags) if s is not None), None)
        if sid is None:
            if any(a.tag == w("tbl") for a in p.iterancestors()):
                continue  # table cells: labels and facts, not statements
            text = _text(p, accepted=True)
            if text:
                others.append((text, _wholly_inserted(p), _paragraph_comments(p, comments)))
            continue
        st = statements.setdefault(sid.tag, ReadStatement(sid))
        join = "\n\n" if st.after else ""
        st.before += join + _text(p, accepted=False)
        st.after += join + _text(p, accepted=True)
        st.revisions += _revisions(p)
        st.comments += _paragraph_comments(p, comments)
    try:
        properties = read_custom_properties(data)
    except etree.XMLSyntaxError as exc:
        raise NotWord(f"docProps/custom.xml: {exc}") from None
    return ReadDocument(statements, others, properties)
