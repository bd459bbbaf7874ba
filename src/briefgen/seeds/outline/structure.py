"""Mark the structure every reader leaves as plain text: bylines, datelines, report numbers, speakers, list numbers."""
from __future__ import annotations

import logging
import re

from briefgen.seeds.outline.model import SECTION_KINDS, Node, Outline

log = logging.getLogger(__name__)

#: Words that open a person's job title in a byline ("Paul Belkin, Analyst in European Affairs").
_ROLE = (r"(?:(?:Senior|Junior|Chief|Lead|Deputy|Assistant|Associate|Acting|Visiting|Principal|Executive|Managing)\s+)*"
         r"(?:Analyst|Specialist|Fellow|Director|Professor|Researcher|Research\s+\w+|Editor|Coordinator|Chair|"
         r"Adviser|Advisor|Officer|Manager|Head|President|Scholar|Economist|Attorney|Counsel|Correspondent|"
         r"Reporter|Lecturer)\b")
_NAME = r"[A-Z][a-z'\u2019-]+\.?(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'\u2019-]+){1,2}"
_PERSON = re.compile(rf"^(?P<name>{_NAME})(?:\s*,\s*|\s+)(?P<title>{_ROLE}.*)$")
_BY = re.compile(r"^\W*(?:written\s+|prepared\s+)?by\s+(?P<rest>[A-Z].*)$", re.I)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
#: A date as a dateline gives it: "March 3, 2026", "3 March 2026", "March 2026", "2026-03-03".
DATE = re.compile(rf"\b(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{4}}|"
                  rf"\d{{4}}-\d{{2}}(?:-\d{{2}})?)\b")
_DATELINE = re.compile(r"^\W*(?:updated|published|posted|revised|released|dated?|as of|last (?:updated|modified))\b",
                       re.I)
_NUMBER = re.compile(r"^\W*(?:(?:CRS\s+)?Report\s+(?:No\.?\s*|Number\s*)?)?(?P<number>[A-Z]{1,4}[-\s]?\d{3,6}"
                     r"(?:-\d+)?)\W*$")
#: The attribution line of a block quote: "— roundtable participant", "-- Name, Title".
_ATTRIBUTION = re.compile(r"(?:^|(?<=\s)|(?<=[\u201d\"'\u2019.!?]))(?:\u2014|\u2015|\u2013|--)\s*(?P<who>[A-Za-z][^\u2014\u2015]{1,150})$")


def person(text: str) -> tuple[str, str] | None:
    """(name, title) of a byline line naming one person and their job ('Paul Belkin Analyst in ...'), or None."""
    m = _PERSON.match(" ".join(text.split()))
    if not m or len(text.split()) > 16:
        return None
    return m.group("name"), m.group("title").strip().rstrip(".")


def dateline(text: str) -> str | None:
    """The date a short dateline states ('Updated March 3, 2026', 'Prepared for ..., March 2026.'), or None."""
    t = " ".join(text.split())
    m = DATE.search(t)
    if not m or len(t.split()) > 16:
        return None
    return m.group(0) if (_DATELINE.match(t) or len(t.split()) <= 14) else None


def report_number(text: str) -> str | None:
    """The report number a line consists of ('R48123', 'CRS Report RL33456'), or None."""
    m = _NUMBER.match(" ".join(text.split()))
    return m.group("number") if m else None


def _front_nodes(outline: Outline) -> list[Node]:
    """Paragraphs at the head of the document, before its first section of text or first long paragraph."""
    out: list[Node] = []
    for node in outline.walk():
        if node.kind in SECTION_KINDS:
            if node.level <= 1 and node.text == outline.title and not out:
                continue
            break
        if node.kind not in ("paragraph", "epigraph", "caption"):
            if node.kind in ("list", "item", "table", "row", "quote"):
                break
            continue
        out.append(node)
        if len(out) >= 8:
            break
    return out


def mark_front(outline: Outline) -> None:
    """Turn the head's bylines, datelines and report numbers into their own kinds and state what they say."""
    authors: list[dict[str, str]] = []
    for node in _front_nodes(outline):
        text = " ".join(node.text.split())
        who = person(text)
        by = _BY.match(text)
        if who is not None:
            node.kind = "byline"
            authors.append({"name": who[0], "title": who[1]})
        elif by and len(text.split()) <= 25:
            node.kind = "byline"
        elif report_number(text):
            node.kind = "docnumber"
            outline.stated.setdefault("number", report_number(text))
        elif dateline(text):
            node.kind = "dateline"
            outline.stated.setdefault("date", dateline(text))
        elif len(text.split()) > 16:
            break
    if authors:
        outline.stated["authors"] = authors


