"""Audiences: schema, `extends:` merging, template overrides, the four shipped audiences, commands."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen import Project
from briefgen.config.audiences import load_audience
from briefgen.render.context import render_html

ROOT = Path(__file__).resolve().parents[2]


def _text(pdf: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages)


@pytest.mark.slow
def test_four_audiences_give_four_different_nato_briefs(every_audience: Path) -> None:
    """Section titles, their order and the footer marking differ per audience, asserted on the PDF text."""
    text = {a: _text(every_audience / a / "briefs" / "nato.pdf").upper()
            for a in ("congress", "executive", "allies", "public")}
    assert len(set(text.values())) == 4
    assert "FOR CONGRESSIONAL STAFF USE" in text["congress"]
    assert "PRE-DECISIONAL: FOR PRINCIPALS" in text["executive"]
    assert "FOR ALLIED AND PARTNER GOVERNMENT USE" in text["allies"]
    assert "STAFF USE" not in text["public"] and "PRINCIPALS" not in text["public"]
    assert "THE ISSUE IN BRIEF" in text["congress"]
    assert "BOTTOM LINE UP FRONT" in text["executive"]
    assert "WHY THE PARTNERSHIP MATTERS" in text["allies"] and "SHARED PRIORITIES" in text["allies"]
    assert "ABOUT THIS BRIEF" in text["public"] and "IN SHORT" in text["public"]
    # order: every brief opens with the bottom line; the public brief's explanatory note is at the back
    pub = text["public"]
    assert pub.index("IN SHORT") < pub.index("ABOUT THIS BRIEF")
    # executive is terse: at most 3 points per list, and no "In their words" quotes section
    assert "IN THEIR WORDS" not in text["executive"]
    assert "PREPARED FOR EXECUTIVE-BRANCH PRINCIPALS" in text["executive"]


def test_extends_deep_merges(scratch: Path) -> None:
    """A child audience inherits nested keys it does not set and replaces lists and scalars it does."""
    (scratch / "audiences" / "staffers.yaml").write_text(
        "extends: congress\nlabel: Staffers\nlimits:\n  max_summary_words: 50\nbrief:\n  titles:\n    overview: Gist\n")
    loaded = load_audience(scratch, "staffers")
    cfg = loaded.config
    assert loaded.chain == ["staffers", "congress"]
    assert cfg.label == "Staffers"
    assert cfg.marking == "For congressional staff use"            # inherited scalar
    assert cfg.limits.max_points == 6 and cfg.limits.max_summary_words == 50  # merged mapping
    assert cfg.brief.titles == {"recommendations": "Options for Congress", "overview": "Gist"}
    assert cfg.brief.sections[0:2] == ["bottom_line", "sidebar"]   # inherited list


def test_show_names_the_source_of_each_value(scratch: Path, run) -> None:
    """`audience show` prints each effective value with the file:line or 'default' it came from."""
    result = run(scratch, "audience", "show", "executive")
    assert result.exit_code == 0, result.output
    lines = {ln.split()[0]: ln for ln in result.output.splitlines() if ln and not ln.startswith("#")}
    assert lines["marking"].endswith("# audiences/executive.yaml:5")
    assert lines["brief.titles.overview"].endswith("# audiences/congress.yaml:13")
    assert lines["us_internal"].endswith("# default")


def test_extends_cycle_and_unknown_parent(scratch: Path, run) -> None:
    """A cycle in `extends:` and an unknown parent are errors naming the file and line."""
    (scratch / "audiences" / "a.yaml").write_text("label: A\nextends: b\n")
    (scratch / "audiences" / "b.yaml").write_text("label: B\nextends: a\n")
    (scratch / "audiences" / "c.yaml").write_text("label: C\nextends: nobody\n")
    result = run(scratch, "check")
    assert result.exit_code == 1
    assert "extends itself through a -> b -> a" in result.output
    assert "audiences/c.yaml:2:10: error: audience 'c' extends unknown audience 'nobody'" in result.output


def test_audience_schema_errors_are_located(scratch: Path, run) -> None:
    """An unknown section name and a misspelt key are reported with file:line:col, all before exiting."""
    (scratch / "audiences" / "bad.yaml").write_text(
        "label: Bad\nbrief:\n  sections: [bottom_line, appendix]\nmax_point: 3\n")
    result = run(scratch, "check")
    assert result.exit_code == 1
    assert "audiences/bad.yaml:3:27: error: brief.sections[2]: text ('appendix') is not one of the allowed" in result.output
    assert "audiences/bad.yaml:4:1: error: unknown field 'max_point'" in result.output


def test_override_replacing_one_block_changes_only_that_block(scratch: Path) -> None:
    """An override that extends base:brief.html.j2 and replaces `masthead` leaves the rest byte-identical."""
    before = render_html(Project(scratch), "nato", "brief", "congress").html
    folder = scratch / "templates" / "audiences" / "congress"
    folder.mkdir(parents=True)
    (folder / "brief.html.j2").write_text(
        '{% extends "base:brief.html.j2" %}\n{% block masthead %}<header class="masthead">CUSTOM HEAD</header>'
        '{% endblock %}\n')
    after = render_html(Project(scratch), "nato", "brief", "congress").html
    assert "CUSTOM HEAD" in after and "CUSTOM HEAD" not in before
    head = re.compile(r'<header class="masthead">.*?</header>', re.S)

    def rest(html: str) -> str:
        return re.sub(r">\s+<", "><", head.sub("", html))

    assert rest(before) == rest(after)
    # other audiences are untouched
    assert "CUSTOM HEAD" not in render_html(Project(scratch), "nato", "brief", "public").html


def test_missing_template_lists_every_place_searched(scratch: Path, run) -> None:
    """An override that includes a missing partial names each folder that was searched."""
    folder = scratch / "templates" / "audiences" / "congress"
    folder.mkdir(parents=True)
    (folder / "brief.html.j2").write_text('{% extends "base:brief.html.j2" %}{% block masthead %}'
                                          '{% include "partials/nope.html.j2" %}{% endblock %}')
    result = run(scratch, "brief", "nato")
    assert result.exit_code == 1
    assert "template 'partials/nope.html.j2' not found; searched: templates/audiences/congress/partials/nope.html.j2, " \
           "templates/partials/nope.html.j2" in result.output


def test_template_error_names_file_and_line(scratch: Path, run) -> None:
    """A syntax error in an audience template prints that template's path and line."""
    folder = scratch / "templates" / "audiences" / "public"
    folder.mkdir(parents=True)
    (folder / "brief.html.j2").write_text('{% extends "base:brief.html.j2" %}\n\n{% block masthead %}{{ 1 + }}'
                                          '{% endblock %}\n')
    result = run(scratch, "brief", "nato", "--audience", "public")
    assert result.exit_code == 1
    assert "templates/audiences/public/brief.html.j2:3: error: template syntax:" in result.output


