"""Surgical edits of a block file: one scalar's value replaced in place, every other line (comments too) untouched.

A minimal stand-in for the curation stage's block editing (`briefgen curate`), used by `briefgen review --apply`;
the two are meant to be unified.
"""
from __future__ import annotations

import json
import logging
import re
import textwrap
from pathlib import Path

from briefgen.errors import ContentError, Location
from briefgen.write import write_atomic

logger = logging.getLogger(__name__)

#: Width block scalars are folded to, as the catalogue's files are written.
WIDTH = 100
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9(][^:#\n\"'{}\[\]&*!|>%@`]*\Z")


def _scalar(text: str, indent: int, key_line: str) -> list[str]:
    """TEXT as YAML after `key: `: a plain scalar when it is safe and fits on the key's line, else a folded block."""
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


def replace_scalar(path: Path, shown: str, line: int, key: str, new: str) -> None:
    """Replace the value of KEY, found on LINE (1-based) or the first line after it, with NEW in the file at PATH."""
    lines = path.read_text(encoding="utf-8").split("\n")
    pattern = re.compile(rf"^(\s*(?:-\s+)?){re.escape(key)}:(\s|$)")
    at = next((i for i in range(line - 1, min(line + 2, len(lines))) if pattern.match(lines[i])), None)
    if at is None:
        raise ContentError(f"no `{key}:` at line {line}", Location(shown, line),
                           "the file changed since the document was made; make the review again")
    m = pattern.match(lines[at])
    key_line = lines[at][:m.end(1)] + f"{key}: "
    indent = m.end(1)  # the key's column: its value's continuation lines sit deeper
    end = at + 1
    while end < len(lines) and (not lines[end].strip() or
                                len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    while end > at + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next key stay
    lines[at:end] = _scalar(new, indent, key_line)
    write_atomic(path, "\n".join(lines))
    logger.info("%s:%d: %s replaced", shown, at + 1, key)
