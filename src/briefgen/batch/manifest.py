"""build/manifest.json: what was built from what, and the fast no-op check."""
from __future__ import annotations

import json
from pathlib import Path

from briefgen.batch.inputs import Hasher, source_epoch, tool_id, watched_files
from briefgen.safeio import RECORD_LIMIT, hash_file, read_inside
from briefgen.write import write_atomic

MANIFEST = "manifest.json"


def load_manifest(out: Path) -> dict:
    """Read OUT/manifest.json; a missing or unreadable one is an empty manifest."""
    try:
        data = json.loads(read_inside(out / MANIFEST, out, RECORD_LIMIT).decode("utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("outputs"), dict) else {"outputs": {}}
    except (OSError, ValueError):
        return {"outputs": {}}


def save_manifest(out: Path, manifest: dict) -> None:
    """Write the manifest atomically, keeping only entries whose output on disk is the one recorded."""
    outputs = {}
    for rel, entry in sorted(manifest.get("outputs", {}).items()):
        path = out / rel
        try:
            digest = hash_file(path)
        except OSError:
            continue
        if digest == entry.get("sha256"):
            outputs[rel] = entry
    manifest["outputs"] = outputs
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=False) + "\n", inside=out)


def _output_hash(out: Path, rel: str) -> str | None:
    try:
        return hash_file(out / rel)
    except OSError:
        return None


def _fresh(entry: dict | None, inputs: dict[str, str | None], out: Path, rel: str, strict: bool) -> bool:
    return bool(entry) and entry.get("tool") == tool_id() and entry.get("strict", False) == strict \
        and entry.get("source_date_epoch") == source_epoch() and entry.get("inputs") == inputs \
        and _output_hash(out, rel) == entry.get("sha256")


def fast_up_to_date(root: Path, out: Path, audiences: list[str], strict: bool = False,
                    hasher: Hasher | None = None) -> bool:
    """Tell, without loading the catalogue or WeasyPrint, whether every planned output is current.

    True only when the watched files are exactly those of the last build (none added, none deleted) with
    the same contents, the tool is the same, and every output that build planned for AUDIENCES is on disk
    as recorded.
    """
    manifest = load_manifest(out)
    if manifest.get("code") != tool_id() or manifest.get("strict", False) != strict \
            or manifest.get("source_date_epoch") != source_epoch():
        return False
    watched = manifest.get("files")
    planned = manifest.get("planned") or {}
    if not isinstance(watched, dict) or not all(a in planned for a in audiences):
        return False
    hasher = hasher or Hasher(root)
    current = watched_files(root, audiences)
    # Equality, not inclusion: a deleted template override or block changes what the outputs say.
    if current.keys() != watched.keys() or any(hasher(f) != watched[f] for f in current):
        return False
    entries = manifest["outputs"]
    for audience in audiences:
        for rel in planned[audience]:
            entry = entries.get(rel)
            if not entry or entry.get("tool") != tool_id() or _output_hash(out, rel) != entry.get("sha256") \
                    or entry.get("source_date_epoch") != source_epoch():
                return False
    return True



def likely_stale(out: Path, files: dict[str, str | None], strict: bool = False) -> bool:
    """Whether a build that is not a no-op will likely render something, to start its workers while it checks and
    plans: no usable record, another tool, strictness or SOURCE_DATE_EPOCH, or a changed watched file that an output
    read (or any content file). A guess only: a wrong one costs worker start-up, or waiting for it."""
    manifest = load_manifest(out)
    before = manifest.get("files")
    if manifest.get("code") != tool_id() or manifest.get("strict", False) != strict \
            or manifest.get("source_date_epoch") != source_epoch() or not isinstance(before, dict) or not before:
        return True
    changed = {f for f in files.keys() | before.keys() if files.get(f) != before.get(f)}
    read = {key.partition("#")[0] for entry in manifest["outputs"].values() if isinstance(entry, dict)
            for key in (entry.get("inputs") or {})}
    return any(f in read or f.startswith("content/") for f in changed)
