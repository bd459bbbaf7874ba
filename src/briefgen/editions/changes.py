"""What changed between two snapshots of a document (editions.records), at the level of the content's structure.

Points, examples and actions are matched by similarity (difflib): a statement is added, removed, changed (with a
word-level diff inside it), re-cited (same words, other passages) or moved (same words, another section). Quotes are
added, removed or changed; further sources and members are added or removed; other fields changed.
"""
from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

#: What a change is about, in the summary's words (singular, plural).
WHAT: dict[str, tuple[str, str]] = {
    "point": ("point", "points"), "quote": ("quote", "quotes"), "text": ("passage", "passages"),
    "citation": ("citation", "citations"), "item": ("entry", "entries"), "field": ("detail", "details"),
    "framing": ("framing detail", "framing details"),
}
#: Operations, in the order a summary counts them.
OPS: tuple[str, ...] = ("added", "removed", "changed", "recited", "moved")
#: How alike two statements must be (difflib ratio on words) to count as one statement changed.
SIMILAR = 0.5
#: Fields that are not statements of their own: they travel with the statement they cite, or name the block.
_COMPANIONS = ("_cite",)
_IDENTITY = ("id", "type")


@dataclass
class Change:
    """One change: in which block and field, what (point, quote, ...), how (added, ...), and the words."""

    block: str
    section: str
    what: str
    op: str
    old: str | None = None
    new: str | None = None
    old_cite: list[str] = field(default_factory=list)
    new_cite: list[str] = field(default_factory=list)
    #: Word-level diff of a changed statement: ("=" | "+" | "-", words).
    words: list[tuple[str, str]] = field(default_factory=list)
    #: Moved statements: the section they came from.
    moved_from: str | None = None
    #: Whether the block is one of the document's own (else a linked block it names).
    own: bool = True
    #: The position (in the new list) of a changed or added item, the old position of a removed one.
    index: int | None = None

    def marked(self) -> str:
        """The statement with the words it lost as [-...-] and the words it gained as {+...+}."""
        if self.words:
            return " ".join(w if op == "=" else (f"{{+{w}+}}" if op == "+" else f"[-{w}-]") for op, w in self.words)
        return self.new if self.new is not None else (self.old or "")

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [], "")}


