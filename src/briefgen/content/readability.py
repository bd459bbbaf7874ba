"""Reading level of prose: the Flesch-Kincaid grade, with syllables counted by Pyphen's dictionaries."""
from __future__ import annotations

import re
from functools import lru_cache

import pyphen

from briefgen import prose

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")


@lru_cache(maxsize=4)
def _dictionary(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=pyphen.language_fallback(lang.replace("-", "_")) or "en_US")


def syllables(word: str, lang: str = "en_US") -> int:
    """Count the syllables of WORD from its hyphenation points (at least one)."""
    return max(1, len(_dictionary(lang).positions(word.lower())) + 1)


def fk_grade(texts: list[str], lang: str = "en_US") -> float | None:
    """Flesch-Kincaid grade level of Markdown TEXTS taken together; None when there are no words."""
    words = 0
    sentences = 0
    syll = 0
    for text in texts:
        plain = prose.plain(text)
        found = _WORD.findall(plain)
        if not found:
            continue
        words += len(found)
        sentences += max(1, len(_SENTENCE_END.findall(plain)))
        syll += sum(syllables(w.strip("'\u2019-"), lang) for w in found)
    if not words:
        return None
    return round(0.39 * words / sentences + 11.8 * syll / words - 15.59, 1)
