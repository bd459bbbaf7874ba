"""Audiences: the declared schema of audiences/<name>.yaml, `extends:` merging, and where values come from."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from briefgen.config import yamlsafe
from briefgen.config.schema import Converter, Id, IdConstraint, Record, Text, doc
from briefgen.config.yamlsafe import LocStr, YNode, merge
from briefgen.errors import COMMAND_LINE, ContentError, ErrorCollector, ErrorGroup, Location, UsageError, did_you_mean

AUDIENCE_DIR = "audiences"

#: Every section a document can show; each is templates/sections/<name>.html.j2. A section that does not
#: apply to a block's type (e.g. `examples` on an alliance) renders nothing.
SectionName = Literal[
    "bottom_line", "sidebar", "overview", "about", "why_it_matters", "how_it_shows_up", "pull_quote",
    "examples", "modernization_priorities", "key_actions", "other_perspectives", "quotes",
    "recommendations", "sources", "takeaways", "figures", "credits", "what_changed",
]

DEFAULT_BRIEF_SECTIONS: list[str] = [
    "bottom_line", "sidebar", "takeaways", "overview", "why_it_matters", "how_it_shows_up", "pull_quote",
    "examples", "figures", "modernization_priorities", "key_actions", "other_perspectives", "quotes",
    "recommendations", "sources", "credits",
]
DEFAULT_ONEPAGER_LEAD: list[str] = ["bottom_line", "overview"]
DEFAULT_ONEPAGER_COLUMNS: list[str] = ["why_it_matters", "how_it_shows_up", "modernization_priorities",
                                       "examples"]

#: Headings of the sections, before an audience renames them.
DEFAULT_TITLES: dict[str, str] = {
    "bottom_line": "Bottom line",
    "overview": "Overview",
    "about": "About this brief",
    "why_it_matters": "Why it matters",
    "how_it_shows_up": "How it shows up",
    "examples": "Examples",
    "modernization_priorities": "Modernization priorities",
    "key_actions": "Key actions",
    "other_perspectives": "Other perspectives",
    "quotes": "In their words",
    "recommendations": "Recommendations",
    "sources": "Sources",
    "takeaways": "Key takeaways",
    "figures": "In figures",
    "credits": "About the authors",
    "what_changed": "What changed in this edition",
}


@dataclass(kw_only=True)
class SectionEdit(Record):
    """One named change to an inherited section list: add, remove or move one section (before or after another)."""

    add: SectionName | None = doc("a section to add: at the end, or before/after the one named", default=None)
    remove: SectionName | None = doc("a section to leave out", default=None)
    move: SectionName | None = doc("a section to move before/after the one named", default=None)
    before: SectionName | None = doc("where an added or moved section goes: before this one", default=None)
    after: SectionName | None = doc("where an added or moved section goes: after this one", default=None)

    def __str__(self) -> str:
        verb, section = next((k, v) for k, v in (("add", self.add), ("remove", self.remove), ("move", self.move))
                             if v is not None) if (self.add or self.remove or self.move) else ("?", "")
        where = f" before {self.before}" if self.before else f" after {self.after}" if self.after else ""
        return f"{verb} {section}{where}"


#: The block types whose briefs (and book chapters) an audience may give their own section changes.
SECTION_TYPES: tuple[str, ...] = ("alliance", "obstacle")


@dataclass(kw_only=True)
class BriefPlan(Record):
    """Which sections a brief shows, in what order, and what they are called."""

    sections: list[SectionName] = doc("the whole list, in reading order (replaces the inherited one: prefer `edits`)",
                                      default_factory=lambda: list(DEFAULT_BRIEF_SECTIONS))
    edits: list[SectionEdit] = doc("named changes to the list inherited from the audience this one extends (else "
                                   "the default), in order: {remove: quotes}, {add: about, before: bottom_line}, "
                                   "{move: recommendations, after: bottom_line}", default_factory=list)
    alliance: list[SectionEdit] = doc("changes for alliance briefs and chapters only, after `edits`",
                                      default_factory=list)
    obstacle: list[SectionEdit] = doc("changes for obstacle briefs and chapters only, after `edits`",
                                      default_factory=list)
    titles: dict[SectionName, Text] = doc("section headings to rename, e.g. {recommendations: What Congress can do}",
                                          default_factory=dict)
    #: The effective list per block type (SECTION_TYPES), resolved along the `extends:` chain when loaded.
    by_type: dict[str, list[str]] = field(default_factory=dict, compare=False, metadata={"internal": True})
    #: Sections of the default list that a whole `sections:` list left out without naming them in a `remove` edit,
    #: each with the place of that list (`check` warns when blocks have content for one).
    dropped: dict[str, Location] = field(default_factory=dict, compare=False, metadata={"internal": True})

    def sections_for(self, type_name: str) -> list[str]:
        """The sections a brief (or book chapter) of a block of TYPE_NAME shows, in order."""
        return list(self.by_type.get(type_name, self.sections))


def apply_edits(sections: list[str], edits: list[SectionEdit], file: str) -> list[str]:
    """SECTIONS with EDITS applied in order; an edit naming a section the list lacks is an error at its line."""
    out = list(sections)
    for edit in edits:
        where = edit.loc or Location(file)
        named = [v for v in (edit.add, edit.remove, edit.move) if v is not None]
        if len(named) != 1 or (edit.before is not None and edit.after is not None):
            raise ContentError("a section edit names one of add, remove or move, and at most one of before or after",
                               where, "write {remove: quotes}, {add: about, before: bottom_line} or "
                                      "{move: recommendations, after: bottom_line}")
        section = named[0]
        if edit.remove is not None or edit.move is not None:
            if section not in out:
                raise ContentError(f"section {section!r} is not in the inherited list, so it cannot be "
                                   f"{'removed' if edit.remove else 'moved'}", where,
                                   f"the list here is: {', '.join(out)}")
            out.remove(section)
            if edit.remove is not None:
                continue
        elif section in out:
            out.remove(section)  # adding one that is there moves it
        anchor = edit.before or edit.after
        if anchor is None:
            out.append(section)
            continue
        if anchor not in out:
            raise ContentError(f"section {anchor!r} is not in the list to put {section!r} "
                               f"{'before' if edit.before else 'after'} it", where,
                               f"the list here is: {', '.join(out)}")
        out.insert(out.index(anchor) + (0 if edit.before else 1), section)
    return out


@dataclass(kw_only=True)
class OnePagerPlan(Record):
    """What leads the one-pager (full width, in order) and what fills its two columns."""

    lead: list[SectionName] = doc("full-width sections at the top, in order (e.g. recommendations first)",
                                  default_factory=lambda: list(DEFAULT_ONEPAGER_LEAD))
    columns: list[SectionName] = doc("sections in the two columns below, in order",
                                     default_factory=lambda: list(DEFAULT_ONEPAGER_COLUMNS))


@dataclass(kw_only=True)
class Limits(Record):
    """Length limits, and what happens when content exceeds them."""

    max_points: int = doc("most points any list shows in a brief (a one-pager shows at most 4)", default=8)
    max_summary_words: int | None = doc("longest summary and bottom line, in words; none for no limit",
                                        default=None)
    over_limit: Literal["truncate", "error"] = doc(
        "when a summary is too long: 'truncate' keeps whole sentences up to the limit and ends with an ellipsis "
        "(the first sentence is always kept); 'error' stops with the block's file and line", default="truncate")


@dataclass(kw_only=True)
class Audience(Record):
    """audiences/<name>.yaml: who documents are for and how they are framed, marked and branded."""

    label: Text = doc("who the audience is, after 'Prepared for' on every document: lower case unless a name")
    extends: Id | None = doc("another audience whose values this one starts from (deep-merged)", default=None)
    description: Text | None = doc("one line on the audience's framing, for `briefgen audience list`", default=None)
    marking: Text | None = doc("distribution marking printed in every footer; omit for none", default=None)
    brand: Any = doc("overrides of brand.yml keys (meta, logo, color, typography, defaults)", default_factory=dict)
    brief: BriefPlan = doc("sections of a brief", default_factory=BriefPlan)
    onepager: OnePagerPlan = doc("layout of a one-pager", default_factory=OnePagerPlan)
    limits: Limits = doc("length limits", default_factory=Limits)
    us_internal: bool = doc("show points marked us_internal (U.S.-internal bureaucratic critique)", default=True)
    what_changed: bool = doc("show 'What changed in this edition' on briefs (after the bottom line) and one-pagers "
                             "(before the tail): a cited sentence per change since the previous edition",
                             default=False)
    reading_level: float | None = doc("highest Flesch-Kincaid grade for prose; `briefgen check` warns above it",
                                      default=None)

    def titles(self) -> dict[str, str]:
        """Section headings with this audience's renames applied."""
        return {**DEFAULT_TITLES, **self.brief.titles}


