"""`briefgen site`: the web edition's files, metadata, feed and sitemap, downloads, and incremental rebuilds."""
from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from briefgen.batch.inputs import shared_inputs
from briefgen.batch.site import build_site
from briefgen.project import Project

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _fonts_made_once(request: pytest.FixtureRequest) -> None:
    """Each test's site reuses the session's font subsets (see conftest.site_fonts)."""
    if "small" in request.fixturenames:
        from briefgen.batch.site import FONT_CACHE

        # (not imported from conftest: several conftest modules share that name, so the import is ambiguous)
        shutil.copytree(request.getfixturevalue("site_fonts"), request.getfixturevalue("small") / "build" / FONT_CACHE,
                        dirs_exist_ok=True)


def _site(project: Path, audience: str = "congress") -> Path:
    return project / "build" / audience / "site"


def test_site_writes_every_page_type_with_relative_links_only(small: Path, run) -> None:
    """Home, a page per brief, recommendations, sources, editions, search, feed, sitemap; every link relative."""
    result = run(small, "site")
    assert result.exit_code == 0, result.output
    assert re.search(r"site congress: \d+ files written, 0 up to date", result.output), result.output
    site = _site(small)
    for rel in ("index.html", "briefs/nato.html", "briefs/free-riding.html", "recommendations.html", "sources.html",
                "editions/nato.html", "search.html", "feed.xml", "sitemap.xml", "assets/site.css",
                "assets/search.js", "assets/search-index.js", "assets/logo.svg", "assets/fonts/index.html",
                "assets/fonts/Inter-Regular.woff2", "assets/fonts/NotoSerif-Regular.woff2",
                "assets/fonts/Inter-LICENSE.txt", "assets/fonts/NotoSerif-LICENSE.txt"):
        assert (site / rel).is_file(), rel
    assert (site / "assets/fonts/Inter-Regular.woff2").read_bytes()[:4] == b"wOF2"
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for url in re.findall(r'(?:href|src)="([^"]*)"', html):
            assert not url.startswith(("/", "file:", "http:")), (page, url)
            assert not url.startswith("https:") or page.name == "sources.html" or "rel=\"canonical\"" in html, url
        assert "Content-Security-Policy" in html
        text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", html, flags=re.S)
        words = Project(small).config.forbidden_words
        assert not [w for w in words if re.search(rf"\b{re.escape(w)}s?\b", text, re.I)], page


def test_brief_page_carries_citation_metadata_and_footnotes_with_back_links(small: Path, run) -> None:
    """Title, description, canonical URL from site_url, citation_* tags, a schema.org Report, notes linking back."""
    (small / "briefgen.yaml").write_text((small / "briefgen.yaml").read_text(encoding="utf-8").replace(
        'site_url: "https://alliances.larkspur-institute.org/"', 'site_url: "https://example.org/briefs/"'),
        encoding="utf-8")
    pdf = small / "build" / "congress" / "briefs" / "nato.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7\n% a stand-in for the built brief\n")
    assert run(small, "site").exit_code == 0
    site = _site(small)
    html = (site / "briefs/nato.html").read_text(encoding="utf-8")
    assert "<title>North Atlantic Treaty Organization (NATO): policy brief |" in html
    assert '<link rel="canonical" href="https://example.org/briefs/congress/briefs/nato.html">' in html
    assert '<meta name="citation_title" content="North Atlantic Treaty Organization (NATO)">' in html
    assert '<meta name="citation_author" content="Alliance Studies Editorial Team">' in html
    assert re.search(r'<meta name="citation_publication_date" content="\d{4}/\d{2}/\d{2}">', html)
    assert ('<meta name="citation_pdf_url" content="https://example.org/briefs/congress/downloads/nato.pdf">'
            in html)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Report" and data["reportNumber"].startswith("USAP-B-")
    assert data["encoding"]["contentUrl"] == "https://example.org/briefs/congress/downloads/nato.pdf"
    assert (site / "downloads/nato.pdf").read_bytes() == pdf.read_bytes()
    assert 'href="../downloads/nato.pdf" download>Policy brief (PDF' in html
    assert "citation_pdf_url" not in (site / "briefs/free-riding.html").read_text(encoding="utf-8")
    assert 'id="ref-1" href="#note-1"' in html and 'href="#ref-1"' in html and 'id="note-1"' in html
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/briefs/congress/briefs/nato.html" in locs and all(
        loc.startswith("https://example.org/briefs/congress/") for loc in locs)


