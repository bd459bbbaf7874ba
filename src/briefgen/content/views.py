"""Blocks as an audience reads them, and their resolved cross-links; no rendering here."""
from __future__ import annotations

import dataclasses
import re

from briefgen.config.audiences import Audience
from briefgen.content.catalogue import Catalogue
from briefgen.content.model import RELATED_GROUPS, Block, Point, Quote
from briefgen.errors import ContentError


def related_blocks(cat: Catalogue, block: Block) -> dict[str, list[Block]]:
    """Resolve the block's declared cross-links into block objects, so templates never look ids up."""
    related: dict[str, list[Block]] = {group: [] for group in RELATED_GROUPS}
    for link in block.links:
        related[link.group] += [b for b in (cat.get(i) for i in getattr(block, link.field)) if b is not None]
    return related


class Tracked:
    """A linked block as a template sees it: every read goes to the block, and each field read is recorded.

    A document depends on the fields of linked blocks its templates show, whatever template an audience uses;
    recording them while rendering (as Sphinx and Lektor record dependencies) keeps that list exact.
    """

    __slots__ = ("_block", "_seen")

    def __init__(self, block: Block, seen: set[str]) -> None:
        self._block = block
        self._seen = seen

    def __getattr__(self, name: str) -> object:
        self._seen.add(name)
        return getattr(self._block, name)

    def __eq__(self, other: object) -> bool:
        return self._block == (other._block if isinstance(other, Tracked) else other)

    def __hash__(self) -> int:
        return hash(self._block.id)


def track(related: dict[str, list[Block]], deps: dict[str, set[str]]) -> dict[str, list[Tracked]]:
    """Wrap RELATED's blocks so the fields a template reads are recorded in DEPS (block id -> field names)."""
    return {group: [Tracked(b, deps.setdefault(b.id, set())) for b in blocks] for group, blocks in related.items()}


def _limit_words(text: str, limit: int | None, rule: str, block: Block, field_name: str, audience: str) -> str:
    """Apply an audience's word limit to TEXT: keep whole sentences (truncate) or fail (error)."""
    words = text.split()
    if limit is None or len(words) <= limit:
        return text
    if rule == "error":
        raise ContentError(f"{field_name} has {len(words)} words; audience {audience!r} allows {limit}",
                           block.where(field_name), f"shorten it, or set limits.over_limit: truncate in "
                           f"audiences/{audience}.yaml")
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    kept = [sentences[0]]
    for sentence in sentences[1:]:
        if len(" ".join(kept + [sentence]).split()) > limit:
            break
        kept.append(sentence)
    out = " ".join(kept)
    return out if len(kept) == len(sentences) else out + " \u2026"


def audience_view(block: Block, audience: Audience, name: str) -> Block:
    """Return BLOCK as AUDIENCE reads it: U.S.-internal points left out, summaries within the word limit."""
    changes: dict[str, object] = {}
    for f in dataclasses.fields(block):
        value = getattr(block, f.name)
        if isinstance(value, list) and not audience.us_internal:
            kept = [item for item in value if not getattr(item, "us_internal", False)]
            if len(kept) != len(value):
                changes[f.name] = kept
    limits = audience.limits
    for field_name in ("summary", "bottom_line"):
        text = getattr(block, field_name, None)
        if text:
            limited = _limit_words(text, limits.max_summary_words, limits.over_limit, block, field_name, name)
            if limited != text:
                changes[field_name] = limited
    if not changes:
        return block
    view = dataclasses.replace(block, **changes)
    view.loc, view.locs = block.loc, block.locs
    return view



def prose_of(block: object) -> list[str]:
    """Every prose text of a block a reader sees: summary, bottom line, and the text of each listed statement."""
    texts = [getattr(block, "summary", ""), getattr(block, "bottom_line", None) or ""]
    for f in dataclasses.fields(block):
        value = getattr(block, f.name)
        if isinstance(value, list):
            texts.extend(item.text for item in value if isinstance(getattr(item, "text", None), str)
                         and not isinstance(item, Quote))
    return [t for t in texts if t]


def lift_takeaways(block: Block) -> tuple[Block, list[Point]]:
    """Return BLOCK without its key points, and those points: a document with a Key takeaways box shows each
    of them there, once, instead of in its own section."""
    key = block.key_points()
    if not key:
        return block, []
    changes = {f.name: [item for item in value if not (isinstance(item, Point) and item.key)]
               for f in dataclasses.fields(block)
               if isinstance(value := getattr(block, f.name), list) and any(isinstance(i, Point) and i.key
                                                                             for i in value)}
    return dataclasses.replace(block, **changes), key