@dataclass
class LoadedAudience:
    """An audience after `extends:` merging: its name, config, the files it came from, and the merged tree."""

    name: str
    config: Audience
    file: str
    chain: list[str] = field(default_factory=list)  # this audience, then its parents
    tree: YNode | None = None


def audience_names(root: Path) -> list[str]:
    """Names of every audience defined under audiences/."""
    folder = root / AUDIENCE_DIR
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def _read(root: Path, name: str) -> YNode:
    shown = f"{AUDIENCE_DIR}/{name}.yaml"
    node = yamlsafe.load(root / shown, shown)
    if node.kind != "map":
        raise ContentError(f"expected a mapping, got {node.describe()}", node.loc, "write 'key: value' lines")
    return node


def load_audience(root: Path, name: str) -> LoadedAudience:
    """Read audiences/NAME.yaml, follow `extends:` (cycles are errors), merge, and validate the result."""
    if not IdConstraint.pattern.match(name):  # the name becomes a folder under build/ and templates/audiences/
        raise ContentError(f"audience name {name!r} is not a valid id", Location(f"{AUDIENCE_DIR}/"),
                           "name audiences with lowercase letters, digits and hyphens, as audiences/<name>.yaml")
    names = audience_names(root)
    if name not in names:
        raise UsageError(f"no audience named {name!r}", Location(f"{AUDIENCE_DIR}/"),
                         did_you_mean(name, names, "audiences") + " (create one with `briefgen audience new NAME`)")
    chain: list[str] = []
    trees: list[YNode] = []
    current: str | None = name
    via: Location | None = None
    while current is not None:
        if current in chain:
            raise ContentError(f"audience {name!r} extends itself through {' -> '.join(chain + [current])}",
                               via, "remove one `extends:` from the cycle")
        if current not in names:
            raise ContentError(f"audience {chain[-1]!r} extends unknown audience {current!r}", via,
                               "known audiences: " + ", ".join(names))
        node = _read(root, current)
        chain.append(current)
        trees.append(node)
        parent = node.value.get("extends")
        via = parent.loc if parent is not None else None
        current = str(parent.value) if parent is not None and parent.value is not None else None
    merged = trees[-1]
    for tree in reversed(trees[:-1]):
        merged = merge(merged, tree)
    files = [f"{AUDIENCE_DIR}/{n}.yaml" for n in chain]
    # `extends` names the file's own parent; after merging it is the child's value (or absent).
    own_extends = trees[0].value.get("extends")
    merged.value = {k: v for k, v in merged.value.items() if str(k) != "extends"}
    if own_extends is not None:
        merged.value[LocStr("extends", own_extends.loc)] = own_extends
    conv = Converter()
    config = conv.record(merged, Audience, "")
    errors = ErrorCollector()
    errors.extend(conv.errors)
    errors.raise_if_any()
    _resolve_sections(config, trees, files)
    return LoadedAudience(name, config, f"{AUDIENCE_DIR}/{name}.yaml", chain, merged)


