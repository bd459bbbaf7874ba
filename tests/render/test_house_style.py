"""House style, checked on the real project's rendered HTML: every heading and title in sentence case, and every
quote credited in the one credit style (who, then what)."""
from __future__ import annotations

import html as htmllib
import re
from functools import cache, lru_cache
from pathlib import Path

import pytest

from briefgen import Project
from briefgen.config.kinds import KIND_LABELS
from briefgen.content.model import BOOK_PARTS
from briefgen.render.book.plan import plan_book
from briefgen.render.context import render_html

ROOT = Path(__file__).resolve().parents[2]

_TOKEN = re.compile(r"[()]|[:,;]|[^\s(),:;]+")
_HEADING = re.compile(r"<(h[1-6])\b[^>]*>(.*?)</\1>|<span class=\"kind-label\">(.*?)</span>", re.DOTALL)
_CREDIT = re.compile(r'<figure class="pull-quote">.*?<figcaption>(.*?)</figcaption>', re.DOTALL)


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment: tags (and note numbers) dropped, entities decoded, spaces collapsed."""
    fragment = re.sub(r"<sup\b.*?</sup>", "", fragment, flags=re.DOTALL)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("\u2060", "").split())


@lru_cache(maxsize=1)
def _prose() -> str:
    """The content's prose (block names and keywords left out) and the sources' text: where a capitalised word or
    phrase in the middle of a sentence shows it is a proper name."""
    files = [*sorted((ROOT / "content").rglob("*.yaml")), *sorted((ROOT / "seeds").glob("*.md")),
             *sorted((ROOT / "seeds").glob("*.txt"))]
    # Paragraphs only: a source's own headings are in its house style, not evidence of a name.
    lines = [line for path in files for line in path.read_text(encoding="utf-8").splitlines()
             if not re.match(r"\s*(name|short_name|id|keywords):", line)
             and (path.suffix == ".yaml" or len(line.split()) >= 12)]
    return " ".join(" ".join(lines).split())


def _is_initialism(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return "." in word or sum(c.isupper() for c in letters) >= 2 or any(c.isdigit() for c in word)


@cache
def _proper(phrase: str) -> bool:
    """Whether PHRASE is a proper name: the prose capitalises it mid-sentence at least as often as it lowercases it."""
    prose = _prose()
    capital = len(re.findall(r"(?<=[\w,;)] )" + re.escape(phrase) + r"\b", prose))
    lower = len(re.findall(r"\b" + re.escape(phrase.lower()) + r"\b", prose))
    return capital >= 1 and capital >= lower


def _expansions(tokens: list[str]) -> set[int]:
    """Positions of the words an acronym beside them spells out: "North Atlantic Treaty Organization (NATO)",
    "STEAD framework (Security, Technology, ...)": those are capitalised as the name's letters."""
    marked: set[int] = set()
    for i, tok in enumerate(tokens):
        if tok == "(" and i + 2 < len(tokens) and tokens[i + 2] == ")" and tokens[i + 1].isupper():
            letters, j, got = tokens[i + 1].lower(), i - 1, []
            while j >= 0 and tokens[j] not in "():,;" and letters.endswith("".join(t[0].lower() for t in
                                                                                  [tokens[j], *got])):
                got.insert(0, tokens[j])
                j -= 1
                if "".join(t[0].lower() for t in got) == letters:
                    marked.update(range(j + 1, i))
                    break
        if tok == "(" and ")" in tokens[i:]:  # "AUKUS (Australia, ...)", "STEAD framework (Security, ...)"
            end = tokens.index(")", i)
            inner = [k for k in range(i + 1, end) if tokens[k] not in ",;"]
            for acronym in (t for t in tokens[max(0, i - 2):i] if t.isupper() and len(t) > 1):
                if "".join(tokens[k][0] for k in inner).lower() == acronym.lower():
                    marked.update(inner)
    return marked


def sentence_case_problems(text: str) -> list[str]:
    """The words of TEXT that break sentence case: capitalised, not the first of a phrase (after the start, a
    colon or an opening parenthesis), not an initialism, not spelled out by an acronym, not a proper name."""
    tokens = _TOKEN.findall(text)
    exempt = _expansions(tokens)
    bad = []
    for i, tok in enumerate(tokens):
        first = i == 0 or tokens[i - 1] in ("(", ":")
        parts = tok.split("-")
        for n, part in enumerate(parts):
            if not part[:1].isupper() or _is_initialism(part) or i in exempt or (first and n == 0):
                continue
            # the run of capitalised words around it, as written ("Military Framework", "Five Eyes")
            lo, hi = i, i
            while lo > 0 and tokens[lo - 1][:1].isupper():
                lo -= 1
            while hi + 1 < len(tokens) and tokens[hi + 1][:1].isupper():
                hi += 1
            runs = [" ".join(tokens[a:b + 1]) for a in range(lo, i + 1) for b in range(hi, i - 1, -1) if b > a]
            if not (_proper(part) or any(_proper(run) for run in runs)):
                bad.append(part)
    return bad


