"""Claims checked against their sources: every statement a reader sees is cited, and the checkable parts of it
(numbers, named countries, organisations and persons, negations, hedges) stand in the passages it cites.

Each rule is a function registered in RULES with `@rule`, its docstring's first line saying what it checks. A
rule gets one `Statement` (a reader-facing text with its cited passages) and yields `Finding`s, which become
errors (or warnings) naming the statement's file:line. Errors stop `check` and every build; warnings are printed,
and are errors with `briefgen check --strict`. `Project.check` runs them all (`check_claims`).
"""
from __future__ import annotations

import dataclasses
import functools
import re
import typing
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable, Iterator

from briefgen import prose
from briefgen.config.schema import Record
from briefgen.content.catalogue import Catalogue
from briefgen.content.model import Block, Founded, Quote, SourceRef, as_list, link_fields
from briefgen.content.provenance import normalize
from briefgen.errors import BriefgenError, ContentError, ContentWarning, Location
from briefgen.seeds.registry import Passage, Seed, SeedLibrary

# --------------------------------------------------------------------------------------------------------------
# Word lists: data files under content/words/, each led by a comment saying what it holds

_WORDS = resources.files("briefgen.content") / "words"


@functools.lru_cache(maxsize=None)
def word_lines(name: str) -> tuple[str, ...]:
    """The lines of words/NAME.txt, comments and blank lines left out."""
    text = (_WORDS / f"{name}.txt").read_text(encoding="utf-8")
    return tuple(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#"))


def words(name: str) -> frozenset[str]:
    """The whitespace-separated words of words/NAME.txt."""
    return frozenset(w for ln in word_lines(name) for w in ln.split())


def _countries() -> dict[str, tuple[str, ...]]:
    """words/countries.txt: 'Country: alias, alias' a line."""
    out = {}
    for ln in word_lines("countries"):
        name, _, aliases = ln.partition(":")
        out[name.strip()] = tuple(a.strip() for a in aliases.split(",") if a.strip())
    return out


def _organisations() -> tuple[tuple[str, ...], ...]:
    """words/organisations.txt: the names of one organisation a line, separated by '|'."""
    return tuple(tuple(n.strip() for n in ln.split("|")) for ln in word_lines("organisations"))


# --------------------------------------------------------------------------------------------------------------
# Statements: every reader-facing text of a block, with the passages it cites


@dataclass
class Statement:
    """One reader-facing text of a block and what supports it."""

    block: Block
    what: str  # "summary", "why_it_matters[3]", "quotes[1].speaker", ...
    text: str  # plain text (Markdown removed)
    loc: Location | None
    cites: list[SourceRef]
    #: The field that holds (or should hold) the citation, for hints; None for texts that need no citation.
    cite_field: str | None
    #: Whether the claim rules apply; labels that assert nothing (a block's name, its keywords) get only the
    #: machinery rule.
    claims: bool = True
    #: Whether it is a quote's verbatim words: only the rules declared for quotes read it.
    quote: bool = False
    passages: list[str] = field(default_factory=list)  # the cited passages' text, filled in by check_claims
    seeds: list[Seed] = field(default_factory=list)


def _is_prose(tp: object) -> bool:
    """Whether a field type is Prose (Annotated str marked "markdown"), optional or not."""
    for arg in typing.get_args(tp) or ():
        if arg == "markdown" or _is_prose(arg):
            return True
    return False


def _is_text(tp: object) -> bool:
    """Whether a field type is text (str, Text, optional or not)."""
    if tp is str:
        return True
    return any(_is_text(a) for a in typing.get_args(tp) or () if a is not type(None))


def statements(block: Block) -> Iterator[Statement]:
    """Yield every reader-facing text of BLOCK: prose fields with their `cite` or `<field>_cite`, founding and
    member facts, quote speakers, and names, keywords and other labels (which need no citation)."""
    yield from _record_statements(block, block, "")


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, object]:
    """The declared field types of a record class, Annotated extras kept."""
    return typing.get_type_hints(cls, include_extras=True)


@functools.lru_cache(maxsize=8192)
def _plain_prose(text: str) -> str:
    """A prose field's text without its Markdown, cached."""
    return prose.plain(text)


def _record_statements(block: Block, rec: Record, prefix: str) -> Iterator[Statement]:
    """The statements of REC (BLOCK itself or a record inside it), their `what` led by PREFIX."""
    hints = _hints(type(rec))
    names = {f.name for f in dataclasses.fields(rec)}
    for f in dataclasses.fields(rec):
        if f.metadata.get("internal") or f.name == "id" or f.name.endswith("_cite") or f.name == "cite":
            continue
        value = getattr(rec, f.name)
        what = prefix + f.name
        tp = hints.get(f.name)
        if isinstance(value, str) and value.strip():
            if _is_prose(tp):
                cite_name = f"{f.name}_cite" if f"{f.name}_cite" in names else "cite" if "cite" in names else None
                cites = as_list(getattr(rec, cite_name)) if cite_name else []
                yield Statement(block, what, _plain_prose(value), rec.where(f.name), cites,
                                (prefix + cite_name) if cite_name else what + "_cite")
            elif isinstance(rec, Quote) and f.name == "text":  # verbatim (provenance); placed and cut by rules
                yield Statement(block, what, value, rec.where(f.name), [rec.cite], None, claims=False, quote=True)
            elif isinstance(rec, Quote) and f.name == "speaker":
                yield Statement(block, what, value, rec.where(f.name), [rec.cite], None)
            elif "cite" in names and _is_text(tp):  # a figure, a founding instrument, a pillar's name
                yield Statement(block, what, value, rec.where(f.name), as_list(rec.cite), prefix + "cite")
            elif _is_text(tp):
                yield Statement(block, what, value, rec.where(f.name), [], None, claims=False)
        elif isinstance(value, int) and not isinstance(value, bool) and isinstance(rec, Founded):
            yield Statement(block, what, str(value), rec.where(f.name), rec.cites, prefix + "cite")
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            if f"{f.name}_cite" in names:
                cites = as_list(getattr(rec, f"{f.name}_cite"))
                for i, item in enumerate(value):
                    yield Statement(block, f"{what}[{i + 1}]", item, getattr(item, "loc", None) or rec.where(f.name),
                                    cites, prefix + f"{f.name}_cite")
            elif f.name not in link_fields(type(rec)):
                for item in value:
                    yield Statement(block, what, item, getattr(item, "loc", None) or rec.where(f.name), [], None,
                                    claims=False)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Record) and not isinstance(item, SourceRef):
                    yield from _record_statements(block, item, f"{what}[{i + 1}].")
        elif isinstance(value, Record) and not isinstance(value, SourceRef):
            yield from _record_statements(block, value, what + ".")


# --------------------------------------------------------------------------------------------------------------
# Findings and the rule registry