def _child(node: YNode | None, key: str) -> YNode | None:
    if node is None or node.kind != "map":
        return None
    return next((v for k, v in node.value.items() if str(k) == key), None)


def _resolve_sections(config: Audience, trees: list[YNode], files: list[str]) -> None:
    """Resolve the brief's section lists along the `extends:` chain (the farthest ancestor first): each file's
    `sections` replaces the list, its `edits` change it, and its per-type changes add to those inherited."""
    base = list(DEFAULT_BRIEF_SECTIONS)
    per_type: dict[str, list[SectionEdit]] = {t: [] for t in SECTION_TYPES}
    dropped: dict[str, Location] = {}
    removed: set[str] = set()
    for tree, file in zip(reversed(trees), reversed(files)):
        brief = _child(tree, "brief")
        if brief is None or brief.kind != "map":
            continue
        conv = Converter()
        plan = conv.record(brief, BriefPlan, "brief")
        if conv.errors or plan is None:
            raise ErrorGroup(conv.errors) if len(conv.errors) > 1 else conv.errors[0]
        listed = _child(brief, "sections")
        if listed is not None:
            dropped.update({s: listed.loc for s in base if s not in plan.sections})
            base = list(plan.sections)
        base = apply_edits(base, plan.edits, file)
        for t in SECTION_TYPES:
            per_type[t] += getattr(plan, t)
        removed.update(e.remove for e in (*plan.edits, *plan.alliance, *plan.obstacle) if e.remove)
    config.brief.sections = base  # type: ignore[assignment]
    config.brief.dropped = {s: loc for s, loc in dropped.items() if s not in removed and s not in base}
    config.brief.by_type = {t: apply_edits(base, edits, files[0]) for t, edits in per_type.items()}