def test_the_rule_itself() -> None:
    """Sentence case passes, headline case fails; names, initialisms and acronym expansions are kept."""
    assert sentence_case_problems("Options for Congress") == []
    assert sentence_case_problems("North Atlantic Treaty Organization (NATO)") == []
    assert sentence_case_problems("STEAD framework (Security, Technology, Economics, Alliances, Diplomacy)") == []
    assert sentence_case_problems("The Military Framework") == []
    assert sentence_case_problems("U.S.-Japan security alliance") == []
    assert sentence_case_problems("U.S.-Japan Security Alliance") == ["Security", "Alliance"]
    assert sentence_case_problems("Why It Matters") == ["It", "Matters"]


@pytest.fixture(scope="module")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="module")
def rendered(project: Project) -> dict[str, str]:
    """The default audience's whole book, and the brief and one-pager of an alliance and an obstacle for every
    audience, as HTML (templates only: no layout)."""
    out = {"book": plan_book(project).whole_html()}
    for audience in project.audience_names():
        for kind in ("brief", "onepager"):
            for block in ("nato", "free-riding"):
                out[f"{audience}/{kind}/{block}"] = render_html(project, block, kind, audience).html
    return out


def test_titles_names_and_labels_are_in_sentence_case(project: Project) -> None:
    """Block names, every audience's section titles, document kinds, book parts and the project title."""
    texts = {f"content name {b.id}": b.name for b in project.catalogue.blocks.values()}
    texts.update({f"short name {b.id}": b.short_name for b in project.catalogue.blocks.values()
                  if getattr(b, "short_name", None)})
    for name in project.audience_names():
        texts.update({f"audiences/{name}.yaml titles.{k}": v for k, v in project.audience(name).config.titles().items()})
    texts.update({f"kind {k}": v for k, v in KIND_LABELS.items()})
    texts.update({f"book part {k}": v for k, v in BOOK_PARTS})
    texts["briefgen.yaml title"] = project.config.title
    bad = {where: (text, sentence_case_problems(text)) for where, text in texts.items() if sentence_case_problems(text)}
    assert not bad, bad


def test_every_rendered_heading_is_in_sentence_case(rendered: dict[str, str]) -> None:
    """h1-h6 and the document-kind label of the rendered book, briefs and one-pagers."""
    bad = {}
    count = 0
    for doc, text in rendered.items():
        for m in _HEADING.finditer(text):
            heading = _text(m[2] if m[2] is not None else m[3])
            count += 1
            if heading and sentence_case_problems(heading):
                bad.setdefault(doc, []).append((heading, sentence_case_problems(heading)))
    assert count > 500 and not bad, bad


def test_quotes_are_credited_in_one_style(project: Project, rendered: dict[str, str]) -> None:
    """Who, then what: a source's authors and publisher are written one way ("Byman et al., CSIS"), never
    "CSIS, Byman et al. (2025)" or "The article ..."; a credit never ends with a full stop."""
    credits = [_text(m[1]) for text in rendered.values() for m in _CREDIT.finditer(text)]
    assert len(credits) > 20
    for credit in credits:
        assert not credit.endswith("."), credit
        assert not re.match(r"(The|An?) (article|report|document|study)\b", credit), credit
        if "Byman" in credit:  # authors, then the publisher (spelled out at its first use, or its acronym)
            assert re.match(r"Byman et al\., (CSIS|Center for Strategic and International Studies \(CSIS\))",
                            credit), credit
        if "WISC" in credit:  # a publisher without authors leads
            assert re.match(r"(WISC|Wahba Institute for Strategic Competition \(WISC\)), ", credit), credit


def test_a_quote_without_a_speaker_is_credited_like_the_others(project: Project) -> None:
    """The credit made from the source (authors and publisher, else publisher and title, else title) has the
    form the content's speakers use."""
    from briefgen.content.model import SourceRef
    from briefgen.render.notes import Notes

    notes = Notes(project)
    assert notes.credit_of(SourceRef(seed="csis-2025", anchor="L1")) == "Byman et al., CSIS"
    assert notes.credit_of(SourceRef(seed="wisc-traditional", anchor="L1")) == "WISC, \u201cModernizing Traditional Alliances\u201d"
    assert notes.credit_of(SourceRef(seed="wiki-foreign-policy", anchor="L1")) == "\u201cForeign Policy Alliances\u201d"
