"""Block types are declared once: templates dispatch on the type's partials, and check names a missing one."""
from __future__ import annotations

from pathlib import Path

from briefgen.content.model import BLOCK_TYPES, type_templates


def test_every_block_type_has_its_partials(root: Path) -> None:
    """Each type's partials exist in the project's default templates."""
    for cls in BLOCK_TYPES:
        for rel in type_templates(cls):
            assert (root / "templates" / rel).is_file(), rel


def test_check_names_a_missing_type_partial(small: Path, run) -> None:
    """Without an obstacle's kicker partial, check fails before any render, naming the template and the folders."""
    (small / "templates/partials/obstacle/kicker.html.j2").unlink()
    result = run(small, "check")
    assert result.exit_code == 1
    assert "needs template partials/obstacle/kicker.html.j2" in result.output
    assert "searched: templates/partials/obstacle/kicker.html.j2" in result.output


def test_no_template_branches_on_the_block_type(root: Path) -> None:
    """Templates include partials/<block_type>/... instead of comparing block_type (R3 of the design review)."""
    offenders = [p.relative_to(root).as_posix() for p in (root / "templates").rglob("*.j2")
                 if "block_type ==" in p.read_text(encoding="utf-8") or "block_type in" in p.read_text(encoding="utf-8")]
    assert offenders == []