@dataclass
class Finding:
    """What one rule found wrong with one statement."""

    message: str
    hint: str
    warning: bool = False


Rule = Callable[["Statement", "Context"], Iterator[Finding]]
RULES: dict[str, Rule] = {}
#: The rules that read quotes' verbatim words (and nothing else).
QUOTE_RULES: set[str] = set()
#: The rules that also read labels (names, keywords), which assert nothing.
LABEL_RULES = frozenset({"machinery", "spelling"})


def rule(f: Rule) -> Rule:
    """Register F as a claims rule under its name; its docstring's first line describes it."""
    RULES[f.__name__] = f
    return f


def quote_rule(f: Rule) -> Rule:
    """Register F as a rule over quotes' verbatim words."""
    QUOTE_RULES.add(f.__name__)
    return rule(f)


@dataclass
class Context:
    """What the rules share: the project's forbidden words, compiled, its house spellings and its glossary."""

    forbidden: list[tuple[str, re.Pattern[str]]]
    line_citations: bool = True
    #: British spelling -> the en-US house spelling (content/words/us-spelling.txt and briefgen.yaml).
    spellings: dict[str, str] = field(default_factory=dict)
    #: Acronym -> its expansion (the organisations list, the registry's publishers, briefgen.yaml `glossary`).
    glossary: dict[str, str] = field(default_factory=dict)
    #: Acronyms already seen in each block's document, in reading order (the `acronym` rule's memory).
    seen: dict[str, set[str]] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------------------
# Text helpers (passages recur across statements: what is computed from a text alone is cached)


@functools.lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    """TEXT with typography and Markdown folded (provenance.normalize), cached."""
    return normalize(text)


_SENTENCE = re.compile(r"(?<=[.!?])[\"'\u201d)]*\s+(?=[\"'\u201c(]*[A-Z0-9$])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]")
_STOP = words("stop")


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude stem, enough to match "allies" with "ally" and "shared" with "share"."""
    w = word.lower().replace("\u2019", "'")
    for suffix in ("'s", "ies", "es", "s", "ing", "ed", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return w


@functools.lru_cache(maxsize=65536)
def _content_words(text: str) -> frozenset[str]:
    """The stems of TEXT's words that carry meaning (no stop words, no short words)."""
    return frozenset(_stem(w) for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2)


@functools.lru_cache(maxsize=65536)
def _loose_words(text: str) -> frozenset[str]:
    """_content_words with a final e cut, so that "sharing" meets "share"."""
    return frozenset(w.rstrip("e") for w in _content_words(text))


@functools.lru_cache(maxsize=4096)
def sentences(text: str) -> tuple[str, ...]:
    """Split TEXT into sentences (one line or list item at most), after folding typography; each once."""
    out: list[str] = []
    for line in text.split("\n"):
        line = normalize(line.replace("\u2014", " \u2014 "))  # a dash between words breaks the clause
        out.extend(s.strip() for s in _SENTENCE.split(line) if s.strip())
    return tuple(dict.fromkeys(out))


def _show(text: str, limit: int = 150) -> str:
    """TEXT shortened for a hint, a dash between words shown as one."""
    text = text.strip().replace(" - ", "\u2014")
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------------------------
# Numbers

_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "m": 1e6, "bn": 1e9, "b": 1e9,
           "k": 1e3}
_NUMBER = re.compile(
    r"(?<![\w.])(?<![A-Za-z]-)(?P<money>\$|US\$|\u20ac|\u00a3)?\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?:(?P<ord>st|nd|rd|th|s)\b)?(?:\s?(?P<scale>thousand|million|billion|trillion|bn|m|k)\b)?")
_WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_WORD_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                      "ninety": 90, "hundred": 100, "dozen": 12})
_WORD_NUMBER = re.compile(r"\b(" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")\b", re.I)


@dataclass(frozen=True)
class Number:
    """A figure as written, its value, and its scale (1e6 for "million"), if it has one."""

    text: str
    value: float
    scale: float | None


@functools.lru_cache(maxsize=4096)
def numbers(text: str) -> tuple[Number, ...]:
    """Every figure in TEXT written in digits: counts, years, percentages, money (with million/billion)."""
    out = []
    plain = _plain(text)
    for m in _NUMBER.finditer(plain):
        if m.group("money") is None and plain[max(0, m.start() - 1):m.start()].isalpha():
            continue  # part of a name such as G7 or F35
        value = float(m.group("num").replace(",", "") + (m.group("frac") or ""))
        scale = _SCALES.get((m.group("scale") or "").lower())
        out.append(Number(m.group(0).strip(), value, scale))
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def _word_numbers(text: str) -> frozenset[float]:
    """Numbers written in words: "thirteen", "twenty-eight", "a dozen"."""
    out = {float(_WORD_NUMBERS[m.group(1).lower()]) for m in _WORD_NUMBER.finditer(text)}
    for m in re.finditer(r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[-\s](one|two|three|four|five|six|"
                         r"seven|eight|nine)\b", text, re.I):
        out.add(float(_WORD_NUMBERS[m.group(1).lower()] + _WORD_NUMBERS[m.group(2).lower()]))
    return frozenset(out)


def _number_supported(n: Number, found: list[Number], words: set[float], support: str = "") -> bool:
    """Whether N stands in the passages: as written (SUPPORT), as one of their figures FOUND (equal value, and
    equal amount when both have a scale), or as a number they write in WORDS."""
    digits = re.sub(r"^\D+", "", n.text.split()[0]) if n.text.split() else ""
    if digits and re.search(rf"(?<![\d.,]){re.escape(digits)}(?![\d]|[.,]\d)", support):
        return True
    for p in found:
        if n.scale and p.scale:
            if abs(n.value * n.scale - p.value * p.scale) < 1e-6 * max(1.0, n.value * n.scale):
                return True
        elif p.value == n.value:
            return True
    return n.scale is None and n.value in words


# --------------------------------------------------------------------------------------------------------------
# Names: countries (with their capitals and demonyms), organisations and persons

#: country -> other names a passage may use for it (capital, demonym, short forms).
COUNTRIES: dict[str, tuple[str, ...]] = _countries()
_NAME_OF: dict[str, str] = {}
for _country, _aliases in COUNTRIES.items():
    for _name in (_country, *_aliases):
        _NAME_OF[_name] = _country

#: Words that start a capitalised run but are not names (sentence openers, titles, common words).
_NOT_NAMES = words("not-names")
_TITLES = r"(?:President|Secretary|Minister|Prime Minister|Defense Minister|General|Gen\.|Admiral|Adm\.|Senator|" \
          r"Sen\.|" \
          r"Representative|Rep\.|Ambassador|Chancellor|Dr\.|Mr\.|Ms\.|Mrs\.|Premier|King|Queen)"
_CAP = r"(?:[A-Z][\w'\u2019.&-]*|[A-Z]\.)"
_RUN = re.compile(rf"{_CAP}(?:\s+(?:of|for|and|the|on|de|&)\s+{_CAP}|\s+{_CAP})*")
_ACRONYM = re.compile(r"(?<![\w.])([A-Z][A-Za-z]*[A-Z][A-Z0-9]*s?|[A-Z]{2,}\d*)(?![\w])")


#: Organisations a passage may name in other words: every name of a group stands for the others.
ORGANISATIONS: tuple[tuple[str, ...], ...] = _organisations()
_ORG_OF: dict[str, tuple[str, ...]] = {}
for _group in ORGANISATIONS:
    for _name in _group:
        _ORG_OF[_name.lower()] = _group
#: Regions are not countries, organisations or persons; a statement may place things in them freely.
_REGIONS = words("regions")
_CONNECTORS = frozenset({"of", "for", "and", "the", "on", "de", "&", "in"})
_PHRASES = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in sorted(
    [*_NAME_OF, *(n for g in ORGANISATIONS for n in g)], key=len, reverse=True)) + r")(?![\w])")


