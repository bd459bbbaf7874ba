"""Curated content a document leaves out is reported: located, with its reason, as a warning (an error under --strict),
and recorded in the manifest."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ADDED_POINT = """  - text: Defense pacts such as NATO make their members less likely to be attacked, the report says.
    cite: csis-2025#L126

modernization_priorities:"""


def add_point(project: Path) -> None:
    """Give NATO a seventh why_it_matters point (congress shows six)."""
    path = project / "content/alliances/nato.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\n\nmodernization_priorities:", "\n" + ADDED_POINT, 1),
                    encoding="utf-8")


def _limit_points(project: Path, n: int) -> None:
    path = project / "audiences" / "congress.yaml"
    path.write_text(re.sub(r"max_points: \d+", f"max_points: {n}", path.read_text()))


def test_check_names_each_point_an_audience_limit_leaves_out(small: Path, run) -> None:
    _limit_points(small, 3)
    result = run(small, "check")
    assert result.exit_code == 0
    line = next(l for l in result.stderr.splitlines() if "why_it_matters" in l and "briefs/nato" in l)
    assert re.match(r"content/alliances/nato\.yaml:\d+: warning: points 4-6 of why_it_matters are not shown in "
                    r"congress/briefs/nato\.pdf: the audience's max_points is 3 \(hint: raise limits\.max_points", line)
    # The line is that of point 4, the first one left out.
    number = int(line.split(":")[1])
    text = (small / "content/alliances/nato.yaml").read_text().splitlines()
    assert text[number - 1].lstrip().startswith("- text")
    strict = run(small, "check", "--strict")
    assert strict.exit_code == 1 and "error: points 4-6 of why_it_matters" in strict.stderr


def test_what_a_one_pager_leaves_out_by_design_is_not_warned(small: Path, run) -> None:
    result = run(small, "check")
    assert result.exit_code == 0
    assert "onepagers/" not in result.stderr  # four points a list and its chosen sections: the one-pager's design


def test_brief_warns_and_fails_under_strict_without_writing(small: Path, run) -> None:
    _limit_points(small, 3)
    result = run(small, "brief", "nato", "--format", "html")
    assert result.exit_code == 0
    assert "points 4-6 of why_it_matters are not shown in congress/briefs/nato.html" in result.stderr
    strict = run(small, "brief", "free-riding", "--format", "html", "--strict")
    assert strict.exit_code == 1
    assert "error: points 4-6 of how_it_shows_up are not shown" in strict.stderr
    assert not (small / "build/congress/briefs/free-riding.html").exists()


def test_a_point_past_the_audience_limit_is_reported_and_a_higher_limit_reports_nothing(small: Path, run) -> None:
    add_point(small)
    result = run(small, "brief", "nato", "--format", "html")
    assert result.exit_code == 0
    assert ("point 7 of why_it_matters is not shown in congress/briefs/nato.html: the audience's max_points is 6"
            in result.stderr)
    _limit_points(small, 8)
    again = run(small, "brief", "nato", "--format", "html")
    assert again.exit_code == 0 and "not shown" not in again.stderr


@pytest.mark.slow
def test_build_records_what_each_document_leaves_out_in_the_manifest(small: Path, run) -> None:
    _limit_points(small, 3)
    result = run(small, "build", "--jobs", "1", "-q", "--id", "nato")  # NATO's brief and one-pager
    assert result.exit_code == 0, result.output
    assert "left-out part(s) of blocks reported" in result.output
    manifest = json.loads((small / "build/manifest.json").read_text())
    brief = manifest["outputs"]["congress/briefs/nato.pdf"]["omitted"]
    limited = [o for o in brief if o["field"] == "why_it_matters" and o["code"] == "limit"]
    assert limited and limited[0]["items"] == [4, 5, 6] and not limited[0]["expected"]
    onepager = manifest["outputs"]["congress/onepagers/nato.pdf"]["omitted"]
    assert any(o["expected"] and o["code"] == "design" for o in onepager)




def test_diff_counts_what_the_reader_sees_and_lists_the_rest_apart(small: Path, run) -> None:
    """A point added past congress's max_points is not counted as added: it is listed as changed in the block,
    not shown in this document, with the reason, in the text diff and in the redline's summary box."""
    from briefgen.batch.redline import compare_target, current, summary_html
    from briefgen.config.kinds import Target
    from briefgen.editions.records import commit
    from briefgen.project import Project

    target = Target("brief", "nato", "congress")
    commit(small, current(Project(small), target))
    add_point(small)
    result = run(small, "diff", "nato")
    assert result.exit_code == 0, result.output
    assert "summary: no changes; not shown in this document: 1 point added" in result.output
    assert "## Changed in the block, not shown in this document" in result.output
    assert ("point added in why_it_matters (the audience's max_points is 6): Defense pacts such as NATO make their "
            "members less likely to be attacked, the report says.") in result.output
    project = Project(small)
    cmp = compare_target(project, target)
    assert cmp.counts == {} and len(cmp.unseen) == 1
    box = summary_html(project, cmp)
    assert "No changes" in box and "not shown in this document: 1 point added" in box


def test_the_what_changed_box_lists_only_changes_the_reader_sees(small: Path) -> None:
    """Executive briefs show three points a list and what changed: a point added as NATO's seventh is not in the box,
    a reworded first point is."""
    from briefgen.batch.redline import current
    from briefgen.config.kinds import Target
    from briefgen.editions.records import commit
    from briefgen.project import Project
    from briefgen.render.context import render_html

    commit(small, current(Project(small), Target("brief", "nato", "executive")))
    add_point(small)
    path = small / "content/alliances/nato.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("31 are NATO allies.", "31 are members of NATO."),
                    encoding="utf-8")
    html = render_html(Project(small), "nato", "brief", "executive").html
    box = html[html.index('class="what-changed"'):]
    box = box[:box.index("</section>")]
    assert "members of" in box
    assert "less likely to be attacked, the report says" not in box
