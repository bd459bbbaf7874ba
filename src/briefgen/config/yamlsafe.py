"""Read YAML strictly into located nodes: no aliases, no custom tags, no duplicate keys."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from briefgen import safeio
from briefgen.errors import ContentError, Location

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


class LocStr(str):
    """A string that remembers where in a YAML file it was written."""

    loc: Location

    def __new__(cls, value: str, loc: Location) -> "LocStr":
        obj = super().__new__(cls, value)
        obj.loc = loc
        return obj

    def __reduce__(self) -> tuple:
        # Ids cross to worker processes and back inside targets and outputs; the place goes with them.
        return (LocStr, (str(self), self.loc))


@dataclass
class YNode:
    """One YAML node: a dict of key -> YNode, a list of YNode, or a resolved scalar, with its place."""

    value: Any
    loc: Location
    kind: str  # "map" | "seq" | "scalar"
    tag: str = ""
    raw: str = ""  # scalar text as written
    quoted: bool = False

    def describe(self) -> str:
        """Name the node's type the way a YAML author would understand it."""
        if self.kind != "scalar":
            return "a mapping" if self.kind == "map" else "a list"
        short = self.tag.rsplit(":", 1)[-1]
        names = {"str": "text", "int": "an integer", "float": "a number", "bool": "a yes/no value",
                 "null": "an empty value", "timestamp": "a date"}
        return f"{names.get(short, short)} ({self.raw!r})"


