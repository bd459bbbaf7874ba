"""Check that every source reference resolves and every quote is verbatim in its cited (repaired) passage."""
from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from typing import Iterator

from briefgen.config.schema import Record
from briefgen.content.catalogue import Catalogue
from briefgen.content.model import TAKEAWAYS_MAX, TAKEAWAYS_MIN, Block, DataFigure, FigureItem, Quote, SourceRef
from briefgen.content.walk import walk
from briefgen.errors import BriefgenError, ContentError
from briefgen.seeds.outline import split_lines
from briefgen.seeds.registry import Passage, Seed, SeedLibrary

_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ",
})


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
#: Markdown block markers at the start of a line: list bullets and numbers, headings, block quotes.
_BLOCK_MARK = re.compile(r"(?m)^[ \t]*(?:>[ \t]*)*(?:[-+*][ \t]+|\d{1,3}[.)][ \t]+|#{1,6}[ \t]+)?")


@functools.lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Fold quote marks, dashes, Markdown markup (emphasis, links, escapes, list and heading markers) and
    whitespace, so wording is compared, not typography (kept per text: the claims rules fold a passage once per
    statement citing it)."""
    text = text.translate(_TRANSLATE)
    text = _BLOCK_MARK.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!])", r"\1", text)
    text = re.sub(r"[*_]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


#: An elision: `…`, `...`, `[…]` or `[...]`, with the spaces around it.
_ELISION = r"\s*(?:\[\s*(?:\u2026|\.\.\.)\s*\]|\u2026|\.\.\.)\s*"
#: One letter whose case the quoter changed, written `[T]he`.
_CASE = r"\[(\w)\](?=\w)"
#: A bracketed editorial insertion, `[the alliance]`, standing for at most a few words of the original.
_INSERTION = r"\[([^\[\]]{1,80})\]"
_QUOTE_TOKEN = re.compile(f"(?P<elision>{_ELISION})|(?P<case>{_CASE})|(?P<insertion>{_INSERTION})")
#: Most characters of the original an editorial insertion may stand for.
INSERTION_SPAN = 40


@dataclasses.dataclass(frozen=True)
class QuotePart:
    """A piece of a quote as written: the seed's words, an elision, an editorial insertion or a case change."""

    kind: str  # "words", "elision", "insertion", "case"
    text: str  # as written, brackets and the spaces around an elision included


def quote_parts(quote: str) -> list[QuotePart]:
    """Split a quote into the seed's words and the quoter's marks (elisions, insertions, changed case)."""
    parts: list[QuotePart] = []
    at = 0
    for m in _QUOTE_TOKEN.finditer(quote):
        if m.start() > at:
            parts.append(QuotePart("words", quote[at:m.start()]))
        kind = m.lastgroup or "words"
        parts.append(QuotePart(kind, m.group(kind)))
        at = m.end()
    if at < len(quote):
        parts.append(QuotePart("words", quote[at:]))
    return parts


def quote_patterns(quote: str) -> list[re.Pattern[str]]:
    """Patterns for the runs of QUOTE (normalized) between its elisions, to be found in a normalized passage in
    order: whole words at both ends of the seed's words; an insertion stands for at most INSERTION_SPAN
    characters; `[T]he` matches "the" or "The"."""
    runs: list[list[str]] = [[]]
    parts = quote_parts(normalize(quote))
    for i, part in enumerate(parts):
        out = runs[-1]
        if part.kind == "elision":
            runs.append([])
        elif part.kind == "insertion":
            out.append(r"[\s\S]{0,%d}?" % INSERTION_SPAN)
        elif part.kind == "case":
            letter = part.text[1]
            out.append(r"(?<!\w)" + f"[{re.escape(letter.lower())}{re.escape(letter.upper())}]")
        else:
            words = part.text
            prev = parts[i - 1].kind if i else None
            if (words[:1].isalnum() or words[:1] == "_") and prev != "case":
                out.append(r"(?<!\w)")
            out.append(re.escape(words))
            if words[-1:].isalnum() or words[-1:] == "_":
                out.append(r"(?!\w)")
    return [re.compile("".join(run)) for run in runs if run]


