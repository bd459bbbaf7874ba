"""The furniture of a professional brief: authors and contact (briefgen.yaml), the suggested citation, the Key
takeaways box (cited key points) and data figures drawn from values found in their seed passages."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import page as page_validation
import pikepdf
import pytest
from pypdf import PdfReader

from briefgen.config.project import Author, load_project_config
from briefgen.project import Project
from briefgen.render.context import render_html
from briefgen.render.furniture import suggested_citation

FIGURE_FILE = Path("content") / "obstacles" / "free-riding.yaml"
ROOT = Path(__file__).resolve().parents[2]


def _furnish(project: Path) -> Path:
    """Give the two-block project the real free-riding block (key points and a data figure), linked to NATO only."""
    text = (ROOT / FIGURE_FILE).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^affected_alliances: \[.*\]$", "affected_alliances: [nato]", text)
    (project / FIGURE_FILE).write_text(text, encoding="utf-8")
    return project


@pytest.fixture
def small(small: Path) -> Path:
    """The two-block project with the furnished free-riding block."""
    return _furnish(small)


def _text(pdf: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(pdf).pages))


def _untagged(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _edit(path: Path, old: str, new: str) -> int:
    """Replace OLD (once) in PATH; return the 1-based line it is on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


@pytest.fixture(scope="module")
def brief_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The free-riding brief of the two-block project (it has key points and a data figure), rendered once."""
    import shutil

    from click.testing import CliRunner
    from tests.conftest import PROJECT_PARTS, ROOT

    from briefgen.cli import main

    project = tmp_path_factory.mktemp("furniture")
    for part in PROJECT_PARTS:
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, project / part)
    shutil.rmtree(project / "content")
    shutil.copytree(ROOT / "tests" / "fixtures" / "two-blocks" / "content", project / "content")
    _furnish(project)
    out = project / "out"
    result = CliRunner().invoke(main, ["--project", str(project), "brief", "free-riding", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out / "congress" / "briefs" / "free-riding.pdf"


# ------------------------------------------------------------------------------------------------ configuration

def test_authors_and_contact_are_read_with_their_fields(root: Path) -> None:
    """The real briefgen.yaml declares named authors and a contact with an e-mail address."""
    cfg = load_project_config(root)
    assert cfg.authors and all(a.name for a in cfg.authors)
    assert cfg.contact is not None and "@" in cfg.contact.email


@pytest.mark.parametrize("yaml_text, message", [
    ('authors:\n  - name: "Jane Doe"\n    titel: "Fellow"\n', "unknown field 'titel'"),
    ('contact:\n  name: "Desk"\n  email: "not an address"\n', "contact.email: 'not an address' is not an e-mail"),
    ('contact:\n  name: "Desk"\n  email: "desk@example.org"\n  phone: "call us"\n', "is not a telephone number"),
    ('authors: "Jane Doe"\n', "authors: expected a list of people"),
])
def test_bad_author_and_contact_values_fail_at_their_line(small: Path, run, yaml_text: str, message: str) -> None:
    """Each mistake exits 1 naming briefgen.yaml:line:col and a hint, the line being the one the value is on."""
    cfg = small / "briefgen.yaml"
    text = re.sub(r"(?ms)^authors:.*?(?=^\S)|^contact:.*?(?=^\S|\Z)", "", cfg.read_text(encoding="utf-8"))
    line = text.count("\n") + 1
    cfg.write_text(text + yaml_text, encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 1, result.output
    found = re.search(r"briefgen\.yaml:(\d+):\d+: error: (.*)", result.output)
    assert found and message in found.group(2), result.output
    assert line <= int(found.group(1)) < line + yaml_text.count("\n")
    assert "(hint:" in result.output


def test_author_given_as_a_list_is_refused_with_a_migration_hint(small: Path, run) -> None:
    """People listed under `author` (the organisation) get an error at their line and a hint to use `authors`."""
    line = _edit(small / "briefgen.yaml", 'author: "Larkspur Institute for Alliance Studies"',
                 'author:\n  - "Jane Doe"')
    result = run(small, "check")
    assert result.exit_code == 1
    assert f"briefgen.yaml:{line + 1}:" in result.output
    assert "list the people under `authors:`" in result.output


# ------------------------------------------------------------------------------------------------ citation

def test_suggested_citation_leaves_out_empty_parts(root: Path) -> None:
    """Chicago-like order, every part present; without authors, number or edition those parts are left out."""
    cfg = load_project_config(root)
    cfg.authors = [Author(name=n) for n in ("A. Smith", "B. Jones", "C. Wu")]
    edition = SimpleNamespace(number=2, date=dt.date(2026, 11, 3), label="Edition 2")
    assert suggested_citation(cfg, "NATO", "Policy brief", "BG-0042", edition) == (
        "A. Smith, B. Jones, and C. Wu, \u201cNATO,\u201d Policy brief, Larkspur Institute for Alliance Studies, "
        "BG-0042, Edition 2, Updated November 3, 2026.")
    cfg.authors = []
    assert suggested_citation(cfg, "NATO", "Policy brief") == \
        "\u201cNATO,\u201d Policy brief, Larkspur Institute for Alliance Studies."


def test_brief_prints_authors_contact_and_citation(brief_pdf: Path, root: Path) -> None:
    """The rendered PDF carries the end matter: authors, the contact's mailto address and the citation."""
    cfg = load_project_config(root)
    text = _text(brief_pdf)
    assert cfg.authors[0].name in text and cfg.contact.email in text
    citation = suggested_citation(cfg, "Free riding and buck-passing", "Policy brief").removesuffix(".")
    # then the document's number, edition and its date (editions.records)
    assert re.search(re.escape(citation) + r", USAP-B-\d{5}-C, Edition 1, Updated \w+ \d+, \d{4}\.", text), text
    links = [a.get("/A", {}).get("/URI") for page in pikepdf.open(brief_pdf).pages for a in page.get("/Annots", [])]
    assert f"mailto:{cfg.contact.email}" in [str(u) for u in links if u is not None]


