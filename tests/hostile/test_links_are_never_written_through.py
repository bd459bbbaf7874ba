"""No write goes through a link: a linked seeds/ or content/drafts leaves the outside folder as it was."""
from __future__ import annotations

import shutil
from pathlib import Path


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_register_never_appends_to_a_sources_file_outside_the_project(small: Path, tmp_path: Path, run) -> None:
    outside = tmp_path / "outside-seeds"
    shutil.move(str(small / "seeds"), outside)
    (small / "seeds").symlink_to(outside)
    (outside / "note.md").write_text("# A note\n\nAllies share the burden of defense in Europe and Asia.\n")
    before = _tree(outside)
    result = run(small, "ingest", "--register", "seeds/note.md")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert _tree(outside) == before


def test_drafts_are_never_written_into_a_linked_drafts_folder(small: Path, tmp_path: Path, run) -> None:
    outside = tmp_path / "outside-drafts"
    outside.mkdir()
    (small / "content" / "drafts").symlink_to(outside)
    result = run(small, "ingest", "--draft", "seeds/csis-2025-us-allied-cooperation.md")
    assert result.exit_code == 1, result.output
    assert list(outside.iterdir()) == []