#: Deepest nesting of lists and mappings a content file may use; PyYAML itself recurses per level.
MAX_DEPTH = 64


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases and very deep nesting at compose time."""

    _depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refusal(f"aliases are not allowed (*{event.anchor}); they allow exponential "
                           "'billion laughs' documents", event.start_mark,
                           "write the value out in full instead of *" + str(event.anchor))
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Refusal(f"aliases are not allowed, nor anchors for them (&{anchor})", event.start_mark,
                           "remove the &anchor and write each value in full")
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) and self._depth >= MAX_DEPTH:
            raise _Refusal(f"lists and mappings are nested more than {MAX_DEPTH} deep", event.start_mark,
                           "flatten the structure; content blocks need only a few levels")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Refusal(Exception):
    def __init__(self, message: str, mark: yaml.Mark, hint: str) -> None:
        super().__init__(message)
        self.message, self.mark, self.hint = message, mark, hint


#: Largest YAML file read (a content block is a few kilobytes; parsing is slow well before this).
MAX_FILE_BYTES = 1_000_000
_HINTS = {"special": "remove it or replace it with an ordinary file",
          "outside": "copy the file into the project instead of linking to it",
          "large": "split the file; a content block or configuration file is a few kilobytes"}


def project_root_of(path: Path, shown: str) -> Path | None:
    """The project folder PATH lies in, when SHOWN is its project-relative name."""
    text, tail = path.as_posix(), "/" + shown
    return Path(text[: -len(tail)] or "/") if not shown.startswith("/") and text.endswith(tail) else None


def read_bytes(path: Path, shown: str, limit: int | None) -> bytes:
    """Read PATH (a regular file inside the project, at most LIMIT bytes) with errors located at SHOWN."""
    try:
        return safeio.read_inside(path, project_root_of(path, shown), limit)
    except safeio.UnsafeFile as exc:
        raise ContentError(f"file refused: {exc.why}", Location(shown), _HINTS[exc.reason]) from None
    except OSError as exc:
        raise ContentError(f"cannot read file: {exc.strerror}", Location(shown),
                           "check the path and permissions") from exc


def read_text(path: Path, shown: str) -> str:
    """Read PATH as strict UTF-8, rejecting NUL bytes, with an error naming the line."""
    data = read_bytes(path, shown, MAX_FILE_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError(f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})", Location(shown, line, col),
                           "re-save the file as UTF-8") from exc
    if "\x00" in text:
        idx = text.index("\x00")
        line = text.count("\n", 0, idx) + 1
        col = idx - (text.rfind("\n", 0, idx) + 1) + 1
        raise ContentError("file contains a NUL byte", Location(shown, line, col),
                           "remove the NUL byte; is this a binary file?")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def load(path: Path, shown: str | None = None) -> YNode:
    """Parse one YAML file into a located node tree; every problem is a ContentError with file:line:col."""
    shown = shown or path.as_posix()
    text = read_text(path, shown)
    return loads(text, shown)


def loads(text: str, shown: str) -> YNode:
    """Parse YAML TEXT (from file SHOWN) into a located node tree."""
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise ContentError("file is empty", Location(shown, 1), "add a YAML mapping, or delete the file")
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:  # the reader checks every character before parsing
        raise _reader_error(exc, text, shown) from None
    try:
        try:
            node = loader.get_single_node()
        except _Refusal as exc:
            raise ContentError(exc.message, _loc(shown, exc.mark), exc.hint) from None
        except yaml.composer.ComposerError as exc:
            if "expected a single document" in str(exc):
                raise ContentError("file holds more than one YAML document", _loc(shown, exc.problem_mark),
                                   "keep one document per file; remove the '---' separator") from None
            raise _yaml_error(exc, shown) from None
        except yaml.reader.ReaderError as exc:
            raise _reader_error(exc, text, shown) from None
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, shown) from None
    finally:
        loader.dispose()
    if node is None:
        raise ContentError("file is empty", Location(shown, 1), "add a YAML mapping, or delete the file")
    return _convert(node, shown)


def _loc(shown: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(shown)
    return Location(shown, mark.line + 1, mark.column + 1)


def _yaml_error(exc: yaml.YAMLError, shown: str) -> ContentError:
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context == "while scanning a quoted scalar" and "end of stream" in problem:
        # Where the quote opened is where the fix goes, not the end of the file.
        return ContentError("invalid YAML: a quoted value is never closed", _loc(shown, context_mark),
                            "close the quote that opens here, or escape a quote inside the text")
    message = f"invalid YAML: {problem}"
    if context:
        opened = ""
        if context_mark is not None and problem_mark is not None and context_mark.line != problem_mark.line:
            opened = f", line {context_mark.line + 1} column {context_mark.column + 1}"
        message += f" ({context}{opened})"
    hint = "check quoting and indentation on this line"
    if "\\t" in problem or "\t" in problem:  # PyYAML writes the tab as '\\t'
        hint = "YAML indentation must use spaces, not tabs"
    elif "unacceptable character" in problem:
        hint = "remove control characters from the file"
    return ContentError(message, _loc(shown, problem_mark or context_mark), hint)


def _reader_error(exc: yaml.reader.ReaderError, text: str, shown: str) -> ContentError:
    pos = max(0, min(exc.position, len(text)))
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return ContentError(f"file contains the control character U+{exc.character:04X}, which YAML does not allow",
                        Location(shown, line, col), "delete the character, or write it as an escape in a quoted value")


_constructor = SafeConstructor()


def _convert(node: yaml.Node, shown: str) -> YNode:
    loc = _loc(shown, node.start_mark)
    if node.tag not in _STANDARD_TAGS:
        raise ContentError(f"tag {node.tag!r} is not allowed", loc,
                           "remove the '!' tag; content files hold plain text, lists and mappings only")
    if isinstance(node, yaml.MappingNode):
        out: dict[str, YNode] = {}
        seen: dict[str, Location] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ContentError("merge keys (<<) are not allowed", _loc(shown, key_node.start_mark),
                                   "write the keys out in full")
            key = _convert(key_node, shown)
            if key.kind != "scalar" or key.tag != "tag:yaml.org,2002:str":
                raise ContentError(f"mapping keys must be text, not {key.describe()}", key.loc,
                                   "quote the key or rename it")
            name = str(key.value)
            if name in seen:
                first = seen[name]
                raise ContentError(f"duplicate key {name!r} (first defined at line {first.line})", key.loc,
                                   f"remove one of the two {name!r} entries (lines {first.line} and {key.loc.line})")
            seen[name] = key.loc
            out[LocStr(name, key.loc)] = _convert(value_node, shown)
        return YNode(out, loc, "map", node.tag)
    if isinstance(node, yaml.SequenceNode):
        return YNode([_convert(item, shown) for item in node.value], loc, "seq", node.tag)
    try:
        value = _constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError) as exc:
        raise ContentError(f"cannot read value {node.value!r}: {exc}", loc, "quote the value to keep it as text") from None
    finally:
        # The shared constructor memoises every node it built, and a node holds its marks and so the whole file's
        # text: kept, a 2,000-block catalogue's YAML would stay in memory for good.
        _constructor.constructed_objects.pop(node, None)
    if isinstance(value, str):
        value = LocStr(value, loc)
    return YNode(value, loc, "scalar", node.tag, raw=node.value, quoted=node.style in ("'", '"'))


def scalar_value(tag: str, raw: str) -> Any:
    """The value the constructor builds for a scalar of standard TAG written RAW (as _convert builds it)."""
    node = yaml.ScalarNode(tag, raw)
    try:
        return _constructor.construct_object(node, deep=True)
    finally:
        _constructor.constructed_objects.pop(node, None)


def merge(base: YNode, over: YNode) -> YNode:
    """Deep-merge OVER onto BASE: mappings merge key by key; lists and scalars from OVER replace BASE's.

    Each value keeps the location of the file it came from, so errors point at the file that set it.
    """
    if base.kind != "map" or over.kind != "map":
        return over
    merged: dict[Any, YNode] = dict(base.value)
    for key, value in over.value.items():
        existing = next((k for k in merged if str(k) == str(key)), None)
        if existing is not None:
            merged[key] = merge(merged.pop(existing), value)
        else:
            merged[key] = value
    return YNode(merged, base.loc, "map", base.tag)
