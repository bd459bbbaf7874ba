"""Render workers forked from the one warm forker per process behave as workers started afresh would: they take the
environment, folder, umask and CPUs of the process that starts their pool, and their CPU time is counted."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen.batch import forker
from briefgen.batch.pool import Pool


@dataclass(frozen=True)
class ContextJob:
    """A job that reports the context its worker runs in."""

    label: str = "context"
    source: str = ""

    def run(self, project: object) -> dict:
        mask = os.umask(0)
        os.umask(mask)
        return {"epoch": os.environ.get("SOURCE_DATE_EPOCH"), "cwd": os.getcwd(), "umask": mask,
                "cpus": sorted(os.sched_getaffinity(0)), "forker": os.getppid(), "pid": os.getpid()}


def _context(small: Path) -> dict:
    with Pool(small, 1, read_content=False) as pool:
        return pool.submit(ContextJob()).result(timeout=300).value


def test_a_forked_worker_takes_the_context_its_pool_starts_in_not_the_forkers(
        small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SOURCE_DATE_EPOCH set, the folder changed, a tighter umask and fewer CPUs after the forker started: the next
    pool's worker has them all, and comes from the same forker (one per process)."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = _context(small)  # the forker is running from here on
    assert first["epoch"] is None and first["forker"] != os.getpid()
    cpus = sorted(os.sched_getaffinity(0))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(tmp_path)
    mask = os.umask(0o027)
    try:
        os.sched_setaffinity(0, {cpus[-1]})
        second = _context(small)
    finally:
        os.umask(mask)
        os.sched_setaffinity(0, cpus)
    assert second["epoch"] == "1700000000"
    assert second["cwd"] == str(tmp_path)
    assert second["umask"] == 0o027
    assert second["cpus"] == [cpus[-1]]
    assert second["forker"] == first["forker"] and second["pid"] != first["pid"]


def test_the_cpu_time_of_forked_workers_is_counted_when_they_end(small: Path) -> None:
    """The workers are the forker's children, not this process's: the forker reports each one's CPU seconds as it
    reaps it (the test suite's CPU profile adds them)."""
    before = forker.cpu_seconds()
    _context(small)
    assert forker.cpu_seconds() > before