def resolve_names(root: Path, requested: tuple[str, ...] | list[str], default: str) -> list[str]:
    """Turn --audience values (repeatable, or 'all') into audience names, checking each exists."""
    names = audience_names(root)
    if not requested:
        return [default]
    out: list[str] = []
    for value in requested:
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            wanted = names if part == "all" else [part]
            for n in wanted:
                if n not in names:
                    raise UsageError(f"no audience named {n!r}", COMMAND_LINE,
                                     did_you_mean(n, names, "audiences") + " ('all' builds every audience)")
                if n not in out:
                    out.append(n)
    return out


def effective_values(loaded: LoadedAudience) -> list[tuple[str, Any, str]]:
    """Every setting of an audience as (dotted key, value, where it came from: file:line or 'default')."""
    rows: list[tuple[str, Any, str]] = []
    tree = loaded.tree

    def lookup(path: list[str]) -> YNode | None:
        node = tree
        for part in path:
            if node is None or node.kind != "map":
                return None
            node = next((v for k, v in node.value.items() if str(k) == part), None)
        return node

    def walk(obj: Any, path: list[str]) -> None:
        if dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                if f.metadata.get("internal"):
                    continue
                walk(getattr(obj, f.name), path + [f.name])
            return
        if isinstance(obj, dict) and obj:
            for key, value in obj.items():
                walk(value, path + [str(key)])
            return
        node = lookup(path)
        where = f"{node.loc.path}:{node.loc.line}" if node is not None else "default"
        rows.append((".".join(path), obj, where))

    walk(loaded.config, [])
    # The lists a brief of each block type shows, resolved from the chain's lists and edits.
    at = next((i for i, row in enumerate(rows) if row[0] == "brief.sections"), len(rows) - 1)
    rows[at] = ("brief.sections", rows[at][1], "resolved: " + rows[at][2] + " with the edits along the chain")
    rows[at + 1:at + 1] = [(f"brief.sections ({t} briefs and chapters)", loaded.config.brief.sections_for(t),
                            "resolved") for t in SECTION_TYPES]
    return rows


SCAFFOLD = """\
# Audience {name!r} (schema: briefgen.audiences.Audience; `briefgen audience show {name}` prints the
# effective values and where each comes from). Every key is optional except label; values not given
# here come from the audience named in `extends`, then from briefgen's defaults.
label: "{label}"
{extends_line}
# description: "One line on how documents for this audience are framed."
# marking: "Distribution marking printed in every footer"
# brand:                 # overrides of brand.yml keys
#   color:
#     primary: "#14304f"
# brief:                 # named changes to the inherited section list (`audience show` prints the result)
#   edits:
#     - {{move: recommendations, after: bottom_line}}
#     - {{remove: quotes}}
#   obstacle:            # obstacle briefs and chapters only (also: alliance)
#     - {{add: other_perspectives, after: examples}}
#   titles: {{recommendations: "What to do"}}
# onepager:
#   lead: [bottom_line, overview]
#   columns: [why_it_matters, how_it_shows_up, examples]
# limits:
#   max_points: 5
#   max_summary_words: 80
#   over_limit: truncate   # or: error
# us_internal: true        # false leaves out points marked us_internal
# reading_level: 12        # Flesch-Kincaid grade; `briefgen check` warns above it
"""

