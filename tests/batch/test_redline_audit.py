"""The redline is audited like the document it marks up: `diff --format pdf` prints its findings, `check --layout
--redlines` lays out and audits the redline of each changed document."""
from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest

from briefgen.batch.redline import current
from briefgen.config.kinds import Target
from briefgen.editions.records import commit
from briefgen.project import Project

NATO = "content/alliances/nato.yaml"
OLD_POINT = "Of the 51 formal treaty allies of the United States, 31 are NATO allies."
NEW_POINT = "Of the 51 formal treaty allies of the United States, 31 are members of NATO."
#: A redline stylesheet that keeps the published pagination by setting the marked text small: lines then run far
#: past the measure.
SMALL_TYPE = "\np, li { font-size: 6.5pt !important; }\n"


@pytest.mark.slow
def test_redline_long_lines_are_found_and_the_shipped_redline_passes(small: Path, run, tmp_path: Path) -> None:
    """A one-edit change's redline set in small type reports long-lines, named by the redline's path and page; with
    the shipped stylesheet the same redline, audited by `check --layout --redlines`, reports nothing."""
    assert commit(small, current(Project(small), Target("brief", "nato", "executive")))  # edition 1, as a build would
    path = small / NATO
    text = path.read_text(encoding="utf-8")
    assert OLD_POINT in text
    path.write_text(text.replace(OLD_POINT, NEW_POINT), encoding="utf-8")
    css = small / "templates" / "css" / "redline.css"
    shipped = css.read_text(encoding="utf-8")
    css.write_text(shipped + SMALL_TYPE, encoding="utf-8")

    redline = tmp_path / "nato.brief.pdf"
    result = run(small, "diff", "nato", "--kind", "brief", "--audience", "executive", "--format", "pdf",
                 "--out", str(redline))
    assert result.exit_code == 0, result.output
    assert "CHANGES SINCE EDITION 1" in " ".join(p.extract_text() for p in pypdf.PdfReader(redline).pages).upper()
    assert "executive/redlines/nato.brief.pdf, page 1: layout: body lines run" in result.output, result.output
    assert "[long-lines]" in result.output

    css.write_text(shipped, encoding="utf-8")
    result = run(small, "check", "--layout", "--redlines", "--kind", "brief", "--id", "nato", "--audience",
                 "executive", "--out", str(tmp_path / "out"), "-j", "1")
    assert "redlines: 1 audited" in result.output, result.output
    assert "redlines/nato.brief.pdf" not in result.output and ", 0 finding(s), 0 failed" in result.output, \
        result.output
    recorded = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["redlines"]
    assert recorded["executive/redlines/nato.brief.pdf"]["layout"] == []
    assert recorded["executive/redlines/nato.brief.pdf"]["changes"] == "1 point changed"