def test_onepager_has_the_compact_authors_line(small: Path) -> None:
    """A one-pager ends with one line naming the authors and the contact's mailto address."""
    html = render_html(Project(small), "free-riding", "onepager", "congress").html
    line = re.search(r'<p class="onepager-credits">(.*?)</p>', html, re.S)
    assert line and "mailto:" in line.group(1)
    assert "By Alliance Studies Editorial Team" in _untagged(line.group(1))


# ------------------------------------------------------------------------------------------------ takeaways

def test_takeaways_are_the_cited_key_points_shown_once(small: Path) -> None:
    """The box lists 3 to 5 key points, each with a note number; they are not printed again below."""
    project = Project(small)
    block = project.catalogue.get("free-riding")
    key = block.key_points()
    assert 3 <= len(key) <= 5
    html = render_html(project, "free-riding", "brief", "congress").html
    box = re.search(r'<section class="takeaways".*?</section>', html, re.S).group(0)
    items = re.findall(r"<li>(.*?)</li>", box, re.S)
    assert len(items) == len(key)
    assert all('class="note-ref"' in item and 'href="#note-' in item for item in items)
    first = re.sub(r"\s+", " ", key[1].text)[:60]
    assert "*" not in first and _untagged(html).count(first) == 1


def test_two_key_points_are_refused(small: Path, run) -> None:
    """Marking two points `key: true` (not none, not 3 to 5) fails `check` at the block's file:line."""
    path = small / FIGURE_FILE
    text = path.read_text(encoding="utf-8")
    last = text.rindex("    key: true")
    path.write_text(text[:last] + text[last + len("    key: true\n"):], encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 1
    assert "free-riding marks 2 key point(s) as takeaways" in result.output
    assert re.search(r"content/obstacles/free-riding\.yaml:\d+:\d+: error", result.output)


def test_a_key_point_keeps_the_claims_rules(small: Path, run) -> None:
    """A takeaway is a point: changing its number fails the number rule at its line."""
    path = small / FIGURE_FILE
    line = _edit(path, "members bordering Russia", "29 members bordering Russia")
    result = run(small, "check")
    assert result.exit_code == 1
    assert "the figure '29' is not in" in result.output
    at = re.search(r"free-riding\.yaml:(\d+):\d+: error: how_it_shows_up\[\d\]\.text", result.output)
    assert at and line - 3 <= int(at.group(1)) <= line, result.output


# ------------------------------------------------------------------------------------------------ data figures

def test_figure_value_not_in_its_passage_is_refused(small: Path, run) -> None:
    """Like a quote, each value is found word for word in the passage it cites: 86 percent is not there."""
    line = _edit(small / FIGURE_FILE, "        value: 85 percent", "        value: 86 percent")
    result = run(small, "check")
    assert result.exit_code == 1
    assert (f"content/obstacles/free-riding.yaml:{line}:9: error: figure value '86 percent' is not in "
            "csis-2025#L205") in result.output
    assert "'85 percent'" in result.output  # the hint names what the passage does give


def test_figure_value_without_digits_is_refused(small: Path, run) -> None:
    """A value with no digits cannot be drawn: `check` refuses it."""
    _edit(small / FIGURE_FILE, "        value: 90 percent", "        value: ninety percent")
    result = run(small, "check")
    assert result.exit_code == 1
    assert "figure value 'ninety percent' has no number written in digits" in result.output


def test_figure_is_an_accessible_svg_with_caption_and_source_note(small: Path) -> None:
    """The figure is an SVG image with title and description, a numbered caption, a source line and text >= 7pt."""
    html = render_html(Project(small), "free-riding", "brief", "congress").html
    figure = re.search(r'<figure class="data-figure".*?</figure>', html, re.S).group(0)
    assert 'role="img"' in figure and "<title>" in figure and "<desc>" in figure
    assert "90 percent" in re.search(r"<title>(.*?)</title>", figure).group(1)
    caption = re.search(r"<figcaption>(.*?)</figcaption>", figure, re.S).group(1)
    assert "Figure 1." in caption and re.search(r'Source: .*note <a href="#note-\d+"', caption)
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', figure)]
    assert sizes and min(sizes) >= 7


def test_figure_alt_text_is_in_the_pdf_structure_and_the_pdf_is_ua1(brief_pdf: Path) -> None:
    """The SVG is a tagged Figure whose /Alt names it and its values; the document passes PDF/UA-1."""
    pdf = pikepdf.open(brief_pdf)
    alts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if node.S == "/Figure" and "/Alt" in node:
                alts.append(str(node.Alt))
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    assert any(a.startswith("Figure 1. Share of partners") and "85 percent" in a for a in alts), alts
    report = page_validation.validate_pdf(str(brief_pdf), profile="ua1")
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]


def test_an_audience_left_with_too_few_takeaways_gets_no_box(root: Path) -> None:
    """Allies leave out U.S.-internal points: a block whose key points are mostly internal keeps them in place."""
    project = Project(root)
    block = project.catalogue.get("arms-slow-us-processes")
    assert len(block.key_points()) >= 3 and sum(p.us_internal for p in block.key_points()) >= 1
    allies = render_html(project, "arms-slow-us-processes", "brief", "allies").html
    congress = render_html(project, "arms-slow-us-processes", "brief", "congress").html
    assert 'class="takeaways"' not in allies and 'class="takeaways"' in congress
