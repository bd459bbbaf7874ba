"""`briefgen diff`: a document now against an earlier edition (or a git revision), as text or as a redline PDF.

The redline renders through the one render path (batch.render.render) and the document's own templates, from a copy
of the project whose changed blocks carry marks (render.marks) around inserted and deleted words, and deleted
statements put back where they were. Only the marked copy differs; the real catalogue is never touched.
"""
from __future__ import annotations

import copy
import dataclasses
import html
import re
import tempfile
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen import safegit
from briefgen.config.inputs import ROOT_FILES
from briefgen.config.kinds import Target, document_kind
from briefgen.content.model import FIELD_SECTIONS, SourceRef
from briefgen.content.views import audience_view
from briefgen.editions import records as editions
from briefgen.editions.changes import Change, compare, counts, summary
from briefgen.editions.records import Proposal
from briefgen.errors import COMMAND_LINE, UsageError
from briefgen.project import Project
from briefgen.render import marks
from briefgen.render.omitted import Unseen

#: Headings of the sections no audience renames.
EXTRA_TITLES: dict[str, str] = {"sidebar": "At a glance", "title": "Title", "related": "Related",
                                "framing": "Framing", "actions": "Actions"}
#: Files of the project a git revision's snapshot is derived from.
REV_PATHS: tuple[str, ...] = ("content", "audiences", "seeds", "templates", "brand", "fonts", *ROOT_FILES)
#: Caps on what is read from a revision: one file (a seed's cap), and all of them together.
REV_FILE_LIMIT = 10_000_000
REV_TOTAL_LIMIT = 200_000_000


@dataclass
class Comparison:
    """A document now, the snapshot it is compared with, and the changes between them."""

    target: Target
    title: str
    now: Proposal
    since: str
    old: dict
    new: dict
    changes: list[Change]
    #: Changes made in the blocks that the document does not show, each with why (render.omitted.Unseen).
    unseen: list[tuple[Change, str]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return counts(self.changes)

    @property
    def summary(self) -> str:
        return summary(self.changes)


def redline_path(out: Path, target: Target) -> Path:
    """Where `briefgen diff --format pdf` writes TARGET's redline by default: OUT/AUDIENCE/redlines/ID.KIND.pdf."""
    return out / target.audience / "redlines" / f"{target.block_id}.{target.kind}.pdf"


def current(project: Project, target: Target) -> Proposal:
    """The document's current edition and snapshot, as `briefgen build` would record it."""
    if not document_kind(target.kind).per_block:  # planning the book renders its chapters' HTML: what each shows is then known
        from briefgen.render.book.plan import plan_book

        return plan_book(project, target.audience, target.select, target.title).edition
    from briefgen.render.context import document_edition

    block = project.catalogue.get(target.block_id)
    return document_edition(project, block, target.kind, project.audience(target.audience))


def snapshot_of(proposal: Proposal) -> dict:
    return proposal.snapshot()


def _known(record: dict) -> str:
    listed = [f"{e['number']} ({e['date']})" for e in record["editions"]]
    return "editions: " + ", ".join(listed) if listed else "it has no recorded edition yet (run `briefgen build`)"


def resolve_since(project: Project, target: Target, now: Proposal, since: str | None) -> tuple[str, dict]:
    """The label and snapshot SINCE names: an edition number, a date, or a git revision (default: the last edition
    that differs from now)."""
    record = editions.load_record(project.root, now.rel)
    if since is None:
        entries = [e for e in record["editions"] if e["fingerprint"] != now.fingerprint]
        older = [e for e in entries if e["number"] < now.edition.number] or entries
        if not older:
            return "the first edition", snapshot_of(now)
        entry = older[-1]
    elif (since.isascii() and since.isdigit()) or _is_date(since):
        entry = editions.find_edition(record, since)
        if entry is None:
            raise UsageError(f"{target} has no edition {since!r}", COMMAND_LINE, _known(record))
    else:
        return f"revision {since}", rev_snapshot(project, target, since, record)
    snap = editions.resolve(project.root, entry)
    if snap is None:
        raise UsageError(f"the record of edition {entry['number']} of {target} is incomplete", COMMAND_LINE,
                         f"restore {editions.EDITIONS_DIR}/{editions.OBJECTS}/ from the repository")
    return f"Edition {entry['number']} ({_long_date(entry['date'])})", snap


def _is_date(text: str) -> bool:
    try:
        editions.dt.date.fromisoformat(text)
    except ValueError:
        return False
    if not text.isascii():
        return False
    return True


def _long_date(iso: str) -> str:
    return editions.dt.date.fromisoformat(iso).strftime("%B %-d, %Y")


def rev_snapshot(project: Project, target: Target, rev: str, record: dict) -> dict:
    """The document's snapshot re-derived from git revision REV's files, read as raw objects (safegit.tree_files:
    no checkout, no filter, no link, no program the project's git configuration names) into a scratch folder."""
    root = project.root
    refuse = UsageError(f"{rev!r} is not an edition number, a date (YYYY-MM-DD) or a git revision of this project",
                        COMMAND_LINE, _known(record))
    if not safegit.valid_rev(rev):
        raise refuse
    top = editions._git(root, "rev-parse", "--show-prefix")
    verified = editions._git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}") \
        if top is not None else None
    if not verified or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", verified.strip()):
        raise refuse
    prefix = top.strip()
    try:
        files = safegit.tree_files(root, verified.strip(), list(REV_PATHS),
                                   file_limit=REV_FILE_LIMIT, total_limit=REV_TOTAL_LIMIT)
    except safegit.TreeTooLarge as exc:
        raise UsageError(f"{exc.path} at {rev} is too large to compare ({exc.size:,} bytes)", COMMAND_LINE,
                         "compare with an edition number instead") from None
    if files is None:
        raise refuse
    with tempfile.TemporaryDirectory(prefix="briefgen-rev-") as scratch:
        tree = Path(scratch) / "tree"
        for name, data in files.items():
            path = tree / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        then = Project(tree / prefix if prefix else tree)
        try:
            then_target = dataclasses.replace(target)
            if document_kind(target.kind).per_block and then.catalogue.get(target.block_id) is None:
                return {"framing": editions.framing(project, target.kind, target.audience), "blocks": {},
                        "linked": {}}
            return snapshot_of(current(then, then_target))
        except UsageError:
            raise
        except Exception as exc:  # noqa: BLE001 - the revision's content may not load with this tool
            raise UsageError(f"the content at {rev} could not be read: {exc}", COMMAND_LINE,
                             "compare with an edition number instead") from None


