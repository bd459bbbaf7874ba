"""Parsed YAML node trees kept by the hash of the text they were parsed from: an unchanged file is not parsed again."""
from __future__ import annotations

import hashlib
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefgen._version import tool_id
from briefgen.config.sealed import read_sealed, write_sealed
from briefgen.config.yamlsafe import LocStr, YNode, loads, scalar_value
from briefgen.errors import Location
from briefgen.safeio import CACHE_LIMIT

log = logging.getLogger(__name__)

#: The cache file, in the folder a build keeps it (OUT/.cache/parse/).
CACHE_FILE = "nodes.json"
_STR = "tag:yaml.org,2002:str"


def _parser_id() -> str:
    """What a cached tree was parsed with: the tool's code, PyYAML and Python (another parser: parsed again)."""
    return f"{tool_id()}\0{yaml.__version__}\0{sys.version}"


def _encode(node: YNode) -> list:
    """NODE as JSON: [line, col, tag, raw, quoted] for a scalar, [line, col, tag, items] for a list, [line, col, tag,
    keys, values] for a mapping (keys as [line, col, text])."""
    head = [node.loc.line, node.loc.col, node.tag]
    if node.kind == "scalar":
        return [*head, node.raw, node.quoted]
    if node.kind == "seq":
        return [*head, [_encode(item) for item in node.value]]
    return [*head, [[k.loc.line, k.loc.col, str(k)] for k in node.value], [_encode(v) for v in node.value.values()]]


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("not a line or column")
    return value


def _decode(data: Any, shown: str) -> YNode:
    """A node tree as parsing made it: scalars built from their tag and text by the parser's own constructor."""
    loc = Location(shown, _int(data[0]), _int(data[1]))
    tag = data[2]
    if not isinstance(tag, str):
        raise ValueError("not a tag")
    if len(data) == 5 and isinstance(data[3], str):
        raw, quoted = data[3], data[4]
        if not isinstance(quoted, bool):
            raise ValueError("not a style")
        value = LocStr(raw, loc) if tag == _STR else scalar_value(tag, raw)
        return YNode(value, loc, "scalar", tag, raw=raw, quoted=quoted)
    if len(data) == 4:
        return YNode([_decode(item, shown) for item in data[3]], loc, "seq", tag)
    keys, values = data[3], data[4]
    if len(keys) != len(values) or any(not isinstance(k[2], str) for k in keys):
        raise ValueError("not a mapping")
    return YNode({LocStr(k[2], Location(shown, _int(k[0]), _int(k[1]))): _decode(v, shown)
                  for k, v in zip(keys, values)}, loc, "map", tag)


@dataclass
class ParseCache:
    """Node trees by the hash of their file's name and text, in FOLDER/nodes.json: read and written only as a plain
    file, no folder from BASE down to it a link; the file's own sha256 over its entries must match, else it is
    ignored. Only texts that parsed without an error are kept. Worker processes read it (WRITABLE false)."""

    folder: Path
    base: Path
    writable: bool = True
    entries: dict[str, Any] = field(default_factory=dict)
    used: dict[str, Any] = field(default_factory=dict)
    loaded: bool = False

    @property
    def path(self) -> Path:
        return self.folder / CACHE_FILE

    def load(self) -> ParseCache:
        """Read the cache file once (a missing, unreadable or unverified one is empty); a link or FIFO is an error."""
        if self.loaded:
            return self
        self.loaded = True
        self.entries = read_sealed(self.path, self.base, CACHE_LIMIT * 4, "parse cache", "every file is parsed again",
                                   _parser_id())
        return self

    def parse(self, text: str, shown: str) -> YNode:
        """TEXT (the file SHOWN) as yamlsafe.loads parses it: from the cache when this very text was parsed before."""
        key = hashlib.sha256(f"{shown}\0{text}".encode()).hexdigest()
        entry = self.entries.get(key)
        if entry is not None:
            try:
                node = _decode(entry, shown)
                self.used[key] = entry
                return node
            except Exception:  # noqa: BLE001 - a damaged entry (any shape) is parsed again, never trusted
                log.info("parse cache entry for %s does not read back: parsed again", shown)
        node = loads(text, shown)
        self.used[key] = _encode(node)
        return node

    def save(self) -> None:
        """Write the entries this run used (files gone drop out), when they changed; a failed write is left."""
        if not self.writable or self.used == self.entries:
            return
        write_sealed(self.path, self.used, self.base, "parse cache", _parser_id())
