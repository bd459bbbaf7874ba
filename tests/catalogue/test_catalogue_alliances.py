"""The alliance half of the catalogue: alliances, recommendations and the STEAD framework, built and sourced."""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.content.catalogue import Catalogue, load_catalogue
from briefgen.content.model import Alliance

AGREED_ALLIANCES = {
    "nato", "five-eyes", "us-japan", "us-south-korea", "us-australia", "taiwan", "aukus", "quad", "ipef",
    "g7-and-multilateral-forums", "military-framework", "us-philippines", "gsomia", "intelligence-circles",
    "quasi-allies",
}
RECOMMENDATIONS = {
    "prioritize-objectives-and-expedite-procedures", "revamp-security-culture", "resource-us-efforts",
    "expand-the-circle", "recognize-partner-politics", "deepen-personal-connections",
    "wisc-modernize-traditional-alliances",
}
STEAD_PILLARS = ["security", "technology", "economics", "alliances", "diplomacy"]


@pytest.fixture(scope="module")
def catalogue(root: Path) -> Catalogue:
    """The real catalogue, loaded once for this module."""
    return load_catalogue(root)


def _points(alliance: Alliance) -> list:
    return [*alliance.why_it_matters, *alliance.modernization_priorities, *alliance.key_actions]


def test_alliance_count_and_agreed_ids(catalogue: Catalogue) -> None:
    """At least 15 alliances, including every id agreed for issue 4."""
    ids = {a.id for a in catalogue.alliances}
    assert len(ids) >= 15
    assert AGREED_ALLIANCES <= ids, sorted(AGREED_ALLIANCES - ids)


def test_the_seven_recommendations(catalogue: Catalogue) -> None:
    """The six CSIS recommendations and the WISC key actions, each with sourced actions."""
    recs = {r.id: r for r in catalogue.recommendations}
    assert set(recs) == RECOMMENDATIONS
    for rec in recs.values():
        assert rec.summary.strip() and len(rec.actions) >= 3, rec.id
        assert all(action.cites for action in rec.actions), rec.id


def test_stead_framework_has_five_pillars(catalogue: Catalogue) -> None:
    """One framework, STEAD, with its five pillars in order, each with a cited action."""
    frameworks = catalogue.frameworks
    assert [f.id for f in frameworks] == ["stead"]
    pillars = frameworks[0].pillars
    assert [p.id for p in pillars] == STEAD_PILLARS
    assert all(p.action.strip() and p.cites for p in pillars)


def test_every_alliance_has_summary_and_sourced_points(catalogue: Catalogue) -> None:
    """Each alliance has a summary and at least two points, every point citing a seed passage."""
    for alliance in catalogue.alliances:
        assert alliance.summary.strip(), alliance.id
        points = _points(alliance)
        assert len(points) >= 2, alliance.id
        assert all(point.cites for point in points), alliance.id


def test_alliances_link_recommendations_that_exist(catalogue: Catalogue) -> None:
    """Every alliance-to-recommendation link names one of the seven, and most alliances have one."""
    linked = [a for a in catalogue.alliances if a.recommendations]
    assert all(set(a.recommendations) <= RECOMMENDATIONS for a in linked)
    assert len(linked) >= 12


def test_every_alliance_onepager_and_brief_build(built: Path, catalogue: Catalogue) -> None:
    """Each alliance's one-pager is exactly one page; its brief has two pages at least and carries the alliance's
    title; a topic the editorial gate finds too thin for one has none (content.gate)."""
    from briefgen.content.gate import fills

    out = built / "congress"
    for alliance in catalogue.alliances:
        onepager = out / "onepagers" / f"{alliance.id}.pdf"
        brief = out / "briefs" / f"{alliance.id}.pdf"
        assert onepager.exists() == fills(alliance, "onepager") and brief.exists() == fills(alliance, "brief")
        if not brief.exists():
            continue
        assert not onepager.exists() or len(PdfReader(onepager).pages) == 1, alliance.id
        reader = PdfReader(brief)
        assert len(reader.pages) >= 2, alliance.id
        assert reader.metadata.title == f"{alliance.name} \u2014 Policy brief", alliance.id