def quote_found(quote: str, passage: str) -> bool:
    """Whether QUOTE stands verbatim in PASSAGE on whole words, allowing marked elisions and insertions.

    The runs between elisions are found one after another, each at its first place after the previous one,
    so a quote with many elisions costs one pass over the passage, never a backtracking search."""
    if not any(p.kind in ("words", "case") and p.text.strip() for p in quote_parts(normalize(quote))):
        return False
    text, at = normalize(passage), 0
    for pattern in quote_patterns(quote):
        m = pattern.search(text, at)
        if m is None:
            return False
        at = m.end()
    return True


def cut_word(quote: str, passage: str) -> str | None:
    """When QUOTE's words are in PASSAGE only inside longer words, return the passage's longer word(s)."""
    text = normalize(passage)
    for part in quote_parts(normalize(quote)):
        if part.kind != "words" or not any(c.isalnum() for c in part.text):
            continue
        words = part.text.strip()
        at = text.find(words)
        if at < 0:
            return None
        start, end = at, at + len(words)
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        if (start, end) != (at, at + len(words)):
            return text[start:end] if end - start <= 120 else text[start:start + 117] + "..."
    return None


def iter_refs(obj: object) -> Iterator[SourceRef]:
    """Yield every SourceRef inside a record, depth first, in field order."""
    return walk(obj, SourceRef)


def iter_quotes(obj: object) -> Iterator[Quote]:
    """Yield every Quote inside a record."""
    return walk(obj, Quote)


def _readable(text: str) -> str:
    """Drop Markdown markup but keep the seed's own typography, for showing passages in hints."""
    return re.sub(r"[*_]{2,}|(?<!\w)[*_]|[*_](?!\w)", "", _LINK.sub(r"\1", text))


def closest(quote: str, passage: str) -> str:
    """Return the run of words in PASSAGE closest to QUOTE (as long as the quote), shortened for a hint."""
    def key(word: str) -> str:
        return re.sub(r"[^\w]", "", normalize(word).lower())

    want = [key(w) for w in _readable(quote).split()]
    shown = _readable(passage).split()
    words = [key(w) for w in shown]
    want = [w for w in want if w]
    if not want or not words:
        return ""
    size = min(len(want), len(words))
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(want)
    best, best_at = -1.0, 0
    for at in range(len(words) - size + 1):
        matcher.set_seq1(words[at:at + size])
        if matcher.real_quick_ratio() <= best or matcher.quick_ratio() <= best:
            continue
        score = matcher.ratio()
        if score > best:
            best, best_at = score, at
    text = " ".join(shown[best_at:best_at + size])
    return text if len(text) <= 160 else text[:157] + "..."


def damaged_quote(quote: str, seed: Seed, passage: Passage) -> bool:
    """Whether QUOTE copies encoding damage that the repaired seed text no longer has."""
    if not seed.repairs:
        return False
    raw = "\n".join(split_lines(seed.text)[passage.start - 1:passage.end])
    return normalize(quote) in normalize(raw)


def check_catalogue(cat: Catalogue, library: SeedLibrary) -> list[BriefgenError]:
    """Return an error for each unresolvable reference and each quote not found verbatim."""
    errors: list[BriefgenError] = []
    for block in cat.blocks.values():
        errors.extend(check_record(block, library))
    return errors