def _cites(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _text(item: Any) -> str | None:
    if isinstance(item, dict):
        for key in ("text", "action"):
            if isinstance(item.get(key), str):
                return item[key]
        return None
    return item if isinstance(item, str) else None


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The words of OLD and NEW as runs kept, removed and added."""
    a, b = old.split(), new.split()
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _statement_kind(section: str) -> str:
    return "quote" if section == "quotes" else "point"


def _compare_items(bid: str, section: str, old: list, new: list, own: bool) -> list[Change]:
    """Changes between two lists of statements (dicts with text and cite), matched by words."""
    what = _statement_kind(section)
    changes: list[Change] = []
    old_left = dict(enumerate(old))
    new_left = dict(enumerate(new))
    for j, item in list(new_left.items()):  # the same words: unchanged or re-cited
        text = _text(item)
        i = next((i for i, o in old_left.items() if _text(o) == text), None)
        if i is None:
            continue
        o = old_left.pop(i)
        del new_left[j]
        if isinstance(item, dict) and isinstance(o, dict) and _cites(o.get("cite")) != _cites(item.get("cite")):
            changes.append(Change(bid, section, "citation", "recited", _text(o), text, _cites(o.get("cite")),
                                  _cites(item.get("cite")), own=own, index=j))
        elif isinstance(item, dict) and isinstance(o, dict) and o != item:
            changes.append(Change(bid, section, what, "changed", _text(o), text, _cites(o.get("cite")),
                                  _cites(item.get("cite")), own=own, index=j))
    pairs = sorted(((_ratio(_text(o) or "", _text(n) or ""), i, j) for i, o in old_left.items()
                    for j, n in new_left.items()), reverse=True)
    for ratio, i, j in pairs:  # the most alike first: one statement reworded
        if ratio < SIMILAR or i not in old_left or j not in new_left:
            continue
        o, n = old_left.pop(i), new_left.pop(j)
        ot, nt = _text(o) or "", _text(n) or ""
        changes.append(Change(bid, section, what, "changed", ot, nt, _cites(o.get("cite") if isinstance(o, dict)
                                                                          else None),
                              _cites(n.get("cite") if isinstance(n, dict) else None), word_diff(ot, nt), own=own,
                              index=j))
    for i, o in old_left.items():
        changes.append(Change(bid, section, what, "removed", _text(o), None,
                              _cites(o.get("cite") if isinstance(o, dict) else None), own=own, index=i))
    for j, n in new_left.items():
        changes.append(Change(bid, section, what, "added", None, _text(n), [],
                              _cites(n.get("cite") if isinstance(n, dict) else None), own=own, index=j))
    return changes


def compare_block(bid: str, old: dict | None, new: dict | None, own: bool = True) -> list[Change]:
    """Changes between two versions of one block's fields (either may be missing: the block came or went)."""
    old, new = old or {}, new or {}
    changes: list[Change] = []
    for name in sorted(set(old) | set(new)):
        if name in _IDENTITY or name.endswith(_COMPANIONS):
            continue
        a, b = old.get(name), new.get(name)
        cite_a, cite_b = _cites(old.get(f"{name}_cite")), _cites(new.get(f"{name}_cite"))
        if a == b and cite_a == cite_b:
            continue
        if isinstance(a, list) or isinstance(b, list):
            a, b = a or [], b or []
            if any(isinstance(x, dict) for x in (*a, *b)):
                changes += _compare_items(bid, name, a, b, own)
            else:  # further sources, members, linked ids: entries added or removed
                what = "citation" if name == "sources" else "item"
                changes += [Change(bid, name, what, "removed", str(x), None, own=own) for x in a if x not in b]
                changes += [Change(bid, name, what, "added", None, str(x), own=own) for x in b if x not in a]
        elif isinstance(a, str) and isinstance(b, str) and name in ("summary", "bottom_line"):
            if a != b:
                changes.append(Change(bid, name, "text", "changed", a, b, cite_a, cite_b, word_diff(a, b), own=own))
            else:
                changes.append(Change(bid, name, "citation", "recited", a, b, cite_a, cite_b, own=own))
        elif a is None or b is None:
            op = "added" if a is None else "removed"
            changes.append(Change(bid, name, "text" if name in ("summary", "bottom_line") else "field", op,
                                  _flat(a), _flat(b), cite_a, cite_b, own=own))
        else:
            changes.append(Change(bid, name, "field", "changed", _flat(a), _flat(b), cite_a, cite_b,
                                  word_diff(_flat(a) or "", _flat(b) or ""), own=own))
    return _moves(changes)


def _flat(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items() if v not in (None, [], "") and k != "cite")
    if isinstance(value, list):
        return ", ".join(_flat(v) or "" for v in value)
    return str(value)


def _moves(changes: list[Change]) -> list[Change]:
    """A statement removed from one section and added, word for word, to another has moved."""
    out = list(changes)
    for removed in [c for c in changes if c.op == "removed" and c.what == "point"]:
        added = next((c for c in out if c.op == "added" and c.what == "point" and c.new == removed.old
                      and c.section != removed.section), None)
        if added is not None:
            out.remove(removed)
            added.op, added.moved_from, added.old, added.old_cite = "moved", removed.section, removed.old, \
                removed.old_cite
    return out


def compare(old: dict, new: dict) -> list[Change]:
    """Every change between two document snapshots: its own blocks, linked blocks' shown fields, the framing."""
    changes: list[Change] = []
    for group, own in (("blocks", True), ("linked", False)):
        for bid in sorted(set(old.get(group, {})) | set(new.get(group, {}))):
            a, b = old.get(group, {}).get(bid), new.get(group, {}).get(bid)
            if a is not None and b is not None:
                # a field newly shown (or no longer shown) is the templates' doing, not a change of content
                shared = set(a) & set(b)
                a, b = {k: a[k] for k in shared}, {k: b[k] for k in shared}
            changes += compare_block(bid, a, b, own=own)
    fa, fb = old.get("framing", {}), new.get("framing", {})
    for key in sorted(set(fa) | set(fb)):
        if fa.get(key) != fb.get(key):
            changes.append(Change("", key, "framing", "changed", _flat(fa.get(key)), _flat(fb.get(key))))
    return changes


def counts(changes: list[Change]) -> dict[str, int]:
    """How many changes of each kind, keyed `what op` (e.g. `quote added`), in a stable order."""
    found = Counter(f"{c.what} {c.op}" for c in changes)
    order = [f"{w} {op}" for w in WHAT for op in OPS]
    return {k: found[k] for k in order if found[k]}


def summary(changes: list[Change]) -> str:
    """The counts in words: `1 point changed, 1 quote added, 1 quote removed`; `no changes` when none."""
    parts = []
    for key, n in counts(changes).items():
        what, op = key.split(" ", 1)
        singular, plural = WHAT[what]
        parts.append(f"{n} {singular if n == 1 else plural} {op}")
    return ", ".join(parts) if parts else "no changes"


# --- "What changed in this edition": a sentence per change, for readers -----------------------------------------

#: Where a field's statements show, for the reader (section names; headings come from the audience's titles).
READER_SECTIONS: dict[str, str] = {"summary": "overview", "bottom_line": "bottom_line"}


@dataclass
class ReaderChange:
    """One line of the box: how it changed (in the reader's words), the statement, and its own citations."""

    lead: str
    text: str
    cites: list[str]
    quote: bool = False
    speaker: str | None = None
    #: Whether the text comes from the earlier edition (the record), not from the current, checked catalogue: such
    #: text is printed only once vetted (content.vetting) like current text.
    earlier: bool = False


def reader_changes(changes: list[Change], titles: dict[str, str], new: dict) -> list[ReaderChange]:
    """The changes of a document's own statements, phrased for its readers; changes nothing cites are left out
    (every sentence a reader sees is cited), and so are changes of linked documents and of the framing."""
    out: list[ReaderChange] = []
    for c in changes:
        if not c.own or c.what in ("framing", "item", "field"):
            continue
        heading = titles.get(READER_SECTIONS.get(c.section, c.section), c.section.replace("_", " ").capitalize())
        if c.what == "quote":
            speaker = _speaker(new, c)
            if c.op == "removed" and c.old_cite:
                out.append(ReaderChange("Quotation withdrawn:", c.old or "", c.old_cite, True, None, earlier=True))
            elif c.op in ("added", "changed") and c.new_cite:
                out.append(ReaderChange("New quotation:" if c.op == "added" else "Quotation corrected:", c.new or "",
                                        c.new_cite, True, speaker))
            continue
        if c.what == "citation" and c.op == "recited" and c.new_cite and c.new:
            out.append(ReaderChange(f"Now sourced to a different passage, under \u201c{heading}\u201d:", c.new,
                                    c.new_cite))
        elif c.op == "removed" and c.old and c.old_cite:
            out.append(ReaderChange(f"No longer stated, under \u201c{heading}\u201d:", c.old, c.old_cite,
                                    earlier=True))
        elif c.op == "added" and c.new and c.new_cite:
            out.append(ReaderChange(f"New, under \u201c{heading}\u201d:", c.new, c.new_cite))
        elif c.op == "moved" and c.new and c.new_cite:
            out.append(ReaderChange(f"Now under \u201c{heading}\u201d:", c.new, c.new_cite))
        elif c.op == "changed" and c.new and c.new_cite:
            out.append(ReaderChange(f"Revised, under \u201c{heading}\u201d:", c.new, c.new_cite))
    return out


def vetted_changes(items: list[ReaderChange], vet: Callable[[ReaderChange], bool]) -> list[ReaderChange]:
    """ITEMS without the earlier edition's texts that VET refuses (a record can be edited by hand: its text is
    printed only when it passes the checks current text passes)."""
    return [item for item in items if not item.earlier or vet(item)]


def _speaker(new: dict, change: Change) -> str | None:
    block = new.get("blocks", {}).get(change.block) or {}
    for q in block.get("quotes", []) or []:
        if isinstance(q, dict) and q.get("text") == change.new:
            return q.get("speaker")
    return None
