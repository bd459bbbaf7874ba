"""Editions: what each document shows, its edition number and date, and the record of past editions.

The record lives in the project, not in build/: `editions/<audience>/<kind>/<name>.json` per document (its document
number and its editions: number, date, fingerprint, and content-addressed references to what it showed), and
`editions/objects/<sha256>.json`, one JSON object per distinct content part (a block's fields as an audience reads
them, the fields of a linked block a document showed, an audience's framing). Everything is written atomically,
with sorted keys and no build time, so a rebuild with no change leaves every file byte-identical, and git diffs stay
small. A new edition is made only when the fingerprint of what a document shows changes: templates, stylesheets and
the tool are not part of it.

The date of an edition is the content's last change: SOURCE_DATE_EPOCH's date when set (a reproducible build says
when its sources last changed); else the newest commit touching the files the document read when the project is a
git repository and those files are committed and unchanged; else the files' newest modification time. Never the
build clock.

Workers only read the record (`propose`); the build's parent process writes it (`commit`) for the documents it
rendered.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen import safegit, safeio
from briefgen.config.inputs import EDITIONS_DIR
from briefgen.config.kinds import document_kind
from briefgen.config.schema import Record
from briefgen.content.model import Block, SourceRef
from briefgen.content.views import audience_view
from briefgen.errors import ContentError, Location
from briefgen.safeio import is_object_id, read_inside
from briefgen.write import write_inside

#: Folder under editions/ holding the content-addressed parts of snapshots.
OBJECTS = "objects"
#: Block fields a document never shows (PDF metadata only, or identity).
UNSHOWN: frozenset[str] = frozenset({"keywords"})


@dataclass(frozen=True)
class Edition:
    """One edition of a document: its number (from 1) and the date of the content change it records."""

    number: int
    date: dt.date

    @property
    def label(self) -> str:
        return f"Edition {self.number} \u00b7 Updated {self.date.strftime('%B %-d, %Y')}"

    def __str__(self) -> str:
        return self.label


@dataclass
class Proposal:
    """A document's current edition as the record and the content determine it, and what committing it writes."""

    rel: str
    doc_number: str
    edition: Edition
    fingerprint: str
    #: The record entry of this edition (number, date, fingerprint, refs to objects).
    entry: dict
    #: Object sha256 -> canonical JSON text: the snapshot's parts.
    objects: dict[str, str] = field(default_factory=dict)
    #: Whether the edition is new (not yet in the record).
    new: bool = False

    def snapshot(self) -> dict:
        """The full snapshot this edition shows, from its own parts."""
        entry, load = self.entry, json.loads
        return {"framing": load(self.objects[entry["framing"]]),
                "blocks": {b: load(self.objects[d]) for b, d in entry.get("blocks", {}).items()},
                "linked": {b: load(self.objects[d]) for b, d in entry.get("linked", {}).items()}}

    def previous(self, root: Path) -> tuple[dict, dict] | None:
        """The record entry and snapshot of the edition before this one, if the record holds it whole."""
        record = load_record(root, self.rel)
        entry = next((e for e in record["editions"] if e["number"] == self.edition.number - 1), None)
        snap = resolve(root, entry) if entry is not None else None
        return (entry, snap) if snap is not None else None

    def as_dict(self) -> dict:
        return {"rel": self.rel, "doc_number": self.doc_number, "fingerprint": self.fingerprint, "entry": self.entry,
                "objects": self.objects, "new": self.new}

    @classmethod
    def from_dict(cls, data: dict) -> Proposal:
        entry = data["entry"]
        return cls(data["rel"], data["doc_number"], Edition(entry["number"], dt.date.fromisoformat(entry["date"])),
                   data["fingerprint"], entry, dict(data["objects"]), bool(data["new"]))


# --- snapshots -----------------------------------------------------------------------------------------------------

def plain(value: Any) -> Any:
    """VALUE as JSON: records as dicts of their fields (locations left out), citations as `seed#anchor`."""
    if isinstance(value, SourceRef):
        return str(value)
    if isinstance(value, Record):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not f.metadata.get("internal")}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def block_fields(block: Block, names: list[str] | None = None) -> dict:
    """The shown fields of BLOCK (all but UNSHOWN), or only NAMES."""
    data = plain(block)
    keep = names if names is not None else [k for k in data if k not in UNSHOWN]
    out = {k: data[k] for k in keep if k in data}
    out["id"], out["type"] = block.id, block.type_name
    return out