def test_feed_lists_each_edition_of_each_brief(small: Path, run) -> None:
    """The Atom feed: one entry per brief edition, dated by the edition, linking to the brief's page."""
    assert run(small, "site").exit_code == 0
    feed = ET.parse(_site(small) / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    links = sorted(e.find(f"{ATOM}link").get("href") for e in entries)
    assert links == ["https://alliances.larkspur-institute.org/congress/briefs/free-riding.html",
                     "https://alliances.larkspur-institute.org/congress/briefs/nato.html"]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00Z", e.find(f"{ATOM}updated").text) for e in entries)


def test_home_shows_the_matrix_as_a_table_with_headers(small: Path, run) -> None:
    """The obstacle x alliance matrix is a table: a caption, column and row headers, a mark where they link."""
    assert run(small, "site").exit_code == 0
    html = (_site(small) / "index.html").read_text(encoding="utf-8")
    table = re.search(r'<table class="matrix-table">.*?</table>', html, re.S).group(0)
    assert "<caption" in table and '<th scope="col" class="col-head">' in table
    row = re.search(r'<th scope="row"><a href="briefs/free-riding.html">.*?</tr>', table, re.S).group(0)
    assert '<span class="visually-hidden">Yes</span>' in row
    # below 77.5em the same marks as a list (the table would scroll sideways on a phone: `check --web`)
    listed = re.search(r'<ul class="matrix-list">.*?</ul>\s*</section>', html, re.S).group(0)
    assert re.search(r'<li><a href="briefs/free-riding.html">[^<]+</a> <span class="matrix-count">\(\d+\)</span>\s*'
                     r'<ul><li><a href="briefs/nato.html">NATO</a></li>', listed), listed[:600]


def test_an_edit_rebuilds_only_the_pages_that_show_it(small: Path) -> None:
    """Nothing changed: nothing written. A free-riding summary edit: its page and the catalogue pages, not NATO's."""
    out = small / "build"
    first = build_site(Project(small), "congress", out)
    assert first.built and not first.kept
    again = build_site(Project(small), "congress", out)
    assert again.built == [] and len(again.kept) == len(first.built)
    block = small / "content/obstacles/free-riding.yaml"
    text = block.read_text(encoding="utf-8")
    block.write_text(re.sub(r"^summary: (>-?\n  )?", lambda m: m.group(0) + "Edited for the site test. ", text,
                            count=1, flags=re.M), encoding="utf-8")
    edited = build_site(Project(small), "congress", out)
    assert "briefs/free-riding.html" in edited.built and "briefs/nato.html" in edited.kept
    assert "Edited for the site test." in (out / "congress/site/briefs/free-riding.html").read_text(encoding="utf-8")
    assert not any(p.startswith("assets/fonts/") for p in edited.built)


def test_site_templates_are_not_inputs_of_the_pdfs(small: Path) -> None:
    """Editing the web edition's stylesheet never makes a PDF stale: templates/site/ is the site's input only."""
    shared = shared_inputs(small)
    assert "templates/css/print.css" in shared
    assert not [rel for rel in shared if rel.startswith("templates/site/")]


def test_a_bad_site_url_is_a_located_error(small: Path, run) -> None:
    """site_url must be a web address ending in '/': the error names briefgen.yaml's line and the fix."""
    with (small / "briefgen.yaml").open("a", encoding="utf-8") as f:
        f.write("\n")
    text = (small / "briefgen.yaml").read_text(encoding="utf-8").replace(
        'site_url: "https://alliances.larkspur-institute.org/"', 'site_url: "alliances.larkspur-institute.org"')
    (small / "briefgen.yaml").write_text(text, encoding="utf-8")
    result = run(small, "site")
    assert result.exit_code == 1
    assert re.search(r"briefgen\.yaml:\d+:\d+: error: .*site_url", result.output), result.output
    assert "ending in '/'" in result.output and not (small / "build" / "congress").exists()


def test_editions_page_shows_each_edition_with_a_redline_of_what_changed(small: Path) -> None:
    """A recorded edition, then an edit: the page lists edition 2 (current) over edition 1, the changed words
    struck and inserted, and the feed gains the new edition."""
    from briefgen.editions.records import commit
    from briefgen.render.context import document_edition

    project = Project(small)
    block = project.catalogue.get("free-riding")
    assert commit(small, document_edition(project, block, "brief", project.audience("congress")))
    path = small / "content/obstacles/free-riding.yaml"
    text = path.read_text(encoding="utf-8")
    first_word = re.search(r"^summary: >-?\n  (\S+)", text, re.M).group(1)
    path.write_text(text.replace(f"summary: >-\n  {first_word}", "summary: >-\n  Plainly, " + first_word, 1),
                    encoding="utf-8")
    redline = small / "build/congress/redlines/free-riding.brief.pdf"  # as `briefgen diff --format pdf` writes it
    redline.parent.mkdir(parents=True)
    redline.write_bytes(b"%PDF-1.7\n% a stand-in for the redline\n")
    build_site(Project(small), "congress", small / "build")
    html = (_site(small) / "editions/free-riding.html").read_text(encoding="utf-8")
    assert re.search(r"<strong>Edition 2</strong>.*\(current\).*<strong>Edition 1</strong>", html, re.S)
    assert '<a href="../downloads/free-riding-brief-changes.pdf" download>Changes marked (PDF)</a>' in html
    assert (_site(small) / "downloads/free-riding-brief-changes.pdf").read_bytes() == redline.read_bytes()
    assert re.search(r'<ins><span class="visually-hidden">\[added: </span>Plainly,', html), html
    feed = ET.parse(_site(small) / "feed.xml").getroot()
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert any(t.endswith("edition 2") for t in titles) and any(t.endswith("edition 1") for t in titles), titles


@pytest.mark.slow
def test_build_with_site_offers_the_built_pdfs(small: Path, run) -> None:
    """`build --site` renders the documents, then the site, whose brief pages link the real PDFs."""
    result = run(small, "-q", "build", "--no-record", "--jobs", "1", "--site", "--id", "nato")  # NATO's two PDFs
    assert result.exit_code == 0, result.output
    site = _site(small)
    assert "site congress:" in result.output
    for kind, name in (("briefs", "nato.pdf"), ("onepagers", "nato.pdf")):
        built = small / "build" / "congress" / kind / name
        copy = site / "downloads" / (name if kind == "briefs" else "nato-onepager.pdf")
        assert copy.read_bytes() == built.read_bytes() and copy.read_bytes().startswith(b"%PDF-")
    html = (site / "briefs/nato.html").read_text(encoding="utf-8")
    assert 'href="../downloads/nato-onepager.pdf" download>One-pager (PDF' in html


def test_an_audience_overrides_a_site_template_like_a_print_one(small: Path) -> None:
    """templates/audiences/NAME/site/ comes first on the audience's search path; editing it rewrites the pages."""
    override = small / "templates/audiences/congress/site/home.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base:site/home.html.j2" %}{% block content %}<p>Staff edition.</p>'
                        "{{ super() }}{% endblock %}", encoding="utf-8")
    build_site(Project(small), "congress", small / "build")
    home = _site(small) / "index.html"
    assert "<p>Staff edition.</p>" in home.read_text(encoding="utf-8")
    override.write_text(override.read_text(encoding="utf-8").replace("Staff edition.", "Staff copy."),
                        encoding="utf-8")
    report = build_site(Project(small), "congress", small / "build")
    assert "index.html" in report.built and "<p>Staff copy.</p>" in home.read_text(encoding="utf-8")