def test_sandbox_escape_in_audience_template_fails_and_runs_nothing(scratch: Path, run) -> None:
    """Reaching Python internals from an audience template is refused with a located error."""
    marker = scratch / "pwned"
    folder = scratch / "templates" / "audiences" / "public"
    folder.mkdir(parents=True)
    (folder / "brief.html.j2").write_text(
        '{% extends "base:brief.html.j2" %}{% block masthead %}'
        "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}{% endblock %}")
    result = run(scratch, "brief", "nato", "--audience", "public")
    assert result.exit_code == 1
    assert "error: template" in result.output and "templates/audiences/public/brief.html.j2" in result.output
    assert not marker.exists()


@pytest.mark.slow
def test_new_audience_from_base_then_one_block_override_builds(scratch: Path, run) -> None:
    """`audience new analysts --from congress` scaffolds files; a one-block override then builds."""
    result = run(scratch, "audience", "new", "analysts", "--from", "congress")
    assert result.exit_code == 0, result.output
    yaml_path = scratch / "audiences" / "analysts.yaml"
    assert "extends: congress" in yaml_path.read_text()
    example = scratch / "templates" / "audiences" / "analysts" / "brief.html.j2.example"
    assert "base:brief.html.j2" in example.read_text()
    (example.parent / "brief.html.j2").write_text(
        '{% extends "base:brief.html.j2" %}{% block masthead %}{{ super() }}'
        '<p class="audience-note">Analyst edition</p>{% endblock %}')
    result = run(scratch, "brief", "nato", "--audience", "analysts")
    assert result.exit_code == 0, result.output
    text = _text(scratch / "build" / "analysts" / "briefs" / "nato.pdf")
    assert "Analyst edition" in text and "FOR CONGRESSIONAL STAFF USE" in text.upper()
    assert run(scratch, "audience", "new", "analysts").exit_code == 1  # never overwrites