@functools.lru_cache(maxsize=4096)
def _norm_name(text: str) -> str:
    """TEXT folded for comparing names: lowercase words separated by single spaces."""
    return re.sub(r"[^\w]+", " ", _plain(text).replace("\u2019", "'")).strip().lower()


def _in(name: str, support_norm: str) -> bool:
    """Whether NAME (or its plural) stands, as whole words, in SUPPORT_NORM (text folded by _norm_name)."""
    key = _norm_name(name)
    padded = f" {support_norm.replace(chr(10), ' ')} "
    return bool(key) and any(f" {key}{plural} " in padded for plural in ("", "s", "es"))


def names(text: str) -> list[str]:
    """Named countries, organisations and persons in TEXT: capitalised runs (the first word of a sentence only
    when it is a known country or organisation, or an acronym), regions and ordinary words left out."""
    found: list[str] = []
    plain = normalize(text)
    for sentence in _SENTENCE.split(plain):
        for m in _RUN.finditer(sentence):
            run = m.group(0)
            if sentence[:m.start()].strip(" \"'\u201c(*-") == "":
                first, _, rest = run.partition(" ")
                known = _PHRASES.match(run) or _ACRONYM.fullmatch(first.rstrip(".,;:'\u2019s"))
                if not known:
                    run = rest
            words = run.split()
            while words and not _PHRASES.match(" ".join(words)) and (
                    words[0].rstrip(".,;:") in _NOT_NAMES or words[0] in _CONNECTORS):
                words = words[1:]
            while words and words[-1].lower() in _CONNECTORS:
                words = words[:-1]
            run = " ".join(words).rstrip(",;:")
            if run.endswith(".") and run not in _NAME_OF and run not in {n for g in ORGANISATIONS for n in g}:
                run = run[:-1]
            if len(run) > 1:
                found.append(run)
    return found


def missing_name(name: str, support_norm: str) -> str | None:
    """The part of NAME that SUPPORT (normalized with _norm_name) does not name, or None when it names all of
    it: the whole name, or each country and organisation in it (under any of its names) and each other
    capitalised word."""
    if _in(name, support_norm):
        return None
    rest = name
    for m in _PHRASES.finditer(name):
        phrase = m.group(1)
        country = _NAME_OF.get(phrase)
        group = (country, *COUNTRIES[country]) if country else _ORG_OF.get(phrase.lower(), (phrase,))
        if not any(_in(n, support_norm) for n in group):
            return phrase
        rest = rest.replace(phrase, " ")
    for word in re.split(r"[\s/\u2013-]+", rest):
        word = re.sub(r"['\u2019]s?$", "", word.strip(".,;:()\"'\u201c\u201d"))
        if (len(word) < 2 or not word[0].isupper() or word in _NOT_NAMES or word in _REGIONS
                or word.lower() in _CONNECTORS or re.fullmatch(_TITLES, word) or re.fullmatch(_TITLES, word + ".")
                or any(c.isdigit() for c in word) and not word[0].isalpha()):
            continue
        if not _in(word, support_norm):
            return word
    return None


def _name_supported(name: str, support: str, support_norm: str | None = None) -> bool:
    """Whether SUPPORT names everything NAME names."""
    return missing_name(name, _norm_name(support) if support_norm is None else support_norm) is None


# --------------------------------------------------------------------------------------------------------------
# Negations and hedges

#: Grammatical negations; a negating prefix (un-, in-, im-) is handled by NEGATED_WORDS.
_NEGATION_WORDS = words("negations")
#: Words whose prefix negates them, with the word they negate.
NEGATED_WORDS = {w: w[2:] for w in sorted(words("negated-words"))}
#: Verbs and nouns that negate what follows them ("denied the chance", "failed to invest", "doubting it will").
_NEGATIVE_WORDS = words("negative-words")
#: Of those, the ones that negate a passage's words as surely as "not" ("failed to invest", "lack of").
_NEGATING_VERBS = words("negating-verbs")
_HEDGE_WORDS = words("hedges")
#: Phrases that qualify a passage's statement as a hedge does ("in part", "allowing them to").
_MODAL_PHRASE = re.compile(r"\b(?:in part|at times|in some cases|though rare|allow(?:s|ed|ing)?|enabl(?:e|es|ed|ing)|"
                           r"able to|possible|potential)\b", re.I)
#: Hedges that qualify only a figure: "about half", "nearly 40 percent".
_NUMBER_HEDGES = words("number-hedges")
_TOKEN = re.compile(r"[A-Za-z0-9$%][A-Za-z0-9$%'\u2019.-]*[A-Za-z0-9%]|[A-Za-z0-9$%]"
                    r"|[,;:()\u2014\u2013]|(?<!\w)-(?!\w)")
#: The token that stands for a clause break (a comma, semicolon, colon, dash or bracket).
_BREAK = "|"
#: Tokens between a negation or hedge and the words it governs, and between those words.
WINDOW = 4


@functools.lru_cache(maxsize=16384)
def _toks(text: str) -> tuple[str, ...]:
    """_tokens(TEXT), cached."""
    return tuple(_tokens(text))


def _tokens(text: str, names: set[str] | None = None) -> list[str]:
    """TEXT's words, lowercased, with clause breaks as _BREAK; capitalised words other than the first are added
    to NAMES when given."""
    out = []
    for i, t in enumerate(_TOKEN.findall(_plain(text))):
        if not t[0].isalnum() and t[0] not in "$%":
            out.append(_BREAK)
            continue
        low = t.lower().replace("\u2019", "'")
        if names is not None and i and t[0].isupper():
            names.add(low)
        out.append(low)
    return out


