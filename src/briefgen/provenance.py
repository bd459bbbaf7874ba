"""Check that every source reference resolves and every quote is verbatim in its cited passage."""
from __future__ import annotations

import dataclasses
import difflib
import re
from typing import Iterator

from .content import Catalogue
from .errors import BriefgenError, ContentError
from .model import Quote, SourceRef
from .schema import Record
from .seeds import SeedLibrary

_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ",
})


def normalize(text: str) -> str:
    """Fold quote marks, dashes, Markdown emphasis markers and whitespace so wording is compared, not typography."""
    text = text.translate(_TRANSLATE)
    text = re.sub(r"(\*\*|__)", "", text)
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


def closest(quote: str, passage: str) -> str:
    """Return the sentence of PASSAGE closest to QUOTE, shortened for a hint."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", normalize(passage)) if s]
    best = difflib.get_close_matches(normalize(quote), sentences, n=1, cutoff=0.0)
    text = best[0] if best else ""
    return text if len(text) <= 160 else text[:157] + "..."


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
                anchors = ", ".join(list(seed.sections)[:8]) or "line spans such as L10-L20"
                errors.append(ContentError(f"no passage {ref.anchor!r} in seed {ref.seed}", ref.loc,
                                           f"use a section anchor ({anchors}) or a line span L12-L30"))
        for quote in iter_quotes(block):
            seed = library.get(quote.cite.seed)
            passage = seed.passage(quote.cite.anchor) if seed else None
            if passage is None:
                continue  # already reported above
            if normalize(quote.text) not in normalize(passage.text):
                errors.append(ContentError(f"quote not found in {quote.cite}", quote.where("text"),
                                           f"closest passage: \"{closest(quote.text, passage.text)}\""))
    return errors
