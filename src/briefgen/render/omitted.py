"""What a rendered document leaves out of its block, and why: audience limits, section lists, fit steps, its design."""
from __future__ import annotations

from dataclasses import dataclass, field

from briefgen.config.audiences import LoadedAudience
from briefgen.config.kinds import document_kind
from briefgen.content.model import Block, Point
from briefgen.content.shown import ITEM_NAMES, PROSE_FIELDS, Omission, Seen, content_fields

#: The sections that show a list field other than the section of its own name (the first quote is the pull quote).
FIELD_SHOWN_BY: dict[str, tuple[str, ...]] = {"quotes": ("pull_quote", "quotes")}


@dataclass
class Showing:
    """What document_context decided a render may show of its block; the render's Seen records what it did show."""

    block: Block
    #: The block as the audience reads it (audience_view): us_internal points out, summaries within the word limit.
    view: Block
    #: The view as the templates read it: key points lifted into the Key takeaways box, when it shows.
    lifted: Block
    seen: Seen
    #: The most points a list shows, and why that many (the reason when the cap leaves points out).
    max_points: int
    max_reason: str
    max_code: str
    max_expected: bool
    #: Sections the one-pager's fit loop left out (to fit one page).
    dropped: frozenset[str] = frozenset()
    #: The file of the block (project-relative).
    file: str = ""
    #: Where the section list comes from, for the message ("the audience's brief.sections").
    sections_from: str = ""
    extra: dict = field(default_factory=dict)


def _sections(context: dict) -> list[str]:
    if document_kind(context["kind"]).summary:
        return [*context["lead_sections"], *context["column_sections"], *context["tail_sections"]]
    return list(context["sections"])


def _section_reason(section: str, context: dict, showing: Showing) -> tuple[str, str, bool]:
    """Why SECTION is not shown: (reason, code, expected)."""
    summary = document_kind(context["kind"]).summary
    if section in showing.dropped:
        return f"the fit loop left out {section} to fit one page", "fit", True
    shown = _sections(context)
    if section in shown:
        return f"no template of the {section} section shows it", "template", False
    if summary:
        return ("a one-pager shows only the sections in the audience's onepager.lead and onepager.columns",
                "design", True)
    # The audience chose its sections: recorded per document, and `check` says once which sections with content
    # an audience leaves out (render.checks).
    return f"{showing.sections_from or 'the audience'} does not list {section}", "section", True


def omissions(context: dict, audience: LoadedAudience) -> list[Omission]:
    """Everything curated in the document's block that the render just made does not show, grouped by field and
    reason, each with the line of its first item."""
    showing: Showing = context["_showing"]
    block, view, seen = showing.block, showing.view, showing.seen
    limits = audience.config.limits
    found: list[Omission] = []
    for name in content_fields(block):
        raw = getattr(block, name)
        if name in PROSE_FIELDS:
            found += _prose(name, raw, getattr(view, name, None), context, showing, limits.max_summary_words)
            continue
        in_view = {id(item) for item in getattr(view, name, []) or []}
        in_list = {id(item): i for i, item in enumerate(getattr(showing.lifted, name, []) or [])}
        groups: dict[tuple[str, str, bool], list[int]] = {}
        for index, item in enumerate(raw, 1):
            if id(item) in seen.items:
                continue
            if id(item) not in in_view:
                why = (f"the point is marked us_internal and the audience ({audience.name}) leaves those out",
                       "us-internal", True)
            elif name not in seen.fields and not (isinstance(item, Point) and item.key and "takeaways" in
                                                 _sections(context)):
                why = _section_reason(FIELD_SHOWN_BY.get(name, (name,))[-1], context, showing)
            elif in_list.get(id(item), -1) >= showing.max_points and name not in FIELD_SHOWN_BY:
                why = (showing.max_reason, showing.max_code, showing.max_expected)
            else:
                why = _section_reason(FIELD_SHOWN_BY.get(name, (name,))[-1], context, showing)
            groups.setdefault(why, []).append(index)
        for (reason, code, expected), indices in groups.items():
            first = raw[indices[0] - 1]
            loc = getattr(first, "loc", None) or block.where(name)
            found.append(Omission(block.id, showing.file, loc.line if loc else None, name, tuple(indices),
                                  ITEM_NAMES.get(type(first), "item"), reason, code, expected))
    return found


def _prose(name: str, raw: str, shown_text: str | None, context: dict, showing: Showing,
           limit: int | None) -> list[Omission]:
    """A prose field left out, or cut short by the audience's word limit."""
    block, seen = showing.block, showing.seen
    loc = block.where(name)
    line = loc.line if loc else None
    if name not in seen.fields:
        reason, code, expected = _section_reason(PROSE_FIELDS[name], context, showing)
        return [Omission(block.id, showing.file, line, name, (), "", reason, code, expected)]
    if shown_text and shown_text != raw:
        kept = len(shown_text.replace("\u2026", "").split())
        return [Omission(block.id, showing.file, line, name, (), "", f"the audience's max_summary_words is {limit}",
                         "limit", False, words=len(raw.split()) - kept)]
    return []


def omission_lines(recorded: list[dict], strict: bool = False) -> list[str]:
    """The located lines for the omissions an output recorded that its document did not expect: warnings, or
    errors under --strict."""
    return [Omission.from_dict(o).located("error" if strict else "warning")
            for o in recorded if not o.get("expected")]


@dataclass
class Unseen:
    """What a document does not show, to tell a change a reader sees from one made only in the block."""

    #: (block, field) -> why, for a field the document does not show at all.
    fields: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (block, field, statement text) -> why, for each item left out.
    texts: dict[tuple[str, str, str], str] = field(default_factory=dict)
    #: (block, field) -> (how many items it shows, why the rest are not), for a list cut by a limit.
    caps: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)

    def why(self, change: object) -> str | None:
        """Why CHANGE (editions.changes.Change of the document's own block) is not shown, or None if it is."""
        if not getattr(change, "own", False):
            return None
        key = (change.block, change.section)  # type: ignore[attr-defined]
        if key in self.fields:
            return self.fields[key]
        text = change.new if change.op != "removed" else change.old  # type: ignore[attr-defined]
        if text is not None and (*key, text) in self.texts:
            return self.texts[(*key, text)]
        cap = self.caps.get(key)
        if change.op == "removed" and cap and change.index is not None and change.index >= cap[0]:  # type: ignore[attr-defined]
            return cap[1]
        return None


def unseen(found: list[Omission], blocks: dict[str, Block]) -> Unseen:
    """FOUND (omissions of a render) as an Unseen, reading the texts of the items from BLOCKS (id -> block)."""
    out = Unseen()
    for o in found:
        block = blocks.get(o.block)
        if block is None:
            continue
        if not o.items:
            if not o.words:
                out.fields[(o.block, o.field)] = o.reason
            continue
        values = getattr(block, o.field, []) or []
        for i in o.items:
            if 0 < i <= len(values):
                text = getattr(values[i - 1], "text", None)
                if isinstance(text, str):
                    out.texts[(o.block, o.field, text)] = o.reason
        if o.code == "limit":
            out.caps[(o.block, o.field)] = (min(o.items) - 1, o.reason)
    return out
