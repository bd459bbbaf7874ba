"""A whole Word document: page set-up, header and footer with the marking and page numbers, the masthead block,
properties, and the reproducible package."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt
from lxml import etree

from briefgen import _version
from briefgen.config.brand import Brand
from briefgen.render.docx.body import Body
from briefgen.render.docx.ids import PROPERTY_PREFIX
from briefgen.render.docx.inline import Revision, Runs
from briefgen.render.docx.package import (
    add_custom_properties,
    add_footnotes,
    build_time,
    reproducible,
    set_app,
    set_core,
    w,
)
from briefgen.render.docx.styles import apply_brand

#: Page sizes by brand setting (width, height).
PAGES = {"Letter": (Inches(8.5), Inches(11)), "A4": (Inches(8.27), Inches(11.69))}


@dataclass
class Meta:
    """What the document says about itself: core properties, running header, marking, and what it was made from."""

    title: str
    author: str
    subject: str
    keywords: str
    running_title: str
    marking: str
    custom: dict[str, str] = field(default_factory=dict)
    #: The organisation (the brand's full name): the file's Company property.
    company: str = ""
    #: The content's language (briefgen.yaml `language`).
    language: str = "en-US"


def new_document(brand: Brand, revision: Revision | None = None, language: str = "en-US") -> Body:
    """An empty branded document (python-docx's default package, restyled), wrapped for writing its body."""
    document = docx.Document()
    _drop_thumbnail(document)
    apply_brand(document, brand, language)
    section = document.sections[0]
    section.page_width, section.page_height = PAGES.get(brand.settings.page_size, PAGES["Letter"])
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Inches(0.9))
    section.top_margin = section.bottom_margin = Inches(0.8)
    return Body(document, brand.colors, revision)


def _drop_thumbnail(document) -> None:  # noqa: ANN001
    """The default package's thumbnail shows python-docx's sample page, not this document."""
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]


def masthead(body: Body, kicker: str, title: str, lines: list[str]) -> None:
    """The first-page block: organisation and document kind, the title, then what it is, its edition and for whom."""
    body.paragraph(kicker, "Subtitle")
    body.paragraph(title, "Title")
    body.paragraph(" \u00b7 ".join(x for x in lines if x), "Subtitle")
    _rule_below(body.doc.paragraphs[-1], body.colours["secondary"])


def _rule_below(paragraph, colour: str) -> None:  # noqa: ANN001
    ppr = paragraph._p.get_or_add_pPr()
    bdr = etree.Element(w("pBdr"))
    etree.SubElement(bdr, w("bottom"), {w("val"): "single", w("sz"): "12", w("space"): "4",
                                        w("color"): colour.lstrip("#")})
    spacing = ppr.find(w("spacing"))
    (spacing.addprevious(bdr) if spacing is not None else ppr.append(bdr))


def _field(paragraph, instr: str, shown: str) -> None:  # noqa: ANN001
    fld = etree.SubElement(paragraph._p, w("fldSimple"), {w("instr"): f" {instr} "})
    r = etree.SubElement(fld, w("r"))
    t = etree.SubElement(r, w("t"))
    t.text = shown


def furniture(body: Body, meta: Meta) -> None:
    """Running header (title, marking) and footer (marking, Page X of Y) on every page."""
    section = body.doc.sections[0]
    head = section.header.paragraphs[0]
    head.style = body.doc.styles["Header"]
    Runs(head).text(f"{meta.running_title}  \u00b7  {meta.marking}" if meta.marking else meta.running_title)
    head.runs[0].font.size = Pt(8) if head.runs else None
    foot = section.footer.paragraphs[0]
    foot.style = body.doc.styles["Footer"]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if meta.marking:
        Runs(foot).text(meta.marking.upper() + "  \u00b7  ")
    Runs(foot).text("Page ")
    _field(foot, "PAGE", "1")
    Runs(foot).text(" of ")
    _field(foot, "NUMPAGES", "1")


def finish(body: Body, meta: Meta) -> bytes:
    """Attach the footnotes, write the properties and return the package's reproducible bytes."""
    document = body.doc
    furniture(body, meta)
    add_footnotes(document, body.footnotes)
    when = build_time()
    set_core(document, title=meta.title, author=meta.author, subject=meta.subject, keywords=meta.keywords,
             when=when, language=meta.language)
    set_app(document, f"briefgen {_version.__version__}", meta.company)
    custom = {f"{PROPERTY_PREFIX}{k}": v for k, v in meta.custom.items()}
    custom[f"{PROPERTY_PREFIX}tool"] = f"briefgen {_version.__version__}"
    add_custom_properties(document, custom)
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible(buffer.getvalue(), when)
