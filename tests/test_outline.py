"""Outlines of the five real seeds: node counts, sections with line spans, anchors old and new."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from briefgen.seeds.registry import SeedLibrary, load_library


@pytest.fixture(scope="module")
def library(root: Path) -> SeedLibrary:
    """The real project's seeds, read once for this module."""
    return load_library(root)


EXPECTED_COUNTS = {
    "wisc-traditional": {"caption": 1, "epigraph": 1, "item": 15, "list": 5, "pair": 5, "pairs": 1, "section": 5},
    "wisc-stead": {"caption": 1, "epigraph": 1, "item": 38, "list": 8, "paragraph": 4, "section": 11},
    "wiki-foreign-policy": {"item": 40, "list": 6, "paragraph": 4, "section": 7},
    "wiki-international": {"item": 16, "list": 3, "paragraph": 2, "section": 4},
    "csis-2025": {"figure": 3, "item": 16, "list": 2, "paragraph": 233, "quote": 1, "section": 28, "subsection": 21},
}


@pytest.mark.parametrize("seed_id", sorted(EXPECTED_COUNTS))
def test_node_counts_per_seed(library: SeedLibrary, seed_id: str) -> None:
    """Each seed's outline has the expected number of nodes of each kind."""
    assert library.get(seed_id).outline.counts() == EXPECTED_COUNTS[seed_id]


def test_nine_cracks_subsections_with_line_spans(library: SeedLibrary) -> None:
    """'Cracks in U.S. Alliances' holds nine subsections, each spanning up to the next heading."""
    outline = library.get("csis-2025").outline
    cracks = next(n for n in outline.sections() if n.text == "Cracks in U.S. Alliances")
    subs = [(n.text, n.anchor, n.start, n.end) for n in cracks.children if n.kind == "section"]
    assert subs == [
        ("Divergent Interests", "divergent-interests", 151, 164),
        ("Credibility and Trust", "credibility-and-trust", 165, 178),
        ("Chain Gangs and Entrapment", "chain-gangs-and-entrapment", 179, 194),
        ("Free Riding and Buck-Passing", "free-riding-and-buck-passing", 195, 210),
        ("Poor Communication", "poor-communication", 211, 218),
        ("Security", "security", 219, 230),
        ("Contentious Domestic Politics", "contentious-domestic-politics", 231, 242),
        ("Historical Bias Toward Europe", "historical-bias-toward-europe", 243, 250),
        ("Countercoercion", "countercoercion", 251, 263),
    ]
    assert (cracks.start, cracks.end) == (147, 263)


def test_heading_anchors_resolve_exactly_as_before(library: SeedLibrary) -> None:
    """Heading anchors keep their original spans and text: raw lines from the heading to the next one."""
    seed = library.get("csis-2025")
    raw = seed.text.splitlines()
    for anchor, (start, end) in {"free-riding-and-buck-passing": (195, 210), "introduction": (53, 93),
                                 "the-state-of-us-multinational-strategic-planning": (389, 404),
                                 "conclusion": (374, 378), "winston-churchill": (57, 93)}.items():
        passage = seed.passage(anchor)
        assert (passage.start, passage.end) == (start, end), anchor
        assert passage.text == "\n".join(raw[start - 1:end])
    span = seed.passage("L12-L30")
    assert span.text == "\n".join(raw[11:30]) and seed.passage("L627") and seed.passage("L628") is None


def test_bold_lead_in_subsections_get_anchors(library: SeedLibrary) -> None:
    """`__Obstacle 1: Interest Misalignment__` and the six recommendation paragraphs are citable sections."""
    seed = library.get("csis-2025")
    p = seed.passage("interest-misalignment")
    assert (p.start, p.end, p.title) == (409, 418, "Obstacle 1: Interest Misalignment")
    assert p.path[:2] == ("Multinational Strategic Planning", "Common Problems with Multinational Strategic Planning")
    recs = [n for n in seed.outline.sections() if n.kind == "subsection" and n.parent is not None
            and n.parent.text == "Recommendations for Better Cooperation"]
    assert [(n.anchor, n.start) for n in recs] == [
        ("prioritizing-us-objectives-and-expediting-us-procedures", 555), ("revamping-security-culture", 563),
        ("resourcing-us-efforts", 573), ("expanding-the-circle", 577),
        ("recognizing-allied-and-partner-politics", 587), ("deepening-and-expanding-personal-connections", 593)]
    assert recs[-1].end == 600  # up to "#### Conclusion"
    obstacles = [n for n in seed.outline.sections() if n.text.startswith("Obstacle ")]
    assert len(obstacles) == 14 and len({n.anchor for n in obstacles}) == 14