def _is_content(tok: str) -> bool:
    return tok not in _STOP and tok not in _NEGATION_WORDS and tok not in _HEDGE_WORDS and len(tok) > 2


def _governed(toks: list[str], at: int, start: str | None = None, names: frozenset[str] | set[str] = frozenset()
              ) -> list[str]:
    """The stems of the (at most two) content words the marker at AT governs, names skipped; START leads (for
    'unlikely')."""
    out = [_stem(start)] if start else []
    for tok in toks[at + 1: at + 1 + WINDOW + 2]:
        if len(out) == 2 or tok == _BREAK:
            break
        if _is_content(tok) and tok not in names:
            out.append(_stem(tok))
    return out


@functools.lru_cache(maxsize=16384)
def _markers(text: str, hedges: bool) -> tuple[tuple[str, list[str]], ...]:
    """Each negation (or hedge) in TEXT with the words it governs."""
    names: set[str] = set()
    toks = _tokens(text, names)
    governed = functools.partial(_governed, names=names)
    out = []
    for i, tok in enumerate(toks):
        if hedges:
            if tok in _HEDGE_WORDS:
                out.append((tok, governed(toks, i)))
            elif tok in _NUMBER_HEDGES and i + 1 < len(toks) and (toks[i + 1][:1].isdigit() or toks[i + 1][:1] == "$"
                                                                  or toks[i + 1] in ("half", "a", "one", "two")):
                out.append((tok, governed(toks, i)))
            elif tok == "though" and i + 1 < len(toks) and toks[i + 1] == "rare":
                out.append(("though rare", [_stem(t) for t in toks[max(0, i - 2):i] if _is_content(t)][-1:]))
        else:
            if (tok in _NEGATION_WORDS or tok in _NEGATING_VERBS) and not (
                    tok == "not" and i + 1 < len(toks) and toks[i + 1] == "only"):
                out.append((tok, governed(toks, i)))
            elif tok in NEGATED_WORDS:
                out.append((tok, governed(toks, i, NEGATED_WORDS[tok])))
    return tuple(out)


def _restated(text: str, governed: list[str], hedges: bool, gap: int = WINDOW) -> bool | None:
    """Whether TEXT restates GOVERNED (its two words in order, at most GAP content words apart, in one clause)
    and, if so, whether a negation (or, with HEDGES, a hedge) stands just before them: True = kept, False =
    dropped, None = not restated."""
    if not governed or (len(governed) < 2 and governed[0] not in NEGATED_WORDS.values()):
        return None
    toks = _toks(text)
    stems = [_stem(t) for t in toks]
    found = None
    for i, st in enumerate(stems):
        if st != governed[0]:
            continue
        between: list[str] = []
        if len(governed) == 2:
            # The second word must be among the next GAP content words, within the clause.
            hit, seen = False, 0
            for tok in toks[i + 1:]:
                if tok == _BREAK:
                    break
                if _is_content(tok):
                    if _stem(tok) == governed[1]:
                        hit = True
                        break
                    seen += 1
                    if seen >= gap:
                        break
                between.append(tok)
            if not hit:
                continue
        before = list(toks[max(0, i - WINDOW - 2):i])
        if _BREAK in before:
            before = before[len(before) - before[::-1].index(_BREAK):]
        before += between
        marked = any(t in _NEGATION_WORDS or t in NEGATED_WORDS or t in _NEGATIVE_WORDS or
                     (hedges and (t in _HEDGE_WORDS or t in _NUMBER_HEDGES and k + 1 < len(before)
                                  and before[k + 1][:1].isdigit())) for k, t in enumerate(before))
        if marked:
            return True
        found = False
    return found


# --------------------------------------------------------------------------------------------------------------
# The rules

LINE_CITATION = re.compile(r"(?<![\w-])(?:lines?|ll?\.)\s*\d+(?:\s*[-\u2013\u2014]\s*\d+)?(?![\w-])|"
                           r"(?<![\w#-])L\d+(?:\s*[-\u2013]\s*L?\d+)?(?![\w-])|#L\d+", re.I)


@rule
def uncited(st: Statement, ctx: Context) -> Iterator[Finding]:
    """Every reader-facing statement (summary, bottom line, points, figures, founding facts, members) cites
    passages."""
    if st.cite_field is not None and st.claims and not st.cites:
        yield Finding(f"{st.what} has no citation: readers see it with no source note",
                      f"add `{st.cite_field}:` with the 'seed#anchor' passage(s) that state every fact in it, "
                      "or cut what no passage states")


@rule
def machinery(st: Statement, ctx: Context) -> Iterator[Finding]:
    """No reader-facing text names the tool's machinery (briefgen.yaml `forbidden_words`) or cites line numbers."""
    for word, pattern in ctx.forbidden:
        m = pattern.search(st.text)
        if m:
            yield Finding(f"{st.what} says {m.group(0)!r}, a word readers must not see (forbidden_words in "
                          "briefgen.yaml)", "name the document as a reader would cite it (its title, author or "
                          "publisher), or say it in the analyst's own words")
    if ctx.line_citations:
        m = LINE_CITATION.search(st.text)
        if m:
            yield Finding(f"{st.what} cites a line number ({m.group(0)!r})",
                          "readers cite sections, not file lines: name the section, or let the source note do it")


@rule
def unsupported_number(st: Statement, ctx: Context) -> Iterator[Finding]:
    """Every figure, percentage, amount of money and year stands in a cited passage."""
    if not st.passages:
        return
    # The cited passages, and the years of the cited documents ("Byman et al. (2025)"), not their other digits.
    years = [m.group(0) for s in st.seeds for m in re.finditer(r"\b[12]\d{3}\b", s.info.date or "")]
    texts = [*st.passages, " ".join(years)]
    found = [n for t in texts for n in numbers(t)]
    words = frozenset().union(*(_word_numbers(_plain(t)) for t in texts))
    support = "\n".join(_plain(t) for t in texts)
    for n in numbers(st.text):
        if not _number_supported(n, found, words, support):
            near = sorted({p.text for p in found if p.value == n.value or (n.scale and p.scale == n.scale)})[:4]
            yield Finding(f"{st.what}: the figure {n.text!r} is not in {_refs(st)}",
                          (f"the passage has {', '.join(repr(x) for x in near)}; " if near else "") +
                          "state the figure exactly as the cited passage does, or cite the passage that gives it")


#: Words that place an event in time relative to a year, in groups of like meaning.
_WHEN = {"in": "in", "during": "in", "after": "after", "since": "after", "from": "after", "before": "before",
         "until": "before", "by": "before", "prior": "before"}
_YEAR_AT = re.compile(r"\b(in|during|after|since|from|before|until|by|prior to)\s+([12]\d{3})\b(?!\s*[-\u2013])",
                      re.I)