def compare_target(project: Project, target: Target, since: str | None = None) -> Comparison:
    """Compare TARGET as it is now with SINCE (see resolve_since)."""
    now = current(project, target)
    label, old = resolve_since(project, target, now, since)
    new = snapshot_of(now)
    if not document_kind(target.kind).per_block:
        title = target.title or project.config.title
    else:
        title = project.catalogue.get(target.block_id).name
    hidden = now.__dict__.get("_unseen") or Unseen()
    changes = compare(old, new)
    return Comparison(target, title, now, label, old, new, [c for c in changes if hidden.why(c) is None],
                      [(c, hidden.why(c) or "") for c in changes if hidden.why(c) is not None])


# --- text ----------------------------------------------------------------------------------------------------------

def section_title(project: Project, cmp: Comparison, change: Change) -> str:
    """The heading a change is grouped under: the section of the document it shows in."""
    titles = {**EXTRA_TITLES, **project.audience(cmp.target.audience).config.titles()}
    if change.what == "framing":
        return titles["framing"]
    if not change.own:
        other = cmp.new["linked"].get(change.block) or cmp.old["linked"].get(change.block) or {}
        return f"Linked: {other.get('name', change.block)}"
    section = titles.get(FIELD_SECTIONS.get(change.section, change.section),
                         change.section.replace("_", " ").capitalize())
    if len(cmp.new["blocks"]) > 1 or len(cmp.old["blocks"]) > 1:  # the book: per chapter
        block = cmp.new["blocks"].get(change.block) or cmp.old["blocks"].get(change.block) or {}
        return f"{block.get('name', change.block)}: {section}"
    return section