#: Properties templates read that derive from a field: the field counts as shown.
DERIVED: dict[str, str] = {"domain_label": "domain", "cites": "cite"}


def _with_sources(block: Block, fields: list[str] | None) -> list[str] | None:
    """FIELDS plus the fields a derived property read stands for, in the block's own order; None stays None."""
    if fields is None:
        return None
    wanted = set(fields) | {DERIVED[f] for f in fields if f in DERIVED}
    return [f.name for f in dataclasses.fields(block) if f.name in wanted and f.name not in UNSHOWN]


def framing(project: Any, kind: str, audience: str, type_name: str | None = None) -> dict:
    """What an audience's framing adds to a document: its label, marking, sections (for a block of TYPE_NAME, when
    one), titles and limits."""
    cfg = project.audience(audience).config
    out = {"audience": audience, "label": cfg.label, "marking": cfg.marking,
           "limits": plain(cfg.limits), "us_internal": cfg.us_internal}
    if document_kind(kind).summary:
        out["sections"] = {"lead": list(cfg.onepager.lead), "columns": list(cfg.onepager.columns)}
        shown = [*cfg.onepager.lead, *cfg.onepager.columns]
    else:
        shown = cfg.brief.sections_for(type_name) if type_name else list(cfg.brief.sections)
        out["sections"] = list(shown)
    titles = cfg.titles()
    out["titles"] = {s: titles[s] for s in shown if s in titles}  # the headings of the sections it shows
    return out


def snapshot(project: Any, kind: str, audience: str, block_ids: list[str],
             deps: dict[str, list[str]] | None = None,
             fields: list[str] | dict[str, list[str]] | None = None) -> dict:
    """What a document shows: its framing, its blocks as the audience reads them, linked blocks' shown fields.

    BLOCK_IDS are the document's own blocks (one for a brief or one-pager, every chapter for the book); DEPS the
    linked blocks' fields its templates read (recorded while rendering; a linked block reading nothing is left out).
    """
    cat = project.catalogue
    cfg = project.audience(audience).config
    blocks = {}
    for bid in block_ids:
        block = cat.get(bid)
        if block is not None:
            names = fields.get(bid) if isinstance(fields, dict) else fields
            blocks[bid] = block_fields(audience_view(block, cfg, audience), _with_sources(block, names))
    linked = {}
    for bid, names in sorted((deps or {}).items()):
        other = cat.get(bid)
        if other is not None and names and bid not in blocks:
            linked[bid] = block_fields(audience_view(other, cfg, audience), sorted(names))
    own = cat.get(block_ids[0]) if len(block_ids) == 1 else None
    return {"framing": framing(project, kind, audience, own.type_name if own is not None else None),
            "blocks": blocks, "linked": linked}


def split_snapshot(snap: dict) -> tuple[dict, dict[str, str]]:
    """The record entry's references to SNAP's parts, and the parts as canonical JSON by their sha256."""
    objects: dict[str, str] = {}

    def ref(value: Any) -> str:
        text = canonical(value)
        digest = _sha(text)
        objects[digest] = text
        return digest

    refs = {"framing": ref(snap["framing"]),
            "blocks": {bid: ref(v) for bid, v in sorted(snap["blocks"].items())},
            "linked": {bid: ref(v) for bid, v in sorted(snap["linked"].items())}}
    return refs, objects


def fingerprint_of(refs: dict) -> str:
    return _sha(canonical(refs))


# --- the record ------------------------------------------------------------------------------------------------------

def record_rel(kind: str, name: str, audience: str) -> str:
    return f"{EDITIONS_DIR}/{audience}/{kind}/{name}.json"


#: A block id, as a record's maps use it.
ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
#: The largest edition number a record may hold (a document edited daily for a thousand years stays under it).
MAX_EDITION = 1_000_000
#: The dates an edition may carry.
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _read_file(root: Path, rel: str, what: str, hint: str) -> bytes:
    """REL's bytes, read through the safe file layer (a regular file inside the project, capped); a file that is
    unsafe or cannot be read is a located ContentError naming WHAT. FileNotFoundError passes through."""
    try:
        return read_inside(root / rel, root, safeio.RECORD_LIMIT)
    except FileNotFoundError:
        raise
    except safeio.UnsafeFile as exc:
        raise ContentError(f"cannot read {what}: {exc.why}", Location(rel), hint) from None
    except OSError as exc:
        raise ContentError(f"cannot read {what}: {exc}", Location(rel), hint) from None


