"""The build's check cache: an edited block is checked again, every other block's findings (errors too) come back."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.batch.targets import save_checked_content
from briefgen.content.checkcache import CACHE_FILE, CheckCache
from briefgen.errors import BriefgenError
from briefgen.project import Project
from briefgen.render.checks import check_project

NATO = "content/alliances/nato.yaml"
FREE_RIDING = "content/obstacles/free-riding.yaml"
STANDING = "summary says 'seeds', a word readers must not see"


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _check(root: Path, cached: bool = True) -> tuple[list[str], Project]:
    """Check ROOT (through the build folder's cache unless CACHED is false); the errors' lines and the project."""
    project = Project(root)
    if cached:
        project.check_cache = CheckCache(root / "build" / ".cache" / "check", root / "build")
    try:
        check_project(project)
    except BriefgenError as exc:
        return exc.format_message().splitlines(), project
    finally:
        save_checked_content(project)
    return [], project


@pytest.fixture
def standing(small: Path) -> Path:
    """The two-block project with a standing error in NATO's summary (a machinery word), checked once."""
    _edit(small, NATO, "CSIS calls NATO the gold standard", "As the seeds say, CSIS calls NATO the gold standard")
    first, project = _check(small)
    assert any(STANDING in line for line in first)
    assert project.check_cache.checked == len(project.catalogue.blocks)
    return small


def test_an_edit_rechecks_only_that_block_and_still_reports_another_blocks_standing_error(standing: Path) -> None:
    _edit(standing, FREE_RIDING, "summary: >-\n", "summary: >-\n  This block is new.\n")
    lines, project = _check(standing)
    assert (project.check_cache.checked, project.check_cache.reused) == (1, len(project.catalogue.blocks) - 1)
    assert any(STANDING in line and line.startswith(NATO) for line in lines)  # from the cache
    assert any("says 'This block'" in line and line.startswith(FREE_RIDING) for line in lines)  # checked again


def test_cached_findings_read_back_exactly_as_a_fresh_check_reports_them(standing: Path) -> None:
    cached, project = _check(standing)
    fresh, uncached = _check(standing, cached=False)
    assert project.check_cache.checked == 0
    assert cached == fresh
    assert [e.format_message() for e in project.claims()] == [e.format_message() for e in uncached.claims()]


def test_a_changed_configuration_rechecks_every_block(standing: Path) -> None:
    cfg = standing / "briefgen.yaml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("forbidden_words: [seed,", "forbidden_words: [gold standard, seed,"), encoding="utf-8")
    lines, project = _check(standing)
    assert project.check_cache.reused == 0
    assert any("says 'gold standard'" in line for line in lines)


def test_the_build_reports_a_cached_error_and_keeps_one_entry_per_block(standing: Path, run) -> None:
    result = run(standing, "build", "-q", "--jobs", "1")
    assert result.exit_code == 1
    assert f"error: {STANDING}" in result.output and NATO in result.output
    data = json.loads((standing / "build" / ".cache" / "check" / CACHE_FILE).read_text(encoding="utf-8"))
    assert sorted(e["file"] for e in data["entries"].values()) == sorted(Project(standing).catalogue.files.values())
