"""Declared schemas: turn located YAML nodes into typed dataclass records, collecting every error."""
from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from briefgen import prose
from briefgen.config.yamlsafe import LocStr, YNode
from briefgen.errors import BriefgenError, ContentError, Location


@dataclass(kw_only=True)
class Record:
    """Base of every schema record: remembers where it was written and where each field was."""

    loc: Location | None = field(default=None, compare=False, repr=False, metadata={"internal": True})
    locs: dict[str, Location] = field(default_factory=dict, compare=False, repr=False,
                                      metadata={"internal": True})

    def where(self, name: str) -> Location | None:
        """Return the location of field NAME, or of the record itself."""
        return self.locs.get(name, self.loc)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """CLS's field types, resolved once per class (thousands of records share a handful of classes)."""
    return get_type_hints(cls, include_extras=True)


def doc(text: str, *, section: str | None = None, **kw: Any) -> Any:
    """Declare a dataclass field with a one-line documentation string (and, for a block field shown under another
    section's name than its own, that SECTION)."""
    return field(metadata={"doc": text, **({"section": section} if section else {})}, **kw)


class Constraint:
    """A check attached to a type with typing.Annotated."""

    def check(self, value: Any, node: YNode) -> str | None:  # pragma: no cover - interface
        """Return a problem description, or None when VALUE is acceptable."""
        raise NotImplementedError

    hint = ""


class IdConstraint(Constraint):
    pattern = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
    hint = "use lowercase letters, digits and hyphens, starting with a letter or digit (e.g. 'five-eyes')"

    def check(self, value: Any, node: YNode) -> str | None:
        if not self.pattern.match(value) or unicodedata.normalize("NFC", value) != value:
            return f"{value!r} is not a valid id"
        return None


class NonEmpty(Constraint):
    hint = "write the text, or remove the field if it is optional"

    def check(self, value: Any, node: YNode) -> str | None:
        return "text is empty" if not str(value).strip() else None


#: Invisible characters that reorder or hide text (bidi overrides and isolates, zero-width spaces and joiners,
#: word joiner, BOM): in a name or title they spoof what a reader sees, e.g. in the PDF's /Title.
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


class Visible(Constraint):
    """Text without bidi controls or zero-width characters."""

    hint = "delete the invisible character (retype the text if it was pasted)"

    def check(self, value: Any, node: YNode) -> str | None:
        found = INVISIBLE.search(str(value))
        if found is None:
            return None
        char = found.group(0)
        name = unicodedata.name(char, "invisible control")
        return f"invisible character U+{ord(char):04X} ({name.lower()}) at character {found.start() + 1}"


#: Longest Markdown field (the longest real one is about 500 characters; this is some 15 pages of a brief).
MAX_PROSE_CHARS = 50_000
#: Most '[' a Markdown field may hold (each link uses one).
MAX_BRACKETS = 200


class BoundedProse(Constraint):
    """Markdown small enough to parse quickly (markdown-it's bracket matching is quadratic)."""

    hint = "shorten the text: a field is a paragraph or a few, and each link uses one '['"

    def check(self, value: Any, node: YNode) -> str | None:
        text = str(value)
        if len(text) > MAX_PROSE_CHARS:
            return f"the text is {len(text):,} characters long, more than the {MAX_PROSE_CHARS:,} a field may hold"
        if text.count("[") > MAX_BRACKETS:
            return f"the text has {text.count('['):,} '[' characters, more than the {MAX_BRACKETS} prose may use"
        return None


class SafeMarkdown(Constraint):
    """Markdown whose links are web links and which shows no images (see prose.problems)."""

    hint = ("link only to web pages (http/https) or mailto: addresses; prose cannot show images "
            "or point at files, paths or this computer")

    def check(self, value: Any, node: YNode) -> str | None:
        found = prose.problems(str(value))
        return "; ".join(found) if found else None


class YearConstraint(Constraint):
    hint = "write the year as four digits, e.g. 1949"

    def check(self, value: Any, node: YNode) -> str | None:
        if not re.fullmatch(r"[12][0-9]{3}", node.raw or ""):
            return f"{node.raw!r} is not a four-digit year"
        return None


Id = Annotated[str, IdConstraint()]
Text = Annotated[str, NonEmpty(), Visible()]
Prose = Annotated[str, NonEmpty(), Visible(), BoundedProse(), SafeMarkdown(), "markdown"]
Year = Annotated[int, YearConstraint()]

_SCALAR_TAG = {str: "str", int: "int", float: "float", bool: "bool"}
_TYPE_NAMES = {str: "text", int: "an integer", float: "a number", bool: "true or false"}


