"""Blocks as an audience reads them, and their resolved cross-links; no rendering here."""
from __future__ import annotations

import dataclasses
import re

from briefgen.config.audiences import Audience
from briefgen.content.catalogue import Catalogue
from briefgen.content.model import Alliance, Block, Obstacle, Recommendation
from briefgen.errors import ContentError


def related_blocks(cat: Catalogue, block: Block) -> dict[str, list[Block]]:
    """Resolve the block's cross-links into block objects, so templates never look ids up."""
    def resolve(ids: list[str]) -> list[Block]:
        return [b for b in (cat.get(i) for i in ids) if b is not None]

    if isinstance(block, Alliance):
        return {"obstacles": resolve(block.related_obstacles), "alliances": [],
                "recommendations": resolve(block.recommendations)}
    if isinstance(block, Obstacle):
        return {"obstacles": [], "alliances": resolve(block.affected_alliances),
                "recommendations": resolve(block.recommendations)}
    if isinstance(block, Recommendation):
        return {"obstacles": resolve(block.addresses), "alliances": [], "recommendations": []}
    return {"obstacles": [], "alliances": [], "recommendations": []}


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
    """Every prose text of a block a reader sees: summary, bottom line, and the text of each point."""
    texts = [getattr(block, "summary", ""), getattr(block, "bottom_line", None) or ""]
    for name in ("why_it_matters", "modernization_priorities", "key_actions", "how_it_shows_up", "examples",
                 "other_perspectives", "actions"):
        texts.extend(item.text for item in getattr(block, name, []) or [])
    return [t for t in texts if t]

