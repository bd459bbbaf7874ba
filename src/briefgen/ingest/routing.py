"""Route a passage to the catalogue block it is about, by evidence: unique keywords, then names, then mentions."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from briefgen.content.catalogue import Catalogue
from briefgen.content.model import Alliance, Block

log = logging.getLogger(__name__)


def fold(text: str) -> str:
    """Lowercase words for matching: dashes and slashes become spaces, periods and apostrophes go."""
    text = re.sub(r"['\u2019]s\b", "", text).lower().replace("&", " and ")
    text = re.sub(r"[.\u2019'`]", "", text)
    return " " + re.sub(r"[^a-z0-9]+", " ", text).strip() + " "


#: Points per kind of evidence, in the order the issue of routing asks for: a keyword only one block uses beats
#: its name, a name beats part of a name, and a shared keyword or a mere mention counts least.
WEIGHTS = {"keyword": 4.0, "phrase": 3.0, "name": 3.0, "name part": 2.5, "word": 1.5, "shared": 0.5}
#: Where the evidence stands: the heading (or a table row's first cell) counts whole, the opening sentence half.
PLACES = {"heading": 1.0, "opening": 0.5}
MENTION = 0.25  # per mention of a block's own term in the body
MENTION_CAP = 1.5
_GENERIC_PART = {"the", "and", "of", "a", "an", "other", "others", "us", "u s", "united", "states", "kingdom"}


@dataclass(frozen=True)
class Evidence:
    """One reason to route to a block: TERM, of KIND, found in WHERE, worth POINTS."""

    block: str
    term: str
    kind: str
    where: str
    points: float

    def __str__(self) -> str:
        label = {"keyword": "keyword only it uses", "phrase": "keyword only it uses", "word": "word only it uses",
                 "name": "its name", "name part": "part of its name", "shared": "keyword it shares",
                 "mention": "mentions"}[self.kind]
        return f"{label} {self.term!r} in the {self.where} (+{self.points:g})"


@dataclass
class Route:
    """Every block with evidence for one passage, best first."""

    scores: dict[str, float] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    blocks: dict[str, Block] = field(default_factory=dict)

    def ranked(self, kind: str | None = None) -> list[tuple[Block, float]]:
        out = [(self.blocks[b], s) for b, s in self.scores.items() if kind is None or self.blocks[b].type_name == kind]
        return sorted(out, key=lambda bs: (-bs[1], bs[0].id))

    def best(self, kind: str | None = None, minimum: float = 0.0, margin: float = 0.0,
             places: tuple[str, ...] = ("heading", "opening")) -> tuple[Block, float] | None:
        """The top block when it scores MINIMUM, leads the next by MARGIN and has evidence in one of PLACES.

        PLACES are 'heading', 'opening' and 'text' (mentions in the body); shared keywords place nothing.
        """
        ranked = self.ranked(kind)
        if not ranked:
            return None
        block, score = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        placed = any(e.block == block.id and e.where.split(" ")[0] in places and e.kind != "shared"
                     for e in self.evidence)
        return (block, score) if score >= minimum and score - second >= margin and placed else None

    def explain(self, limit: int = 4) -> list[str]:
        """One line per candidate block: its score and the evidence behind it."""
        lines = []
        for block, score in self.ranked()[:limit]:
            why = "; ".join(str(e) for e in self.evidence if e.block == block.id)
            lines.append(f"{block.id} {score:g}: {why}")
        return lines


@dataclass
class Vocabulary:
    """Terms the catalogue names its alliances and obstacles by, each with the block(s) that use it."""

    names: dict[str, Block] = field(default_factory=dict)  # folded name or short name -> block
    keywords: dict[str, Block] = field(default_factory=dict)  # folded keyword used by exactly one block
    parts: dict[str, Block] = field(default_factory=dict)  # folded part of one block's name ("free riding")
    words: dict[str, Block] = field(default_factory=dict)  # a one-word common keyword only one block uses
    shared: dict[str, list[Block]] = field(default_factory=dict)  # a keyword several blocks use
    proper: set[str] = field(default_factory=set)  # keywords written as names or acronyms (G7, NATO)

    @classmethod
    def of(cls, catalogue: Catalogue | None) -> Vocabulary:
        vocab = cls()
        if catalogue is None:
            return vocab
        users: dict[str, list[Block]] = {}
        part_users: dict[str, list[Block]] = {}
        for block in catalogue.documents():
            terms = {block.name, re.sub(r"\s*\([^)]*\)", "", block.name)}
            terms.update(re.findall(r"\(([^)]+)\)", block.name))
            if isinstance(block, Alliance) and block.short_name:
                terms.add(block.short_name)
            for term in terms:
                folded = fold(re.sub(r"^the\s+", "", term.strip(), flags=re.I))
                if len(folded.strip()) >= 3 and len(folded.split()) <= 8:
                    vocab.names.setdefault(folded, block)
                for part in re.split(r"\s+and\s+|,|:|\s+&\s+", re.sub(r"\s*\([^)]*\)", "", term)):
                    folded_part = fold(re.sub(r"^the\s+", "", part.strip(), flags=re.I))
                    words = folded_part.split()
                    if folded_part == folded or not words or set(words) <= _GENERIC_PART:
                        continue
                    if len(words) >= 2 or re.search(r"[A-Z]{2}|\d", part):  # one word: an acronym (G7), no common word
                        if block not in part_users.setdefault(folded_part, []):
                            part_users[folded_part].append(block)
            for kw in block.keywords:
                folded = fold(kw)
                if len(folded.strip()) < 2:
                    continue
                if block not in users.setdefault(folded, []):
                    users[folded].append(block)
                if re.search(r"[A-Z0-9]", kw):
                    vocab.proper.add(folded)
        for term, blocks in users.items():
            if len(blocks) > 1:
                vocab.shared[term] = blocks
            elif len(term.split()) == 1 and term not in vocab.proper:
                if len(term.strip()) >= 6:  # a short common word ("cost", "trust") says little about a passage
                    vocab.words[term] = blocks[0]
            elif term not in vocab.names:
                vocab.keywords[term] = blocks[0]
        for term, blocks in part_users.items():
            if len(blocks) == 1 and term not in vocab.names and term not in vocab.keywords:
                vocab.parts[term] = blocks[0]
        return vocab

    def match(self, text: str) -> tuple[Block, str] | None:
        """The block TEXT names (the longest name, else the longest unshared keyword), with the term."""
        folded = fold(text)
        for table in (self.names, self.keywords):
            hits = [(len(term), term, block) for term, block in table.items() if term in folded]
            if hits:
                _, term, block = max(hits, key=lambda h: h[0])
                return block, term.strip()
        return None

    def mentions(self, text: str) -> dict[str, int]:
        """Block id -> number of times TEXT names it."""
        folded = fold(text)
        out: dict[str, int] = {}
        for term, block in self.names.items():
            n = folded.count(term)
            if n:
                out[block.id] = out.get(block.id, 0) + n
        return out

    def _terms(self) -> list[tuple[str, str, list[Block]]]:
        out: list[tuple[str, str, list[Block]]] = []
        for term, block in self.keywords.items():
            out.append((term, "keyword" if term in self.proper else "phrase", [block]))
        out += [(t, "name", [b]) for t, b in self.names.items()]
        out += [(t, "name part", [b]) for t, b in self.parts.items()]
        out += [(t, "word", [b]) for t, b in self.words.items()]
        out += [(t, "shared", bs) for t, bs in self.shared.items()]
        return out

    def route(self, heading: str, opening: str = "", body: str = "") -> Route:
        """Score every block HEADING, OPENING (first sentence) and BODY give evidence for."""
        route = Route()
        places = {"heading": fold(heading), "opening": fold(opening)}
        body_folded = fold(body)
        terms = self._terms()
        for where, text in places.items():
            if not text.strip():
                continue
            found: dict[str, Evidence] = {}
            for term, kind, blocks in terms:
                if term not in text:
                    continue
                for block in blocks:
                    points = WEIGHTS[kind] * PLACES[where]
                    key = f"{block.id}\0{term}"
                    if key not in found or found[key].points < points:
                        found[key] = Evidence(block.id, term.strip(), kind, where, points)
                    route.blocks[block.id] = block
            route.evidence += found.values()
        for term, kind, blocks in terms:
            if kind == "shared" or term not in body_folded:
                continue
            block = blocks[0]
            n = body_folded.count(term)
            route.blocks[block.id] = block
            route.evidence.append(Evidence(block.id, term.strip(), "mention", f"text ({n}\u00d7)", n * MENTION))
        for e in route.evidence:
            route.scores[e.block] = route.scores.get(e.block, 0.0) + e.points
        for e in route.evidence:  # mentions are capped per block: a long text must not outvote a heading
            if e.kind == "mention":
                total = sum(x.points for x in route.evidence if x.block == e.block and x.kind == "mention")
                if total > MENTION_CAP:
                    route.scores[e.block] -= (total - MENTION_CAP) * e.points / total
        route.scores = {b: round(s, 2) for b, s in route.scores.items()}
        return route
