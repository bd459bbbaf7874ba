"""`briefgen review`: a reviewed Word document read back statement by statement, each edit checked against the
passages its statement cites, written as a change proposal, and (with --apply) the passing edits put into the
block files."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from briefgen import safeio
from briefgen.config.inputs import DRAFTS, REVIEWS
from briefgen.config.kinds import Target
from briefgen.content.claims import RULES, Context, Statement, forbidden_patterns
from briefgen.content.model import Quote, as_list
from briefgen.content.provenance import quote_found
from briefgen.errors import COMMAND_LINE, ContentError, UsageError
from briefgen.ingest.curate import replace_scalar
from briefgen.project import Project
from briefgen.render.docx.ids import PROPERTY_PREFIX, StatementId
from briefgen.render.docx.make import make_document
from briefgen.render.docx.read import NotWord, read_docx
from briefgen.render.writers import writer
from briefgen.write import write_atomic

logger = logging.getLogger(__name__)

#: The largest reviewed document read (bytes).
MAX_DOCX = 100_000_000
#: Where change proposals are written, in the project.
PROPOSALS = f"{DRAFTS.as_posix()}/{REVIEWS}"
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2013": "-", "\u2014": "-",
                         "\u2026": "..."})


def _same(a: str, b: str) -> bool:
    return " ".join(a.translate(_QUOTES).split()) == " ".join(b.translate(_QUOTES).split())


@dataclass
class Entry:
    """One statement the reviewer touched: its wording as made and as reviewed, the changes, comments, findings."""

    sid: StatementId
    file: str
    line: int | None
    old: str
    new: str
    tracked: list[dict] = field(default_factory=list)
    untracked: bool = False
    comments: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    #: "unchanged" (comments only), "ready" (passes the checks), "flagged" (a check fails), "by hand", "applied".
    status: str = "unchanged"
    why: str = ""

    @property
    def changed(self) -> bool:
        return not _same(self.old, self.new)

    def as_dict(self) -> dict:
        out = {"id": self.sid.tag, "block": self.sid.block, "file": self.file, "line": self.line,
               "field": self.sid.field, "index": self.sid.index, "status": self.status, "old": self.old,
               "new": self.new, "tracked": self.tracked, "untracked": self.untracked, "comments": self.comments,
               "findings": self.findings}
        if self.why:
            out["why"] = self.why
        return {k: v for k, v in out.items() if v not in (None, [], "") or k in ("old", "new")}


@dataclass
class Review:
    """What `briefgen review` found in one document."""

    document: str
    target: Target
    made_from: dict[str, str]
    entries: list[Entry]
    added: list[dict]
    notices: list[str] = field(default_factory=list)
    proposal: str | None = None
    applied: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"document": self.document, "made_from": self.made_from, "notices": self.notices,
                "statements": [e.as_dict() for e in self.entries], "uncited_new_text": self.added}


def _target(props: dict[str, str], shown: str) -> Target:
    get = {k[len(PROPERTY_PREFIX):]: v for k, v in props.items() if k.startswith(PROPERTY_PREFIX)}
    if get.get("kind") not in writer("docx").kinds or not get.get("id") or not get.get("audience"):
        raise UsageError(f"{shown} was not made by `briefgen brief --format docx` (it has no briefgen properties)",
                         COMMAND_LINE, "review the Word file briefgen wrote, as the reviewers returned it")
    target = Target.of(get["kind"], get["id"], get["audience"])
    if target.block_id != get["id"]:  # of a kind made once per build, Target.of names the whole document
        raise UsageError(f"{shown} is a selection of the book ({get['id']})", COMMAND_LINE,
                         "review a brief, or the whole book (`briefgen book --format docx`)")
    return target


def _record(project: Project, sid: StatementId):  # noqa: ANN202 - (record, key, cites) or None
    """The record holding statement SID, the key its wording is under, and its citations."""
    block = project.catalogue.get(sid.block)
    if block is None:
        return None
    if sid.index is None:
        cites = getattr(block, f"{sid.field}_cite", None)
        return block, sid.field, as_list(cites)
    items = getattr(block, sid.field, None) or []
    if not 0 < sid.index <= len(items):
        return None
    item = items[sid.index - 1]
    key = "text" if hasattr(item, "text") else "action"
    return item, key, as_list(getattr(item, "cite", None))


def check_wording(project: Project, sid: StatementId, text: str) -> list[dict]:
    """The provenance and claims findings of TEXT as statement SID's new wording, each with its rule and passage."""
    found = _record(project, sid)
    if found is None:
        return [{"rule": "unknown_statement", "message": f"{sid} names no statement in the content",
                 "hint": "the block or the list changed since the document was made"}]
    record, key, cites = found
    passages, seeds = [], []
    for ref in cites:
        seed = project.seeds.get(ref.seed)
        passage = seed.passage(ref.anchor) if seed else None
        if passage is not None:
            passages.append((str(ref), passage.text))
            if seed not in seeds:
                seeds.append(seed)
    out = []
    if isinstance(record, Quote):
        if not any(quote_found(text.strip("\u201c\u201d\" "), p) for _, p in passages):
            out.append({"rule": "verbatim_quote", "message": f"{sid.what}: the quote is not word for word in "
                        f"{', '.join(r for r, _ in passages)}", "hint": "quote the passage exactly, or cut it",
                        "passage": passages[0][1].strip() if passages else ""})
        return out
    block = project.catalogue.get(sid.block)
    st = Statement(block, sid.what, text, record.where(key), cites, f"{sid.field}_cite" if sid.index is None
                   else f"{sid.what}.cite", passages=[p for _, p in passages], seeds=seeds)
    ctx = Context(forbidden_patterns(project.config.forbidden_words), project.config.forbid_line_citations)
    for name, rule in RULES.items():
        for f in rule(st, ctx):
            out.append({"rule": name, "message": f.message, "hint": f.hint, "warning": f.warning,
                        "passage": "\n".join(f"{r}: {' '.join(p.split())}" for r, p in passages)})
    return out


