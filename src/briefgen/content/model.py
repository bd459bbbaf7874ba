"""The content model: typed records for alliances, obstacles, recommendations and frameworks."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar, Literal

from briefgen.config.schema import Converter, Id, Prose, Record, Text, Year, doc
from briefgen.config.yamlsafe import YNode

AllianceKind = Literal[
    "treaty alliance", "partnership", "minilateral", "intelligence-sharing arrangement", "multilateral forum",
]
ObstacleDomain = Literal["general", "intelligence-sharing", "strategic-planning", "arms-sales"]

DOMAIN_LABELS: dict[str, str] = {
    "general": "General alliance problems",
    "intelligence-sharing": "Intelligence sharing",
    "strategic-planning": "Multinational strategic planning",
    "arms-sales": "Arms sales and defense industrial cooperation",
}


@dataclass(frozen=True)
class Link:
    """A cross-link field of a block type: the ids it holds name blocks of another type."""

    #: The field holding the ids.
    field: str
    #: type_name of the blocks it names.
    target: str
    #: Where the linked blocks appear in a document's `related` (obstacles, alliances, recommendations).
    group: str
    #: The target's field that must list this block back (links that go both ways), if any.
    mirror: str | None = None


def link_fields(cls: type) -> frozenset[str]:
    """The fields of CLS that hold ids of other blocks (its declared links)."""
    return frozenset(link.field for link in getattr(cls, "links", ()))


#: The groups of related blocks every document's template receives, in this order.
RELATED_GROUPS: tuple[str, ...] = ("obstacles", "alliances", "recommendations")
#: The briefing book's parts in order: key and title. Each block type names its part.
BOOK_PARTS: tuple[tuple[str, str], ...] = (
    ("alliances", "Alliances and partnerships"),
    ("obstacles", "Obstacles to allied cooperation"),
    ("recommendations", "Recommendations"),
)


@dataclass(kw_only=True)
class SourceRef(Record):
    """A passage of a seed, written `seed-id#anchor` (a section anchor, or `L12-L30` for a line span)."""

    seed: Id = doc("id of the seed in seeds/sources.yaml")
    anchor: str = doc("section anchor or line span (L12 or L12-L30) inside the seed")

    def __str__(self) -> str:
        return f"{self.seed}#{self.anchor}"


def parse_ref(node: YNode, conv: Converter) -> SourceRef | None:
    """Read a `seed#anchor` string into a SourceRef."""
    hint = "write the source as 'seed-id#section-anchor' or 'seed-id#L12-L30'"
    if node.kind != "scalar" or not isinstance(node.value, str):
        conv.error(f"source reference must be text, got {node.describe()}", node.loc, hint)
        return None
    seed, sep, anchor = str(node.value).strip().partition("#")
    if not sep or not seed or not anchor:
        conv.error(f"source reference {node.value!r} lacks a '#passage'", node.loc, hint)
        return None
    return SourceRef(seed=seed, anchor=anchor, loc=node.loc)


Cites = SourceRef | list[SourceRef]


def as_list(value: SourceRef | list[SourceRef] | None) -> list[SourceRef]:
    """Normalise a one-or-many citation field to a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass(kw_only=True)
class Point(Record):
    """One sourced statement: prose in the analyst's words with the passages that support it."""

    text: Prose = doc("the statement, in Markdown; the analyst's own words")
    cite: Cites = doc("seed passage(s) supporting it: 'seed#anchor' or a list of them")
    us_internal: bool = doc("U.S.-internal bureaucratic critique; audiences with us_internal: false leave it out",
                            default=False)
    key: bool = doc("a key takeaway: briefs whose audience lists the `takeaways` section show it in the Key "
                    "takeaways box near the top instead of in its own section; a block marks none, or "
                    "3 to 5 (an audience left with fewer, e.g. by us_internal, shows no box)", default=False)

    @property
    def cites(self) -> list[SourceRef]:
        return as_list(self.cite)


#: How many key points (takeaways) a block marks, when it marks any.
TAKEAWAYS_MIN, TAKEAWAYS_MAX = 3, 5


@dataclass(kw_only=True)
class FigureItem(Record):
    """One bar of a data figure: a label and the value exactly as the cited passage states it."""

    label: Text = doc("what the bar measures, e.g. 'Australia (2017)'")
    value: Text = doc("the figure word for word as the cited passage writes it, e.g. '90 percent' or "
                      "'$13 billion'; `check` finds it in the passage, as it does quotes")
    cite: Cites = doc("seed passage(s) stating the value")

    @property
    def cites(self) -> list[SourceRef]:
        return as_list(self.cite)


