"""Item 6: audience templates cannot escape the sandbox, read files, or hang the render with huge values."""
from __future__ import annotations

import pytest
from hostile_cases import SANDBOX_CASES, assert_outcome


@pytest.mark.parametrize("case", SANDBOX_CASES, ids=lambda c: c.id)
def test_hostile_template_is_stopped(case, outcome, server) -> None:
    """Each escape or bomb exits with a clear template error at its line; no payload runs, no PDF is written."""
    o = outcome(case)
    assert_outcome(o, server.server_address[1])
    if case.exit_code:
        assert not list((o.project / "build").rglob("*.pdf"))  # rglob of a missing folder finds nothing


def test_no_file_content_reaches_the_pdf(outcome, server) -> None:
    """The path-read attempt leaves /etc/hostname out of every output (there is none)."""
    o = outcome(next(c for c in SANDBOX_CASES if c.id == "path-read"))
    assert o.exit_code == 1 and not (o.project / "build").exists()


def test_power_tower_is_left_associative_and_harmless(outcome, server) -> None:
    """Jinja reads 9**9**9 as (9**9)**9, a 78-digit number: it renders at once, nothing to refuse."""
    o = outcome(next(c for c in SANDBOX_CASES if c.id == "power-tower"))
    assert o.exit_code == 0
    assert (o.project / "build" / "evil" / "briefs" / "nato.pdf").is_file()
