"""Check that every source reference resolves and every quote is verbatim in its cited (repaired) passage."""
from __future__ import annotations

import dataclasses
import difflib
import re
from typing import Iterator

from briefgen.config.schema import Record
from briefgen.content.catalogue import Catalogue
from briefgen.content.model import Quote, SourceRef
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


def normalize(text: str) -> str:
    """Fold quote marks, dashes, Markdown markup (emphasis, links, escapes) and whitespace, so wording is
    compared, not typography."""
    text = text.translate(_TRANSLATE)
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!])", r"\1", text)
    text = re.sub(r"[*_]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def iter_refs(obj: object) -> Iterator[SourceRef]:
    """Yield every SourceRef inside a record, depth first, in field order."""
    if isinstance(obj, SourceRef):
        yield obj
    elif isinstance(obj, list):
        for item in obj:
            yield from iter_refs(item)
    elif dataclasses.is_dataclass(obj) and isinstance(obj, Record):
        for f in dataclasses.fields(obj):
            if not f.metadata.get("internal"):
                yield from iter_refs(getattr(obj, f.name))


def iter_quotes(obj: object) -> Iterator[Quote]:
    """Yield every Quote inside a record."""
    if isinstance(obj, Quote):
        yield obj
    elif isinstance(obj, list):
        for item in obj:
            yield from iter_quotes(item)
    elif dataclasses.is_dataclass(obj) and isinstance(obj, Record):
        for f in dataclasses.fields(obj):
            if not f.metadata.get("internal"):
                yield from iter_quotes(getattr(obj, f.name))


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
                errors.append(ContentError(f"no passage {ref.anchor!r} in seed {ref.seed}", ref.loc, hint))
        for quote in iter_quotes(block):
            seed = library.get(quote.cite.seed)
            passage = seed.passage(quote.cite.anchor) if seed else None
            if passage is None:
                continue  # already reported above
            if normalize(quote.text) in normalize(passage.text):
                continue
            if damaged_quote(quote.text, seed, passage):
                errors.append(ContentError(
                    f"quote copies encoding damage from {quote.cite}", quote.where("text"),
                    f"quote the repaired text: \"{closest(quote.text, passage.text)}\" "
                    f"(`briefgen ingest {seed.shown}` lists each repair)"))
                continue
            errors.append(ContentError(f"quote not found in {quote.cite}", quote.where("text"),
                                       f"closest passage: \"{closest(quote.text, passage.text)}\""))
    return errors
