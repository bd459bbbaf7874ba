"""The book's segment cache under build/.cache: no link followed, no FIFO opened, tampering re-verified."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

CACHE = Path("build") / ".cache" / "book" / "executive" / "book"


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The real CLI in a child process: a hang fails the test (timeout) instead of stalling the suite."""
    return subprocess.run([sys.executable, "-m", "briefgen", "--project", str(root), *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("link", ["cache-folder", "cache-parent"])
def test_a_linked_cache_folder_is_refused_and_nothing_outside_is_written_or_deleted(small: Path, tmp_path: Path,
                                                                                   run, link: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    kept = outside / ("0" * 32 + ".pdf")  # named like a cached segment: the prune must not delete it
    kept.write_bytes(b"%PDF-1.4 keep me")
    where = small / CACHE if link == "cache-folder" else small / "build" / ".cache"
    where.parent.mkdir(parents=True, exist_ok=True)
    where.symlink_to(outside)
    result = run(small, "book", "--audience", "executive")
    assert result.exit_code == 1, result.output
    assert "is a link" in result.output and "cache" in result.output
    assert sorted(p.name for p in outside.iterdir()) == [kept.name]
    assert kept.read_bytes() == b"%PDF-1.4 keep me"


def test_a_fifo_for_the_cache_state_is_a_located_error_never_a_hang(small: Path) -> None:
    (small / CACHE).mkdir(parents=True)
    os.mkfifo(small / CACHE / "state.json")
    done = _cli(small, "book", "--audience", "executive")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "state.json: error:" in done.stderr and "not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_tampered_cache_notes_are_rendered_again_not_trusted(small: Path) -> None:
    """A note whose page count, key or hash does not match its PDF is a cache miss: the book builds right."""
    first = _cli(small, "book", "--audience", "executive")
    assert first.returncode == 0, first.stderr
    pages = len(pypdf.PdfReader(small / "build" / "executive" / "book.pdf").pages)
    notes = [p for p in (small / CACHE).glob("*.json") if p.name != "state.json"]
    assert notes
    for i, note in enumerate(notes):
        info = json.loads(note.read_text())
        if i % 2:
            info["pages"] = 40
        else:
            info["key"] = "f" * 32
        note.write_text(json.dumps(info))
    second = _cli(small, "book", "--audience", "executive")
    assert second.returncode == 0, second.stderr
    assert "0 reused" in second.stdout + second.stderr
    assert len(pypdf.PdfReader(small / "build" / "executive" / "book.pdf").pages) == pages
