"""Edit a block file's YAML text in place, keeping its comments and layout; roll back when the check fails."""
from __future__ import annotations

import json
import logging
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from briefgen.config import yamlsafe
from briefgen.errors import BriefgenError, ContentError, Location
from briefgen.write import write_atomic

log = logging.getLogger(__name__)

#: The keys of a statement, in the order a block file writes them.
ITEM_KEYS = ("text", "figure", "speaker", "cite", "key", "us_internal")
_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")
#: Width a reworded value's folded lines are wrapped to, as the catalogue's files are written.
WIDTH = 100
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9(][^:#\n\"'{}\[\]&*!|>%@`]*\Z")


@dataclass
class StatementEdit:
    """One change to a list of statements in a block: add an item, replace item INDEX, or delete it.

    FIELD is the block's list field (why_it_matters, how_it_shows_up, key_actions, examples, quotes, ...);
    INDEX counts that list's items from 0 as the file holds them before any edit; ITEM holds the statement's
    keys (text, cite, and figure, speaker, key where they apply) for an add or a replace.
    """

    field: str
    action: str = "add"  # add | replace | delete
    index: int | None = None
    item: dict[str, Any] | str = field(default_factory=dict)


@dataclass
class EditResult:
    """What applying edits to one file did: whether it was kept, and the errors that made it roll back."""

    path: Path
    kept: bool
    errors: list[BriefgenError] = field(default_factory=list)
    text: str = ""  # the file's text as written (or as it would have been, when rolled back)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, str) and re.fullmatch(r"[a-z0-9][\w.-]*#[\w.-]+", value):
        return value  # a citation, written bare as the catalogue writes them
    return json.dumps(value, ensure_ascii=False)


def render_item(item: dict[str, Any] | str, indent: str) -> list[str]:
    """ITEM as the lines of one list entry at INDENT ('  - text: ...', then its other keys; a string as itself)."""
    if isinstance(item, str):
        return [f"{indent}- {_scalar(item)}"]
    keys = [k for k in ITEM_KEYS if item.get(k) not in (None, "", False)] + \
        [k for k in item if k not in ITEM_KEYS and item[k] not in (None, "")]
    out = []
    for i, key in enumerate(keys):
        lead = f"{indent}- " if i == 0 else f"{indent}  "
        out.append(f"{lead}{key}: {_scalar(item[key])}")
    return out


@dataclass
class _Field:
    key_line: int  # 0-based line of 'field:'
    items: list[tuple[int, int]]  # 0-based first and last line of each item
    indent: str
    flow: bool


def _spans(lines: list[str], root: yamlsafe.YNode) -> dict[str, _Field]:
    """Where each top-level list field and its items are in LINES."""
    keys = sorted((k.loc.line - 1, str(k)) for k in root.value if getattr(k, "loc", None) and k.loc.line)
    out: dict[str, _Field] = {}
    for n, (line, name) in enumerate(keys):
        node = root.value[name]
        if node.kind != "seq":
            continue
        next_key = keys[n + 1][0] if n + 1 < len(keys) else len(lines)
        starts = [item.loc.line - 1 for item in node.value]
        items = []
        for i, start in enumerate(starts):
            end = (starts[i + 1] - 1) if i + 1 < len(starts) else next_key - 1
            while end > start and (not lines[end].strip() or (lines[end].lstrip().startswith("#")
                                                              and not lines[end].startswith(" "))):
                end -= 1
            while start > 0 and not lines[start].lstrip().startswith("-") and start > line:
                start -= 1  # a mapping item's location is its first key, on the dash's line or after it
            items.append((start, end))
        first = lines[items[0][0]] if items else ""
        indent = first[: len(first) - len(first.lstrip())] if items else "  "
        flow = "[" in lines[line].split("#", 1)[0].partition(":")[2]
        out[name] = _Field(line, items, indent, flow)
    return out


def edit_text(text: str, edits: Sequence[StatementEdit], shown: str) -> str:
    """Return TEXT (a block file) with EDITS applied to its lines; every other line is kept as it was."""
    root = yamlsafe.loads(text, shown)
    if root.kind != "map":
        raise ContentError("the block is not a mapping", Location(shown, 1), "a block is 'key: value' lines")
    lines = text.splitlines()
    spans = _spans(lines, root)
    changes: list[tuple[int, int, list[str]]] = []  # (first line, lines removed, lines inserted), 0-based
    for edit in edits:
        span = spans.get(edit.field)
        if span is not None and span.flow:
            raise ContentError(f"{edit.field} is written on one line ([...]); statements cannot be added to it",
                               Location(shown, span.key_line + 1), f"write {edit.field} as a list of '- text:' lines")
        if edit.action == "add":
            if span is None:
                at = next((i for i, ln in enumerate(lines) if ln.startswith("sources:")), len(lines))
                changes.append((at, 0, [f"{edit.field}:", *render_item(edit.item, "  ")]))
            else:
                at = span.items[-1][1] + 1 if span.items else span.key_line + 1
                changes.append((at, 0, render_item(edit.item, span.indent)))
            continue
        if span is None or edit.index is None or not 0 <= edit.index < len(span.items):
            raise ContentError(f"{edit.field} has no item {edit.index if edit.index is None else edit.index + 1}",
                               Location(shown), "number the statements as `briefgen curate` shows them")
        first, last = span.items[edit.index]
        new = render_item(edit.item, span.indent) if edit.action == "replace" else []
        changes.append((first, last - first + 1, new))
    for name, span in spans.items():  # a list left with no item loses its key too (an empty list reads as null)
        gone = {e.index for e in edits if e.field == name and e.action == "delete"}
        if span.items and len(gone) == len(span.items) and not any(e.field == name and e.action != "delete"
                                                                   for e in edits):
            changes.append((span.key_line, 1, []))
    # From the bottom up, so earlier line numbers hold; adds at one place keep their order.
    for _, (at, removed, inserted) in sorted(enumerate(changes), key=lambda c: (-c[1][0], -c[0])):
        del lines[at:at + removed]
        lines[at:at] = inserted
    return "\n".join(lines) + "\n"


def _folded(text: str, indent: int, key_line: str) -> list[str]:
    """TEXT as YAML after KEY_LINE (`key: `): plain when safe and it fits on the key's line, quoted when it fits
    there, else a folded block wrapped to WIDTH."""
    if _PLAIN_SAFE.match(text) and len(key_line) + len(text) <= WIDTH and text == text.strip():
        return [key_line + text]
    if "\n" not in text and len(key_line) + len(text) + 2 <= WIDTH:
        return [key_line + json.dumps(text, ensure_ascii=False)]
    pad = " " * (indent + 2)
    lines = [key_line + ">-"]
    for n, para in enumerate(text.split("\n\n")):
        if n:
            lines.append("")
        lines += textwrap.wrap(para, WIDTH - len(pad), break_long_words=False, break_on_hyphens=False,
                               initial_indent=pad, subsequent_indent=pad)
    return lines


def set_scalar(text: str, line: int, key: str, new: str, shown: str) -> str:
    """Return TEXT with the value of KEY, found on LINE (1-based) or the two lines after it, replaced by NEW; every
    other line (comments too) is kept as it was."""
    lines = text.split("\n")
    pattern = re.compile(rf"^(\s*(?:-\s+)?){re.escape(key)}:(\s|$)")
    at = next((i for i in range(line - 1, min(line + 2, len(lines))) if pattern.match(lines[i])), None)
    if at is None:
        raise ContentError(f"no `{key}:` at line {line}", Location(shown, line),
                           "the file changed since the document was made; make the review again")
    m = pattern.match(lines[at])
    indent = m.end(1)  # the key's column: its value's continuation lines sit deeper
    end = at + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    while end > at + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next key stay
    lines[at:end] = _folded(new, indent, lines[at][:indent] + f"{key}: ")
    return "\n".join(lines)


def _verified(path: Path, new_text: str, verify: Callable[[], list[BriefgenError]], shown: str,
              original: bytes | None) -> EditResult:
    """Write NEW_TEXT to PATH and run VERIFY; on any error put back ORIGINAL (None: remove the new file)."""

    def undo() -> None:
        if original is None:
            path.unlink(missing_ok=True)
        else:
            write_atomic(path, original)

    write_atomic(path, new_text.encode("utf-8"))
    try:
        errors = verify()
    except BriefgenError as exc:
        errors = [exc]
    except BaseException:
        undo()
        raise
    if errors:
        undo()
        log.info("%s restored: %d error(s) after the edit", shown, len(errors))
        return EditResult(path, False, errors, new_text)
    return EditResult(path, True, [], new_text)


def apply_statement_edits(path: Path, edits: Sequence[StatementEdit], verify: Callable[[], list[BriefgenError]],
                          shown: str | None = None) -> EditResult:
    """Apply EDITS to the block file PATH in place, run VERIFY, and put the file back as it was if VERIFY fails.

    The file's other lines (comments, blank lines, folded text, key order) are kept byte for byte: items are
    inserted after the last item of their field (a missing field goes before `sources:`), replaced or deleted by
    their line span. VERIFY is called with the edited file on disk (e.g. the project's content check) and
    returns errors; any error restores the original bytes, so a failed edit never loses the analyst's text.
    """
    shown = shown or path.as_posix()
    original = path.read_bytes()
    return _verified(path, edit_text(original.decode("utf-8"), edits, shown), verify, shown, original)


def replace_scalar(path: Path, shown: str, line: int, key: str, new: str) -> None:
    """Replace the value of KEY, found on LINE (1-based) or the two lines after it, with NEW in the file at PATH
    (`briefgen review --apply`); a key not there is a located error and the file is left as it was."""
    original = path.read_bytes()
    _verified(path, set_scalar(original.decode("utf-8"), line, key, new, shown), list, shown, original)
    log.info("%s:%d: %s replaced", shown, line, key)


# --- curating a draft or an addition ---------------------------------------------------------------------

#: The statement lists a draft offers, in the order `briefgen curate` numbers them.
STATEMENT_LISTS = ("why_it_matters", "modernization_priorities", "key_actions", "how_it_shows_up", "examples",
                   "quotes")
_TODO_LINE = re.compile(r"^\s*#.*\bTODO\b")
_TODO_TAIL = re.compile(r"\s+#[^\"']*\bTODO\b.*$")


@dataclass
class Statement:
    """One numbered statement of a draft: its list, its place in that list, and its keys."""

    number: int
    field: str
    index: int
    item: dict[str, Any]


@dataclass
class DraftView:
    """A draft (new block or addition) read for curating, with the block it goes to."""

    path: Path
    shown: str
    block_id: str
    target: Path  # the block file: the existing one for an addition, content/<folder>/<id>.yaml for a new block
    addition: bool
    statements: list[Statement]
    sources: list[str]


def _plain(node: yamlsafe.YNode) -> Any:
    if node.kind == "map":
        return {str(k): _plain(v) for k, v in node.value.items()}
    if node.kind == "seq":
        return [_plain(v) for v in node.value]
    return node.value


def read_draft(root: Path, path: Path, block_files: dict[str, str]) -> DraftView:
    """Read the draft at PATH (under content/drafts/) and find its block (BLOCK_FILES: id -> content/... file)."""
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    node = yamlsafe.load(path, shown)
    if node.kind != "map":
        raise ContentError("the draft is not a mapping", Location(shown, 1), "a draft is 'key: value' lines")
    data = _plain(node)
    statements = []
    for name in STATEMENT_LISTS:
        for i, item in enumerate(data.get(name) or []):
            if isinstance(item, dict):
                statements.append(Statement(len(statements) + 1, name, i, item))
    sources = [str(s) for s in data.get("sources") or []]
    if data.get("addition_to"):
        block_id = str(data["addition_to"])
        if block_id not in block_files:
            raise ContentError(f"no block {block_id!r} to add to", Location(shown, 1),
                               "the block was renamed or removed: set addition_to to an existing block id")
        return DraftView(path, shown, block_id, root / block_files[block_id], True, statements, sources)
    block_id = str(data.get("id") or path.stem)
    folder = path.parent.name
    return DraftView(path, shown, block_id, root / "content" / folder / f"{block_id}.yaml", False, statements,
                     sources)


def block_statements(path: Path, shown: str) -> dict[str, list[str]]:
    """The texts of each statement list of the block file PATH, as it stands."""
    data = _plain(yamlsafe.load(path, shown))
    return {name: [str(i.get("text", "")) if isinstance(i, dict) else str(i) for i in data.get(name) or []]
            for name in STATEMENT_LISTS if isinstance(data, dict) and data.get(name)}


def _current_sources(text: str, shown: str) -> list[str]:
    root = yamlsafe.loads(text, shown)
    node = root.value.get("sources") if root.kind == "map" else None
    return [str(_plain(v)) for v in node.value] if node is not None and node.kind == "seq" else []


def curate(root: Path, view: DraftView, keep: Sequence[int] | None,
           verify: Callable[[], list[BriefgenError]]) -> EditResult:
    """Apply the kept statements (KEEP: numbers, or None for all) of VIEW to its block and run VERIFY.

    An addition's statements are added to the existing block file (and its sources extended); a new block's
    draft loses the statements not kept, its `draft: true` line and its to-do comments, and moves into place.
    On success the applied statements leave the draft (the file goes when nothing is left); when VERIFY fails
    every file is as it was.
    """
    chosen = [s for s in view.statements if keep is None or s.number in keep]
    unknown = sorted(set(keep or []) - {s.number for s in view.statements})
    if unknown:
        raise ContentError(f"the draft has no statement {', '.join(map(str, unknown))}", Location(view.shown),
                           f"choose among 1 to {len(view.statements)}, as `briefgen curate {view.shown}` numbers them")
    draft_text = view.path.read_text(encoding="utf-8")
    if view.addition:
        block_shown = view.target.relative_to(root).as_posix()
        have = _current_sources(view.target.read_text(encoding="utf-8"), block_shown)
        edits = [StatementEdit(s.field, "add", item=s.item) for s in chosen]
        edits += [StatementEdit("sources", "add", item=r) for r in view.sources if r not in have]
        result = apply_statement_edits(view.target, edits, verify, block_shown)
        if result.kept:
            _settle_draft(view, chosen, draft_text)
        return result
    if view.target.exists():
        raise ContentError(f"{view.target.relative_to(root).as_posix()} exists", Location(view.shown),
                           "give the draft another id, or add its points to the existing block")
    dropped = [StatementEdit(s.field, "delete", s.index) for s in view.statements if s not in chosen]
    text = edit_text(draft_text, dropped, view.shown) if dropped else draft_text
    result = _verified(view.target, settled(text), verify, view.target.relative_to(root).as_posix(), None)
    if result.kept:
        view.path.unlink()
    return result


def settled(text: str) -> str:
    """A draft's text without its `draft: true` line, its header comments and its to-do comments."""
    out: list[str] = []
    header = True
    for line in text.splitlines():
        if header and line.startswith("#"):
            continue  # the draft's own instructions ("Draft obstacle from ...", "To curate: ...")
        header = False
        if re.match(r"^draft\s*:\s*(?:true|yes|on)\s*(?:#.*)?$", line, re.I) or _TODO_LINE.match(line):
            continue
        out.append(_TODO_TAIL.sub("", line))
    return "\n".join(out) + "\n"


def _settle_draft(view: DraftView, applied: list[Statement], text: str) -> None:
    """Take the applied statements out of an addition's draft; delete it when none is left."""
    if len(applied) == len(view.statements):
        view.path.unlink()
        return
    edits = [StatementEdit(s.field, "delete", s.index) for s in applied]
    write_atomic(view.path, edit_text(text, edits, view.shown).encode("utf-8"))