@rule
def shifted_date(st: Statement, ctx: Context) -> Iterator[Finding]:
    """A year keeps the passage's bound: "in 2016" does not restate "after 2016", nor "before" "after"."""
    if not st.passages:
        return
    support = "\n".join(_plain(p) for p in st.passages)
    for m in _YEAR_AT.finditer(_plain(st.text)):
        mine, year = _WHEN[m.group(1).lower().split()[0]], m.group(2)
        theirs = {_WHEN[x.group(1).lower().split()[0]] for x in _YEAR_AT.finditer(support) if x.group(2) == year}
        # Pinning down a year the passage gives only as a bound, or turning "after" into "before" or back.
        opposite = {"after": "before", "before": "after"}.get(mine)
        if theirs and mine not in theirs and (mine == "in" or opposite in theirs):
            said = sorted({x.group(0) for x in _YEAR_AT.finditer(support) if x.group(2) == year})
            yield Finding(f"{st.what}: says {m.group(0)!r} where {_refs(st)} says {' or '.join(map(repr, said))}",
                          "keep the passage's relation to the year: 'in', 'after' and 'before' are different facts")


@rule
def unsupported_name(st: Statement, ctx: Context) -> Iterator[Finding]:
    """Every named country, organisation and person stands in a cited passage (or, for a speaker, in the
    cited document's title, author or publisher)."""
    if not st.passages:
        return
    support_norm = "\n".join(_norm_name(t) for t in _support(st))
    seen: set[str] = set()
    for name in names(_unexpanded(st.text, ctx)):
        if name in seen:
            continue
        seen.add(name)
        missing = missing_name(name, support_norm)
        if missing is not None:
            shown = repr(missing) if missing == name else f"{missing!r} (in {name!r})"
            yield Finding(f"{st.what}: {shown} is not named in {_refs(st)}",
                          "name only the countries, organisations and people the cited passage names, or cite "
                          "the passage that names them; if it is the cited document's own publisher or author "
                          f"(\"CRS says...\"), set {_publisher_fields(st)} in seeds/sources.yaml, which this "
                          "rule accepts as the source's own name")


@rule
def flipped_negation(st: Statement, ctx: Context) -> Iterator[Finding]:
    """A statement keeps the negation ("not", "no", "never", "un-", "rarely") of the passage words it restates,
    and adds none to words the passage states plainly."""
    if not st.passages or st.what.endswith(".speaker"):
        return
    for sentence in sentences(st.text):
        for source in _sources(sentence, st):
            for word, governed in _markers(source, hedges=False):
                if _restated(sentence, governed, hedges=False) is False:
                    yield Finding(f"{st.what}: drops the negation {word!r} of the passage it restates",
                                  f"the passage says: \"{_show(source)}\"")
                    return
            for word, governed in _markers(sentence, hedges=False):
                if word in NEGATED_WORDS:
                    governed = governed[1:]
                plain_source = not any(t in _NEGATION_WORDS or t in NEGATED_WORDS or t in _NEGATIVE_WORDS
                                       for t in _toks(source))
                if plain_source and len(governed) == 2 and _restated(source, governed, False, gap=1) is False:
                    yield Finding(f"{st.what}: says {word!r} where the passage it restates has no negation",
                                  f"the passage says: \"{_show(source)}\"")
                    return


@rule
def dropped_hedge(st: Statement, ctx: Context) -> Iterator[Finding]:
    """A statement keeps the hedge ("some", "may", "often", "about", "though rare") of the passage words it
    restates, and adds none to words the passage states plainly."""
    if not st.passages or st.what.endswith(".speaker"):
        return
    for sentence in sentences(st.text):
        for source in _sources(sentence, st):
            for word, governed in _markers(source, hedges=True):
                if word == "though rare":
                    toks = _toks(sentence)
                    dropped = bool(governed) and governed[0] in [_stem(t) for t in toks] and not any(
                        t in _HEDGE_WORDS or t in _NUMBER_HEDGES or t in ("rare", "rarely") for t in toks)
                else:
                    dropped = len(governed) == 2 and _restated(sentence, governed, hedges=True) is False
                if dropped:
                    yield Finding(f"{st.what}: drops the hedge {word!r} of the passage it restates",
                                  f"the passage says: \"{_show(source)}\"", warning=True)
                    return
            plain_source = not _MODAL_PHRASE.search(source) and not _markers(source, hedges=True)
            for word, governed in _markers(sentence, hedges=True) if plain_source else ():
                if len(governed) == 2 and _restated(source, governed, hedges=True, gap=1) is False:
                    yield Finding(f"{st.what}: adds the hedge {word!r} to words the passage states plainly",
                                  f"the passage says: \"{_show(source)}\"", warning=True)
                    return


# --------------------------------------------------------------------------------------------------------------
# Faithful to the speaker: attribution, modality, subject, cases; house spelling and acronyms


@functools.lru_cache(maxsize=None)
def _modal_families() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """words/modals.txt compiled: each family with one pattern for its phrases."""
    out = []
    for ln in word_lines("modals"):
        family, _, phrases = ln.partition(":")
        alts = sorted((x.strip() for x in phrases.split("|") if x.strip()), key=len, reverse=True)
        body = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alts)
        out.append((family.strip(), re.compile(rf"(?<![\w'])(?:{body})(?![\w'])(?!\s+\d)", re.I)))
    return tuple(out)


@functools.lru_cache(maxsize=16384)
def modality(text: str) -> dict[str, str]:
    """The modal families of TEXT (words/modals.txt), each with the phrase that shows it."""
    return {family: phrase for family, (phrase, _) in _modal_spans(text).items()}


@functools.lru_cache(maxsize=16384)
def _modal_spans(text: str) -> dict[str, tuple[str, frozenset[str]]]:
    """The modal families of TEXT, each with its phrase and the stems of the (up to eight) words it governs."""
    plain = _plain(text)
    out = {}
    for family, pattern in _modal_families():
        m = pattern.search(plain)
        if m:
            out[family] = (m.group(0), _content_words(" ".join(plain[m.end():].split()[:8])))
    return out


#: Words that give a finding as its source's ("a 2017 report found"): they keep an "indicated".
_EVIDENCE = re.compile(r"\b(?:report|study|found|finds|showed|shows)", re.I)
#: The statements in the analyst's prose (not figures' labels or founding facts).
_PROSE_FIELD = re.compile(r"(?:^|\.)(?:summary|bottom_line|text|action)$")


def _clauses(sentence: str) -> list[str]:
    """SENTENCE cut at semicolons, colons, dashes and brackets: the clauses a paraphrase may restate alone."""
    return [c.strip() for c in re.split(r"[;:()\u2014\u2013]|\s-\s", sentence) if c.strip()]