def grouped(project: Project, cmp: Comparison) -> dict[str, list[Change]]:
    """The changes by section heading, in the order the document shows its sections (linked blocks, framing last)."""
    cfg = project.audience(cmp.target.audience).config
    order = ["title", *cfg.onepager.lead, *cfg.onepager.columns] if document_kind(cmp.target.kind).summary else \
        ["title", *cfg.brief.sections]
    blocks = list(cmp.new["blocks"]) + [b for b in cmp.old["blocks"] if b not in cmp.new["blocks"]]

    def key(c: Change) -> tuple:
        section = FIELD_SECTIONS.get(c.section, c.section)
        return (c.what == "framing", not c.own, blocks.index(c.block) if c.block in blocks else 0,
                c.block, order.index(section) if section in order else len(order), c.index or 0)

    out: dict[str, list[Change]] = {}
    for change in sorted(cmp.changes, key=key):
        out.setdefault(section_title(project, cmp, change), []).append(change)
    return out


def _cite(cites: list[str]) -> str:
    return f"  [{', '.join(cites)}]" if cites else ""


def format_text(project: Project, cmp: Comparison) -> str:
    """The changes for review in a pull request: +/- lines grouped by section, words marked [-old-] {+new+}."""
    now = cmp.now
    lines = [f"{now.doc_number} {cmp.title}: {cmp.target}",
             f"since {cmp.since}; now {now.edition.label}" + ("" if not now.new else " (not yet recorded)"),
             f"summary: {cmp.summary}" + (f"; not shown in this document: {summary([c for c, _ in cmp.unseen])}"
                                          if cmp.unseen else "")]
    for section, changes in grouped(project, cmp).items():
        lines += ["", f"## {section}"]
        for c in changes:
            head = f"{c.what} {c.op}"
            if c.op == "moved":
                head += f" from {c.moved_from}"
            if c.op in ("changed",) and c.words:
                lines.append(f"~ {head}: {c.marked()}")
                lines.append(f"- {c.old}{_cite(c.old_cite)}")
                lines.append(f"+ {c.new}{_cite(c.new_cite)}")
            elif c.op == "recited":
                lines.append(f"~ {head}: {c.new}")
                lines.append(f"-{_cite(c.old_cite) or '  [no citation]'}")
                lines.append(f"+{_cite(c.new_cite) or '  [no citation]'}")
            elif c.op == "removed":
                lines.append(f"- {head}: [-{c.old}-]{_cite(c.old_cite)}")
            elif c.op in ("added", "moved"):
                lines.append(f"+ {head}: {{+{c.new}+}}{_cite(c.new_cite)}")
            else:
                lines.append(f"~ {head}: {c.old} -> {c.new}")
    if cmp.unseen:
        lines += ["", "## Changed in the block, not shown in this document"]
        for c, why in cmp.unseen:
            words = c.new if c.op != "removed" else c.old
            lines.append(f"  {c.what} {c.op} in {c.section} ({why}): {words}")
    return "\n".join(lines) + "\n"


# --- the redline PDF -------------------------------------------------------------------------------------------------

def _element_type(cls: type, name: str) -> type | None:
    try:
        hint = typing.get_type_hints(cls)[name]
    except (KeyError, NameError, TypeError):
        return None
    args = typing.get_args(hint)
    return args[0] if args and dataclasses.is_dataclass(args[0]) else None


def _ref(text: str) -> SourceRef:
    seed, _, anchor = text.partition("#")
    return SourceRef(seed=seed, anchor=anchor)


