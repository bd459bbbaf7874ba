"""Vet a statement that does not come from the current catalogue (an earlier edition's text) like current text."""
from __future__ import annotations

import logging
import unicodedata
from typing import Any

from briefgen import prose
from briefgen.content import claims, confusables  # noqa: F401 - confusables registers rules
from briefgen.content.model import SourceRef
from briefgen.content.provenance import quote_found
from briefgen.seeds.registry import SeedLibrary

log = logging.getLogger(__name__)

#: Characters no printed statement may hold: bidi and zero-width controls, private-use marks (the redline's own).
_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})


def _refs(cites: list[str]) -> list[SourceRef] | None:
    out = []
    for cite in cites:
        seed, sep, anchor = str(cite).partition("#")
        if not seed or not sep or not anchor:
            return None
        out.append(SourceRef(seed=seed, anchor=anchor))  # type: ignore[call-arg]
    return out


def vetted(text: str, cites: list[str], library: SeedLibrary, forbidden: list[str] | None, *,
           quote: bool = False, uncited: bool = False, block: Any = None) -> bool:
    """Whether TEXT, citing CITES, passes what current text must pass before a reader sees it: every citation
    resolves, a quotation stands verbatim in a cited passage, no control or private-use character, and every claims
    rule (forbidden words, figures, years, names, negations, hedges) finds nothing. Text that fails is not printed.
    With UNCITED, a text without citations (a label, a member's name) needs only pass the character and
    forbidden-word checks, as labels do in `check`. BLOCK is the current block the text belongs to (rules about
    attribution and acronyms read it); without it, a rule that needs it refuses the text."""
    if not isinstance(text, str) or not text.strip() or len(text) > 50_000:
        return False
    if any(unicodedata.category(ch) in _CATEGORIES for ch in text if ch not in "\n\t"):
        return False
    refs = _refs(cites)
    if not refs and uncited and not cites:
        st = claims.Statement(block, "earlier edition", text, None, [], None, claims=False)
        return not list(claims.RULES["machinery"](st, claims.Context(claims.forbidden_patterns(forbidden or []))))
    if not refs:
        return False
    passages, seeds = [], []
    for ref in refs:
        seed = library.get(ref.seed)
        passage = seed.passage(ref.anchor) if seed is not None else None
        if passage is None:
            return False
        passages.append(passage.text)
        if seed not in seeds:
            seeds.append(seed)
    if quote and not any(quote_found(text, p) for p in passages):
        return False
    plain = text if quote else prose.plain(text)
    st = claims.Statement(block, "earlier edition", plain, None, refs, "cite", passages=passages, seeds=seeds)
    ctx = claims.Context(claims.forbidden_patterns(forbidden or []))
    for name, check in claims.RULES.items():
        if quote and name not in ("machinery",):
            continue  # a quotation's words are the source's own: verbatim is its check
        try:
            findings = [f for f in check(st, ctx) if not f.warning]
        except Exception:  # noqa: BLE001 - a rule that cannot judge this text: do not print it
            log.debug("rule %s could not vet an earlier edition's text", name, exc_info=True)
            return False
        if findings:
            log.info("an earlier edition's text is not printed: %s", findings[0].message)
            return False
    return True