def _restated_clauses(sentence: str, st: Statement) -> list[str]:
    """The clauses of the cited passages that SENTENCE restates: in a sentence sharing three content words with
    it, those sharing two."""
    return [c for s in _closest(sentence, st) for c in _clauses(s) if len(_content_words(sentence) &
                                                                          _content_words(c)) >= 3]


def _closest(sentence: str, st: Statement) -> list[str]:
    """The sentences of the cited passages SENTENCE restates: those sharing three or more of its content words
    and within one word of the closest."""
    want = _loose_words(sentence)
    scored = [(len(want & _loose_words(s)), s) for p in st.passages for s in sentences(p)]
    top = max((n for n, _ in scored), default=0)
    return [s for n, s in scored if n >= max(3, top - 1)]


_ATTRIBUTION_VERBS = words("attribution-verbs")
_SPEAKERS = words("speakers")
_DETERMINERS = frozenset("one a an another several some two three many most the".split())


@functools.lru_cache(maxsize=16384)
def attribution(text: str) -> str | None:
    """The attribution in TEXT ("A Polish official recalled", "according to one expert"), or None: a verb of
    saying with a speaker (a noun of words/speakers.txt) among the six words before it, or "according to" with
    one among the six after it."""
    raw = _TOKEN.findall(_plain(text))
    toks = [t.lower() for t in raw]
    for i, tok in enumerate(toks):
        if tok == "according" and i + 1 < len(toks) and toks[i + 1] == "to":
            window = range(i + 2, min(len(toks), i + 8))
        elif tok in _ATTRIBUTION_VERBS and tok != "according" and (tok != "pointed" or "out" in toks[i + 1:i + 2]):
            window = range(max(0, i - 6), i)
            i += tok == "pointed"  # show "pointed out"
        else:
            continue
        for k in window:
            if toks[k] in _SPEAKERS:
                lo, hi = min(k, i), max(k, i)
                while lo > 0 and lo > i - 8 and toks[lo - 1] != "," and _TOKEN.fullmatch(raw[lo - 1]) and (
                        raw[lo - 1][:1].isupper() or toks[lo - 1] not in _STOP or toks[lo - 1] in _DETERMINERS):
                    lo -= 1
                    if toks[lo] in _DETERMINERS:
                        break
                plain = _plain(text)  # the words as written ("U.S." keeps its period)
                m = re.search(r"[.\s]*".join(re.escape(t) for t in raw[lo:hi + 1]), plain)
                return m.group(0) if m else " ".join(raw[lo:hi + 1]).replace(" ,", ",")
    return None


#: Verbs that only report what someone says: a statement using one ("CSIS notes", "Byman argues") attributes.
_REPORTING = frozenset("""noted notes said says recalled recalls argued argues argue explained explains stated observed
observes told tells claimed remarked added contended contends insisted insists acknowledged acknowledges admitted
admits recounted recounts reported mentioned mentions asserted asserts""".split())


def _attributes(sentence: str) -> bool:
    """Whether SENTENCE gives its claim to someone: a speaker noun, a reporting verb, 'according to' or
    interviews."""
    toks = {t.removesuffix("'s") for t in _toks(sentence)}
    low = sentence.lower()
    return bool(toks & _SPEAKERS or toks & _REPORTING or "according to" in low or "interview" in low
                or "pointed out" in low)


@rule
def dropped_attribution(st: Statement, ctx: Context) -> Iterator[Finding]:
    """A claim the passage gives to a speaker ("A Polish official recalled that ...") keeps its speaker."""
    if not st.passages or st.what.endswith(".speaker"):
        return
    for sentence in sentences(st.text):
        if _attributes(sentence):
            continue
        # The attributed sentences it restates about as closely as any (within one word); a sentence closer
        # than all of them is the passage's own voice and what the statement restates.
        for source in _closest(sentence, st):
            who = attribution(source)
            if who:
                yield Finding(f"{st.what}: states as fact what the passage gives to a speaker ({who!r})",
                              f"say who says it (\"{_show(who, 60)} that ...\"); the passage says: "
                              f"\"{_show(source)}\"")
                return


@rule
def weakened_hedge(st: Statement, ctx: Context) -> Iterator[Finding]:
    """A paraphrase keeps the modality of the passage clause it restates (can, may, often, some, tried to,
    indicated, count on), or softens it; it never states it harder."""
    if not st.passages or st.cite_field is None or not _PROSE_FIELD.search(st.what):
        return
    for sentence in sentences(st.text):
        mine = modality(sentence)
        words = _content_words(sentence)
        for clause in _restated_clauses(sentence, st):
            theirs = {f: phrase for f, (phrase, governed) in _modal_spans(clause).items() if len(governed & words) >= 2}
            if _attributes(sentence) or _EVIDENCE.search(sentence):
                theirs.pop("indicated", None)  # the statement gives the evidence as its source's
            lost = [theirs[f] for f in theirs if f not in mine]
            if lost and not set(mine) - set(theirs):
                yield Finding(f"{st.what}: states plainly what the passage qualifies with "
                              f"{', '.join(repr(x) for x in lost)}",
                              f"keep the passage's {lost[0]!r} (or a softer word) in the paraphrase; the passage "
                              f"says: \"{_show(clause)}\"", warning=True)
                return


_GENERALIZERS = words("generalizers")


def _countries_named(text: str) -> set[str]:
    """The countries TEXT names (under any of their names), the United States left out."""
    return {_NAME_OF[m.group(1)] for m in _PHRASES.finditer(_plain(text)) if m.group(1) in _NAME_OF} - {
        "United States"}


_SUBJECT_VERB = re.compile(r"\s+(?:has|have|had|is|was|were|did|does|tried|would|will|can|could|may|might|must)\b")


def _subjects(text: str) -> set[str]:
    """The countries (the United States left out) that TEXT makes the subject of a verb: "South Korea has ..."."""
    plain = _plain(text)
    return {_NAME_OF[m.group(1)] for m in _PHRASES.finditer(plain)
            if m.group(1) in _NAME_OF and _SUBJECT_VERB.match(plain, m.end())} - {"United States"}


def _classes(text: str) -> list[str]:
    """The words of TEXT that make a class of cases (words/generalizers.txt), "United States" not one."""
    return [t for t in _toks(re.sub(r"United States", "", _plain(text))) if t in _GENERALIZERS]


