"""The editorial gate: how much text a topic has of its own, and which documents of its own it can fill."""
from __future__ import annotations

from dataclasses import dataclass

from briefgen.content.model import Block, Example, Point
from briefgen.content.walk import walk


@dataclass(frozen=True)
class Gate:
    """The least text of its own (words of summary, bottom line, points and examples) a topic needs per document."""

    brief_words: int = 200
    """A brief needs this many (fewer gave a one-page brief); a thinner topic has its one-pager and the book."""
    onepager_words: int = 150
    """A one-pager (at most 15 % of its page unused) needs this many; a thinner topic is in the book only."""


GATE = Gate()


def own_words(block: Block) -> int:
    """The words of BLOCK's own reader-facing text: its summary, bottom line, points and examples."""
    texts = [block.summary or "", block.bottom_line or ""]
    texts += [p.text for p in walk(block, Point)] + [e.text for e in walk(block, Example)]
    return sum(len(str(t).split()) for t in texts)


def fills(block: Block, kind: str, gate: Gate = GATE) -> bool:
    """Whether BLOCK has text enough for a document of KIND (kinds the gate does not name always pass)."""
    need = {"brief": gate.brief_words, "onepager": gate.onepager_words}.get(kind, 0)
    return own_words(block) >= need


def thin_note(block: Block, gate: Gate = GATE) -> str | None:
    """What the gate leaves out for BLOCK, in a sentence (None when it has its brief and one-pager)."""
    words = own_words(block)
    if words >= gate.brief_words:
        return None
    left = "a brief" if words >= gate.onepager_words else "a brief or a one-pager"
    keeps = "its one-pager and the briefing book carry it" if words >= gate.onepager_words \
        else "the briefing book carries it"
    return (f"thin topic: {words} words of its own text, too few for {left} (a brief needs {gate.brief_words}, "
            f"a one-pager {gate.onepager_words}); {keeps}")
