"""Item 3: ids and names that are unsafe as file names are refused; nothing is written outside build/."""
from __future__ import annotations

from pathlib import Path

import pytest
from hostile_cases import ID_CASES, assert_outcome


@pytest.mark.parametrize("case", ID_CASES, ids=lambda c: c.id)
def test_unsafe_ids_are_refused(case, outcome, server) -> None:
    """Each unsafe id or name exits 1 with an error naming it, and no file appears outside build/."""
    o = outcome(case)
    assert_outcome(o, server.server_address[1])
    assert not list((o.project / "build").rglob("*.pdf"))  # rglob of a missing folder finds nothing
    assert not Path("/etc/x.pdf").exists() and not (o.project.parent.parent / "x.pdf").exists()


def test_nfc_and_nfd_file_names_both_reported(outcome, server) -> None:
    """Two files whose names differ only in Unicode normalisation are each reported, not silently merged."""
    case = next(c for c in ID_CASES if c.id == "id-nfc-nfd")
    o = outcome(case)
    invalid = [ln for ln in o.error_lines() if "is not a valid id" in ln]
    assert len(invalid) == 2, o.stderr