def test_intro_bullets_and_repeated_headings_are_disambiguated(library: SeedLibrary) -> None:
    """Lead-in bullets whose slug a heading owns are qualified by their section; repeated headings too."""
    anchors = library.get("csis-2025").outline.anchors
    assert anchors["summary-credibility-and-trust"].start == 22
    assert anchors["bias-toward-europe"].start == 34  # no heading of that name: no qualifier needed
    assert anchors["credibility-and-trust"].kind == "section"
    assert anchors["multinational-strategic-planning-conclusion"].start == 435
    assert anchors["intelligence-sharing-conclusion"] is anchors["conclusion"]
    assert anchors["daniel-byman"].start == 615


@pytest.mark.parametrize("seed_id", sorted(EXPECTED_COUNTS))
def test_every_anchor_is_unique_stable_and_resolves(root: Path, library: SeedLibrary, seed_id: str) -> None:
    """Anchors are slugs, unique per seed, identical on a second reading, and resolve to their node's lines."""
    seed = library.get(seed_id)
    again = load_library(root).get(seed_id)
    assert list(seed.outline.anchors) == list(again.outline.anchors)
    for anchor, node in seed.outline.anchors.items():
        assert anchor == anchor.lower() and " " not in anchor
        passage = seed.passage(anchor)
        assert passage is not None and passage.start <= node.start <= passage.end


def test_plain_text_section_anchors(library: SeedLibrary) -> None:
    """Section headings of the plain-text seeds are anchors with the right spans."""
    spans = {
        ("wisc-traditional", "key-actions"): (21, 24),
        ("wisc-traditional", "strategic-context"): (8, 9),
        ("wisc-traditional", "nato"): (26, 27),
        ("wisc-traditional", "five-eyes"): (28, 29),
        ("wisc-stead", "security"): (25, 25),
        ("wisc-stead", "strategic-fronts-of-alliance-modernization"): (39, 62),
        ("wiki-foreign-policy", "controversies-and-debates"): (25, 30),
        ("wiki-foreign-policy", "burden-sharing-versus-free-riding-concerns"): (26, 26),
        ("wiki-international", "the-logic-and-design-of-alliances"): (7, 20),
    }
    for (seed_id, anchor), span in spans.items():
        p = library.get(seed_id).passage(anchor)
        assert p is not None and (p.start, p.end) == span, (seed_id, anchor)


def test_page_quirks_are_handled_and_said(library: SeedLibrary) -> None:
    """Breadcrumb, 'Edit' titles, the icon-label line, empty 'See also' and nested bullets."""
    trad = library.get("wisc-traditional").outline
    assert trad.breadcrumb == ["Strategic Competition", "Alliances & Partnerships"]
    assert trad.title == "Modernizing Traditional Alliances"
    assert any(n.line == 25 and "icon labels" in n.message for n in trad.notes)
    assert all(not (n.start <= 25 <= n.end) for n in trad.walk() if n.kind != "section")
    means = next(n for n in trad.walk() if n.kind == "item" and n.text.endswith("means:"))
    assert [c.start for c in means.children] == [14, 15, 16]
    wiki = library.get("wiki-international").outline
    assert wiki.title == "International Alliances"
    assert any("Edit" in n.message for n in wiki.notes) and any("See also" in n.message for n in wiki.notes)
    fp = library.get("wiki-foreign-policy").outline
    assert fp.title == "Foreign Policy Alliances" and len(fp.anchors["see-also"].children[0].children) == 15


