"""A hidden file is never an input the build watches, so the renderer never loads one (no stale "up to date")."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize("name", ["sections/.inc.html.j2", ".inc.html.j2", "sections/.hidden/inc.html.j2"])
def test_including_a_hidden_template_is_a_located_error(small: Path, run, name: str) -> None:
    override = small / "templates" / "audiences" / "congress" / "brief.html.j2"
    override.parent.mkdir(parents=True, exist_ok=True)
    (small / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
    (small / "templates" / name).write_text("<p>HIDDEN-INCLUDE</p>\n")
    override.write_text("{% extends 'base:brief.html.j2' %}\n{% block masthead %}{% include '" + name + "' %}"
                        "{% endblock %}\n")
    result = run(small, "brief", "nato", "--audience", "congress")
    assert result.exit_code == 1, result.output
    assert "hidden file" in result.output and "templates/audiences/congress/brief.html.j2" in result.output
