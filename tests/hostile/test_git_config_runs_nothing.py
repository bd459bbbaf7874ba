"""A project's own git configuration cannot make briefgen run a program: each vector writes a marker if it runs."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from briefgen import safegit
from briefgen.editions import records

#: Hostile settings for a project's `.git/config`, by what they would abuse. {probe} is a shell command that
#: creates the vector's marker file.
VECTORS: dict[str, list[tuple[str, str]]] = {
    "fsmonitor": [("core.fsmonitor", "{probe}")],
    "pager": [("core.pager", "{probe}"), ("pager.log", "{probe}"), ("pager.status", "{probe}")],
    "clean-smudge-filter": [("filter.evil.clean", "{probe}"), ("filter.evil.smudge", "{probe}"),
                            ("filter.evil.process", "{probe}"), ("filter.evil.required", "true")],
    "textconv-external-diff": [("diff.evil.textconv", "{probe}"), ("diff.evil.command", "{probe}"),
                               ("diff.external", "{probe}")],
    "signature-program": [("log.showSignature", "true"), ("gpg.program", "{probe}")],
    "hooks": [("core.hooksPath", "hooks")],
    "included-file": [("include.path", "../evil.config")],
}


#: The test's own git commands neutralise the vectors, so only briefgen's calls could fire a probe.
_OWN = ("-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "filter.evil.clean=cat", "-c",
        "filter.evil.smudge=cat", "-c", "core.fsmonitor=false", "-c",
        "core.hooksPath=/dev/null", "-c", "core.pager=cat", "-c", "log.showSignature=false")


def _git(repo: Path, *args: str, raw: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    own = () if raw else _OWN
    return subprocess.run(["git", "-C", str(repo), *own, *args], env=env, capture_output=True, text=True,
                          timeout=60)


def _hostile_repo(project: Path, vector: str, markers: Path) -> Path:
    """PROJECT as a git repository with one commit, then VECTOR's settings in its .git/config."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    markers.mkdir(exist_ok=True)
    marker = markers / vector
    probe = f"sh -c 'touch {marker}' ; cat"
    (project / ".gitattributes").write_text("* filter=evil diff=evil\n")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    assert _git(project, "commit", "-q", "-m", "content").returncode == 0
    settings = VECTORS[vector]
    if vector == "hooks":
        hooks = project / ".git" / "hooks"
        hooks.mkdir(exist_ok=True)
        for name in ("pre-commit", "post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc",
                     "fsmonitor-watchman", "post-rewrite"):
            (hooks / name).write_text(f"#!/bin/sh\ntouch {marker}\n")
            (hooks / name).chmod(0o755)
    if vector == "included-file":
        (project / ".git" / ".." / "evil.config").write_text(
            f"[core]\n\tfsmonitor = {probe}\n\tpager = {probe}\n[pager]\n\tlog = {probe}\n")
    for key, value in settings:
        _git(project, "config", key, value.format(probe=probe))
    return marker


@pytest.mark.parametrize("vector", sorted(VECTORS))
def test_no_git_setting_of_the_project_runs_a_program(small: Path, tmp_path: Path, vector: str) -> None:
    marker = _hostile_repo(small, vector, tmp_path / "markers")
    # The probe is live: plain git, as briefgen ran it before, runs the program for the vectors that name one
    # directly (fsmonitor and clean filters through `status`; pagers only on a terminal; hooks only on commit).
    if vector in ("fsmonitor", "clean-smudge-filter", "included-file"):
        nato = small / "content" / "alliances" / "nato.yaml"
        original = nato.read_bytes()
        # Same size, another modification time: git must read the file through its clean filter to compare it.
        stat = nato.stat()
        os.utime(nato, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))
        _git(small, "-c", "user.name=t", "status", "--porcelain", raw=True)
        assert marker.exists(), "the probe should fire through plain `git status`"
        marker.unlink()
        nato.write_bytes(original)
    files = ["content/alliances/nato.yaml", "audiences/congress.yaml"]
    records._in_git.cache_clear()
    day = records.content_date(small, files)
    head = safegit.text(small, "rev-parse", "HEAD")
    assert head is not None
    tree = safegit.tree_files(small, head.strip(), ["content", "audiences"], file_limit=10_000_000,
                              total_limit=100_000_000)
    assert tree is not None and "content/alliances/nato.yaml" in tree
    assert tree["content/alliances/nato.yaml"] == (small / "content" / "alliances" / "nato.yaml").read_bytes()
    stamp = safegit.text(small, "log", "-1", "--format=%ct", "--", *files)
    assert stamp and int(stamp) > 0 and day.year >= 2020  # dated from the commit, not refused
    assert not marker.exists(), f"a program named by {vector} ran"


def test_brief_and_diff_since_a_revision_run_nothing_the_project_configures(small: Path, tmp_path: Path,
                                                                           run) -> None:
    markers = tmp_path / "markers"
    for vector in ("fsmonitor", "clean-smudge-filter", "textconv-external-diff", "pager", "signature-program"):
        marker = _hostile_repo(small, vector, markers) if vector == "fsmonitor" else markers / vector
        if vector != "fsmonitor":
            probe = f"sh -c 'touch {marker}' ; cat"
            for key, value in VECTORS[vector]:
                if not key.endswith(".process"):  # the test commits below: a process filter would break them
                    _git(small, "config", key, value.format(probe=probe))
    nato = small / "content" / "alliances" / "nato.yaml"
    result = run(small, "brief", "nato")  # a first edition: dated from git
    assert result.exit_code == 0, result.output
    nato.write_text(nato.read_text().replace("NATO", "NATO", 1) + "\n")
    assert _git(small, "commit", "-qam", "edit").returncode == 0
    result = run(small, "brief", "nato")
    assert result.exit_code == 0, result.output
    result = run(small, "diff", "nato", "--since", "HEAD~1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in markers.iterdir()) == [], "a program named by the project's git config ran"


def test_a_revision_with_links_and_huge_files_is_read_without_following_or_filling_tmp(small: Path, tmp_path: Path,
                                                                                      run) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    outside = tmp_path / "outside-secret.txt"
    outside.write_text("OUTSIDE-SECRET\n")
    _git(small, "init", "-q")
    (small / "seeds" / "abs-link.md").symlink_to(outside)
    (small / "seeds" / "rel-link.md").symlink_to("../../outside-secret.txt")
    with (small / "seeds" / "zeros.bin").open("wb") as fh:
        fh.truncate(11_000_000)
    _git(small, "add", "-A")
    assert _git(small, "commit", "-qm", "links").returncode == 0
    for name in ("abs-link.md", "rel-link.md"):  # in the revision only
        (small / "seeds" / name).unlink()
    result = run(small, "diff", "nato", "--since", "HEAD")
    assert result.exit_code == 2
    assert "too large to compare" in result.output and "seeds/zeros.bin" in result.output
    assert "Traceback" not in result.output
    _git(small, "rm", "-q", "--cached", "seeds/zeros.bin")
    (small / "seeds" / "zeros.bin").unlink()
    assert _git(small, "commit", "-qm", "no zeros").returncode == 0
    result = run(small, "diff", "nato", "--since", "HEAD")
    assert result.exit_code == 0, result.output
    assert "OUTSIDE-SECRET" not in result.output