def test_audience_option_repeatable_and_all(small: Path, run) -> None:
    """--audience repeats; 'all' means every audience; an unknown name is a usage error (2) naming the known ones."""
    result = run(small, "onepager", "free-riding", "--audience", "public", "--audience", "allies")
    assert result.exit_code == 0, result.output
    assert sorted(p.parent.parent.name for p in (small / "build").glob("*/onepagers/free-riding.pdf")) == \
        ["allies", "public"]
    result = run(small, "onepager", "free-riding", "--audience", "nobody")
    assert result.exit_code == 2 and "known audiences: allies, congress, executive, public" in result.output


def test_summary_word_limit_truncates_or_errors(scratch: Path, run) -> None:
    """Over the word limit, 'truncate' keeps whole sentences with an ellipsis; 'error' names file and line."""
    (scratch / "audiences" / "tight.yaml").write_text(
        "label: Tight\nlimits:\n  max_summary_words: 30\n  over_limit: truncate\n")
    html = render_html(Project(scratch), "free-riding", "brief", "tight").html
    assert "Some allies contribute less" in html and "\u2026" in html
    assert "leaves gaps that show up in a crisis" not in html
    (scratch / "audiences" / "tight.yaml").write_text(
        "label: Tight\nlimits:\n  max_summary_words: 30\n  over_limit: error\n")
    result = run(scratch, "brief", "free-riding", "--audience", "tight")
    assert result.exit_code == 1
    assert "content/obstacles/free-riding.yaml:6:1: error: summary has" in result.output
    assert "audience 'tight' allows 30" in result.output


def test_us_internal_points_left_out_for_allies(scratch: Path) -> None:
    """A point marked us_internal shows for congress and is left out for allies."""
    path = scratch / "content" / "obstacles" / "free-riding.yaml"
    text = path.read_text()
    marked = text.replace("      U.S. signaling adds to the risk", "      U.S. signaling adds to the risk", 1)
    marked = marked.replace("    cite: csis-2025#L547\n", "    cite: csis-2025#L547\n    us_internal: true\n", 1)
    assert marked != text
    path.write_text(marked)
    congress = render_html(Project(scratch), "free-riding", "brief", "congress").html
    allies = render_html(Project(scratch), "free-riding", "brief", "allies").html
    assert "Where cooperation and shared planning are limited" in congress
    assert "Where cooperation and shared planning are limited" not in allies


def test_reading_level_warnings(scratch: Path, run) -> None:
    """check warns, with file and line, about documents above an audience's reading level, and exits 0."""
    (scratch / "audiences" / "kids.yaml").write_text("label: Kids\nreading_level: 3\n")
    result = run(scratch, "check")
    assert result.exit_code == 0, result.output
    output = result.output  # click's runner shows stderr and stdout together, as a terminal would
    assert re.search(r"content/alliances/nato\.yaml:\d+:\d+: warning: prose reads at Flesch-Kincaid grade [\d.]+, "
                     r"above the 'kids' audience's target 3", output)
    assert "warning(s)" in output