def check_record(block: Record, library: SeedLibrary) -> list[BriefgenError]:
    """Return an error for each reference in BLOCK that does not resolve and each quote not found verbatim."""
    errors: list[BriefgenError] = []
    for ref in iter_refs(block):
        seed = library.get(ref.seed)
        if seed is None:
            errors.append(ContentError(f"unknown seed {ref.seed!r} in source {ref}", ref.loc,
                                       "known seeds: " + ", ".join(library.seeds)))
            continue
        if seed.passage(ref.anchor) is None:
            close = difflib.get_close_matches(ref.anchor, list(seed.sections), n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            hint += (f"`briefgen ingest {seed.shown}` lists every anchor; line spans run L1 to "
                     f"L{len(seed.lines)}")
            if seed.outline.pages:
                hint += f", pages p1 to p{max(seed.outline.pages)}"
            errors.append(ContentError(f"no passage {ref.anchor!r} in seed {ref.seed}", ref.loc, hint))
    for quote in iter_quotes(block):
        seed = library.get(quote.cite.seed)
        passage = seed.passage(quote.cite.anchor) if seed else None
        if passage is None:
            continue  # already reported above
        if quote_found(quote.text, passage.text):
            continue
        cut = cut_word(quote.text, passage.text)
        if cut is not None:
            errors.append(ContentError(
                f"quote starts or ends inside a word of {quote.cite}", quote.where("text"),
                f"the passage reads \"{cut}\"; quote whole words, marking cuts with \u2026 and "
                "your own words with [brackets]"))
            continue
        if damaged_quote(quote.text, seed, passage):
            errors.append(ContentError(
                f"quote copies encoding damage from {quote.cite}", quote.where("text"),
                f"quote the repaired text: \"{closest(quote.text, passage.text)}\" "
                f"(`briefgen ingest {seed.shown}` lists each repair)"))
            continue
        errors.append(ContentError(f"quote not found in {quote.cite}", quote.where("text"),
                                   f"closest passage: \"{closest(quote.text, passage.text)}\""))
    for figure in walk(block, DataFigure):
        errors.extend(check_figure(figure, library))
    if isinstance(block, Block):
        errors.extend(check_takeaways(block))
    return errors


#: Fewest and most bars a data figure draws.
FIGURE_ITEMS = (2, 8)


#: A figure written in digits: 90, 2.8, 1,250 (not the 7 of a name such as G7).
_DIGITS = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|(?<![\w.])\d+(?:\.\d+)?(?![\d])")


def figure_number(item: FigureItem) -> float | None:
    """The number a bar draws: the first figure written in digits in the item's value ('$13 billion' -> 13)."""
    found = _DIGITS.search(normalize(item.value))
    return float(found.group(0).replace(",", "")) if found else None


def check_figure(figure: DataFigure, library: SeedLibrary) -> list[BriefgenError]:
    """A data figure draws 2 to 8 bars, each value a number standing word for word in its cited passage(s)."""
    errors: list[BriefgenError] = []
    low, high = FIGURE_ITEMS
    if not low <= len(figure.items) <= high:
        errors.append(ContentError(f"figure {figure.title!r} has {len(figure.items)} bar(s)", figure.where("items"),
                                   f"give a figure {low} to {high} items; a single number belongs in `examples`"))
    for item in figure.items:
        if figure_number(item) is None:
            errors.append(ContentError(f"figure value {item.value!r} has no number written in digits",
                                       item.where("value"), "write the value with its digits as the passage does, "
                                       "e.g. '90 percent', '$13 billion'"))
            continue
        texts = [p.text for ref in item.cites
                 if (seed := library.get(ref.seed)) is not None and (p := seed.passage(ref.anchor)) is not None]
        if not texts:
            continue  # an unresolvable reference, reported above
        if not any(quote_found(item.value, text) for text in texts):
            near = sorted({m.group(0) for t in texts for m in re.finditer(
                r"(?:\$\s?)?\d[\d,.]*(?:\s?(?:percent|%|million|billion|trillion))?", normalize(t))})[:6]
            errors.append(ContentError(
                f"figure value {item.value!r} is not in {', '.join(map(str, item.cites))}", item.where("value"),
                ("the passage gives " + ", ".join(repr(n) for n in near) + "; " if near else "") +
                "write the value word for word as the cited passage does, or cite the passage that states it"))
    return errors


def check_takeaways(block: Block) -> list[BriefgenError]:
    """A block marks no key points, or 3 to 5 of them (a brief's Key takeaways box)."""
    marked = block.key_points()
    if not marked or TAKEAWAYS_MIN <= len(marked) <= TAKEAWAYS_MAX:
        return []
    where = marked[TAKEAWAYS_MAX].where("key") if len(marked) > TAKEAWAYS_MAX else marked[0].where("key")
    return [ContentError(f"{block.id} marks {len(marked)} key point(s) as takeaways", where,
                         f"mark {TAKEAWAYS_MIN} to {TAKEAWAYS_MAX} points `key: true`, or none (no Key takeaways "
                         "box)")]
