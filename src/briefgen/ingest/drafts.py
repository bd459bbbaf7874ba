"""Draft content blocks from a seed's outline, in the catalogue's own vocabulary; write them to content/drafts/."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from briefgen.config.inputs import ADDITIONS, DRAFTS
from briefgen.content.catalogue import Catalogue
from briefgen.content.fragments import is_byline, whole_sentence
from briefgen.content.model import Block, Obstacle
from briefgen.content.provenance import iter_refs, normalize
from briefgen.errors import Location, SeedError, display_path
from briefgen.ingest.routing import Route, Vocabulary
from briefgen.ingest.routing import fold as _fold
from briefgen.seeds.outline import SECTION_KINDS, Node, Outline, label_slug
from briefgen.seeds.outline.structure import header_cells

if TYPE_CHECKING:
    from briefgen.seeds.registry import Seed, SeedLibrary


# --- the catalogue's vocabulary -------------------------------------------------------------------------


# --- what a section is about, from its structure ---------------------------------------------------------

_NUMBERED_OBSTACLE = re.compile(r"^(?:obstacle|challenge|problem|barrier|crack|risk|hurdle)\s+\d+\s*[:.]\s*", re.I)
_OBSTACLE_WORDS = re.compile(r"\b(?:obstacles?|challenges?|barriers?|problems?|cracks|risks|hurdles?|frictions?|"
                             r"tensions|constraints|weaknesses|dilemmas?|impediments?|shortfalls?|limits|gaps)\b", re.I)
_ALLIANCE_WORDS = re.compile(r"\b(?:alliances?|partnerships?|partners|pacts?|treaty|treaties|coalitions?|"
                             r"minilateral\w*|bilateral|trilateral|quadrilateral|dialogue|compact)\b"
                             r"|\b(?:United States|U\.?S\.?)\s?[\u2013\u2014-]\s?[A-Z]", re.I)
_GENERIC = {"the", "a", "an", "our", "their", "its", "new", "old", "strategic", "traditional", "critical", "modern",
            "key", "security", "defense", "defence", "global", "regional", "future", "existing", "core", "why", "how",
            "what", "each", "every", "allied", "international", "bilateral", "military", "economic", "technology",
            "modernizing", "strengthening", "building", "deepening", "expanding", "forging", "renewing", "benefits"}
_ONE_ALLIANCE = re.compile(r"\b([A-Z][\w.\u2019'&-]*)\s+(?:alliance|partnership|pact|treaty|dialogue|compact|"
                           r"coalition)\b", re.I)
_US_AND = re.compile(r"\b(?:United States|U\.?S\.?)\s?[\u2013\u2014-]\s?[A-Z]")
_SECTION_NUMBER = re.compile(r"^(?:(?:\d+(?:\.\d+)*|[IVX]{1,5}|[A-Z])[.)]?\s+)(?=\S)")
_NAMED_PARTNER = re.compile(r"^.*\b(?:partnerships?|alliances?|partners?)\s*:\s*(.+)$", re.I)
_UNITS = (r"troops|soldiers|personnel|sailors|ships|vessels|boats|aircraft|jets|submarines|missiles|satellites|"
          r"years|months|weeks|days|countries|nations|members|allies|partners|bases|people|sales|exercises|"
          r"lanes|agreements|licen[cs]es|requests|cases")
_FIGURE = re.compile(rf"(?:[$\u20ac\u00a3]\s?\d[\d,.]*(?:\s?(?:billion|million|trillion|bn|m)\b)?|"
                     rf"\b\d[\d,.]*\s?(?:%|percent\b|per cent\b|billion\b|million\b|trillion\b|thousand\b)|"
                     rf"\b\d{{1,3}}(?:,\d{{3}})+\b(?:\s+(?:[A-Z.]+\s+)?(?:{_UNITS})\b)?|"
                     rf"\b\d+(?:\.\d+)?\s+(?:[a-z-]+\s+)?(?:{_UNITS})\b)", re.I)
_ACTIONS = re.compile(r"\b(?:recommendations?|actions?|next steps|policy options|the way forward|what to do|"
                      r"options for congress)\b", re.I)
_QUOTED = re.compile(r"[\u201c\"]([^\u201c\u201d\"]{12,400}?)[\u201d\"]")
_ABBREV = re.compile(r"(?:\b[A-Z]\.|\b(?:e\.g|i\.e|etc|Mr|Ms|Dr|vs|No|St|Jr|Sr|Gen|Adm|Sen|Rep|Gov|Prof)\.)$")
_STOP = {"the", "of", "and", "a", "an", "in", "for", "to", "on", "with", "at", "by", "or", "its", "their", "from"}


def sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping abbreviations such as U.S. and e.g. intact."""
    out, start = [], 0
    for m in re.finditer(r"[.!?][\"\u201d\u2019)]?\s+(?=[A-Z\"\u201c(])", text):
        # Only the few characters before the stop can be an abbreviation: search there, not from START (quadratic).
        if _ABBREV.search(text, max(start, m.start() - 8), m.start() + 1):
            continue
        out.append(text[start:m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def short_id(name: str) -> str:
    """An id of at most four significant words (never the 70-character title)."""
    words = [w for w in label_slug(name).split("-") if w]
    kept = [w for w in words if w not in _STOP] or words
    out = "-".join(kept[:4])
    return out[:40].rstrip("-") or "draft"


def _alliance_kind(name: str) -> str:
    low = name.lower()
    if "intelligence" in low or "five eyes" in low:
        return "intelligence-sharing arrangement"
    if re.search(r"\b(?:forum|g7|g20|multilateral|summit|organization of)\b", low):
        return "multilateral forum"
    if re.search(r"\b(?:trilateral|quadrilateral|minilateral|quad|aukus|squad)\b", low):
        return "minilateral"
    if re.search(r"\b(?:alliance|treaty|nato)\b", low):
        return "treaty alliance"
    return "partnership"


def _domain(node: Node) -> str:
    titles = " ".join(p.text for p in node.path()).lower()
    if "intelligence" in titles:
        return "intelligence-sharing"
    if "planning" in titles:
        return "strategic-planning"
    if "arms" in titles or "industrial" in titles or "export" in titles:
        return "arms-sales"
    return "general"


# --- candidates -----------------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A section (or named list entry) that discusses one alliance, partnership or obstacle."""

    kind: str  # alliance | obstacle
    node: Node
    name: str
    block: Block | None = None  # the existing block it adds to
    why: str = ""
    route: Route | None = None  # the evidence for every block it could go to (shown by `ingest -v`)


def _is_section(node: Node) -> bool:
    return node.kind in SECTION_KINDS


def _own_text(node: Node, skip: set[int]) -> Iterator[Node]:
    """Content nodes of a section, leaving out subsections in SKIP (drafted on their own)."""
    for child in node.children:
        if id(child) in skip:
            continue
        if child.kind in ("paragraph", "item", "pair", "quote", "row", "epigraph"):
            yield child
        if child.kind not in ("quote",):
            yield from _own_text(child, skip)


def _route_of(node: Node, vocab: Vocabulary, name: str) -> Route:
    """The evidence NODE gives: its heading (NAME), its opening sentence, its text."""
    if node.kind == "row":
        cells = node.text.split(" | ")
        return vocab.route(cells[0], " ".join(cells[1:2]), node.text)
    if _is_section(node):
        prose = [n for n in _own_text(node, set()) if n.kind in ("paragraph", "item", "pair", "row", "quote")]
    else:
        prose = [node]
    first = next((n for n in prose if n.kind in ("paragraph", "pair", "item") and not is_byline(n.text)), None)
    opening = sentences(_strip_lead(first.text, first.lead))[0] if first is not None and first.text else ""
    return vocab.route(name, opening, " ".join(n.text for n in prose))


Classified = tuple[str, str, "Block | None", str]


def _classify(node: Node, vocab: Vocabulary, outline_title: str | None) -> tuple[Classified | None, Route]:
    """(kind, name, existing block, why) for a node that discusses an alliance or obstacle, else None; the evidence.

    The evidence comes first: a heading that names a block (a keyword only it uses, its name) routes there; else
    the heading's form may make the node a new block, unless its opening names an existing block of that kind.
    """
    name = _heading_name(node.title)[0]
    route = _route_of(node, vocab, name)
    got = _classify_form(node, route, outline_title)
    if got is None or got[2] is not None:
        return got, route
    kind, name, _, why = got
    named = route.best(kind, minimum=1.0, margin=0.5)
    if named is not None:
        block = named[0]
        return (kind, name, block, f"{why}, and it names the existing {kind} {block.id!r} (score {named[1]:g})"), route
    mentioned = route.best(kind, minimum=0.75, margin=0.5, places=("text",))  # then the body's mentions
    if mentioned is not None and kind == "obstacle":
        block = mentioned[0]
        return (kind, name, block, f"{why}, and its text mentions the existing {kind} {block.id!r} "
                f"(score {mentioned[1]:g})"), route
    return got, route


def _heading_name(title: str) -> tuple[str, re.Match[str] | None, re.Match[str] | None]:
    """A heading's name without its numbering ('Obstacle 2:', 'III.'), with the numbering and partner matches."""
    numbered = _NUMBERED_OBSTACLE.match(title)
    name = _SECTION_NUMBER.sub("", _NUMBERED_OBSTACLE.sub("", title)).strip().rstrip(".:")
    head, colon, _ = name.partition(":")
    named = _NAMED_PARTNER.match(title)
    if colon and (_US_AND.search(head) or _ONE_ALLIANCE.search(head)):  # "U.S.-Philippines Alliance: Issues for ..."
        name, named = head.strip(), None
    elif named and not numbered:  # "Strengthening Critical Strategic Partnerships: Taiwan"
        name = named.group(1).strip()
    return name, numbered, named


def _classify_form(node: Node, route: Route, outline_title: str | None) -> Classified | None:
    """(kind, name, existing block, why) by the evidence of its heading, else by the form of its heading."""
    title = node.title
    parent = next((p for p in reversed(node.path()) if p is not node), None)
    name, numbered, named = _heading_name(title)
    # The document's own title section says what the whole seed is about, not that its chapters are obstacles.
    top = parent is not None and parent.parent is None and parent.level <= 1 and parent.text == outline_title
    best = route.best(minimum=3.0, margin=1.0, places=("heading",))
    if best is not None:
        block, score = best
        lead = next(e for e in sorted(route.evidence, key=lambda e: -e.points) if e.block == block.id)
        return block.type_name, name, block, f"names {block.type_name} {block.id!r} ({lead.term!r}; score {score:g})"
    if numbered:
        return "obstacle", name, None, f"heading numbered as an obstacle ({numbered.group(0).strip()!r})"
    if parent is not None and _is_section(node) and _OBSTACLE_WORDS.search(parent.text) and not top \
            and not _ALLIANCE_WORDS.search(title):
        return "obstacle", name, None, f"one of the obstacles under {parent.text!r}"
    if _is_section(node) and _OBSTACLE_WORDS.search(title) and not any(_is_section(c) for c in node.children):
        if not set(_fold(name).split()) - _STOP - {"key", "main", "major", "remaining", "current"} - set(
                _fold(" ".join(_OBSTACLE_WORDS.findall(name))).split()):
            context = next((p.text for p in reversed(node.path()) if p is not node), outline_title or "")
            context = context.split(":", 1)[-1].strip() if context else ""
            name = f"{context}: {name.lower()}" if context else name  # "Obstacles" alone names nothing
        return "obstacle", name, None, "heading names an obstacle"
    if named or _US_AND.search(title):
        return "alliance", name, None, "heading names a partner"
    one = next((m for m in _ONE_ALLIANCE.finditer(title) if m.group(1).lower() not in _GENERIC
                and m.group(1)[0].isupper()), None)
    if one is not None:
        return "alliance", name, None, f"heading names one alliance or partnership ({one.group(0)!r})"
    return None


def candidates(outline: Outline, vocab: Vocabulary) -> tuple[list[Candidate], dict[int, str]]:
    """Return the candidates of OUTLINE and, for each section without one, the reason (by id of the node)."""
    found: list[Candidate] = []
    reasons: dict[int, str] = {}
    tabled: set[int] = set()  # sections whose text is a table of rows routed one by one
    for node in outline.walk():
        if node.kind == "row" and node.parent is not None and node is not node.parent.children[0]:
            route = _route_of(node, vocab, node.text)
            best = route.best(minimum=2.5, margin=1.0, places=("heading",))
            if best is not None:
                block, score = best
                found.append(Candidate(block.type_name, node, block.name, block,
                                       f"the row's first cell names {block.type_name} {block.id!r} (score {score:g})",
                                       route))
                section = next((p for p in _ancestors(node) if _is_section(p)), None)
                if section is not None and not any(n.kind == "paragraph" for n in _own_text(section, set())):
                    tabled.add(id(section))
    for node in outline.walk():
        if id(node) in tabled:
            reasons[id(node)] = "its table's rows name catalogue blocks: one addition per named block"
            continue
        if node.attrs.get("pseudo"):
            if _is_section(node):
                reasons[id(node)] = f"{node.attrs.get('about', 'not a heading of the seed')}: never drafted"
            continue
        if _is_section(node) or node.kind == "pair" or (node.kind == "item" and node.lead and node.anchor):
            got, route = _classify(node, vocab, outline.title)
            if got is not None:
                kind, name, block, why = got
                found.append(Candidate(kind, node, name, block, why, route))
            elif _is_section(node):
                mentions = vocab.mentions(" ".join(n.text for n in _own_text(node, set())))
                said = ", ".join(f"{k} \u00d7{n}" for k, n in sorted(mentions.items(), key=lambda kv: -kv[1])[:3])
                general = _ALLIANCE_WORDS.search(node.title) or _OBSTACLE_WORDS.search(node.title)
                scored = ", ".join(f"{b.id} {v:g}" for b, v in route.ranked()[:3])
                reasons[id(node)] = (("it is about alliances or obstacles in general, not one by name"
                                      if general else "its heading names no alliance, partnership or obstacle")
                                     + (f" (the text mentions {said})" if said else "")
                                     + (f"; best scores {scored}, below what routes a passage" if scored else ""))
    doc = _document_candidate(outline, vocab, found, reasons)
    if doc is not None:
        found.insert(0, doc)
    # A section whose subsections (or entries) are new candidates of its own kind is their container, not a block.
    kept = []
    for cand in found:
        inner = [c for c in found if c is not cand and (cand.node.attrs.get("virtual") or cand.node in _ancestors(c.node))]
        if _is_section(cand.node) and inner and cand.block is None and all(c.kind == cand.kind for c in inner):
            reasons[id(cand.node)] = f"holds {len(inner)} candidate(s) of its own, drafted one by one ({cand.why})"
            continue
        kept.append(cand)
    return kept, reasons


def document_node(outline: Outline) -> Node | None:
    """The node standing for the whole seed: its title heading, or a stand-in over every node (plain text)."""
    roots = [n for n in outline.nodes if not n.attrs.get("pseudo")]
    if len(roots) == 1 and _is_section(roots[0]) and roots[0].text == outline.title:
        return roots[0]
    if not outline.title or any(_is_section(n) and n.level <= 1 for n in roots):
        return None
    end = max((n.end for n in outline.nodes), default=1)
    node = Node("section", outline.title, 1, end, level=0, attrs={"virtual": "whole seed"})
    node.children = [n for n in outline.nodes if not n.attrs.get("pseudo")]
    return node


def _document_candidate(outline: Outline, vocab: Vocabulary, found: list[Candidate],
                        reasons: dict[int, str]) -> Candidate | None:
    """The whole seed as a candidate: by its title, or by the one block its opening names and its text is about."""
    doc = document_node(outline)
    if doc is None or any(c.node is doc for c in found):
        return None
    if doc.attrs.get("virtual"):
        got, _ = _classify(doc, vocab, None)
        if got is not None:
            kind, name, block, why = got
            return Candidate(kind, doc, name, block, f"the seed's title: {why}")
    skip = {id(c.node) for c in found}
    prose = [n for n in _own_text(doc, skip) if n.kind in ("paragraph", "item", "pair", "quote") and n.text]
    opening = next((n for n in prose if n.kind == "paragraph" and not is_byline(n.text)), None)
    if opening is None:
        return None
    counts = vocab.mentions(" ".join(n.text for n in prose))
    first = vocab.mentions(opening.text)
    if not counts or not first:
        return None
    best, n = max(counts.items(), key=lambda kv: kv[1])
    if best not in first or n * 2 < sum(counts.values()):
        return None
    block = next(b for b in vocab.names.values() if b.id == best)
    reasons.pop(id(doc), None)
    for node in doc.walk():
        if id(node) in reasons and node is not doc and id(node) not in skip:
            reasons[id(node)] = f"drawn into the proposed addition to {block.id!r} from the whole seed"
    return Candidate(block.type_name, doc, block.name, block,
                     f"the seed is about {block.type_name} {block.id!r} (its opening names it; {n} mention(s))")


def _ancestors(node: Node) -> list[Node]:
    out, cur = [], node.parent
    while cur is not None:
        out.append(cur)
        cur = cur.parent
    return out


# --- the draft's content --------------------------------------------------------------------------------


@dataclass
class Item:
    """One drafted statement and the passage it comes from."""

    text: str
    cite: str
    figure: str | None = None
    speaker: str | None = None


def cite_of(node: Node, seed_id: str, outline: Outline) -> str:
    """The citation of a node: its anchor, else its page span (paged seeds) or line span."""
    if node.anchor:
        return f"{seed_id}#{node.anchor}"
    if outline.pages:
        page = outline.pages[node.start - 1]
        first = outline.page_lines(page)[0]  # type: ignore[index]
        if outline.pages[node.end - 1] == page:
            a, b = node.start - first + 1, node.end - first + 1
            return f"{seed_id}#p{page}-L{a}" + (f"-L{b}" if b != a else "")
    return f"{seed_id}#L{node.start}" + (f"-L{node.end}" if node.end != node.start else "")


def _strip_lead(text: str, lead: str | None) -> str:
    if lead and text.startswith(lead):
        return text[len(lead):].lstrip(" .:>\u2013\u2014-").strip()
    return text


@dataclass
class Content:
    """What a section offers a block: opening sentences, points, figures, quotes."""

    summary: str
    summary_cite: str
    points: list[Item]
    examples: list[Item]
    quotes: list[Item]
    actions: list[Item] = field(default_factory=list)


def gather(cand: Candidate, seed: "Seed", skip: set[int]) -> Content:
    """Collect a candidate's summary, points, examples with figures and quotes, each with its citation."""
    outline = seed.outline
    if cand.node.kind == "row":
        return _gather_row(cand, seed)
    nodes = [cand.node] if not _is_section(cand.node) else list(_own_text(cand.node, skip))
    prose = [n for n in nodes if n.kind in ("paragraph", "pair", "item", "epigraph") and n.text
             and not is_byline(_strip_lead(n.text, n.lead))]
    opening = next((n for n in prose if n.kind in ("paragraph", "pair")), prose[0] if prose else None)
    summary, summary_cite = "", ""
    if opening is not None:
        sents = sentences(_strip_lead(opening.text, opening.lead))
        summary = " ".join(sents[:2])
        summary_cite = cite_of(opening, seed.info.id, outline)
    points: list[Item] = []
    examples: list[Item] = []
    actions: list[Item] = []
    for n in prose:
        text = _strip_lead(n.text, n.lead)
        cite = cite_of(n, seed.info.id, outline)
        if n.kind == "item" or (n.kind == "pair" and n is not opening):
            first = sentences(text)
            item = Item(first[0] if first and len(text.split()) > 40 else text, cite)
            if any(_ACTIONS.search(p.text) for p in _ancestors(n) if _is_section(p)):
                actions.append(item)
            else:
                points.append(item)
            continue
        for s in sentences(text):  # a figure stays a cited item even when the summary opens with it
            m = _FIGURE.search(s)
            if m:
                target = examples if cand.kind == "obstacle" else points
                target.append(Item(s, cite, m.group(0).strip() if cand.kind == "obstacle" else None))
    if not points and not examples:
        for n in prose:
            if n is opening:
                continue
            first = sentences(_strip_lead(n.text, n.lead))
            if first:
                points.append(Item(first[0], cite_of(n, seed.info.id, outline)))
    quotes: list[Item] = []
    for n in nodes:
        cite = cite_of(n, seed.info.id, outline)
        if n.kind == "quote" and n.text:
            inner = [m.group(1).strip().rstrip(",") for m in _QUOTED.finditer(n.text)]
            text = inner[0] if inner and len(inner[0].split()) >= 3 else (
                n.text if len(n.text.split()) <= 60 else sentences(n.text)[0])
            quotes.append(Item(text.strip().strip("\"\u201c\u201d"), cite, speaker=n.attrs.get("speaker")))
        elif n.kind in ("paragraph", "item", "pair"):
            for m in _QUOTED.finditer(n.text):
                inner = m.group(1).strip().rstrip(",")
                if len(inner.split()) >= 5:
                    quotes.append(Item(inner, cite))
    quotes = [q for q in quotes if _verifies(q, seed)]
    points += _joined_lists(cand.node, skip, seed)
    if summary and not whole_sentence(summary):
        summary = ""
    whole = [[it for it in items if whole_sentence(it.text)] for items in (points, examples, actions)]
    return Content(summary, summary_cite, whole[0][:8], whole[1][:5], quotes[:3], whole[2][:6])


def _joined_lists(node: Node, skip: set[int], seed: "Seed") -> list[Item]:
    """A list of fragments ('...;', '...; and') read as one sentence with its lead-in ('Participants named:')."""
    out = []
    for lst in node.walk():
        if lst.kind != "list" or any(id(a) in skip for a in _ancestors(lst)):
            continue
        items = [c for c in lst.children if c.kind == "item" and c.text]
        siblings = lst.parent.children if lst.parent is not None else seed.outline.nodes
        k = next((i for i, x in enumerate(siblings) if x is lst), 0)
        lead = siblings[k - 1] if k > 0 else None
        if not items or any(whole_sentence(i.text) for i in items) or lead is None or lead.kind != "paragraph" \
                or not lead.text.rstrip().endswith(":"):
            continue
        text = " ".join([lead.text.strip(), *(i.text.strip() for i in items)])
        if whole_sentence(text) and len(text.split()) <= 80:
            span = Node("paragraph", text, lead.start, lst.end)
            out.append(Item(text, cite_of(span, seed.info.id, seed.outline)))
    return out


_EXAMPLE_COLUMN = re.compile(r"\b(?:examples?|cases?|instances?|illustrations?)\b", re.I)


def _gather_row(cand: Candidate, seed: "Seed") -> Content:
    """What a table row offers the block its first cell names: its other cells that are whole sentences.

    A cell under an 'Example' (or 'Case') header is an example for an obstacle; the others are points.
    """
    cite = cite_of(cand.node, seed.info.id, seed.outline)
    cells = [c.strip() for c in cand.node.text.split(" | ")]
    header = header_cells(cand.node)
    points: list[Item] = []
    examples: list[Item] = []
    for k, cell in enumerate(cells[1:], start=1):
        if not whole_sentence(cell):
            continue
        example = k < len(header) and _EXAMPLE_COLUMN.search(header[k]) and cand.kind == "obstacle"
        (examples if example else points).append(Item(cell, cite))
    return Content("", "", points, examples, [])


def _verifies(item: Item, seed: "Seed") -> bool:
    """Whether a quote is verbatim in the passage it cites (drafts never carry a quote that fails `check`)."""
    passage = seed.passage(item.cite.partition("#")[2])
    return passage is not None and normalize(item.text) in normalize(passage.text)


# --- drafts and additions -------------------------------------------------------------------------------


@dataclass
class Draft:
    """A draft block, or a proposed addition to an existing one, from one candidate."""

    kind: str  # alliance | obstacle
    block_id: str
    name: str
    node: Node
    path: Path  # relative to the project
    text: str
    status: str = ""
    addition_to: str | None = None  # content/... file of the existing block
    why: str = ""
    route: Route | None = None  # the evidence and score of every block it could have gone to


#: Characters YAML reads as line breaks or refuses as unprintable, though JSON leaves them as they are.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
#: What may not stand in a comment line as it is: every line break and control character.
_COMMENT_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _q(text: str) -> str:
    """TEXT as a YAML double-quoted scalar that reads back exactly (JSON escapes, plus YAML's own line breaks)."""
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(text, ensure_ascii=False))


def _c(text: object) -> str:
    """TEXT made safe inside a `#` comment: a name with a newline cannot start a YAML line of its own."""
    return _COMMENT_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", str(text))


def _statement(text: str, key: str, value: str | None, cite: str) -> list[str]:
    """One statement of a drafted list: its text, KEY (figure, speaker) where it has a VALUE, its citation."""
    return [f"  - text: {_q(text)}", *([f"    {key}: {_q(value)}"] if value else []), f"    cite: {cite}"]


def _items(key: str, items: list[Item], comment: str) -> list[str]:
    if not items:
        return []
    return [f"{key}:  # TODO: {comment}",
            *(line for it in items for line in _statement(it.text, "figure", it.figure, it.cite.split(", ")[0]))]


def _quotes(quotes: list[Item]) -> list[str]:
    """The quotes: verbatim, with the speaker the seed names (a to-do only where it names none)."""
    if not quotes:
        return []
    unnamed = any(q.speaker is None for q in quotes)
    return ["quotes:  # verbatim" + ("; TODO: add the speaker where the seed names one" if unnamed else ""),
            *(line for q in quotes for line in _statement(q.text, "speaker", q.speaker, q.cite))]


def draft_text(cand: Candidate, block_id: str, content: Content, seed: "Seed", shown: str) -> str:
    """The YAML of a new draft block: schema-valid once `draft: true` goes, every point and quote cited."""
    node = cand.node
    ref = cite_of(node, seed.info.id, seed.outline)
    folder = "obstacles" if cand.kind == "obstacle" else "alliances"
    where = _where(node, seed.outline)
    lines = [
        f"# Draft {cand.kind} from {_c(ref)} ({_c(shown)}, {_c(where)}): {_c(cand.why)}.",
        "# Written by `briefgen ingest --draft`; `briefgen check` verifies its citations and quotes here.",
        "# To curate: rewrite the summary and points in your own words, settle each to-do comment and delete",
        f"# it, delete the `draft: true` line, then move the file to content/{folder}/{block_id}.yaml.",
        "draft: true",
        f"id: {block_id}",
        f"name: {_q(cand.name)}",
    ]
    if cand.kind == "obstacle":
        lines.append(f"domain: {_domain(node)}  # TODO: check (general, intelligence-sharing, strategic-planning, "
                     "arms-sales)")
    else:
        lines.append(f"kind: {_alliance_kind(cand.name)}  # TODO: check (treaty alliance, partnership, minilateral, "
                     "intelligence-sharing arrangement, multilateral forum)")
    summary = content.summary or cand.name
    lines.append(f"# TODO: the summary is the seed's own opening ({_c(content.summary_cite or ref)}); rewrite it.")
    lines.append(f"summary: {_q(summary)}")
    lines.append(f"summary_cite: {content.summary_cite or ref}")
    if cand.kind == "obstacle":
        lines += _items("how_it_shows_up", content.points, "the seed's wording; reword and prune")
        lines += _items("examples", content.examples, "sentences with figures; keep the figure as the seed states it")
    else:
        lines += _items("why_it_matters", content.points, "the seed's wording; reword, prune, or move to "
                        "modernization_priorities")
        lines += _items("key_actions", content.actions, "the seed's recommendations; reword and prune")
    lines += _quotes(content.quotes)
    lines.append("sources:")
    lines.append(f"  - {ref}")
    return "\n".join(lines) + "\n"


def addition_text(block: Block, where: str, parts: list[tuple[Candidate, Content]], seed: "Seed",
                  shown: str) -> str:
    """The YAML of a proposed addition: new points for an existing block from one seed, each cited."""
    refs = list(dict.fromkeys(cite_of(c.node, seed.info.id, seed.outline) for c, _ in parts))
    field_name = "how_it_shows_up" if isinstance(block, Obstacle) else "why_it_matters"
    lines = [f"# Proposed addition to {_c(where)} from {_c(shown)}:"]
    for cand, _ in parts:
        lines.append(f"#   {_c(cite_of(cand.node, seed.info.id, seed.outline))} "
                     f"({_c(_where(cand.node, seed.outline))}): {_c(cand.why)}")
    lines += [
        "# Written by `briefgen ingest --draft`; `briefgen check` verifies its citations and quotes here.",
        f"# To curate: reword the points you keep and copy them into {_c(where)}; then delete this file.",
        "draft: true",
        f"addition_to: {block.id}",
    ]
    points = [it for _, c in parts for it in c.points]
    examples = [it for _, c in parts for it in c.examples]
    quotes = [it for _, c in parts for it in c.quotes]
    lines += _items(field_name, points, "new points, in the seed's wording")
    if not isinstance(block, Obstacle):
        lines += _items("key_actions", [it for _, c in parts for it in c.actions], "new actions the seed recommends")
    lines += _items("examples", examples, "new examples with figures")
    lines += _quotes(quotes)
    lines.append("sources:")
    lines += [f"  - {r}" for r in refs]
    return "\n".join(lines) + "\n"


def _where(node: Node, outline: Outline) -> str:
    pages = outline.page_span(node.start, node.end)
    if pages is not None:
        return f"p. {pages[0]}" if pages[0] == pages[1] else f"pp. {pages[0]}-{pages[1]}"
    return f"lines {node.start}-{node.end}"


def _cited_spans(block: Block, library: "SeedLibrary | None") -> set[tuple[str, int, int]]:
    out = set()
    for ref in iter_refs(block):
        seed = library.get(ref.seed) if library is not None else None
        passage = seed.passage(ref.anchor) if seed is not None else None
        if passage is not None:
            out.add((ref.seed, passage.start, passage.end))
    return out


def _new_only(items: list[Item], seed: "Seed", cited: set[tuple[str, int, int]]) -> list[Item]:
    """Items whose passage the existing block does not cite yet."""
    out = []
    for it in items:
        passage = seed.passage(it.cite.partition("#")[2])
        if passage is None or (seed.info.id, passage.start, passage.end) not in cited:
            out.append(it)
    return out


def _covered(catalogue: Catalogue | None, library: "SeedLibrary | None") -> dict[tuple[str, str, int, int], Block]:
    """(block type, seed, first line, last line) of every passage a block cites -> the first block citing it."""
    covered: dict[tuple[str, str, int, int], Block] = {}
    if catalogue is not None and library is not None:
        for block in catalogue.documents():
            for ref in iter_refs(block):
                s = library.get(ref.seed)
                passage = s.passage(ref.anchor) if s else None
                if passage is not None:
                    covered.setdefault((block.type_name, ref.seed, passage.start, passage.end), block)
    return covered


def _new_block_draft(cand: Candidate, content: Content, seed: "Seed", shown: str, root: Path,
                     catalogue: Catalogue | None, taken: set[str]) -> Draft:
    """The draft of a new block for CAND, under an id no block or earlier draft (TAKEN) has, with its status."""
    block_id = short_id(cand.name)
    n = 2
    base = block_id
    while block_id in taken or (catalogue is not None and catalogue.get(block_id) is not None):
        block_id = f"{base}-{n}"
        n += 1
    taken.add(block_id)
    folder = "obstacles" if cand.kind == "obstacle" else "alliances"
    path = DRAFTS / folder / f"{block_id}.yaml"
    d = Draft(cand.kind, block_id, cand.name, cand.node, path, draft_text(cand, block_id, content, seed, shown),
              why=cand.why, route=cand.route)
    curated = root / "content" / folder / f"{block_id}.yaml"
    if curated.exists():
        d.status = f"skipped: {display_path(curated, root)} exists"
    elif (root / path).exists():
        d.status = "skipped: draft exists (drafts are never overwritten)"
    else:
        d.status = "write"
    return d


def plan_drafts(seed: "Seed", shown: str, root: Path, catalogue: Catalogue | None,
                library: "SeedLibrary | None") -> tuple[list[Draft], list[tuple[Node, str]]]:
    """Return the drafts SEED suggests (each with its status) and, per section without a draft, the reason."""
    vocab = Vocabulary.of(catalogue)
    covered = _covered(catalogue, library)
    found, reasons = candidates(seed.outline, vocab)
    for cand in found:  # a block already citing exactly this passage is the one it adds to
        if cand.block is None:
            block = covered.get((cand.kind, seed.info.id, cand.node.start, cand.node.end))
            if block is not None:
                cand.block, cand.why = block, f"its passage is cited by {block.type_name} {block.id!r}"
    skip = {id(c.node) for c in found}
    drafts: list[Draft] = []
    taken: set[str] = set()
    additions: dict[str, tuple[Draft, list[tuple[Candidate, Content]]]] = {}
    for cand in found:
        content = gather(cand, seed, skip - {id(cand.node)})
        if cand.block is None and catalogue is not None:
            existing = catalogue.get(short_id(cand.name))
            if existing is not None and existing.type_name == cand.kind:
                cand.block, cand.why = existing, f"an existing {existing.type_name} has the id {existing.id!r}"
        if cand.block is not None:
            block = cand.block
            where = catalogue.files.get(block.id, block.id) if catalogue is not None else block.id
            cited = _cited_spans(block, library)
            if content.summary:  # the section's opening is news for the block too (its figures stay examples)
                opening = " ".join(x for x in sentences(content.summary)
                                   if not any(x == e.text for e in content.examples)) or content.summary
                content.points = [Item(opening, content.summary_cite)] + [
                    it for it in content.points if it.text not in content.summary]
            content.points = _new_only(content.points, seed, cited)[:8]
            content.examples = _new_only(content.examples, seed, cited) if isinstance(block, Obstacle) else []
            content.quotes = [q for q in _new_only(content.quotes, seed, cited)
                              if normalize(q.text) not in {normalize(x.text) for x in block.quotes}]
            path = DRAFTS / ADDITIONS / f"{block.id}-from-{seed.info.id}.yaml"
            d = Draft(block.type_name, block.id, block.name, cand.node, path, "", addition_to=where, why=cand.why,
                      route=cand.route)
            drafts.append(d)
            content.actions = _new_only(content.actions, seed, cited) if not isinstance(block, Obstacle) else []
            if not (content.points or content.examples or content.quotes or content.actions):
                d.status = f"nothing new for {where}: it already cites what this passage offers"
            elif (root / path).exists():
                d.status = "skipped: a proposed addition exists (drafts are never overwritten)"
            elif block.id in additions:
                first, parts = additions[block.id]
                parts.append((cand, content))
                d.status = f"added to {first.path.as_posix()}"
            else:
                d.status = "write"
                additions[block.id] = (d, [(cand, content)])
            continue
        drafts.append(_new_block_draft(cand, content, seed, shown, root, catalogue, taken))
    for d, parts in additions.values():
        block = parts[0][0].block
        d.text = addition_text(block, d.addition_to or block.id, parts, seed, shown)  # type: ignore[arg-type]
    no_draft = [(n, reasons[id(n)]) for n in seed.outline.walk() if id(n) in reasons]
    return drafts, no_draft


def _refuse_links_on_the_way(root: Path, folder: Path) -> None:
    """Refuse to write into FOLDER when any folder between ROOT and it is a link (it could lead out of the project)."""
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            shown = current.relative_to(root).as_posix()
            raise SeedError("drafts not written: this folder is a link, and drafts are written only inside the "
                            "project", Location(shown), f"replace the link {shown} with a real folder")
        if not current.exists():
            return


def write_drafts(root: Path, drafts: list[Draft]) -> list[Draft]:
    """Write the drafts whose status is 'write'; return them with status 'wrote'."""
    from briefgen.write import write_atomic

    written = []
    for draft in drafts:
        if draft.status != "write":
            continue
        target = root / draft.path
        _refuse_links_on_the_way(root, target.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, draft.text.encode("utf-8"), inside=root)
        draft.status = "wrote"
        written.append(draft)
    return written
