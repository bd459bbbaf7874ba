"""SOURCE_DATE_EPOCH dates the documents: a build under another value is never "up to date"."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.slow
def test_a_new_source_date_epoch_rebuilds_instead_of_reporting_up_to_date(small: Path, tmp_path: Path, run,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run(small, "build", "--audience", "executive", "--out", str(out)).exit_code == 0
    again = run(small, "build", "--audience", "executive", "--out", str(out))
    assert "built 0, up to date 5" in again.output, again.output
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    changed = run(small, "build", "--audience", "executive", "--out", str(out))
    assert changed.exit_code == 0 and "built 5, up to date 0" in changed.output, changed.output
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    unset = run(small, "build", "--audience", "executive", "--out", str(out))
    assert "built 5, up to date 0" in unset.output, unset.output