def test_every_link_inside_the_site_reaches_a_file_and_an_anchor(small: Path, run) -> None:
    """Each relative link names a file of the site, and each #fragment an id on the page it names."""
    pdf = small / "build" / "congress" / "onepagers" / "nato.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7\n% a stand-in\n")
    assert run(small, "site").exit_code == 0
    site = _site(small)
    ids = {p: set(re.findall(r'\bid="([^"]+)"', p.read_text(encoding="utf-8"))) for p in site.rglob("*.html")}
    checked = 0
    for page in ids:
        for url in re.findall(r'\bhref="([^"]*)"', page.read_text(encoding="utf-8")):
            if url.startswith(("https:", "mailto:")):
                continue
            path, _, fragment = url.partition("#")
            target = (page.parent / path).resolve() if path else page
            assert target.is_file() and target.is_relative_to(site.resolve()), (page, url)
            if fragment:
                assert fragment in ids[target], (page, url)
            checked += 1
    assert checked > 100


def test_structured_data_cannot_close_its_script_element() -> None:
    """A name holding `</script>` stays inside the JSON-LD block (and still parses to the same text)."""
    from briefgen.render.site.frame import json_ld

    text = str(json_ld({"name": "A </script><script>alert(1)</script> & more"}))
    assert "</" not in text and "<" not in text
    assert json.loads(text)["name"] == "A </script><script>alert(1)</script> & more"


def test_a_broken_site_template_fails_its_page_and_keeps_the_others(small: Path, run) -> None:
    """A template error names its file and line, exits 1, writes every other page, and the fix rewrites the page."""
    assert run(small, "site").exit_code == 0
    sources = small / "templates/site/sources.html.j2"
    good = sources.read_text(encoding="utf-8")
    sources.write_text(good.replace("<h1>Sources</h1>", "<h1>{{ oops( }}</h1>"), encoding="utf-8")
    (small / "content/alliances/nato.yaml").write_text((small / "content/alliances/nato.yaml").read_text(
        encoding="utf-8").replace("summary: >-\n  ", "summary: >-\n  Still written. ", 1), encoding="utf-8")
    result = run(small, "site")
    assert result.exit_code == 1
    assert re.search(r"failed congress/site/sources\.html: templates/site/sources\.html\.j2:\d+: error: ", result.output)
    assert "Still written." in (_site(small) / "briefs/nato.html").read_text(encoding="utf-8")
    assert (_site(small) / "sources.html").is_file()  # the last good page stays
    sources.write_text(good, encoding="utf-8")
    again = run(small, "site")
    assert again.exit_code == 0 and re.search(r"site congress: [1-9]\d* files written", again.output), again.output
