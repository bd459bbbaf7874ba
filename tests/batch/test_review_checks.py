"""A reviewer's new wording checked as `briefgen check` checks content: against the passages the statement cites."""
from __future__ import annotations

from pathlib import Path

import pytest

import briefgen
from briefgen.batch.review import check_wording
from briefgen.render.docx.ids import StatementId

POINT = StatementId("nato", "why_it_matters", 1)  # "Of the 51 formal treaty allies ..., 31 are NATO allies."


@pytest.mark.parametrize(("sid", "text", "rule"), [
    (POINT, "Of the 51 formal treaty allies of the United States, 35 are NATO allies.", "unsupported_number"),
    (POINT, "Of the 51 formal treaty allies of Brazil, 31 are NATO allies.", "unsupported_name"),
    (POINT, "Of the 51 formal treaty allies of the United States, 31 are NATO allies (see lines 12-30).", "machinery"),
    (StatementId("nato", "quotes", 1), "If they pay, I'm going to defend them.", "verbatim_quote"),
])
def test_new_wording_that_its_passage_does_not_support_is_flagged_with_the_rule(small: Path, sid: StatementId,
                                                                                text: str, rule: str) -> None:
    """Each kind of unsupported edit is caught by its rule, with the passage it was checked against."""
    findings = check_wording(briefgen.open_project(small), sid, text)
    assert rule in [f["rule"] for f in findings], findings
    assert all(f.get("passage") for f in findings if f["rule"] == rule)


def test_faithful_new_wording_passes(small: Path) -> None:
    """A reworded statement the passage still supports has no findings."""
    text = "Of the 51 formal treaty allies of the United States, 31 are allies in NATO."
    assert check_wording(briefgen.open_project(small), POINT, text) == []