def _read_json(root: Path, rel: str, hint: str) -> Any:
    """REL's JSON, read through the safe file layer (a regular file inside the project, capped) and parsed with
    its nesting bounded; every failure a located ContentError. FileNotFoundError passes through."""
    raw = _read_file(root, rel, "the editions record", hint)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"cannot read the editions record: {exc}", Location(rel), hint) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ContentError("the editions record is nested too deeply to be a record", Location(rel, 1, 1),
                           hint) from None
    except ValueError as exc:
        line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        raise ContentError(f"the editions record is not valid JSON: {getattr(exc, 'msg', exc)}",
                           Location(rel, line, col), hint) from None


def _entry_problem(entry: Any, previous: int) -> str | None:
    """What is wrong with one edition entry of a record, or None."""
    if not isinstance(entry, dict):
        return "an edition that is not an object"
    number = entry.get("number")
    if type(number) is not int or not previous < number <= MAX_EDITION:
        return f"edition number {number!r} is not a whole number after {previous} (at most {MAX_EDITION:,})"
    date = entry.get("date")
    try:
        day = dt.date.fromisoformat(date) if isinstance(date, str) and len(date) == 10 and date.isascii() else None
    except ValueError:
        day = None
    if day is None or not FIRST_DATE <= day <= LAST_DATE:
        return f"edition {number} has the date {date!r}, not a real YYYY-MM-DD date"
    if not is_object_id(entry.get("fingerprint")):
        return f"edition {number} has no valid fingerprint (64 hex digits)"
    refs = [entry.get("framing")]
    for part in ("blocks", "linked"):
        value = entry.get(part, {})
        if not isinstance(value, dict) or not all(isinstance(k, str) and ID_RE.match(k) for k in value):
            return f"edition {number} has {part} that are not a map of block ids to object ids"
        refs += list(value.values())
    bad = next((r for r in refs if not is_object_id(r)), None) if "framing" in entry else None
    if "framing" in entry and bad is not None:
        return f"edition {number} refers to the object {str(bad)[:80]!r}, which is not a sha256 object id"
    return None


