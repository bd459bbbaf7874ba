"""Claims rules that see through tricks: look-alike letters (TR39 skeletons), numbers in words, added negations."""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterator

from briefgen.content import claims
from briefgen.content.claims import Context, Finding, Statement
from briefgen.content.provenance import normalize

#: Letters of other scripts (and compatibility forms NFKC leaves alone) that look like Latin letters: the part of
#: Unicode TR39's confusables table that can pass for English text. A word holding one is written to deceive.
_LOOKALIKES = {
    # Cyrillic
    "\u0410": "A", "\u0412": "B", "\u0421": "C", "\u0415": "E", "\u041d": "H", "\u0406": "I", "\u0408": "J",
    "\u041a": "K", "\u041c": "M", "\u041e": "O", "\u0420": "P", "\u0405": "S", "\u0422": "T", "\u0425": "X",
    "\u04ae": "Y", "\u0404": "E", "\u0417": "3", "\u0430": "a", "\u0441": "c", "\u0435": "e", "\u0456": "i",
    "\u0458": "j", "\u043e": "o", "\u0440": "p", "\u0455": "s", "\u0445": "x", "\u0443": "y", "\u04bb": "h",
    "\u0501": "d", "\u051b": "q", "\u051d": "w", "\u0475": "v", "\u0457": "i", "\u04cf": "l", "\u0432": "b",
    "\u043d": "h", "\u043a": "k", "\u043c": "m", "\u0442": "t", "\u0433": "r", "\u0434": "g", "\u044c": "b",
    # Greek
    "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0396": "Z", "\u0397": "H", "\u0399": "I", "\u039a": "K",
    "\u039c": "M", "\u039d": "N", "\u039f": "O", "\u03a1": "P", "\u03a4": "T", "\u03a5": "Y", "\u03a7": "X",
    "\u03b1": "a", "\u03bf": "o", "\u03c1": "p", "\u03c5": "u", "\u03bd": "v", "\u03b9": "i", "\u03ba": "k",
    "\u03c7": "x", "\u03b3": "y", "\u03f2": "c", "\u03f3": "j",
    # Armenian, Cherokee and others often used for spoofing
    "\u0555": "O", "\u0585": "o", "\u0570": "h", "\u0578": "n", "\u057d": "u", "\u13aa": "A", "\u13a1": "E",
    "\u13a2": "T", "\u13b3": "W", "\u13c0": "G", "\u13c2": "h", "\u13da": "S", "\u13e2": "R",
    # Latin look-alikes outside ASCII that NFKC keeps: dotless i, small capitals, long s, script letters
    "\u0131": "i", "\u0237": "j", "\u026a": "I", "\u1d00": "A", "\u0299": "B", "\u1d04": "C", "\u1d05": "D",
    "\u1d07": "E", "\u0262": "G", "\u029c": "H", "\u1d0a": "J", "\u1d0b": "K", "\u029f": "L", "\u1d0d": "M",
    "\u0274": "N", "\u1d0f": "O", "\u1d18": "P", "\u0280": "R", "\ua731": "S", "\u1d1b": "T", "\u1d1c": "U",
    "\u1d20": "V", "\u1d21": "W", "\u028f": "Y", "\u1d22": "Z", "\u017f": "s", "\u0251": "a", "\u0261": "g",
}
_LOOKALIKE = re.compile("[" + "".join(_LOOKALIKES) + "]")
_LETTERS = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


@functools.lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """TEXT as it reads: NFKC (fullwidth and mathematical letters become plain ones), then look-alike letters of
    other scripts replaced by the Latin letter they imitate, marks kept."""
    return _LOOKALIKE.sub(lambda m: _LOOKALIKES[m.group(0)], unicodedata.normalize("NFKC", text))


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def disguised_words(text: str) -> list[tuple[str, str]]:
    """The words of TEXT that are disguised: mixing scripts (Latin with Cyrillic or Greek...), or written in
    look-alike letters or compatibility forms; each with how it reads."""
    out = []
    for m in _LETTERS.finditer(text):
        word = m.group(0)
        if word.isascii():
            continue
        scripts = {_script(ch) for ch in word if ch.isalpha()}
        reads = skeleton(word)
        if len(scripts) > 1 or (reads != word and reads.isascii()):
            out.append((word, reads))
    return out


@claims.rule
def lookalike_letters(st: Statement, ctx: Context) -> Iterator[Finding]:
    """No word mixes scripts or is written in look-alike letters ("Јapan" with a Cyrillic Ј reads as Japan but
    matches nothing): every name is compared as it reads."""
    for word, reads in disguised_words(st.text):
        yield Finding(f"{st.what}: {word!r} is written with look-alike or mixed-script letters (it reads as "
                      f"{reads!r})", "type it in plain letters of one script")
        return


_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                     "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_WORD_NUMBER = re.compile(r"\b(?:(?P<tens>" + "|".join(_TENS) + r")(?:[-\s](?P<unit>" + "|".join(
    list(_UNITS)[1:10]) + r"))?|(?P<small>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r"))"
    r"(?:\s+(?P<scale>hundred|thousand|million|billion|trillion))?\b", re.I)
_SCALE = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
#: Number words that are as often pronouns or articles ("one of them", "no one") as counts: not checked alone.
_LOOSE = frozenset({"zero", "one"})