def _speaker_of(node: Node) -> str | None:
    """The speaker a line such as '— Roundtable participant' names, or None."""
    m = _ATTRIBUTION.match(" ".join(node.text.split()))
    return m.group("who").strip().rstrip(".") if m else None


def mark_quotes(outline: Outline) -> None:
    """Give each block quote the speaker its attribution line names; the line becomes an 'attribution' node."""
    for node in list(outline.walk()):
        if node.kind != "quote" or node.attrs.get("speaker"):
            continue
        inner = [c for c in node.children if c.kind == "paragraph"]
        if inner and _speaker_of(inner[-1]):
            node.attrs["speaker"] = _speaker_of(inner[-1])  # type: ignore[assignment]
            inner[-1].kind = "attribution"
            node.text = " ".join(c.text for c in inner[:-1]) or node.text
            continue
        text = " ".join(node.text.split())
        m = _ATTRIBUTION.search(text)
        if m and m.start() > 0 and text[: m.start()].rstrip()[-1:] in ".!?\u201d\"'\u2019":
            node.attrs["speaker"] = m.group("who").strip().rstrip(".")
            node.text = text[: m.start()].strip()
            continue
        siblings = node.parent.children if node.parent is not None else outline.nodes
        i = next((k for k, s in enumerate(siblings) if s is node), -1)
        nxt = siblings[i + 1] if 0 <= i < len(siblings) - 1 else None
        if nxt is not None and nxt.kind in ("quote", "paragraph") and nxt.start - node.end <= 2 and _speaker_of(nxt):
            node.attrs["speaker"] = _speaker_of(nxt)  # type: ignore[assignment]
            nxt.kind = "attribution"
            node.end = max(node.end, nxt.end)  # the quote's passage names its speaker


_ITEM_NUMBER = re.compile(r"^\(?(?P<n>\d{1,3}|[a-z]|[ivxlc]{1,6})[.)]\s+(?=\S)")


def mark_numbers(outline: Outline) -> None:
    """Take an item's printed number ('1.', 'a)') out of its text into attrs['number']; its list is ordered."""
    for node in outline.walk():
        if node.kind != "list":
            continue
        items = [c for c in node.children if c.kind == "item"]
        numbered = [(_ITEM_NUMBER.match(c.text), c) for c in items]
        if items and all(m is not None for m, _ in numbered):
            for m, item in numbered:
                item.attrs["number"] = m.group("n")  # type: ignore[union-attr]
                item.text = item.text[m.end():]  # type: ignore[union-attr]
            node.attrs["ordered"] = "True"
        elif node.attrs.get("ordered") == "True":
            for k, item in enumerate(items, start=1):
                item.attrs.setdefault("number", str(k))


_NOTE_DEF = re.compile(r"^\[\^(?P<n>[\w-]{1,20})\]:\s+(?P<text>\S.*)$", re.S)
_NOTE_CALL = re.compile(r"\[\^[\w-]{1,20}\](?!:)")


def mark_footnotes(outline: Outline) -> None:
    """Markdown footnotes ('[^3]: text'): their definitions become footnote nodes (`footnote-3`), calls leave the text."""
    if "markdown" not in outline.format:
        return
    for node in outline.walk():
        m = _NOTE_DEF.match(node.text) if node.kind == "paragraph" else None
        if m is not None:
            node.kind, node.text = "footnote", m.group("text").strip()
            node.attrs["number"] = m.group("n")
            anchor = f"footnote-{m.group('n')}"
            if anchor not in outline.anchors:
                if node.anchor and outline.anchors.get(node.anchor) is node:
                    del outline.anchors[node.anchor]
                node.anchor = anchor
                outline.anchors[anchor] = node
        elif node.kind in ("paragraph", "item", "quote") and "[^" in node.text:
            calls = re.findall(r"\[\^([\w-]{1,20})\](?!:)", node.text)
            node.text = _NOTE_CALL.sub("", node.text)
            if calls:
                node.attrs["footnotes"] = ",".join(calls)


def mark_tables(outline: Outline) -> None:
    """A table's first row is its header: the row says so, and the table keeps its header cells."""
    for table in outline.tables():
        rows = [r for r in table.children if r.kind == "row"]
        if len(rows) >= 2:
            rows[0].attrs["header"] = "True"
            table.attrs["header"] = rows[0].text  # cells joined by " | ", as every row's text


def header_cells(row: Node) -> list[str]:
    """The header cells of ROW's table ([] when it has none), one per column."""
    table = row.parent
    header = table.attrs.get("header") if table is not None else None
    return [c.strip() for c in header.split(" | ")] if header else []


def mark_structure(outline: Outline) -> Outline:
    """Run every pass on OUTLINE (any format) and return it."""
    mark_tables(outline)
    mark_footnotes(outline)
    mark_numbers(outline)
    mark_quotes(outline)
    mark_front(outline)
    return outline
