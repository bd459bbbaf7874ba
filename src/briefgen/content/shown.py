"""What a document shows of its block, recorded while its templates read it, and what it leaves out (Omission)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from briefgen.content.model import Block, DataFigure, Example, Point, Quote
from briefgen.content.views import Tracked

#: Items of a block's lists a reader sees as statements; an item counts as shown when a template reads its words.
ITEM_TYPES = (Point, Example, Quote, DataFigure)
#: The attribute whose reading means the reader sees the item (a data figure is shown by its title and bars).
ITEM_WORDS: dict[type, str] = {Point: "text", Example: "text", Quote: "text", DataFigure: "items"}
#: What one item of each type is called in a message ("point 7 of why_it_matters").
ITEM_NAMES: dict[type, str] = {Point: "point", Example: "example", Quote: "quote", DataFigure: "figure"}
#: Prose fields a reader sees whole, by the section that shows them.
PROSE_FIELDS: dict[str, str] = {"summary": "overview", "bottom_line": "bottom_line"}


@dataclass
class Seen:
    """The record of one render: the block's fields its templates read, and the items whose words they read."""

    fields: set[str] = field(default_factory=set)
    #: id() of each item whose words a template read.
    items: set[int] = field(default_factory=set)

    def item(self, item: object) -> object:
        """ITEM as a template sees it: reading its words marks it shown."""
        return _Item(item, self) if isinstance(item, ITEM_TYPES) else item

    def items_of(self, values: list) -> list:
        return [self.item(v) for v in values]


class _Item(Tracked):
    """A list item as a template sees it: every read goes to the item; reading its words marks it shown."""

    __slots__ = ("_record",)

    def __init__(self, item: object, record: Seen) -> None:
        super().__init__(item, set())  # type: ignore[arg-type]
        self._record = record

    def __getattr__(self, name: str) -> object:
        if name == ITEM_WORDS.get(type(self._block)):
            self._record.items.add(id(self._block))
        return getattr(self._block, name)

    def __hash__(self) -> int:
        return id(self._block)


class Watched(Tracked):
    """The document's own block as a template sees it: fields read go to SEEN (and FIELDS), list items are wrapped so
    that reading an item's words marks it shown."""

    __slots__ = ("_record",)

    def __init__(self, block: Block, fields: set[str], record: Seen) -> None:
        super().__init__(block, fields)
        self._record = record

    def __getattr__(self, name: str) -> object:
        self._seen.add(name)
        self._record.fields.add(name)
        value = getattr(self._block, name)
        if isinstance(value, list) and any(isinstance(v, ITEM_TYPES) for v in value):
            return self._record.items_of(value)
        return value


@dataclass(frozen=True)
class Omission:
    """Curated content of a block that a document does not show, and why."""

    #: The block's id and its file (project-relative), the line of the first item left out (or of the field).
    block: str
    file: str
    line: int | None
    #: The block field, and the 1-based indices of the items left out (empty: the whole field, or words of it).
    field: str
    items: tuple[int, ...]
    #: What one item is called (point, example, quote, figure), or "" for a prose field.
    item_name: str
    #: Why, as the analyst reads it ("the audience's max_points is 6").
    reason: str
    #: A short code for the reason (limit, section, fit, us-internal, words, design).
    code: str
    #: Expected in this document (a one-pager's design, a point marked us_internal): recorded, not warned.
    expected: bool = False
    #: The document (its output path under the output folder), filled in by the render path.
    document: str = ""
    #: For a prose field cut short: how many of its words are left out.
    words: int = 0

    def what(self) -> str:
        """'point 7 of why_it_matters', 'points 7-9 of ...', 'the summary', 'the last 20 words of the summary'."""
        if self.words:
            return f"the last {self.words} words of {self.field}"
        if not self.items:
            return f"{self.field}" if not self.item_name else f"every {self.item_name} of {self.field}"
        runs = _runs(self.items)
        plural = len(self.items) > 1
        if self.field == f"{self.item_name}s":
            return f"{self.field if plural else self.item_name} {', '.join(runs)}"
        return f"{self.item_name}{'s' if plural else ''} {', '.join(runs)} of {self.field}"

    def message(self) -> str:
        verb = "are" if len(self.items) > 1 else "is"
        return f"{self.what()} {verb} not shown in {self.document or 'this document'}: {self.reason}"

    def hint(self) -> str:
        """The fix, by reason."""
        audience = f"audiences/{self.document.split('/')[0]}.yaml" if self.document else "the audience's file"
        if self.code == "limit" and self.words:
            return f"shorten {self.field}, or raise limits.max_summary_words in {audience}"
        if self.code == "limit":
            key = " (or mark up to five key: true for the Key takeaways box)" if self.item_name == "point" else ""
            return f"raise limits.max_points in {audience}, or put the {self.item_name}s that matter first{key}"
        if self.code == "section":
            return f"add the section to brief.sections in {audience} if its readers should see it"
        if self.code == "template":
            return "show the field in the section's template (templates/sections/), or move the content"
        if self.code == "fit":
            return "shorten the document's other sections so the fit loop does not need this step"
        return "nothing to do: the document's design leaves it out"

    def located(self, severity: str = "warning") -> str:
        """The located line: `content/alliances/nato.yaml:41: warning: point 7 of ... (hint: ...)`."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {severity}: {self.message()} (hint: {self.hint()})"

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> Omission:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["items"] = tuple(values.get("items") or ())
        return cls(**values)


def _runs(indices: tuple[int, ...]) -> list[str]:
    """1,2,3,5 -> ['1-3', '5']."""
    runs: list[list[int]] = []
    for i in sorted(indices):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return [f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs]


def content_fields(block: Block) -> list[str]:
    """The fields of BLOCK holding curated content a reader sees: prose fields and lists of statements."""
    names = []
    for f in dataclasses.fields(block):
        value = getattr(block, f.name)
        if f.name in PROSE_FIELDS and value:
            names.append(f.name)
        elif isinstance(value, list) and value and all(isinstance(v, ITEM_TYPES) for v in value):
            names.append(f.name)
    return names