def _entry(project: Project, sid: StatementId, old: str, new: str, before: str) -> Entry:
    block = project.catalogue.get(sid.block)
    found = _record(project, sid)
    file = project.catalogue.file_of(block) if block is not None else ""
    loc = found[0].where(found[1]) if found else None
    return Entry(sid, file, loc.line if loc else None, old, new, untracked=not _same(before, old))


def review(project: Project, path: Path, shown: str) -> Review:
    """Read the reviewed document at PATH against the brief as it was made; check every edit."""
    try:  # the reviewed file comes from outside the project: a plain file of bounded size, never a FIFO
        data = safeio.read_inside(path, None, MAX_DOCX)
    except safeio.UnsafeFile as exc:
        raise UsageError(f"{shown}: file refused: {exc.why}", COMMAND_LINE, "give the reviewed .docx file itself")
    except OSError as exc:
        raise UsageError(f"{shown}: cannot read it: {exc.strerror}", COMMAND_LINE, "check the path") from None
    try:
        got = read_docx(data)
    except NotWord as exc:
        raise UsageError(f"{shown} is not a Word document ({exc})", COMMAND_LINE, "give the reviewed .docx file")
    target = _target(got.properties, shown)
    again = make_document(project, target)  # made again from the content as it is now, to compare with
    made = read_docx(again.data)
    props = {k[len(PROPERTY_PREFIX):]: v for k, v in got.properties.items() if k.startswith(PROPERTY_PREFIX)}
    result = Review(shown, target, {k: props[k] for k in ("kind", "id", "audience", "edition", "fingerprint", "date")
                                    if k in props}, [], [])
    now = again.edition
    if props.get("fingerprint") and now is not None and props["fingerprint"] != now.fingerprint:
        result.notices.append(f"the content changed since this document was made (edition {props.get('edition')}"
                              f"; now {now.edition.label}): edits are compared with the content as it is now")
    for tag, st in got.statements.items():
        old = made.statements[tag].after if tag in made.statements else st.before
        entry = _entry(project, st.sid, old, st.after, st.before)
        entry.tracked = [r.as_dict() for r in st.revisions]
        entry.comments = [c.as_dict() for c in st.comments]
        if entry.changed:
            entry.findings = check_wording(project, st.sid, st.after)
            errors = [f for f in entry.findings if not f.get("warning")]
            entry.status = "flagged" if errors else "ready"
        if entry.changed or entry.comments:
            result.entries.append(entry)
    for tag, st in made.statements.items():
        if tag not in got.statements:
            entry = _entry(project, st.sid, st.after, "", st.after)
            entry.status, entry.why = "by hand", "the reviewer removed the statement: cut it from the block by hand"
            result.entries.append(entry)
    known = {text for text, _, _ in made.others}
    for text, inserted, comments in got.others:
        if inserted or text not in known:
            result.added.append({"text": text, "tracked": inserted, "comments": [c.as_dict() for c in comments],
                                 "findings": [{"rule": "uncited", "message": "new text the reviewer added has no "
                                               "source", "hint": "cite a passage that states it, or leave it out"}]})
        elif comments:
            result.added.append({"text": text, "comments": [c.as_dict() for c in comments], "note": "comment only"})
    return result