OVERRIDE_EXAMPLE = """\
{{# Template overrides for the {name!r} audience. Files here are found before templates/ (and before the
   override folders of the audiences this one extends). Extend the default with the `base:` prefix and
   replace only the blocks you need; the rest of the default stays as it is. Example:

{{% extends "base:brief.html.j2" %}}
{{% block masthead %}}
  {{{{ super() }}}}
  <p class="audience-note">Prepared for {{{{ audience.label }}}}.</p>
{{% endblock %}}

   Rename this file to brief.html.j2 to use it. Audience templates run in Jinja's sandbox. #}}
"""


def scaffold(root: Path, name: str, base: str | None) -> list[Path]:
    """Create audiences/NAME.yaml (extending BASE) and an override folder with a commented example."""
    from briefgen.config.schema import IdConstraint

    if not IdConstraint.pattern.match(name):
        raise ContentError(f"{name!r} is not a valid audience name", None, IdConstraint.hint)
    path = root / AUDIENCE_DIR / f"{name}.yaml"
    if path.exists():
        raise ContentError(f"audience {name!r} already exists", Location(f"{AUDIENCE_DIR}/{name}.yaml"),
                           "pick another name, or edit the file")
    label = name.replace("-", " ").capitalize()  # the audience's own name, never its parent's label
    if base is not None:
        load_audience(root, base)  # validates that BASE exists and is sound
    text = SCAFFOLD.format(name=name, label=label,
                           extends_line=f"extends: {base}" if base else "# extends: congress")
    folder = root / "templates" / "audiences" / name
    folder.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    example = folder / "brief.html.j2.example"
    example.write_text(OVERRIDE_EXAMPLE.format(name=name), encoding="utf-8")
    return [path, example]


def search_path(root: Path, audiences: str | list[str] | None = None) -> list[Path]:
    """Template folders in search order: each audience's overrides (the audience, then those it extends),
    then templates/."""
    chain = [audiences] if isinstance(audiences, str) else list(audiences or [])
    folders = [root / "templates" / "audiences" / name for name in chain]
    return [f for f in folders if f.is_dir()] + [root / "templates"]


def brand_overrides(aud: LoadedAudience) -> Any:
    """Return the audience's `brand:` overrides, located in its file (after `extends:` merging) when possible."""
    if aud.tree is not None and aud.tree.kind == "map":
        node = next((v for k, v in aud.tree.value.items() if str(k) == "brand"), None)
        if node is not None:
            return node
    return aud.config.brand or None


def missing_templates(root: Path, aud: LoadedAudience, documents: tuple[str, ...]) -> list[ContentError]:
    """Name every template AUD's documents need (DOCUMENTS, then each configured section) that no folder holds."""
    folders = search_path(root, aud.chain)
    sections = dict.fromkeys([*aud.config.brief.sections, *(s for t in SECTION_TYPES
                                                             for s in aud.config.brief.sections_for(t)),
                              *aud.config.onepager.lead, *aud.config.onepager.columns])
    needed = [(name, None) for name in documents] + [(f"sections/{s}.html.j2", s) for s in sections]
    errors = []
    for rel, section in needed:
        if not any((folder / rel).is_file() for folder in folders):
            searched = ", ".join((folder / rel).relative_to(root).as_posix() for folder in folders)
            where = Location(aud.file)
            errors.append(ContentError(
                f"audience {aud.name!r} needs template {rel}, which is in none of its folders (searched: {searched})",
                where, f"create templates/{rel}" + (f", or remove {section!r} from the audience's sections"
                                                    if section else "")))
    return errors