class Converter:
    """Convert YNode trees into records of declared types, collecting every error."""

    def __init__(self) -> None:
        self.errors: list[BriefgenError] = []
        self._parsers: dict[type, typing.Callable[[YNode, "Converter"], Any]] = {}

    def register(self, tp: type, parser: typing.Callable[[YNode, "Converter"], Any]) -> None:
        """Let TP be read by PARSER (e.g. a record written as a compact string)."""
        self._parsers[tp] = parser

    def error(self, message: str, loc: Location | None, hint: str | None = None) -> None:
        """Record one error."""
        self.errors.append(ContentError(message, loc, hint))

    def convert(self, node: YNode, tp: Any, what: str) -> Any:
        """Return NODE as a value of type TP, or record errors and return None."""
        origin = get_origin(tp)
        if origin is Annotated:
            base, *extras = get_args(tp)
            value = self.convert(node, base, what)
            if value is None:
                return None
            for extra in extras:
                if isinstance(extra, Constraint):
                    problem = extra.check(value, node)
                    if problem:
                        self.error(f"{what}: {problem}", node.loc, extra.hint)
                        return None
            return value
        if origin in (Union, types.UnionType):
            options = [a for a in get_args(tp) if a is not type(None)]
            if node.kind == "scalar" and node.value is None:
                return None
            if len(options) == 1:
                return self.convert(node, options[0], what)
            # str | list[str]: pick by node kind
            for opt in options:
                want_seq = get_origin(opt) is list
                if want_seq == (node.kind == "seq"):
                    return self.convert(node, opt, what)
            return self.convert(node, options[0], what)
        if origin is Literal:
            allowed = get_args(tp)
            if node.kind == "scalar" and isinstance(node.value, str) and node.value in allowed:
                return node.value
            self.error(f"{what}: {node.describe()} is not one of the allowed values", node.loc,
                       "use one of: " + ", ".join(map(str, allowed)))
            return None
        if origin is list:
            (item_tp,) = get_args(tp)
            if node.kind != "seq":
                self.error(f"{what}: expected a list, got {node.describe()}", node.loc,
                           "write one '- item' per line")
                return None
            out = []
            for i, item in enumerate(node.value):
                value = self.convert(item, item_tp, f"{what}[{i + 1}]")
                if value is not None:
                    out.append(value)
            return out
        if origin is dict:
            key_tp, value_tp = get_args(tp)
            if node.kind != "map":
                self.error(f"{what}: expected a mapping, got {node.describe()}", node.loc, "write 'key: value' lines")
                return None
            mapping = {}
            for key, item in node.value.items():
                key_node = YNode(key, getattr(key, "loc", node.loc), "scalar", "tag:yaml.org,2002:str", raw=str(key))
                k = self.convert(key_node, key_tp, f"{what} key")
                v = self.convert(item, value_tp, f"{what}.{key}")
                if k is not None and v is not None:
                    mapping[k] = v
            return mapping
        if tp is Any:
            return to_python(node)
        if tp in self._parsers:
            return self._parsers[tp](node, self)
        if dataclasses.is_dataclass(tp):
            return self.record(node, tp, what)
        if tp in _SCALAR_TAG:
            if node.kind == "scalar" and node.tag.endswith(":" + _SCALAR_TAG[tp]):
                return node.value
            if tp is float and node.kind == "scalar" and node.tag.endswith(":int"):
                return float(node.value)
            hint = "put the value in quotes to keep it as text" if tp is str else f"write {_TYPE_NAMES[tp]}"
            self.error(f"{what}: expected {_TYPE_NAMES[tp]}, got {node.describe()}", node.loc, hint)
            return None
        raise TypeError(f"schema type {tp!r} is not supported")  # programming error

    def record(self, node: YNode, cls: type, what: str) -> Any:
        """Build dataclass CLS from mapping NODE; unknown and missing fields are errors."""
        if node.kind != "map":
            self.error(f"{what or 'file'}: expected a mapping, got {node.describe()}", node.loc,
                       "write 'key: value' lines")
            return None
        hints = _hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
        kwargs: dict[str, Any] = {}
        locs: dict[str, Location] = {}
        failed: set[str] = set()
        ok = True
        for key, value_node in node.value.items():
            name = str(key)
            if name not in fields:
                close = difflib.get_close_matches(name, list(fields), n=1)
                hint = f"did you mean {close[0]!r}?" if close else "known fields: " + ", ".join(fields)
                self.error(f"{what + ': ' if what else ''}unknown field {name!r}", key.loc if isinstance(key, LocStr) else node.loc, hint)
                ok = False
                continue
            before = len(self.errors)
            value = self.convert(value_node, hints[name], f"{what}.{name}" if what else name)
            locs[name] = key.loc if isinstance(key, LocStr) else node.loc
            if len(self.errors) > before:
                ok = False
                failed.add(name)
                continue
            if value is None and value_node.value is None:
                continue
            kwargs[name] = value
        for name, f in fields.items():
            if name in kwargs:
                continue
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if required and name not in failed:
                where = f"{what}: " if what else ""
                if name in locs:
                    self.error(f"{where}required field {name!r} is empty", locs[name],
                               f"give it a value ({f.metadata.get('doc', 'see the schema')})")
                else:
                    self.error(f"{where}missing required field {name!r}", node.loc,
                               f"add '{name}:' ({f.metadata.get('doc', 'see the schema')})")
                ok = False
        if not ok:
            return None
        obj = cls(**kwargs)
        if isinstance(obj, Record):
            obj.loc, obj.locs = node.loc, locs
        return obj


def to_python(node: YNode) -> Any:
    """Return NODE as plain Python data (dicts, lists, scalars), dropping locations."""
    if node.kind == "map":
        return {str(k): to_python(v) for k, v in node.value.items()}
    if node.kind == "seq":
        return [to_python(v) for v in node.value]
    return str(node.value) if isinstance(node.value, str) else node.value