def _by_hand(project: Project, entry: Entry) -> str:
    """Why ENTRY cannot be applied automatically ("" when it can)."""
    found = _record(project, entry.sid)
    if found is None:
        return "the statement is no longer in the content"
    record, key, _ = found
    source = getattr(record, key)
    if not _same(_plain(source), entry.old):
        return "the block's wording changed since the document was made, or it has formatting: apply by hand"
    return ""


def _plain(source: str) -> str:
    from briefgen import prose

    return "\n\n".join(prose.plain(p) for p in re.split(r"\n\s*\n", source.strip()))


def write_proposal(project: Project, result: Review) -> Path:
    """Write the change proposal (content/drafts/reviews/<document>.yaml); return its path."""
    for entry in result.entries:
        if entry.status == "ready":
            why = _by_hand(project, entry)
            if why:
                entry.status, entry.why = "by hand", why
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(result.document).stem) or "review"
    path = project.root / PROPOSALS / f"{name}.yaml"
    head = ("# Change proposal from a reviewed Word document (briefgen review). status: ready = passes the checks and\n"
            "# `briefgen review FILE --apply` applies it; applied; flagged = a provenance or claims check fails (the\n"
            "# rule and the passage are given); by hand = the analyst edits the block; unchanged = comments only.\n")
    write_atomic(path, head + yaml.safe_dump(result.as_dict(), sort_keys=False, allow_unicode=True, width=110))
    result.proposal = str(path.relative_to(project.root))
    return path


def apply(project: Project, result: Review) -> list[str]:
    """Put every ready entry's new wording into its block file; return the statement ids applied."""
    done = []
    # From the bottom of each file up: a rewritten value may take more or fewer lines than before, which moves
    # every line below it but none above.
    ready = [e for e in result.entries if e.status == "ready" and e.line is not None]
    for entry in sorted(ready, key=lambda e: (e.file, -(e.line or 0))):
        record, key, _ = _record(project, entry.sid)
        source = getattr(record, key)
        new = entry.new
        if "\u201c" not in source:
            new = new.replace("\u201c", '"').replace("\u201d", '"')
        if "\u2019" not in source:
            new = new.replace("\u2019", "'").replace("\u2018", "'")
        try:
            replace_scalar(project.root / entry.file, entry.file, entry.line, key, new)
        except ContentError as exc:
            entry.status, entry.why = "by hand", exc.format_message()
            continue
        entry.status = "applied"
        done.append(entry.sid.tag)
    result.applied = done
    return done


__all__ = ["PROPOSALS", "Review", "apply", "check_wording", "review", "write_proposal"]
