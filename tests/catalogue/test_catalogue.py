"""The obstacle catalogue: all 23 CSIS obstacles, complete, sourced, and rendering as briefs and one-pagers."""
from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.config.project import load_project_config
from briefgen.content.catalogue import load_catalogue
from briefgen.content.model import Obstacle
from briefgen.content.provenance import normalize
from briefgen.seeds.registry import load_library

#: The obstacles the CSIS report names, grouped as the report groups them (see notes/IDS.md).
EXPECTED = {
    "general": {"divergent-interests", "credibility-and-trust", "chain-gangs-and-entrapment", "free-riding",
                "poor-communication", "security-counterintelligence", "domestic-politics", "bias-toward-europe",
                "countercoercion"},
    "intelligence-sharing": {"intel-manipulation-and-spying", "intel-autonomy-concerns", "intel-security-barriers",
                             "intel-incompatible-interfaces", "intel-us-bureaucratic-barriers"},
    "strategic-planning": {"planning-interest-misalignment", "planning-unilateralism-and-dominance",
                           "planning-ad-hoc-cooperation"},
    "arms-sales": {"arms-differing-threat-perceptions", "arms-complexity-and-cost",
                   "arms-legal-and-regulatory-barriers", "arms-slow-us-processes", "arms-information-categorization",
                   "arms-domestic-industry-preference"},
}


@pytest.fixture(scope="module")
def obstacles(root: Path) -> list[Obstacle]:
    """Every obstacle block of the real catalogue."""
    return load_catalogue(root).obstacles


def _text(pdf: Path) -> str:
    """The PDF's text, whitespace collapsed (poppler's pdftotext: many times faster than pypdf's extractor)."""
    text = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


def test_obstacles_by_domain(obstacles: list[Obstacle]) -> None:
    """23 obstacles: 9 general, 5 intelligence-sharing, 3 strategic-planning, 6 arms-sales, with the agreed ids."""
    assert len(obstacles) == 23
    assert Counter(o.domain for o in obstacles) == {
        "general": 9, "intelligence-sharing": 5, "strategic-planning": 3, "arms-sales": 6}
    assert {d: {o.id for o in obstacles if o.domain == d} for d in EXPECTED} == EXPECTED


def test_every_obstacle_is_complete(obstacles: list[Obstacle]) -> None:
    """Each obstacle has a summary, a bottom line, three to six points and at least one quote."""
    for o in obstacles:
        assert o.summary.strip(), o.id
        assert o.bottom_line and o.bottom_line.strip(), o.id
        assert 3 <= len(o.how_it_shows_up) <= 6, (o.id, len(o.how_it_shows_up))
        assert o.quotes, o.id


def test_every_figure_is_in_its_cited_passage(root: Path, obstacles: list[Obstacle]) -> None:
    """A headline figure appears word for word in one of the passages its example cites."""
    library = load_library(root)
    figures = 0
    for o in obstacles:
        for example in o.examples:
            if not example.figure:
                continue
            figures += 1
            passages = [library.get(ref.seed).passage(ref.anchor) for ref in example.cites]
            texts = [normalize(p.text).lower() for p in passages if p is not None]
            assert any(normalize(example.figure).lower() in t for t in texts), (o.id, example.figure)
    assert figures >= 10


def test_obstacle_briefs_and_onepagers_build(root: Path, built: Path, obstacles: list[Obstacle]) -> None:
    """Every obstacle has a 2-6 page brief and a one-page one-pager that names it."""
    audience = load_project_config(root).default_audience
    for o in obstacles:
        brief = built / audience / "briefs" / f"{o.id}.pdf"
        onepager = built / audience / "onepagers" / f"{o.id}.pdf"
        assert 2 <= len(PdfReader(brief).pages) <= 6, o.id
        assert len(PdfReader(onepager).pages) == 1, o.id
        assert o.name in _text(onepager), o.id