@rule
def generalized_case(st: Statement, ctx: Context) -> Iterator[Finding]:
    """A class ("some allies", "partners", "countries") rests on passages naming more than one case."""
    if not st.passages or st.cite_field is None or not _PROSE_FIELD.search(st.what):
        return
    clauses = [c for p in st.passages for s in sentences(p) for c in re.split(r"[;:()\u2014]", s) if c.strip()]
    for part in re.split(r"[;:,()\u2014]", _plain(st.text)):
        classes = _classes(part)
        if not classes:
            continue
        want = _loose_words(part)
        scored = sorted(((len(want & _loose_words(c)), c) for c in clauses), reverse=True)
        if not scored or scored[0][0] < 2 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            continue
        best = scored[0][1]
        cases = _subjects(best)
        if len(cases) == 1 and not _classes(best) and not cases & _countries_named(part):
            (case,) = cases
            yield Finding(f"{st.what}: says {classes[0]!r} where the passage it restates names one case ({case})",
                          f"name the case (\"{case} has ...\"), or cite the passages that show the others; the "
                          f"passage says: \"{_show(best.strip())}\"", warning=True)
            return


def _subject_terms(block: Block) -> list[str]:
    """What a block is about: its name, short name, members (the United States, a member of every one, left
    out) and keywords."""
    members = [m for m in getattr(block, "members", []) if _NAME_OF.get(m) != "United States"]
    terms = [block.name, getattr(block, "short_name", None) or "", *members, *block.keywords]
    return [re.sub(r"\s*\(.*?\)", "", t) for t in terms if t]


def _names_term(term: str, support_norm: str, support_words: frozenset[str]) -> bool:
    """Whether the support names TERM: a country or organisation under any of its names, else every content
    word of TERM (SUPPORT_WORDS: the support's _loose_words)."""
    country = _NAME_OF.get(term)
    group = (country, *COUNTRIES[country]) if country else _ORG_OF.get(term.lower(), (term,))
    if any(_in(n, support_norm) for n in group):
        return True
    want = _loose_words(term)
    prefixes = {w[:6] for w in support_words}
    return bool(want) and not country and all(w in support_words or w[:6] in prefixes for w in want)


@quote_rule
def quote_subject(st: Statement, ctx: Context) -> Iterator[Finding]:
    """A quote's passage names the block's subject: its name, short name, a member or a keyword."""
    text = "\n".join(st.passages)
    support, support_words = _norm_name(text), _loose_words(text)
    terms = _subject_terms(st.block)
    if terms and not any(_names_term(t, support, support_words) for t in terms):
        yield Finding(f"{st.what}: the quote's passage ({_refs(st)}) names none of {st.block.name!r}, its "
                      "members or keywords: readers take it as said of something else",
                      f"quote a passage about {st.block.name}, or move the quote to the block its passage is about",
                      warning=True)


_ELIDED = re.compile(r"^\s*(?:\[\s*)?(?:\u2026|\.\.\.)|(?:\u2026|\.\.\.)(?:\s*\])?\s*$")
_OPENS = re.compile(r"^\s*[\"'\u201c\u2018(\[]*[A-Z0-9]")
_CLOSES = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s*$")
_BROKEN_WORD = re.compile(r"\u00ad|[a-z]-\s+[a-z]")


@quote_rule
def quote_sentence(st: Statement, ctx: Context) -> Iterator[Finding]:
    """A pull quote is whole sentences (or marks its cuts with an elision) and no word in it is hyphenated."""
    text = st.text.strip()
    m = _BROKEN_WORD.search(text)
    if m:
        yield Finding(f"{st.what}: the quote breaks a word with a hyphen ({m.group(0)!r})",
                      "copy the words whole from the passage; the layout never hyphenates a quote", warning=True)
    starts = bool(_OPENS.match(text)) or bool(re.match(r"^\s*(?:\[\s*)?(?:\u2026|\.\.\.)", text))
    ends = bool(_CLOSES.search(text)) or bool(re.search(r"(?:\u2026|\.\.\.)(?:\s*\])?\s*$", text))
    if not (starts and ends):
        where = "starts" if not starts else "ends"
        yield Finding(f"{st.what}: the quote {where} mid-sentence: readers see a fragment",
                      "quote the whole sentence from the passage, or mark the cut with an elision ('\u2026')",
                      warning=True)


