"""A cache file of JSON entries sealed by their own sha256: read only when it verifies, written atomically."""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from briefgen.errors import ContentError, Location, OutputError, display_path
from briefgen.safeio import UnsafeFile, check_folder, read_inside
from briefgen.write import write_atomic

log = logging.getLogger(__name__)


def digest(entries: dict) -> str:
    """The seal of ENTRIES: the sha256 of their canonical JSON."""
    return hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()


def read_sealed(path: Path, base: Path, limit: int, what: str, redo: str, stamp: str | None = None) -> dict[str, Any]:
    """The entries of the cache file PATH (WHAT, e.g. "parse cache"), or {} when it is missing, unreadable, too large,
    not sealed by its own digest or (STAMP given) written by another tool; REDO says what happens then. A link or a
    FIFO on the way from BASE is a located error, never followed or waited on."""
    try:
        check_folder(path, base)
        data = json.loads(read_inside(path, path.parent, limit).decode("utf-8"))
    except UnsafeFile as exc:
        if exc.reason == "large":
            return {}
        raise ContentError(f"the {what} is unsafe: {exc.why}", Location(display_path(path)),
                           f"delete {display_path(path.parent)} (it is rebuilt) and make it a real folder") from None
    except (OSError, ValueError, RecursionError):
        return {}
    entries = data.get("entries") if isinstance(data, dict) else None
    if isinstance(entries, dict) and (stamp is None or data.get("tool") == stamp) \
            and data.get("sha256") == digest(entries):
        return entries
    if entries is not None:
        log.info("%s %s does not verify: %s", what, path, redo)
    return {}


def write_sealed(path: Path, entries: dict, base: Path, what: str, stamp: str | None = None) -> None:
    """Write ENTRIES sealed (and STAMPed) to PATH, no link on the way from BASE; a failed write (a full disk) leaves
    the cache as it was, with a warning."""
    sealed: dict[str, Any] = {"sha256": digest(entries), "entries": entries}
    if stamp is not None:
        sealed["tool"] = stamp
    try:
        write_atomic(path, json.dumps(sealed, sort_keys=True), inside=base)
    except OutputError as exc:
        log.warning("%s not written: %s", what, exc.format_message())