def test_repeated_bullets_kept_once_and_reported(library: SeedLibrary) -> None:
    """Seed 001's two repeated bullets are listed with both line numbers and kept once."""
    outline = library.get("wisc-stead").outline
    assert [(d.line, d.first_line) for d in outline.duplicates] == [(33, 32), (58, 57)]
    texts = [n.text for n in outline.walk() if n.kind == "item"]
    assert texts.count("Shape international norms") == 1


def test_front_matter_and_figures_recorded_without_network(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Front matter is parsed and remote figure images recorded (URL, caption, source), never fetched."""
    def no_network(*args: object, **kw: object) -> None:
        raise AssertionError("the outline reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    outline = load_library(root).get("csis-2025").outline
    assert outline.front_matter["layout"] == "post" and outline.front_matter["excerpt_separator"] == "<excerpt/>"
    figs = outline.figures()
    assert [f.anchor for f in figs] == ["figure-1", "figure-2", "figure-3"]
    assert figs[0].attrs["url"] == "https://i.imgur.com/ygrEuBz.png"
    assert figs[0].attrs["caption"].startswith("FIGURE 1: U.S. Treaty Allies")
    assert "Department of State" in figs[0].attrs["source"] and (figs[0].start, figs[0].end) == (104, 105)
    quote = next(n for n in outline.walk() if n.kind == "quote")
    assert quote.start == 57 and "Winston Churchill" in quote.text


def test_markdown_and_html_tables_become_table_nodes_with_row_anchors() -> None:
    """Pipe tables and <table> give a table node per table and a row node per row, anchored table-N-row-M."""
    from briefgen.seeds.outline import build_outline

    md = "# Costs\n\nIntro.\n\n| Item | Cost |\n|---|---|\n| *Ships* | $2 billion |\n| Jets | $1 billion |\n\nEnd.\n"
    o = build_outline(md, "m", "markdown")
    rows = [(n.anchor, n.start, n.text) for n in o.walk() if n.kind == "row"]
    assert rows == [("table-1-row-1", 5, "Item | Cost"), ("table-1-row-2", 7, "Ships | $2 billion"),
                    ("table-1-row-3", 8, "Jets | $1 billion")]
    html = ("<article><h1>Costs</h1><table>\n<tr><th>Item</th><th>Cost</th></tr>\n"
            "<tr><td>Ships</td><td><p>$2 billion</p></td></tr>\n</table>\n<table><tr><td>A</td><td>B</td></tr>"
            "<tr><td>C</td><td>D</td></tr></table></article>")
    o = build_outline(html, "h", "html")
    assert [(t.anchor, [r.text for r in t.children]) for t in o.tables()] == [
        ("table-1", ["Item | Cost", "Ships | $2 billion"]), ("table-2", ["A | B", "C | D"])]
    assert o.anchors["table-1-row-2"].start == 3


def test_html_meta_states_authors_date_publisher_and_url(scratch: Path, run) -> None:
    """<meta> citation tags and the canonical link fill the proposed registry entry."""
    import yaml

    page = ("<html><head><title>T</title><meta name='citation_title' content='The Pacific Compact'>"
            "<meta name='citation_author' content='Ana Reyes'><meta name='citation_author' content='Li Wei'>"
            "<meta name='citation_publication_date' content='2024/06/30'>"
            "<meta property='article:published_time' content='2024-06-30T08:00:00Z'>"
            "<meta property='og:site_name' content='Pacific Forum'>"
            "<link rel='canonical' href='https://example.org/compact'></head>"
            "<body><article><p>Text.</p></article></body></html>")
    (scratch / "seeds" / "compact.html").write_text(page, encoding="utf-8")
    result = run(scratch, "ingest", "seeds/compact.html")
    assert result.exit_code == 0, result.output
    entry = yaml.safe_load(result.output.split("(or run again with --register):\n", 1)[1].split("\n\n")[0])[0]
    assert entry["authors"] == ["Ana Reyes", "Li Wei"] and entry["date"] == "2024-06-30"
    assert entry["publisher"] == "Pacific Forum" and entry["url"] == "https://example.org/compact"
    assert entry["title"] == "The Pacific Compact"