@functools.lru_cache(maxsize=64)
def _spelling_pattern(pairs: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    """One pattern for the words to avoid of PAIRS, longest first, whole words, any case."""
    if not pairs:
        return None
    body = "|".join(re.escape(a) for a, _ in sorted(pairs, key=lambda p: len(p[0]), reverse=True))
    return re.compile(rf"(?<![\w'-])({body})(?![\w'-])", re.I)


def house_spellings(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The en-US house list (words/us-spelling.txt), with EXTRA pairs (briefgen.yaml `house_spellings`)."""
    out = {}
    for ln in word_lines("us-spelling"):
        avoid, _, use = ln.partition(":")
        out[avoid.strip().lower()] = use.strip()
    out.update({k.lower(): v for k, v in (extra or {}).items()})
    return out


@rule
def spelling(st: Statement, ctx: Context) -> Iterator[Finding]:
    """Reader-facing text spells en-US ("neighbor", "favor", "center", "signaling", "defense"); a capitalised
    word inside a proper name ("Ministry of Defence") is left as the name has it."""
    pattern = _spelling_pattern(tuple(sorted(ctx.spellings.items())))
    if pattern is None:
        return
    text = _plain(st.text)
    for m in pattern.finditer(text):
        word = m.group(1)
        if word[0].isupper():
            before = text[:m.start()].rstrip().split(" ")[-1:]
            after = text[m.end():].lstrip().split(" ")[:2]
            if any(w[:1].isupper() for w in before if w and not w.endswith((".", "!", "?"))) or any(
                    w[:1].isupper() for w in after if w not in ("of", "and")):
                continue  # part of a proper name
        use = ctx.spellings[word.lower()]
        use = use[:1].upper() + use[1:] if word[0].isupper() else use
        yield Finding(f"{st.what}: {word!r} is not en-US spelling", f"write {use!r}")


#: Acronyms readers know without an expansion (words/acronyms-familiar.txt).
_FAMILIAR = words("acronyms-familiar")


def _glossary(library: SeedLibrary | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Acronym -> expansion: the organisations list, the registry's publishers ("Long Name (ACR)"), EXTRA
    (briefgen.yaml `glossary`), later ones winning."""
    out: dict[str, str] = {}
    for group in ORGANISATIONS:
        longs = [n for n in group if not _ACRONYM.fullmatch(n) and " " in n]
        for n in group:
            if _ACRONYM.fullmatch(n) and longs:
                out[n] = longs[0]
    for seed in (library.seeds.values() if library is not None else ()):
        m = re.fullmatch(r"\s*(.+?)\s*\(([A-Z&.]{2,})\)\s*", seed.info.publisher or "")
        if m:
            out[m.group(2)] = m.group(1)
    out.update(extra or {})
    return out


def _expansions(acronym: str, ctx: Context) -> list[str]:
    """Every long name of ACRONYM: the glossary's, and its organisation's other names."""
    out = [ctx.glossary[acronym]] if acronym in ctx.glossary else []
    out += [n for n in _ORG_OF.get(acronym.lower(), ()) if not _ACRONYM.fullmatch(n) and " " in n]
    return out


@rule
def acronym(st: Statement, ctx: Context) -> Iterator[Finding]:
    """An acronym is spelled out at its first use in each document, when the registry or glossary expands it;
    one with no expansion anywhere is a warning."""
    seen = ctx.seen.setdefault(st.block.id, set())
    text = _plain(st.text)
    for m in _ACRONYM.finditer(text):
        acr = m.group(1)
        if acr not in ctx.glossary and acr.endswith("s") and acr[:-1] in ctx.glossary:
            acr = acr[:-1]
        if acr in _FAMILIAR or acr in seen or acr in _NAME_OF:
            continue
        seen.add(acr)
        longs = _expansions(acr, ctx)
        if not longs:
            yield Finding(f"{st.what}: {acr!r} has no expansion in the registry or the glossary",
                          f"add `{acr}: <what it stands for>` under `glossary:` in briefgen.yaml, or spell it out",
                          warning=True)
        elif not any(_in(n, _norm_name(text)) for n in longs):
            yield Finding(f"{st.what}: {acr!r} is not spelled out at its first use in the document",
                          f"write \"{longs[0]} ({acr})\" here")


def _unexpanded(text: str, ctx: Context) -> str:
    """TEXT with each "Long Name (ACR)" the glossary knows cut to "ACR", which the passage must name."""
    def cut(m: re.Match[str]) -> str:
        """The acronym alone, when the words before it are one of its expansions."""
        acr = m.group(2)
        return acr if any(_norm_name(n) == _norm_name(m.group(1)[-len(n):]) for n in _expansions(acr, ctx)) \
            else m.group(0)
    out = text
    for acr in set(re.findall(r"\(([A-Z][A-Za-z0-9&]+)\)", text)):
        for long in _expansions(acr, ctx):
            out = re.sub(rf"(?i:(?:the\s+)?({re.escape(long)}))\s*\(({re.escape(acr)})\)", cut, out)
    for acr in set(_ACRONYM.findall(text)):  # "ACR (Long Name)" too
        for long in _expansions(acr, ctx):
            out = re.sub(rf"\b{re.escape(acr)}\s*\((?i:{re.escape(long)})\)", acr, out)
    return out


def _sources(sentence: str, st: Statement, shared: int = 3) -> list[str]:
    """The sentences of the cited passages that SENTENCE may restate: those sharing SHARED or more of its
    content words."""
    want = _content_words(sentence)
    return [s for p in st.passages for s in sentences(p) if len(want & _content_words(s)) >= shared]


def _support(st: Statement) -> list[str]:
    """The cited passages, and the cited documents' title, authors and publisher (a statement may name its
    source: "CSIS finds", "Byman et al.")."""
    return [*st.passages, *(" ".join([s.info.title, s.info.publisher or "", *s.info.authors]) for s in st.seeds)]


def _publisher_fields(st: Statement) -> str:
    """The registry fields naming the cited documents' publishers: `publisher:` of seed X (now: ...)."""
    return " or ".join(f"`publisher:` (or `authors:`) of seed {s.info.id!r} (now: {s.info.publisher or 'empty'})"
                       for s in st.seeds) or "`publisher:` of the cited seed"


def _refs(st: Statement) -> str:
    return ", ".join(str(r) for r in st.cites) if st.cites else "its passages"


# --------------------------------------------------------------------------------------------------------------
# Running the rules


def forbidden_patterns(words: list[str]) -> list[tuple[str, re.Pattern[str]]]:
    """Compile forbidden words: whole words, any case, a plural or '(s)' allowed ('seed' finds 'seeds')."""
    out = []
    for word in words:
        body = r"\s+".join(re.escape(part) for part in word.split())
        out.append((word, re.compile(rf"(?<![\w]){body}(?:s|es|\(s\))?(?![\w])", re.I)))
    return out


def claims_context(library: SeedLibrary, forbidden: list[str] | None = None, *, line_citations: bool = True,
                   spellings: dict[str, str] | None = None, glossary: dict[str, str] | None = None) -> Context:
    """What every block's claims check shares: the compiled forbidden words, house spellings and glossary."""
    from briefgen.config.project import DEFAULT_FORBIDDEN_WORDS

    return Context(forbidden_patterns(DEFAULT_FORBIDDEN_WORDS if forbidden is None else forbidden), line_citations,
                   house_spellings(spellings), _glossary(library, glossary))


def check_claims(cat: Catalogue, library: SeedLibrary, forbidden: list[str] | None = None, *,
                 line_citations: bool = True, rules: list[str] | None = None,
                 spellings: dict[str, str] | None = None, glossary: dict[str, str] | None = None
                 ) -> list[BriefgenError]:
    """Run every rule (or those named in RULES) over every reader-facing statement of the catalogue; return the
    errors and warnings (ContentWarning), each naming the statement's file:line."""
    ctx = claims_context(library, forbidden, line_citations=line_citations, spellings=spellings, glossary=glossary)
    passages: dict[tuple[str, str], Passage | None] = {}
    return [e for block in cat.blocks.values() for e in check_block_claims(block, library, ctx, rules, passages)]


def check_block_claims(block: Block, library: SeedLibrary, ctx: Context, rules: list[str] | None = None,
                       passages: dict[tuple[str, str], Passage | None] | None = None) -> list[BriefgenError]:
    """Run every rule (or those named in RULES) over the statements of one BLOCK (what it reads: the block, the
    passages it cites and CTX); PASSAGES memoises passage lookups across blocks."""
    chosen = [RULES[name] for name in (rules or RULES)]
    passages = {} if passages is None else passages
    out: list[BriefgenError] = []
    reported: set[str | None] = set()  # cite fields already reported uncited
    # In reading order for first uses (the acronym rule): the quotes come after the points.
    for st in sorted(statements(block), key=lambda st: st.what.startswith("quotes")):
        for ref in st.cites:
            seed = library.get(ref.seed)
            key = (ref.seed, ref.anchor)
            if key not in passages:
                passages[key] = seed.passage(ref.anchor) if seed else None
            passage = passages[key]
            if passage is not None:
                st.passages.append(passage.text)
                if seed not in st.seeds:
                    st.seeds.append(seed)
        if st.cites and not st.passages:
            continue  # an unresolvable reference, already reported by provenance
        for f in chosen:
            if st.quote != (f.__name__ in QUOTE_RULES):
                continue
            if not st.claims and not st.quote and f.__name__ not in LABEL_RULES:
                continue
            if f is uncited:
                if st.cite_field in reported:
                    continue
                reported.add(st.cite_field)
            for finding in f(st, ctx):
                cls = ContentWarning if finding.warning else ContentError
                out.append(cls(finding.message, st.loc, finding.hint))
    return out
