"""Repair mojibake: UTF-8 text that was decoded as ISO-8859-7 (Greek) with the undecodable bytes lost."""
from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from briefgen.seeds.outline import split_lines

log = logging.getLogger(__name__)

CODEPAGE = "iso8859_7"
#: Shown in the repaired text where the original character cannot be recovered with certainty.
DAMAGED = "\ufffd"


def _lost_bytes() -> tuple[int, ...]:
    """Bytes that vanish when UTF-8 is read as ISO-8859-7: C1 controls and undefined positions."""
    lost = []
    for b in range(0x80, 0x100):
        try:
            ch = bytes([b]).decode(CODEPAGE)
        except UnicodeDecodeError:
            lost.append(b)
            continue
        if 0x80 <= ord(ch) <= 0x9F:
            lost.append(b)
    return tuple(lost)


LOST = _lost_bytes()
LOST_CONTINUATION = tuple(b for b in LOST if 0x80 <= b <= 0xBF)


@dataclass(frozen=True)
class Repair:
    """One repair (or one damaged spot that could not be repaired) in a seed."""

    seed: str
    line: int
    col: int
    before: str
    after: str
    certain: bool
    reason: str

    def __str__(self) -> str:
        verdict = "repaired" if self.certain else "NOT repaired (uncertain), marked"
        return (f"{self.seed}:{self.line}:{self.col}: {verdict}: {self.before!r} -> {self.after!r} "
                f"({self.reason})")


def _byte(ch: str) -> int | None:
    """Return the ISO-8859-7 byte of CH, or None when CH is not in the upper half of that code page."""
    try:
        raw = ch.encode(CODEPAGE)
    except UnicodeEncodeError:
        return None
    return raw[0] if raw[0] >= 0xA0 else None


def _expected_length(lead: int) -> int:
    """Return how many bytes a UTF-8 sequence starting with LEAD has (0 if LEAD cannot start one)."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


@lru_cache(maxsize=256)
def _candidates(present: bytes, length: int) -> tuple[str, ...]:
    return tuple(candidates(present, length))


def candidates(present: bytes, length: int) -> list[str]:
    """Return every character whose UTF-8 form is PRESENT with LENGTH-len(PRESENT) lost bytes put back."""
    missing = length - len(present)
    lead, tail = present[:1], present[1:]
    found: set[str] = set()
    for slots in itertools.combinations(range(length - 1), missing):
        for fill in itertools.product(LOST_CONTINUATION, repeat=missing):
            cont, kept, filled = [], iter(tail), iter(fill)
            for pos in range(length - 1):
                cont.append(next(filled) if pos in slots else next(kept))
            try:
                found.add((lead + bytes(cont)).decode("utf-8"))
            except UnicodeDecodeError:
                continue
    return sorted(found)


@dataclass
class _Cluster:
    start: int
    end: int
    present: bytes
    length: int


def _clusters(line: str) -> list[_Cluster]:
    """Split LINE's damaged stretches into would-be UTF-8 sequences (lead byte + surviving continuations)."""
    out: list[_Cluster] = []
    i = 0
    while i < len(line):
        b = _byte(line[i])
        length = _expected_length(b) if b is not None else 0
        if not length:
            i += 1
            continue
        j, present = i + 1, bytes([b])
        while j < len(line) and len(present) < length:
            nb = _byte(line[j])
            if nb is None or not 0xA0 <= nb <= 0xBF:
                break
            present += bytes([nb])
            j += 1
        out.append(_Cluster(i, j, present, length))
        i = j
    return out


def _has_evidence(text: str) -> bool:
    """Whether TEXT shows the damage for sure: mostly Latin letters, and somewhere a Greek "lead byte"
    followed by a "continuation byte" (e.g. `πΉ`), which real Greek writing does not produce in a Latin text."""
    letters = [c for c in text if c.isalpha()]
    greek = sum(1 for c in letters if "\u0370" <= c <= "\u03ff")
    if not greek or greek > 0.05 * len(letters):
        return False
    return any(len(c.present) > 1 for line in split_lines(text) for c in _clusters(line))


_APOSTROPHE_AFTER = re.compile(r"(s|t|d|m|ll|re|ve)\b")


def _certain(line: str, cluster: _Cluster, options: list[str]) -> tuple[str, str] | None:
    """Return (character, reason) when context leaves exactly one sensible candidate, else None."""
    before = line[cluster.start - 1] if cluster.start else " "
    after = line[cluster.end:]
    if "\u2019" in options and before.isalpha() and _APOSTROPHE_AFTER.match(after):
        return "\u2019", "apostrophe in a word: of the possible characters only U+2019 serves as one"
    if "\u2014" in options and before == " " and after[:1] == " " and after[1:2].isalnum():
        return "\u2014", "spaced dash between words: the publisher's pages use a spaced U+2014 (wisc-stead L30, L32)"
    return None


def repair(text: str, seed: str) -> tuple[str, list[Repair]]:
    """Return TEXT with certain repairs made, uncertain damage marked U+FFFD, and every change listed.

    Lines are never added or removed, so line numbers (and L12-L30 citations) stay valid.
    """
    if not _has_evidence(text):
        return text, []
    repairs: list[Repair] = []
    out_lines = []
    for lineno, full in enumerate(split_lines(text, keepends=True), start=1):
        line = full.rstrip("\r\n")
        ending = full[len(line):]
        pieces: list[str] = []
        pos = 0
        pending: list[tuple[int, int]] = []  # adjacent uncertain clusters merge into one mark

        def flush() -> None:
            if not pending:
                return
            start, end = pending[0][0], pending[-1][1]
            before = line[start:end]
            repairs.append(Repair(seed, lineno, start + 1, before, DAMAGED, False,
                                  f"pictograph or symbol with bytes lost: {_describe(line, pending)}"))
            pieces.append(DAMAGED)
            pending.clear()

        for cl in _clusters(line):
            if pending and cl.start != pending[-1][1]:
                flush()
            pieces.append(line[pos:cl.start])
            pos = cl.end
            options = list(_candidates(cl.present, cl.length))
            sure = _certain(line, cl, options) if len(options) > 1 else (
                (options[0], "no bytes lost") if options else None)
            if sure:
                flush()
                pieces.append(sure[0])
                repairs.append(Repair(seed, lineno, cl.start + 1, line[cl.start:cl.end], sure[0], True, sure[1]))
            else:
                pending.append((cl.start, cl.end))
        flush()
        pieces.append(line[pos:])
        out_lines.append("".join(pieces) + ending)
    for r in repairs:
        log.info("%s", r)
    return "".join(out_lines), repairs


def _describe(line: str, spans: list[tuple[int, int]]) -> str:
    """Say how many characters each damaged stretch could have been."""
    counts = []
    for start, end in spans:
        for c in _clusters(line[start:end]):
            counts.append(len(_candidates(c.present, c.length)))
    total = 1
    for n in counts:
        total *= max(n, 1)
    return f"{total} possible originals"
