"""The editorial gate: how much text a topic has of its own, and which documents of its own it can fill."""
from __future__ import annotations

from briefgen.config.kinds import DOCUMENT_KINDS, DocumentKind, document_kind
from briefgen.content.model import Block, Example, Point
from briefgen.content.walk import walk


def own_words(block: Block) -> int:
    """The words of BLOCK's own reader-facing text: its summary, bottom line, points and examples."""
    texts = [block.summary or "", block.bottom_line or ""]
    texts += [p.text for p in walk(block, Point)] + [e.text for e in walk(block, Example)]
    return sum(len(str(t).split()) for t in texts)


def fills(block: Block, kind: str, words: int | None = None) -> bool:
    """Whether BLOCK has text enough for a document of KIND (its declared min_words); WORDS: its own_words, when
    counted already (a plan asks for every kind)."""
    return (own_words(block) if words is None else words) >= document_kind(kind).min_words


def _a(kind: DocumentKind) -> str:
    return f"a {kind.label.lower()}"


def thin_note(block: Block) -> str | None:
    """What the gate leaves out for BLOCK, in a sentence (None when it has every document of its own)."""
    words = own_words(block)
    gated = sorted((k for k in DOCUMENT_KINDS.values() if k.min_words), key=lambda k: -k.min_words)
    left = [k for k in gated if words < k.min_words]
    if not left:
        return None
    kept = sorted((k for k in DOCUMENT_KINDS.values() if words >= k.min_words), key=lambda k: not k.per_block)
    carry = " and ".join(f"{'its' if k.per_block else 'the'} {k.label.lower()}" for k in kept)
    needs = ", ".join(f"{_a(k)} needs {k.min_words}" if i == 0 else f"{_a(k)} {k.min_words}"
                      for i, k in enumerate(gated))
    return (f"thin topic: {words} words of its own text, too few for {' or '.join(map(_a, left))} ({needs}); "
            f"{carry} {'carries' if len(kept) == 1 else 'carry'} it")