@dataclass(kw_only=True)
class DataFigure(Record):
    """A small bar chart drawn from figures the seeds state, with its source line."""

    title: Text = doc("what the figure shows, in a few words, e.g. 'Share of shared intelligence the United "
                      "States provided'")
    unit: Text = doc("what the values count, as the axis names it, e.g. 'percent' or 'billion U.S. dollars'")
    items: list[FigureItem] = doc("the bars, in order: two to eight, each with its own cited value")
    cite: Cites = doc("seed passage(s) the figure as a whole draws on (its source line)")
    note: Text | None = doc("a short reading note under the figure, e.g. the period the data covers", default=None)

    @property
    def cites(self) -> list[SourceRef]:
        return as_list(self.cite)


@dataclass(kw_only=True)
class Quote(Record):
    """Exact words from a seed, verbatim, with the passage they appear in."""

    text: Text = doc("the exact words, as they appear in the seed")
    cite: SourceRef = doc("the seed passage holding the words: 'seed#anchor'")
    speaker: Text | None = doc("who said or wrote it, where the seed says", default=None)


@dataclass(kw_only=True)
class Example(Record):
    """A concrete case, optionally with the headline figure the seed gives for it."""

    text: Prose = doc("what happened, in the analyst's words")
    figure: Text | None = doc("the figure exactly as the seed states it (e.g. '$25 billion')", default=None)
    cite: Cites = doc("seed passage(s) supporting the example")
    us_internal: bool = doc("U.S.-internal bureaucratic critique; audiences with us_internal: false leave it out",
                            default=False)

    @property
    def cites(self) -> list[SourceRef]:
        return as_list(self.cite)


@dataclass(kw_only=True)
class Founded(Record):
    """When and by what instrument an alliance was founded, where the seeds say."""

    year: Year | None = doc("four-digit year", default=None)
    instrument: Text | None = doc("treaty or act that founded it", default=None)
    cite: Cites = doc("seed passage(s) stating it")

    @property
    def cites(self) -> list[SourceRef]:
        return as_list(self.cite)


@dataclass(kw_only=True)
class Block(Record):
    """Fields every content block shares."""

    #: The type's name in messages, templates (`block_type`) and `partials/<type_name>/`.
    type_name: ClassVar[str] = "block"
    #: Folder under content/ holding blocks of this type.
    folder: ClassVar[str] = ""
    #: Heading of this type in `briefgen list`.
    label: ClassVar[str] = ""
    #: Whether each block of this type gets its own brief and one-pager.
    document: ClassVar[bool] = False
    #: The book part its chapters go in (a key of BOOK_PARTS).
    book_part: ClassVar[str] = ""
    #: Its cross-link fields.
    links: ClassVar[tuple[Link, ...]] = ()
    #: The group of related blocks its documents name beside it (templates: `linked`), if any.
    counterpart: ClassVar[str] = ""

    id: Id = doc("stable identifier, also the output file name: lowercase letters, digits, hyphens")
    name: Text = doc("display name", section="title")
    summary: Prose = doc("two to four sentences in the analyst's own words", section="overview")
    summary_cite: Cites | None = doc("passage(s) supporting the summary", default=None)
    bottom_line: Prose | None = doc("one or two sentences for the 'Bottom line' box", default=None)
    bottom_line_cite: Cites | None = doc("passage(s) supporting the bottom line", default=None)
    quotes: list[Quote] = doc("verbatim quotes with their passages", default_factory=list)
    sources: list[SourceRef] = doc("further passages the block draws on", default_factory=list)
    keywords: list[Text] = doc("PDF keywords", default_factory=list)
    figures: list[DataFigure] = doc("small data figures drawn from numbers the seeds give (a brief's `figures` "
                                    "section)", default_factory=list)

    def key_points(self) -> list[Point]:
        """The points marked `key: true`, in field order: the brief's Key takeaways."""
        return [item for f in dataclasses.fields(self) if isinstance(getattr(self, f.name), list)
                for item in getattr(self, f.name) if isinstance(item, Point) and item.key]


@dataclass(kw_only=True)
class Alliance(Block):
    """An alliance or partnership (NATO, Five Eyes, AUKUS, ...)."""

    type_name: ClassVar[str] = "alliance"
    folder: ClassVar[str] = "alliances"
    label: ClassVar[str] = "Alliances"
    document: ClassVar[bool] = True
    book_part: ClassVar[str] = "alliances"
    counterpart: ClassVar[str] = "obstacles"
    links: ClassVar[tuple[Link, ...]] = (
        Link("related_obstacles", "obstacle", "obstacles", mirror="affected_alliances"),
        Link("recommendations", "recommendation", "recommendations"),
    )

    kind: AllianceKind = doc("what sort of arrangement it is", section="sidebar")
    short_name: Text | None = doc("short form used in tables and headers", section="sidebar", default=None)
    members: list[Text] = doc("members as the seeds list them", section="sidebar", default_factory=list)
    members_cite: Cites | None = doc("passage(s) listing the members", default=None)
    founded: Founded | None = doc("year and founding instrument, where the seeds say", section="sidebar", default=None)
    why_it_matters: list[Point] = doc("why the alliance matters", default_factory=list)
    modernization_priorities: list[Point] = doc("where it should expand or adapt", default_factory=list)
    key_actions: list[Point] = doc("concrete actions the seeds propose", default_factory=list)
    related_obstacles: list[Id] = doc("ids of obstacles that affect it", section="related", default_factory=list)
    recommendations: list[Id] = doc("ids of recommendations that answer its problems", default_factory=list)