#: Words after which a number word names a thing rather than counts ("Point two", "Phase one", "Article five").
_LABELS = frozenset("point phase step part pillar chapter section article title option stage tier round track "
                    "annex appendix figure table level category group example item case scenario lesson finding "
                    "recommendation priority objective goal principle rule question".split())
_BEFORE = re.compile(r"([A-Za-z]+)\s+$")


def word_numbers(text: str) -> list[tuple[str, float]]:
    """The numbers TEXT writes in words, with their values: "seven", "twenty-eight", "three million"; a number
    word that labels something ("Point two", "Article five") is no count and is left out."""
    return list(_word_numbers(text))


@functools.lru_cache(maxsize=4096)
def _word_numbers(text: str) -> tuple[tuple[str, float], ...]:
    """word_numbers, kept per text: a passage is read once per statement citing it."""
    out = []
    for m in _WORD_NUMBER.finditer(text):
        before = _BEFORE.search(text[max(0, m.start() - 20):m.start()])
        if before is not None and before.group(1).lower() in _LABELS:
            continue
        if m.group("tens"):
            value = _TENS[m.group("tens").lower()] + (_UNITS[m.group("unit").lower()] if m.group("unit") else 0)
        else:
            value = _UNITS[m.group("small").lower()]
        if m.group("scale"):
            value *= _SCALE[m.group("scale").lower()]
        elif m.group("small") and m.group("small").lower() in _LOOSE:
            continue
        out.append((m.group(0), float(value)))
    return tuple(out)


_ITEM = r"(?:the\s+)?[A-Z][A-Za-z.'\u2019-]*(?:\s+[A-Za-z][A-Za-z.'\u2019-]*){0,3}"
_LIST = re.compile(rf"{_ITEM}(?:\s*,\s*{_ITEM})+\s*,?\s+(?:and|or)\s+{_ITEM}")


def list_counts(text: str) -> set[float]:
    """How many items each list of names in TEXT has ("Israel, Japan, Saudi Arabia, South Korea, Taiwan, and the
    United Kingdom" counts six): a passage that lists them states their number."""
    return set(_list_counts(text))


@functools.lru_cache(maxsize=4096)
def _list_counts(text: str) -> frozenset[float]:
    """list_counts, kept per text (see _word_numbers)."""
    out = set()
    for m in _LIST.finditer(text):
        items = [i for i in re.split(r"\s*,\s*|\s+(?:and|or)\s+", m.group(0)) if i.strip()]
        out.add(float(len(items)))
    return frozenset(out)


def _digits(text: str) -> set[float]:
    out = set()
    for n in claims.numbers(text):
        out.add(n.value)
        if n.scale:
            out.add(n.value * n.scale)
    return out


@claims.rule
def unsupported_word_number(st: Statement, ctx: Context) -> Iterator[Finding]:
    """A number written in words ("seven are in Asia") stands in a cited passage, in words or in digits, like a
    figure written in digits."""
    if not st.passages:
        return
    support = "\n".join(normalize(p) for p in st.passages)
    known = _digits(support) | {v for _, v in word_numbers(support)} | list_counts(support)
    for shown, value in word_numbers(normalize(st.text)):
        if value not in known:
            yield Finding(f"{st.what}: the number {shown!r} is not in {', '.join(map(str, st.cites))}",
                          "state the number as the cited passage does, or cite the passage that gives it")


_NEGATIONS = {"not": "", "never": "", "no": "", "no longer": "", "cannot": "can", "can't": "can", "won't": "will",
              "isn't": "is", "aren't": "are", "wasn't": "was", "weren't": "were", "doesn't": "does",
              "don't": "do", "didn't": "did", "hasn't": "has", "haven't": "have", "hadn't": "had",
              "shouldn't": "should", "wouldn't": "would", "couldn't": "could"}
_NEG = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(_NEGATIONS, key=len, reverse=True)) + r")\b",
                  re.I)
_WORDS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
#: Words of context on each side of an added negation that must stand, in order, in the passage.
_AROUND = 3


def _words(text: str) -> list[str]:
    return _WORDS.findall(normalize(text).lower().replace("\u2019", "'"))


@claims.rule
def added_negation(st: Statement, ctx: Context) -> Iterator[Finding]:
    """A statement adds no negation to words a passage states plainly ("31 are not NATO allies" restating "31
    are NATO allies"): the reverse of a dropped negation."""
    if not st.passages or st.what.endswith(".speaker"):
        return
    sources = [" " + " ".join(_words(p)) + " " for p in st.passages]
    text = normalize(st.text).replace("\u2019", "'")
    for m in _NEG.finditer(text):
        before = _words(text[:m.start()])[-_AROUND:]
        after = _words(text[m.end():])[:_AROUND]
        base = [_NEGATIONS[m.group(0).lower()]] if _NEGATIONS[m.group(0).lower()] else []
        neg = _words(m.group(0))
        for b in range(1, len(before) + 1):
            for a in range(1, len(after) + 1):
                if a + b + len(base) < _AROUND + 1:
                    continue
                plain = " ".join([*before[-b:], *base, *after[:a]])
                negated = " ".join([*before[-b:], *neg, *after[:a]])
                for source in sources:
                    if f" {plain} " in source and f" {negated} " not in source:
                        yield Finding(f"{st.what}: says {m.group(0)!r} where the passage it restates has no "
                                      f"negation", f"the passage says: \"...{plain}...\"; keep its sense, or cite "
                                      "a passage that says the opposite")
                        return