def _rebuild(cls: type, data: dict) -> Any:
    """A record of CLS from its snapshot (editions.records.plain) form."""
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal") or f.name not in data:
            continue
        value = data[f.name]
        if f.name.endswith("cite") and value is not None:
            value = [_ref(v) for v in value] if isinstance(value, list) else _ref(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def _text_field(item: Any) -> str | None:
    return next((n for n in ("text", "action") if isinstance(getattr(item, n, None), str)), None)


def marked_block(block: Any, changes: list[Change], vet: Any = None) -> Any:
    """BLOCK with its changed statements marked, added ones marked inserted, removed ones put back, struck.

    VET (change -> bool) says whether an earlier edition's text may be printed: a removed statement it refuses is
    not put back, and a changed one shows only its new words."""
    updates: dict[str, Any] = {}
    vet = vet or (lambda c: True)
    by_field: dict[str, list[Change]] = {}
    for c in changes:
        by_field.setdefault(c.section, []).append(c)
    for name, field_changes in by_field.items():
        value = getattr(block, name, None)
        if isinstance(value, list) and all(dataclasses.is_dataclass(v) for v in value):
            items = list(value)
            for c in field_changes:
                if c.op == "removed" or c.index is None or c.index >= len(items):
                    continue
                item = items[c.index]
                attr = _text_field(item)
                if attr is None:
                    continue
                text = getattr(item, attr)
                marked = marks.mark_words(c.words) if c.words and vet(c) else \
                    marks.insert(text) if c.op in ("added", "moved") or c.words else f"{marks.MARK}{text}"
                items[c.index] = dataclasses.replace(item, **{attr: marked})
            cls = _element_type(type(block), name)
            for c in sorted((c for c in field_changes if c.op == "removed"), key=lambda c: c.index or 0):
                if cls is None or c.old is None or not vet(c):
                    continue
                attr = "text" if any(f.name == "text" for f in dataclasses.fields(cls)) else "action"
                single = cls.__name__ == "Quote"  # a quote cites one passage; statements a list
                data = {attr: marks.delete(c.old), "cite": (c.old_cite[:1] or [""])[0] if single else c.old_cite}
                try:
                    item = _rebuild(cls, {**_defaults(cls), **data})
                except TypeError:
                    continue
                items.insert(min(c.index or 0, len(items)), item)
            updates[name] = items
        elif isinstance(value, str) and name in ("summary", "bottom_line"):
            c = field_changes[0]
            updates[name] = marks.mark_words(c.words) if c.words and vet(c) else \
                marks.insert(value) if c.words else f"{marks.MARK}{value}"
    if not updates:
        return block
    out = dataclasses.replace(block, **updates)
    out.loc, out.locs = block.loc, block.locs
    return out


def _vetter(project: Project) -> Any:
    """Whether a change's earlier text passes the checks current text passes (content.vetting): the redline
    prints nothing from the record that `check` would refuse in the content."""
    from briefgen.content.vetting import vetted

    def vet(c: Change) -> bool:
        return c.old is None or vetted(c.old, list(c.old_cite or []), project.seeds, project.config.forbidden_words,
                                       quote=c.what == "quote", block=project.catalogue.get(c.block))

    return vet


def _defaults(cls: type) -> dict:
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
    return out


def summary_html(project: Project, cmp: Comparison) -> str:
    """The first-page box: what is compared, the counts, and the sections that changed."""
    rows = "".join(f"<li><span class=\"redline-count\">{n}</span> {html.escape(_count_words(k, n))}</li>"
                   for k, n in cmp.counts.items()) or "<li>No changes</li>"
    sections = ", ".join(html.escape(s) for s in grouped(project, cmp))
    return ('<aside class="redline-summary" aria-label="Summary of changes">'
            f'<h2>Changes since {html.escape(cmp.since)}</h2>'
            f'<ul class="redline-counts">{rows}</ul>'
            + (f'<p class="redline-sections">Sections changed: {sections}</p>' if sections else "")
            + (f'<p class="redline-unseen">Also changed in the content, not shown in this document: '
               f'{html.escape(summary([c for c, _ in cmp.unseen]))}</p>' if cmp.unseen else "")
            + f'<p class="redline-editions">Now {html.escape(cmp.now.edition.label)} \u00b7 '
              f'{html.escape(cmp.now.doc_number)}</p>'
            + '<p class="redline-key">Inserted words are <ins>underlined</ins>, deleted words <del>struck through'
              '</del>; a bar in the margin marks each changed passage.</p></aside>')


def _count_words(key: str, n: int) -> str:
    from briefgen.editions.changes import WHAT

    what, op = key.split(" ", 1)
    singular, plural = WHAT[what]
    return f"{singular if n == 1 else plural} {op}"


def redline_project(project: Project, cmp: Comparison) -> Project:
    """A copy of PROJECT whose compared blocks carry the marks, with the redline's stylesheet and summary."""
    marked = copy.copy(project)
    cat = copy.copy(project.catalogue)
    cat.blocks = dict(cat.blocks)
    aud = project.audience(cmp.target.audience)
    for bid in cmp.new["blocks"]:
        own = [c for c in cmp.changes if c.block == bid and c.own]
        if own and bid in cat.blocks:
            view = audience_view(cat.blocks[bid], aud.config, aud.name)
            cat.blocks[bid] = marked_block(view, own, _vetter(project))
    marked.__dict__["catalogue"] = cat
    # the document shows its current edition, not one of the marked copy
    marked.__dict__["_editions"] = {(cmp.target.kind, cmp.target.block_id, aud.name):
                                    (cat, aud, _stamp(project, cmp.now.rel), cmp.now)}
    css_path = project.root / "templates" / "css" / "redline.css"
    css = css_path.read_text(encoding="utf-8") if css_path.is_file() else ""
    marked.__dict__["redline"] = (css, summary_html(project, cmp))
    return marked


def _stamp(project: Project, rel: str) -> tuple:
    try:
        stat = (project.root / rel).stat()
    except OSError:
        return ()
    return (stat.st_mtime_ns, stat.st_size)


def render_redline(project: Project, cmp: Comparison, *, strict: bool = False,  # noqa: ANN201 - batch.render.Output
                   levels: dict | None = None, layout_only: bool = False):
    """The redline PDF of CMP's document, through the one render path: laid out at the fit LEVELS the document's
    last build recorded (batch.render.start_levels), and audited like the document (its findings named by the
    redline's path). The marks and the summary add lines: when that leaves a page defect the brief's fit loop
    mends (a runt last page), the fit levels are searched for the marked copy. LAYOUT_ONLY: audit, make no PDF."""
    from briefgen.batch.render import render
    from briefgen.render.fit import BRIEF_FIXES

    if not document_kind(cmp.target.kind).per_block:
        raise UsageError("a redline PDF is made for a brief or a one-pager", COMMAND_LINE,
                         "use --format text for the book, or the book's changes appendix")
    marked = redline_project(project, cmp)
    output = render(marked, cmp.target, "pdf", strict=strict, fit_search=False, layout_only=layout_only,
                    **(levels or {}))
    if any(f["code"] in BRIEF_FIXES for f in output.layout):
        output = render(marked, cmp.target, "pdf", strict=strict, fit_search=True, layout_only=layout_only,
                        **(levels or {}))
    name = redline_rel(cmp.target)
    output.layout = [{**finding, "document": name} for finding in output.layout]
    return output


def redline_rel(target: Target) -> str:
    """The redline's path under the output folder (AUDIENCE/redlines/ID.KIND.pdf), which names its findings."""
    return redline_path(Path(), target).as_posix()


def render_redline_docx(project: Project, cmp: Comparison) -> bytes:
    """The redline of a brief as a Word document whose changes are native tracked changes (w:ins/w:del), by
    "briefgen" on the current edition's date, for Word's Review pane."""
    from briefgen.render.docx.inline import Revision
    from briefgen.render.docx.make import make_block_document
    from briefgen.render.writers import writer

    kind = document_kind(cmp.target.kind)
    if not kind.per_block or kind.name not in writer("docx").kinds:
        raise UsageError("a Word redline is made for a brief", COMMAND_LINE,
                         "use --format pdf for a one-pager, --format text for the book")
    when = f"{cmp.now.edition.date.isoformat()}T00:00:00Z"
    sections = ", ".join(grouped(project, cmp))
    preface = [f"Changes since {cmp.since}: {cmp.summary or 'none'}; now {cmp.now.edition.label}.",
               *([f"Sections changed: {sections}. Each change is a tracked change (Review pane)."] if sections else [])]
    return make_block_document(redline_project(project, cmp), cmp.target, Revision("briefgen", when),
                               edition=cmp.now, preface=preface).data
