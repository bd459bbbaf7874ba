"""SOURCE_DATE_EPOCH dates the documents: a build under another value is never "up to date"."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from briefgen.batch.manifest import fast_up_to_date


@pytest.mark.slow
def test_a_new_source_date_epoch_rebuilds_instead_of_reporting_up_to_date(small_other_audiences: Path, tmp_path: Path,
                                                                          run, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a build under one SOURCE_DATE_EPOCH (the shared build of the other audiences, executive among them),
    the same value is up to date; under another value, or none, the no-op check answers no for the whole build and
    each document's own record is out of date (the NATO brief, built alone, is rendered again each time)."""
    shutil.copytree(small_other_audiences, tmp_path / "copy", symlinks=True)
    small, out = tmp_path / "copy" / "project", tmp_path / "copy" / "out"
    epoch = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["source_date_epoch"]
    assert epoch and str(epoch) != "1800000000"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    again = run(small, "build", "--audience", "executive", "--out", str(out))
    assert "built 0, up to date 5" in again.output, again.output
    assert fast_up_to_date(small, out, ["executive"])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert not fast_up_to_date(small, out, ["executive"])
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert not fast_up_to_date(small, out, ["executive"])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    changed = run(small, "build", "--audience", "executive", "--out", str(out), "--kind", "brief", "--id", "nato")
    assert changed.exit_code == 0 and "built 1, up to date 0" in changed.output, changed.output
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    unset = run(small, "build", "--audience", "executive", "--out", str(out), "--kind", "brief", "--id", "nato")
    assert "built 1, up to date 0" in unset.output, unset.output