def load_record(root: Path, rel: str) -> dict:
    """The record of one document ({"doc_number", "editions": [...]}); a missing one is empty.

    A record that is not valid JSON (a merge conflict, a hand edit) is an error naming its line and column, never
    read as empty: the next build would overwrite its history with a new edition 1. So is an edition whose number
    is not the next whole number, whose date is not a real date, or whose object references are not sha256 ids
    (an id is the only thing ever joined into a path). A link, FIFO or device in its place is refused unread.
    """
    hint = f"resolve it (git checkout -- {rel} restores the committed one), or delete it to start again at 1"
    try:
        data = _read_json(root, rel, hint)
    except FileNotFoundError:
        return {"editions": []}
    if not isinstance(data, dict) or not isinstance(data.get("editions"), list):
        raise ContentError("the editions record has no list of editions", Location(rel, 1, 1), hint)
    number = 0
    for entry in data["editions"]:
        problem = _entry_problem(entry, number)
        if problem is not None:
            raise ContentError(f"the editions record is not valid: {problem}", Location(rel), hint)
        number = entry["number"]
    doc = data.get("doc_number")
    if doc is not None and not (isinstance(doc, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]{0,39}", doc)):
        data.pop("doc_number")
    return data


def object_rel(digest: str) -> str:
    """The project-relative path of the object DIGEST (which must be a sha256 id: ValueError otherwise)."""
    if not is_object_id(digest):
        raise ValueError(f"not an object id: {digest!r}")
    return f"{EDITIONS_DIR}/{OBJECTS}/{digest}.json"


def load_object(root: Path, digest: str) -> Any:
    """The object DIGEST, read through the safe file layer and checked against its hash before it is used: an
    object whose bytes do not hash to its name is an error, never a snapshot."""
    rel = object_rel(digest)
    hint = f"restore {EDITIONS_DIR}/{OBJECTS}/ from the repository (git checkout -- {EDITIONS_DIR})"
    raw = _read_file(root, rel, "the edition object", hint)
    if hashlib.sha256(raw).hexdigest() != digest:
        raise ContentError("the edition object does not match its sha256 name (changed or forged)", Location(rel),
                           hint)
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise ContentError(f"the edition object is not valid JSON: {exc}", Location(rel), hint) from None


def resolve(root: Path, entry: dict) -> dict | None:
    """The full snapshot an edition entry refers to; None when a part is missing from the record. A part that is
    there but unsafe, forged or unreadable is a located ContentError."""
    try:
        return {"framing": load_object(root, entry["framing"]),
                "blocks": {bid: load_object(root, d) for bid, d in entry.get("blocks", {}).items()},
                "linked": {bid: load_object(root, d) for bid, d in entry.get("linked", {}).items()}}
    except (FileNotFoundError, KeyError):
        return None
    except ValueError as exc:  # a reference that is not an object id (load_record refuses these already)
        raise ContentError(f"the editions record is not valid: {exc}", Location(EDITIONS_DIR)) from None


# --- document numbers ------------------------------------------------------------------------------------------------

#: Words a title's initials leave out.
_MINOR_WORDS = frozenset("a an and at by for from in of on or the to with".split())


def series_prefix(title: str) -> str:
    """A document series prefix from the project title, whatever its case: `U.S. alliances and partnerships` and
    `U.S. Alliances and Partnerships` both give `USAP` (so a change of title case never renumbers a document)."""
    letters = []
    for word in re.findall(r"[A-Za-z][A-Za-z.]*", title):
        if "." in word:  # an abbreviation: its letters
            letters.append("".join(c for c in word if c.isalpha()))
        elif word.lower() not in _MINOR_WORDS:
            letters.append(word[0])
    return ("".join(letters).upper() or "DOC")[:6]


def doc_number(project: Any, kind: str, name: str) -> str:
    """A document number, stable per block (or book variant) and kind (audience_number adds the audience's code).

    Five digits drawn from the name, so it never depends on build order or on the record; a rare clash between two
    names of one kind is resolved by the order of the names, probing upward.
    """
    prefix = f"{project.config.series or series_prefix(project.config.title)}-{document_kind(kind).code}"
    if not document_kind(kind).per_block:
        names = [name]
    else:
        names = sorted(b.id for b in project.catalogue.documents())
        if name not in names:
            names = sorted([*names, name])
    taken: dict[int, str] = {}
    for other in names:
        n = int(hashlib.sha256(f"{kind}:{other}".encode()).hexdigest(), 16) % 90000 + 10000
        while n in taken:
            n = 10000 + (n - 10000 + 1) % 90000
        taken[n] = other
        if other == name:
            return f"{prefix}-{n}"
    raise AssertionError("unreachable")


def audience_code(project: Any, audience: str) -> str:
    """The shortest upper-case start of AUDIENCE's name that no other audience's name shares (congress: C)."""
    names = sorted(set(project.audience_names()) | {audience})
    for k in range(1, len(audience) + 1):
        if sum(1 for other in names if other[:k] == audience[:k]) == 1:
            return audience[:k].upper()
    return audience.upper()


def audience_number(project: Any, number: str, audience: str) -> str:
    """NUMBER for AUDIENCE's edition: each audience's edition of a document is a document of its own, so its number
    ends in the audience's code (USAP-B-18567-C for congress); a number that already carries it is kept."""
    code = audience_code(project, audience)
    return number if number.endswith(f"-{code}") else f"{number}-{code}"


# --- dates -------------------------------------------------------------------------------------------------------------

def _git(root: Path, *args: str) -> str | None:
    """`git ARGS` in ROOT with the project's configuration unable to name a program (briefgen.safegit)."""
    return safegit.text(root, *args)


@functools.lru_cache(maxsize=8)
def _in_git(root: Path) -> bool:
    return _git(root, "rev-parse", "--is-inside-work-tree") is not None


def _committed_unchanged(root: Path, files: list[str]) -> bool:
    """Whether every one of FILES is in HEAD's tree with exactly the bytes it has on disk.

    Compared here, object id against object id, rather than with `git status`, which would read the index (and so
    run a configured fsmonitor) and pass changed files through the project's clean filters.
    """
    algo = (_git(root, "rev-parse", "--show-object-format") or "sha1").strip()
    if algo not in ("sha1", "sha256"):
        return False
    listing = safegit.run(root, "ls-tree", "-z", "HEAD", "--", *files)
    if listing is None:
        return False
    committed: dict[str, str] = {}
    for row in listing.split(b"\0"):
        meta, _, name = row.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == b"blob":
            committed[name.decode("utf-8", "replace")] = fields[2].decode("ascii", "replace")
    for rel in files:
        oid = committed.get(rel)
        if oid is None:
            return False
        try:
            data = read_inside(root / rel, root, limit=safeio.SEED_LIMIT)
        except OSError:
            return False
        if hashlib.new(algo, b"blob %d\0" % len(data) + data).hexdigest() != oid:
            return False
    return True


def _epoch_date() -> dt.date | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date() if epoch.isdigit() else None


def content_date(root: Path, files: list[str]) -> dt.date:
    """The date of the newest change to FILES (project-relative).

    SOURCE_DATE_EPOCH when set (the build declares when its sources last changed: reproducible builds), else the
    newest git commit touching FILES when they are committed and unchanged, else their newest modification time.
    """
    files = sorted(set(files))
    epoch = _epoch_date()
    if epoch is not None:
        return epoch
    if files and _in_git(root):
        if _committed_unchanged(root, files):
            stamp = _git(root, "log", "-1", "--format=%ct", "--", *files)
            if stamp and stamp.strip().isdigit():
                return dt.datetime.fromtimestamp(int(stamp.strip()), tz=dt.timezone.utc).date()
    times = []
    for rel in files:
        try:
            times.append((root / rel).stat().st_mtime)
        except OSError:
            continue
    return dt.datetime.fromtimestamp(max(times), tz=dt.timezone.utc).date() if times else dt.date(1970, 1, 1)


def snapshot_files(project: Any, snap: dict, audience: str) -> list[str]:
    """The project files what SNAP shows was read from: its blocks' files, linked blocks' files, the audience's."""
    cat = project.catalogue
    files = [cat.file_of(cat.get(bid)) for bid in (*snap["blocks"], *snap["linked"]) if cat.get(bid) is not None]
    files += [f"audiences/{name}.yaml" for name in project.audience(audience).chain]
    return files


# --- propose and commit ------------------------------------------------------------------------------------------------

def propose(project: Any, kind: str, name: str, audience: str, block_ids: list[str],
            deps: dict[str, list[str]] | None = None,
            fields: list[str] | dict[str, list[str]] | None = None) -> Proposal:
    """The current edition of a document: the record's latest when what it shows is unchanged, else the next one."""
    rel = record_rel(kind, name, audience)
    record = load_record(project.root, rel)
    snap = snapshot(project, kind, audience, block_ids, deps, fields)
    refs, objects = split_snapshot(snap)
    fingerprint = fingerprint_of(refs)
    number = record.get("doc_number") if isinstance(record.get("doc_number"), str) else doc_number(project, kind, name)
    number = audience_number(project, number, audience)
    latest = record["editions"][-1] if record["editions"] else None
    if latest is not None and latest["fingerprint"] == fingerprint:
        return Proposal(rel, number, Edition(latest["number"], dt.date.fromisoformat(latest["date"])), fingerprint,
                        latest, objects, new=False)
    date = content_date(project.root, snapshot_files(project, snap, audience))
    if latest is not None:  # an edition never predates the one it follows
        date = max(date, dt.date.fromisoformat(latest["date"]))
    entry = {"number": (latest["number"] + 1) if latest else 1, "date": date.isoformat(),
             "fingerprint": fingerprint, **refs}
    return Proposal(rel, number, Edition(entry["number"], date), fingerprint, entry, objects, new=True)


def commit(root: Path, proposal: Proposal) -> bool:
    """Record PROPOSAL (its objects first, then the document's record); return whether a file changed."""
    record = load_record(root, proposal.rel)
    changed = False
    if proposal.new and not (record["editions"] and record["editions"][-1]["fingerprint"] == proposal.fingerprint):
        for digest, text in sorted(proposal.objects.items()):
            path = root / object_rel(digest)
            if not path.is_file() or path.is_symlink():
                write_inside(root, path, text)
        record["editions"] = [e for e in record["editions"] if e["number"] < proposal.entry["number"]]
        record["editions"].append(proposal.entry)
        changed = True
    if record.get("doc_number") != proposal.doc_number:
        record["doc_number"] = proposal.doc_number
        changed = True
    if changed:
        write_inside(root, root / proposal.rel, canonical({"doc_number": record["doc_number"],
                                                     "editions": record["editions"]}))
    return changed


def find_edition(record: dict, since: str) -> dict | None:
    """The record entry SINCE names: an edition number, or a date (the latest edition on or before it)."""
    if since.isascii() and since.isdigit():
        return next((e for e in record["editions"] if e["number"] == int(since)), None)
    try:
        day = dt.date.fromisoformat(since) if since.isascii() else None
    except ValueError:
        return None
    if day is None:
        return None
    before = [e for e in record["editions"] if dt.date.fromisoformat(e["date"]) <= day]
    return before[-1] if before else None
