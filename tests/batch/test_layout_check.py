"""`briefgen check --layout`: the build's render path and workers lay documents out without writing them, every
finding is printed with its document and page and fails the check, and the manifest records what was found."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from briefgen.batch.render import start_levels


def _pdfs(out: Path) -> list[Path]:
    return [p for p in out.rglob("*.pdf")] if out.exists() else []


def test_clean_documents_pass_and_are_not_laid_out_again(small: Path, run) -> None:  # noqa: ANN001
    result = run(small, "check", "--layout", "--kind", "onepager", "--id", "nato", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "layout: 1 document(s) audited (1 laid out" in result.output and "0 finding(s)" in result.output
    out = small / "build"
    assert _pdfs(out) == []  # nothing written but the manifest
    entry = json.loads((out / "manifest.json").read_text())["checked"]["congress/onepagers/nato.pdf"]
    assert entry["layout"] == [] and isinstance(entry["fit_level"], int) and entry["layouts"] >= 1
    again = run(small, "check", "--layout", "--kind", "onepager", "--id", "nato", "--jobs", "1")
    assert again.exit_code == 0 and "(0 laid out, 1 unchanged since recorded)" in again.output, again.output


def test_a_finding_fails_the_check_naming_document_and_page(small: Path, run) -> None:  # noqa: ANN001
    # A stylesheet rule no grow step can undo leaves the one-pager nearly empty.
    css = small / "templates" / "css" / "print.css"
    css.write_text(css.read_text() + "\nhtml body.onepager .columns, html body.onepager .source-notes "
                   "{ display: none; }\n")
    result = run(small, "check", "--layout", "--kind", "onepager", "--id", "nato", "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert re.search(r"congress/onepagers/nato\.pdf, page 1: layout: \d+% of the one-pager is unused", result.output)
    assert "[onepager-fill]" in result.output and "1 finding(s) in 1 document(s)" in result.output
    manifest = json.loads((small / "build" / "manifest.json").read_text())
    assert [f["code"] for f in manifest["checked"]["congress/onepagers/nato.pdf"]["layout"]] == ["onepager-fill"]
    assert _pdfs(small / "build") == []


def test_usage_errors(small: Path, run) -> None:  # noqa: ANN001
    assert run(small, "check", "--kind", "brief").exit_code == 2  # a layout option without --layout
    unknown = run(small, "check", "--layout", "--id", "natoo")
    assert unknown.exit_code == 2 and "did you mean nato" in unknown.output, unknown.output


def test_recorded_levels_are_the_fit_loops_start() -> None:
    entry = {"fit_level": 2, "grow_level": 0, "tail_level": 5, "layout": []}
    assert start_levels(entry) == {"fit_start": 2, "grow_start": 0, "tail_start": 5}
    assert start_levels({"fit_level": "2", "tail_level": -1, "grow_level": True}) == \
        {"fit_start": None, "grow_start": None, "tail_start": None}
    assert start_levels(None) == {"fit_start": None, "grow_start": None, "tail_start": None}


@pytest.mark.slow
def test_a_recheck_starts_at_the_recorded_levels(small: Path, root: Path, run) -> None:  # noqa: ANN001
    """The G7 congress one-pager is thin as designed: it grows (several layouts), first by its overview (which the
    congress one-pager leaves out), to pass the audit; after a stylesheet change every document is stale, and the next
    check starts its fit loop at the recorded grow level: one layout, the same levels and steps, still clean."""
    scratch = small
    name = "g7-and-multilateral-forums"
    shutil.copy2(root / "content" / "alliances" / f"{name}.yaml", scratch / "content" / "alliances" / f"{name}.yaml")
    args = ("check", "--layout", "--kind", "onepager", "--id", name, "--jobs", "1")
    first = run(scratch, *args)
    assert first.exit_code == 0, first.output
    manifest = scratch / "build" / "manifest.json"
    before = json.loads(manifest.read_text())["checked"][f"congress/onepagers/{name}.pdf"]
    assert before["grow_level"] > 0 and before["layouts"] > 1 and before["layout"] == []
    assert before["fit_steps"][0] == "added back the overview", before["fit_steps"]
    assert f"congress/onepagers/{name}.pdf: fitted: added back the overview" in first.output, first.output
    css = scratch / "templates" / "css" / "print.css"
    css.write_text(css.read_text() + "\n/* a change to a shared input */\n")
    again = run(scratch, *args)
    assert again.exit_code == 0 and "(1 laid out in 1 layout(s)" in again.output, again.output
    after = json.loads(manifest.read_text())["checked"][f"congress/onepagers/{name}.pdf"]
    assert (after["fit_level"], after["grow_level"], after["layouts"]) == (before["fit_level"], before["grow_level"], 1)
    assert after["fit_steps"] == before["fit_steps"] and after["layout"] == []