@dataclass(kw_only=True)
class Obstacle(Block):
    """An obstacle to allied cooperation (free riding, NOFORN over-classification, slow FMS, ...)."""

    type_name: ClassVar[str] = "obstacle"
    folder: ClassVar[str] = "obstacles"
    label: ClassVar[str] = "Obstacles"
    document: ClassVar[bool] = True
    book_part: ClassVar[str] = "obstacles"
    counterpart: ClassVar[str] = "alliances"
    links: ClassVar[tuple[Link, ...]] = (
        Link("affected_alliances", "alliance", "alliances", mirror="related_obstacles"),
        Link("recommendations", "recommendation", "recommendations"),
    )

    domain: ObstacleDomain = doc("the CSIS report's grouping", section="sidebar")
    how_it_shows_up: list[Point] = doc("how the problem shows up in practice", default_factory=list)
    examples: list[Example] = doc("concrete cases, with figures where the seeds give them", default_factory=list)
    other_perspectives: list[Point] = doc("how other seeds debate the same problem", default_factory=list)
    affected_alliances: list[Id] = doc("ids of alliances it affects", section="related", default_factory=list)
    recommendations: list[Id] = doc("ids of recommendations that answer it", default_factory=list)

    @property
    def domain_label(self) -> str:
        return DOMAIN_LABELS[self.domain]


@dataclass(kw_only=True)
class Recommendation(Block):
    """A recommendation from the seeds, with the actions it calls for."""

    type_name: ClassVar[str] = "recommendation"
    folder: ClassVar[str] = "recommendations"
    label: ClassVar[str] = "Recommendations"
    book_part: ClassVar[str] = "recommendations"
    links: ClassVar[tuple[Link, ...]] = (Link("addresses", "obstacle", "obstacles"),)

    actions: list[Point] = doc("the concrete actions", default_factory=list)
    addresses: list[Id] = doc("ids of obstacles it answers", default_factory=list)


@dataclass(kw_only=True)
class Pillar(Record):
    """One pillar of a framework and its strategic action."""

    id: Id = doc("pillar id")
    name: Text = doc("pillar name")
    action: Prose = doc("the strategic action")
    cite: Cites = doc("passage(s) stating it")

    @property
    def cites(self) -> list[SourceRef]:
        return as_list(self.cite)


@dataclass(kw_only=True)
class Framework(Block):
    """A framework such as STEAD, with its pillars."""

    type_name: ClassVar[str] = "framework"
    folder: ClassVar[str] = "frameworks"
    label: ClassVar[str] = "Frameworks"
    book_part: ClassVar[str] = "recommendations"

    pillars: list[Pillar] = doc("the pillars, in order", default_factory=list)


#: Every block type, in catalogue order. A new type is a class above plus its entry here, and its templates:
#: templates/partials/<type_name>/ (TYPE_PARTIALS; `briefgen check` names any that is missing).
BLOCK_TYPES: tuple[type[Block], ...] = (Alliance, Obstacle, Framework, Recommendation)
BLOCK_BY_FOLDER: dict[str, type[Block]] = {cls.folder: cls for cls in BLOCK_TYPES}
#: Where each block field is shown when not in a section of its own name (the fields' declared `section`).
FIELD_SECTIONS: dict[str, str] = {f.name: f.metadata["section"] for cls in BLOCK_TYPES
                                  for f in dataclasses.fields(cls) if "section" in f.metadata}
BLOCK_BY_NAME: dict[str, type[Block]] = {cls.type_name: cls for cls in BLOCK_TYPES}
#: The partials every block type provides under templates/partials/<type_name>/: for types with their own
#: documents, and for the others (book chapters only).
TYPE_PARTIALS: dict[bool, tuple[str, ...]] = {
    True: ("kicker", "facts", "linked_heading", "about", "chapter_meta"),
    False: ("chapter_meta", "chapter"),
}


def type_templates(cls: type[Block]) -> tuple[str, ...]:
    """The templates block type CLS needs, relative to templates/."""
    return tuple(f"partials/{cls.type_name}/{name}.html.j2" for name in TYPE_PARTIALS[cls.document])


def new_converter() -> Converter:
    """Return a Converter that knows the compact `seed#anchor` form of a SourceRef."""
    conv = Converter()
    conv.register(SourceRef, parse_ref)
    return conv
