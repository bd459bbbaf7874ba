"""The sections of a brief (or a book chapter) in Word, one writer per section name, in the audience's order: the
same content, order and note numbering as the templates under templates/sections/."""
from __future__ import annotations

import html
import re
from typing import Any, Callable

from briefgen import prose
from briefgen.content.views import Tracked
from briefgen.render.docx.body import Body, original_index
from briefgen.render.docx.ids import StatementId
from briefgen.render.docx.inline import Runs
from briefgen.render.templates import render


def unwrap(item: Any) -> Any:
    """The record itself behind the wrapper that records what a document reads of it (content.views.Tracked)."""
    while isinstance(item, Tracked):
        item = object.__getattribute__(item, "_block")
    return item


class Sections:
    """Writes CONTEXT's sections (render.context.document_context) into BODY, headings at LEVEL."""

    def __init__(self, body: Body, project: Any, context: dict, level: int = 1) -> None:
        self.body = body
        self.project = project
        self.ctx = context
        self.level = level
        self.block = context["block"]
        original = project.catalogue.get(self.block.id) or self.block
        self.index = original_index(original)
        self.titles = context["titles"]

    def partial(self, name: str) -> str:
        """A block type's small partial (kicker, about, linked heading) as plain text."""
        env = self.ctx["_env"]
        text = render(env, f"partials/{self.ctx['block_type']}/{name}.html.j2", self.project.root, **self.ctx)
        return " ".join(html.unescape(re.sub(r"<[^>]*>", "", text)).split())

    def sid(self, item: Any, block_id: str | None = None, index: dict | None = None) -> StatementId | None:
        where = (index or self.index).get(id(unwrap(item)))
        return StatementId(block_id or self.block.id, *where) if where else None

    def write(self, sections: list[str]) -> None:
        for name in sections:
            writer: Callable[[], None] | None = getattr(self, f"s_{name}", None)
            if writer is not None:
                writer()

    def h(self, key: str, default: str | None = None) -> None:
        self.body.heading(self.titles.get(key, default or key.replace("_", " ").capitalize()), self.level)

    # --- the sections -----------------------------------------------------------------------------------------
    def s_about(self) -> None:
        self.h("about")
        kind = self.ctx["kind_label"].lower()
        self.body.paragraph(f"This {kind} explains {self.partial('about')}. Each statement is drawn from a "
                            "published source; the small numbers point to the footnotes, and quotations are given "
                            "word for word.")

    def s_bottom_line(self) -> None:
        self.h("bottom_line")
        b = self.block
        if b.bottom_line:
            self.body.statement(StatementId(b.id, "bottom_line"), b.bottom_line, b.bottom_line_cite, "Bottom Line")
        else:
            self.body.statement(StatementId(b.id, "summary"), b.summary, b.summary_cite, "Bottom Line")

    def s_overview(self) -> None:
        b = self.block
        self.h("overview")
        self.body.statement(StatementId(b.id, "summary"), b.summary, b.summary_cite)

    def s_sidebar(self) -> None:
        b = self.block
        self.body.heading("At a glance", self.level)
        rows: list[tuple[str, Callable]] = []
        cite = self.body.cite

        def text_cell(text: str, refs: Any, markdown: bool = False) -> Callable:
            def fill(cell: Any) -> None:
                p = cell.paragraphs[0]

                runs = Runs(p, self.body.revision)
                runs.markdown(text) if markdown else runs.text(text)
                cite(p, refs)
            return fill

        if self.ctx["block_type"] == "alliance":
            rows.append(("Type", text_cell(b.kind.capitalize(), None)))
            if b.founded:
                when = " ".join(str(x) for x in (b.founded.year, b.founded.instrument) if x)
                rows.append(("Founded", text_cell(when, b.founded.cite)))
            if b.members:
                rows.append(("Members", text_cell(", ".join(b.members), b.members_cite)))
        else:
            rows.append(("Domain", text_cell(b.domain_label, None)))
            glance = self.ctx.get("glance_figures")  # a book chapter's sidebar shows the first few
            for example in [e for e in b.examples if e.figure][:glance]:
                rows.append((example.figure, text_cell(example.text, example.cite, markdown=True)))
        self.body.table(rows)
        linked = self.ctx["linked"]
        recs = self.ctx["related"].get("recommendations")
        groups = [(self.partial("linked_heading"), linked)]
        if recs and "recommendations" in self.ctx["sections"]:
            groups.append(("Recommendations", recs))
        for heading, blocks in groups:
            if blocks:  # one line each, as the sidebar's compact lists
                p = self.body.doc.add_paragraph(style="Caption")
                runs = Runs(p, self.body.revision)
                runs.text(f"{heading}: ", bold=True)
                runs.text("; ".join(other.name for other in blocks) + ".")

    def s_takeaways(self) -> None:
        points = self.ctx["takeaways"]
        if points:
            self.h("takeaways")
            self.body.bullets([(self.sid(p), p.text, p.cite) for p in points])

    def _points(self, name: str) -> None:
        points = getattr(self.block, name, None)
        if points:
            self.h(name)
            self.body.bullets([(self.sid(p), p.text, p.cite) for p in points[:self.ctx["max_points"]]])

    def s_why_it_matters(self) -> None:
        self._points("why_it_matters")

    def s_how_it_shows_up(self) -> None:
        self._points("how_it_shows_up")

    def s_modernization_priorities(self) -> None:
        self._points("modernization_priorities")

    def s_key_actions(self) -> None:
        self._points("key_actions")

    def s_other_perspectives(self) -> None:
        self._points("other_perspectives")

    def s_examples(self) -> None:
        examples = getattr(self.block, "examples", None)
        if examples:
            self.h("examples")
            for e in examples[:self.ctx["max_points"]]:
                self.body.statement(self.sid(e), e.text, e.cite, "List Bullet", lead=e.figure)

    def s_figures(self) -> None:
        figures = self.block.figures
        if figures:
            self.h("figures")
            notes = self.ctx["notes"]
            for n, figure in enumerate(figures, start=1):
                source = [(notes.title_of(ref), notes.number(ref)) for ref in figure.cites]
                self.body.figure(figure, n, source)

    def _quote(self, quote: Any) -> None:
        self.body.statement(self.sid(quote), quote.text, None, "Quote", quote=True)
        credit = quote.speaker or self.ctx["notes"].credit_of(quote.cite)
        p = self.body.paragraph(f"\u2014 {credit}", "Caption")
        self.body.cite(p, quote.cite)

    def s_pull_quote(self) -> None:
        if self.block.quotes:
            self._quote(self.block.quotes[0])

    def s_quotes(self) -> None:
        if len(self.block.quotes) > 1:
            self.h("quotes")
            for quote in self.block.quotes[1:]:
                self._quote(quote)

    def s_recommendations(self) -> None:
        recs = self.ctx["related"].get("recommendations")
        if not recs:
            return
        self.h("recommendations")
        refs = self.ctx.get("rec_refs")
        if refs:  # the book: each has its own chapter, named here rather than reprinted
            for rec in recs[:self.ctx["max_points"]]:
                self.body.paragraph(f"{rec.name} — see Recommendation {refs[rec.id]}", "List Bullet")
            return
        for n, rec in enumerate(recs[:self.ctx["max_points"]], start=1):
            real = self.project.catalogue.get(rec.id) or rec
            index = original_index(real)
            self.body.heading(f"{n}. {rec.name}", self.level + 1)
            self.body.statement(StatementId(rec.id, "summary"), rec.summary, rec.summary_cite)
            if rec.actions:
                self.body.bullets([(self.sid(a, rec.id, index), a.text, a.cite)
                                   for a in rec.actions[:self.ctx["max_points"]]])

    def s_what_changed(self) -> None:
        items = self.ctx["what_changed"]
        if not items:
            return
        self.h("what_changed")
        since = self.ctx["what_changed_since"]
        self.body.paragraph(f"Since {since.label.split(' · ')[0]} of {since.date.strftime('%B %-d, %Y')}", "Caption")
        for item in items:
            p = self.body.doc.add_paragraph(style="List Bullet")

            runs = Runs(p, self.body.revision)
            runs.text(item.lead + " ", bold=True)
            runs.text(f"\u201c{item.text}\u201d" if item.quote else prose.plain(item.text))
            self.body.cite(p, item.cites)

    def s_sources(self) -> None:
        further = self.ctx["notes"].further(self.block.sources)
        if further:
            self.body.heading("Further reading", self.level)
            for form in self.ctx["notes"].further_forms(further):
                p = self.body.doc.add_paragraph(style="List Bullet")

                Runs(p, self.body.revision).markup(form)

    def s_credits(self) -> None:
        cfg = self.ctx["project"]
        authors, contact = cfg.authors, cfg.contact
        self.body.heading(self.titles.get("credits", "Credits") if authors else "Suggested citation", self.level)
        rows = []
        if authors:
            names = "; ".join(a.name + (f", {a.title}" if a.title else "") for a in authors)
            rows.append(("Author" if len(authors) == 1 else "Authors", _fill(names)))
        if contact:
            reach = f"{contact.name}, {contact.email}" + (f", {contact.phone}" if contact.phone else "")
            rows.append(("Contact", _fill(reach)))
        rows.append(("Suggested citation", _fill(self.ctx["citation"])))
        self.body.table(rows)


def _fill(text: str) -> Callable:
    def fill(cell: Any) -> None:
        cell.paragraphs[0].add_run(str(text))
    return fill


class ChapterSections(Sections):
    """A book chapter of a block without its own brief (a recommendation, a framework), as templates/partials/
    <type>/chapter.html.j2 writes it."""

    def write_chapter(self) -> None:
        b = self.block
        if self.ctx["block_type"] == "recommendation":
            self.s_bottom_line()
        self.body.heading("Overview", self.level)
        self.body.statement(StatementId(b.id, "summary"), b.summary, b.summary_cite)
        for name, heading in (("actions", "Actions"), ("pillars", "Pillars")):
            items = getattr(b, name, None) or []
            if items:
                self.body.heading(heading, self.level)
                limit = self.ctx["max_points"] if name == "actions" else None
                self.body.bullets([(self.sid(i), getattr(i, "text", None) or i.action, i.cite)
                                   for i in items[:limit]])
        obstacles = self.ctx["related"].get("obstacles")
        if self.ctx["block_type"] == "recommendation" and obstacles:
            self.body.heading("Obstacles it answers", self.level)
            for other in obstacles:
                self.body.paragraph(other.name, "List Bullet")
        self.s_quotes()
