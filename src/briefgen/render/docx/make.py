"""Briefs and the briefing book as Word documents, built from the template context (not from the HTML), so each
statement keeps its id."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from briefgen.config.kinds import KIND_LABELS, Target, document_kind
from briefgen.project import Project
from briefgen.render.context import document_context, document_edition
from briefgen.render.docx.body import Body
from briefgen.render.docx.document import Meta, finish, masthead, new_document
from briefgen.render.docx.inline import Revision
from briefgen.render.docx.sections import ChapterSections, Sections
from briefgen.render.notes import ChapterNotes, Notes
from briefgen.render.setup import render_setup


@dataclass
class Made:
    """A Word document's bytes and what went into it."""

    data: bytes
    footnotes: int
    ids: list[str]
    deps: dict[str, list[str]]
    edition: Any


def _custom(target: Target, edition: Any) -> dict[str, str]:
    out = {"kind": target.kind, "id": target.block_id, "audience": target.audience}
    if edition is not None:
        out.update(fingerprint=edition.fingerprint, edition=str(edition.edition.number),
                   doc_number=edition.doc_number, date=edition.edition.date.isoformat())
    return out


def make_block_document(project: Project, target: Target, revision: Revision | None = None,
                        edition: Any = None, preface: list[str] = ()) -> Made:
    """The brief of TARGET's block as a Word document (REVISION: a redline's author and date for its marks; PREFACE:
    paragraphs after the masthead, a redline's summary)."""
    aud = project.audience(target.audience)
    setup = render_setup(project, aud.name)
    block = project.catalogue.get(target.block_id)
    edition = edition or document_edition(project, block, target.kind, aud)
    deps: dict[str, set[str]] = {}
    notes = Notes(project)
    ctx = document_context(project, block, target.kind, aud, notes, deps=deps, edition=edition)
    ctx["_env"] = setup.env
    body = new_document(setup.brand, revision, project.config.language)
    body.use_notes(notes)
    sections = Sections(body, project, ctx, level=1)
    kicker = " \u00b7 ".join(x for x in (setup.brand.meta.name.full, KIND_LABELS[target.kind],
                                         ctx["block_type"].capitalize(), ctx["doc_number"]) if x)
    edition_line = ctx["edition"].label if ctx["edition"] else ctx["date"].strftime("%B %-d, %Y")
    masthead(body, kicker, block.name,
             [sections.partial("kicker"), edition_line, f"Prepared for {aud.config.label}"])
    for text in preface:
        body.paragraph(text, "Bottom Line")
    sections.write(ctx["sections"])
    meta = Meta(title=ctx["title"], author=project.config.author, subject=ctx["description"], keywords=ctx["keywords"],
                running_title=ctx["running_title"], marking=aud.config.marking or "",
                custom=_custom(target, edition), language=project.config.language, company=setup.brand.meta.name.full)
    data = finish(body, meta)
    return Made(data, body.footnote_count, body.ids,
                {str(k): sorted(map(str, v)) for k, v in sorted(deps.items())}, edition)


def make_book_document(project: Project, target: Target) -> Made:
    """The briefing book as one Word document: cover, parts, one chapter per block (notes numbered per chapter, as
    footnotes restarting in each chapter's section), the same chapter sections as the PDF."""
    from docx.enum.section import WD_SECTION

    from briefgen.content.model import BOOK_PARTS
    from briefgen.render.book.plan import CHAPTER_SKIPS, GLANCE_FIGURES, plan_book

    book = plan_book(project, target.audience, target.select, target.title, target.changes_since)
    aud = book.audience
    setup = render_setup(project, aud.name)
    body = new_document(setup.brand, language=project.config.language)
    edition = book.edition
    masthead(body, f"{setup.brand.meta.name.full} \u00b7 Briefing book \u00b7 "
             f"{edition.doc_number}", book.title,
             [edition.edition.label, f"Prepared for {aud.config.label}"])
    sections = [s for s in aud.config.brief.sections if s not in CHAPTER_SKIPS]
    part_of = {b.id: b.book_part for b in book.blocks}
    rec_numbers = {b.id: n for n, b in enumerate((b for b in book.blocks if b.book_part == "recommendations"), 1)}
    chapter = 0
    for numeral, (key, part_title) in enumerate([p for p in BOOK_PARTS if p[0] in part_of.values()], start=1):
        body.doc.add_section(WD_SECTION.NEW_PAGE)
        body.heading(f"Part {_roman(numeral)}. {part_title}", 1)
        for block in [b for b in book.blocks if part_of[b.id] == key]:
            chapter += 1
            body.doc.add_section(WD_SECTION.NEW_PAGE)
            _restart_footnotes(body)
            notes = ChapterNotes(project, f"ch-{block.id}")
            body.use_notes(notes)
            ctx = document_context(project, block, "brief", aud, notes, deps={}, edition=None)
            linked = [r.id for r in ctx["related"].get("recommendations", [])]
            # As the PDF's chapters (render.book.plan): the chapter's sections, a few headline figures at a glance,
            # and linked recommendations that have chapters of their own referred to rather than reprinted.
            ctx.update(_env=setup.env, sections=sections, glance_figures=GLANCE_FIGURES,
                       rec_refs=rec_numbers if linked and all(r in rec_numbers for r in linked) else {})
            body.heading(f"{chapter}. {block.name}", 2)
            if type(block).document:
                Sections(body, project, ctx, level=3).write(sections)
            else:
                ChapterSections(body, project, ctx, level=3).write_chapter()
    meta = Meta(title=book.title, author=project.config.author, subject=book.context.get("description", ""),
                keywords=book.context.get("keywords", ""), running_title=book.title,
                marking=aud.config.marking or "", custom=_custom(target, edition),
                language=project.config.language, company=setup.brand.meta.name.full)
    data = finish(body, meta)
    return Made(data, body.footnote_count, body.ids, {}, edition)


def make_document(project: Project, target: Target) -> Made:
    """TARGET as a Word document: its block's, or (a kind made once per build) the book's."""
    make = make_block_document if document_kind(target.kind).per_block else make_book_document
    return make(project, target)


def _restart_footnotes(body: Body) -> None:
    """Footnotes numbered from 1 in this section (a book chapter), as the PDF numbers each chapter's notes."""
    from lxml import etree

    from briefgen.render.docx.package import w

    sect = body.doc.sections[-1]._sectPr
    pr = sect.find(w("footnotePr"))
    if pr is None:  # CT_SectPr: after the header and footer references, before everything else
        pr = etree.Element(w("footnotePr"))
        refs = [c for c in sect if c.tag in (w("headerReference"), w("footerReference"))]
        (refs[-1].addnext(pr) if refs else sect.insert(0, pr))
    if pr.find(w("numRestart")) is None:  # a new section copies the previous one's properties
        etree.SubElement(pr, w("numRestart"), {w("val"): "eachSect"})


def _roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI"][n - 1]
