"""The build's check and parse caches under build/.cache: tampering is ignored, no link followed, no FIFO opened."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CACHE = Path("build") / ".cache" / "check"
NATO = "content/alliances/nato.yaml"
STANDING = "summary says 'seeds', a word readers must not see"


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The real CLI in a child process: a hang fails the test (timeout) instead of stalling the suite."""
    return subprocess.run([sys.executable, "-m", "briefgen", "--project", str(root), *args], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def cached(small: Path, run) -> Path:
    """The two-block project with a standing error in NATO's summary, built once (it fails at the check) so the
    cache holds that error."""
    path = small / NATO
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("CSIS calls NATO the gold standard", "As the seeds say, CSIS calls NATO the gold "
                                 "standard", 1), encoding="utf-8")
    result = run(small, "build", "-q", "--jobs", "1")
    assert result.exit_code == 1 and STANDING in result.output
    assert (small / CACHE / "findings.json").is_file()
    return small


def _entries(root: Path) -> dict:
    return json.loads((root / CACHE / "findings.json").read_text(encoding="utf-8"))


def test_a_cache_with_an_error_removed_is_ignored_and_the_error_still_reported(cached: Path, run) -> None:
    data = _entries(cached)
    for entry in data["entries"].values():
        entry["claims"] = []  # the file's own digest no longer matches
    (cached / CACHE / "findings.json").write_text(json.dumps(data), encoding="utf-8")
    result = run(cached, "build", "-q", "--jobs", "1")
    assert result.exit_code == 1 and STANDING in result.output


def test_a_cached_finding_moved_to_another_file_is_not_trusted(cached: Path, run) -> None:
    """Even with the digest made to match, an entry whose finding names another file is checked again."""
    import hashlib

    data = _entries(cached)
    for entry in data["entries"].values():
        for finding in entry["claims"]:
            finding["path"] = "content/obstacles/free-riding.yaml"
    data["sha256"] = hashlib.sha256(json.dumps(data["entries"], sort_keys=True).encode()).hexdigest()
    (cached / CACHE / "findings.json").write_text(json.dumps(data), encoding="utf-8")
    result = run(cached, "build", "-q", "--jobs", "1")
    assert result.exit_code == 1
    assert any(line.startswith(f"{NATO}:") and STANDING in line for line in result.output.splitlines())
    assert not any(line.startswith("content/obstacles/") and STANDING in line for line in result.output.splitlines())


def test_a_fifo_for_the_check_cache_is_a_located_error_never_a_hang(small: Path) -> None:
    (small / CACHE).mkdir(parents=True)
    os.mkfifo(small / CACHE / "findings.json")
    done = _cli(small, "build", "-q", "--jobs", "1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "findings.json: error: the check cache is unsafe" in done.stderr and "not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("cache", ["check", "parse"])
def test_a_linked_cache_folder_is_refused_and_nothing_outside_is_written(small: Path, tmp_path: Path, run,
                                                                        cache: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = small / "build" / ".cache" / cache
    folder.parent.mkdir(parents=True)
    folder.symlink_to(outside)
    result = run(small, "build", "-q", "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert f"the {cache} cache is unsafe" in result.output and "is a link" in result.output
    assert list(outside.iterdir()) == []