def test_named_section_changes_apply_to_the_inherited_list_per_block_type(small: Path, run) -> None:
    """An audience extending congress moves one section for every brief and removes Examples from obstacle briefs
    only: alliance briefs keep everything else, in congress's order; `audience show` prints each effective list."""
    (small / "audiences" / "nato-pa.yaml").write_text(
        "label: NATO parliamentarians\nextends: congress\nbrief:\n  edits:\n"
        "    - {move: recommendations, after: why_it_matters}\n  obstacle:\n    - {remove: examples}\n")
    plan = load_audience(small, "nato-pa").config.brief
    congress = load_audience(small, "congress").config.brief.sections
    alliance = plan.sections_for("alliance")
    assert alliance.index("recommendations") == alliance.index("why_it_matters") + 1
    assert sorted(alliance) == sorted(congress)  # nothing removed by accident
    assert plan.sections_for("obstacle") == [s for s in alliance if s != "examples"]
    shown = run(small, "audience", "show", "nato-pa")
    assert shown.exit_code == 0
    assert re.search(r"brief\.sections \(obstacle briefs and chapters\) +bottom_line, .*how_it_shows_up, figures",
                     shown.output)
    html = render_html(Project(small), "free-riding", "brief", "nato-pa").html
    assert 'id="examples"' not in html and 'id="how-it-shows-up"' in html
    assert 'id="examples"' in render_html(Project(small), "free-riding", "brief", "congress").html
    check = run(small, "check")
    assert check.exit_code == 0 and "leaves out" not in check.output  # a named removal is a choice: no warning


def test_check_warns_when_a_whole_section_list_drops_sections_blocks_have_content_for(small: Path, run) -> None:
    """Replacing the list to reorder it (the newcomer's mistake) drops How it shows up and Examples from obstacle
    briefs: check names the audience file's line, the sections and the blocks."""
    (small / "audiences" / "nato-pa.yaml").write_text(
        "label: NATO parliamentarians\nextends: congress\nbrief:\n"
        "  sections: [bottom_line, sidebar, overview, recommendations, why_it_matters, sources, credits]\n")
    result = run(small, "check")
    assert result.exit_code == 0, result.output
    assert ("audiences/nato-pa.yaml:4:13: warning: audience nato-pa: brief.sections leaves out 'examples', which 1 "
            "block(s) have content for (free-riding) (hint: add it back, or replace the list with named changes "
            "(brief.edits: [{remove: examples}])") in result.output
    assert "leaves out 'how_it_shows_up'" in result.output
    assert run(small, "check", "--strict").exit_code == 1


def test_an_edit_naming_a_section_not_in_the_list_is_an_error_at_its_line(small: Path, run) -> None:
    (small / "audiences" / "bad.yaml").write_text(
        "label: Bad\nextends: congress\nbrief:\n  edits:\n    - {remove: quotes}\n")
    result = run(small, "brief", "nato", "--audience", "bad")
    assert result.exit_code == 1
    assert ("audiences/bad.yaml:5:7: error: section 'quotes' is not in the inherited list, so it cannot be removed"
            in result.output)


@pytest.mark.slow
def test_one_running_footer_override_reaches_brief_onepager_and_book(small: Path, run) -> None:
    """templates/audiences/<name>/partials/running.html.j2 fills the foot's centre of every document kind."""
    run(small, "audience", "new", "nato-pa", "--from", "congress")
    assert 'label: "Nato pa"' in (small / "audiences" / "nato-pa.yaml").read_text()  # its own name, not congress's
    folder = small / "templates" / "audiences" / "nato-pa" / "partials"
    folder.mkdir(parents=True)
    (folder / "running.html.j2").write_text(
        '{% extends "base:partials/running.html.j2" %}'
        '{% block running_footer %}{{ super() }}<div class="running-note">Draft for review</div>{% endblock %}')
    for kind in ("brief", "onepager"):
        result = run(small, kind, "nato", "--audience", "nato-pa")
        assert result.exit_code == 0, result.output
        pdf = small / "build" / "nato-pa" / f"{kind}s" / "nato.pdf"
        pages = PdfReader(pdf).pages
        assert all("Draft for review" in (p.extract_text() or "") for p in pages), kind
    import briefgen

    book = briefgen.render_document(briefgen.open_project(small), "book", audience="nato-pa", fmt="html")
    assert book.data.decode().count("Draft for review") >= 1
