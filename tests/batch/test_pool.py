"""The worker pool never leaves a document waiting: a worker that dies mid-run, or a pool that fails, fails its
documents with the cause."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from briefgen.batch.pool import Pool, WorkersCannotStart
from briefgen.errors import RenderError


@dataclass(frozen=True)
class DieJob:
    """A job whose worker process dies while running it (as a crash or the kernel's OOM killer would end it)."""

    label: str = "dying"
    source: str = "content/alliances/nato.yaml"

    def run(self, project: object) -> None:
        os._exit(3)


@dataclass(frozen=True)
class EchoJob:
    """A job that returns its label."""

    label: str = "echo"
    source: str = ""

    def run(self, project: object) -> str:
        return self.label


@dataclass(frozen=True)
class ReadJob:
    """A job that names the parts of the project its worker had read before it ran."""

    label: str = "read"
    source: str = ""

    def run(self, project: object) -> list[str]:
        return sorted(name for name in ("catalogue", "seeds") if name in vars(project))


@dataclass(frozen=True)
class WhenJob:
    """A job that waits until the file GATE exists (when given), then returns when it ran (the system's monotonic
    clock, the same in every process)."""

    label: str = "when"
    source: str = ""
    gate: str = ""

    def run(self, project: object) -> float:
        while self.gate and not os.path.exists(self.gate):
            time.sleep(0.01)
        return time.monotonic()


def test_a_job_submitted_first_runs_before_those_waiting(small: Path, tmp_path: Path) -> None:
    """A job submitted with first=True (a book's segment) goes ahead of the jobs already waiting, after those
    submitted first before it."""
    gate = tmp_path / "go"
    with Pool(small, 1, read_content=False) as pool:
        busy = pool.submit(WhenJob("busy", gate=str(gate)))
        while not busy.running():  # the worker has taken it: the others wait
            time.sleep(0.01)
        later = [pool.submit(WhenJob(f"doc-{i}")) for i in range(2)]
        firsts = [pool.submit(WhenJob(f"book/segment-{i}"), first=True) for i in range(2)]
        gate.touch()
        ran = [f.result(timeout=300).value for f in (busy, *firsts, *later)]
    assert ran == sorted(ran)


def test_a_pool_for_book_segments_leaves_the_content_unread(small: Path) -> None:
    """A pool started with read_content=False (the book command's: segments read no block) does not read the
    catalogue and seeds as its workers start."""
    with Pool(small, 1, read_content=False) as pool:
        assert pool.submit(ReadJob()).result(timeout=300).value == []


def test_a_job_goes_back_to_the_worker_that_ran_its_label() -> None:
    """A book chapter measured on one worker is written on the same one (its line breaks are cached there): a free
    worker takes the first waiting job whose label it ran, else one no other worker ran, else the first."""
    measurer = SimpleNamespace(ran={"book/ch-a"}, dead=False)
    other = SimpleNamespace(ran={"book/ch-c"}, dead=False)
    pool = SimpleNamespace(_workers=[measurer, other])
    backlog = [(EchoJob(label), None) for label in ("book/ch-c", "book/ch-b", "book/ch-a")]
    assert Pool._pick(pool, measurer, backlog) == 2  # its own chapter, though two wait before it
    assert Pool._pick(pool, other, backlog) == 0
    assert Pool._pick(pool, other, backlog[1:]) == 0  # nothing of its own: one no worker ran
    assert Pool._pick(pool, other, backlog[2:]) == 0  # only the other's: taken all the same (no worker waits)
    assert Pool._pick(pool, measurer, backlog[:2]) == 1  # not the other's chapter while another job waits


def test_a_worker_dying_mid_run_fails_its_document_with_the_exit_code_and_the_pool_goes_on(small: Path) -> None:
    with Pool(small, 1) as pool:
        dying = pool.submit(DieJob())
        with pytest.raises(RenderError) as caught:
            dying.result(timeout=300)
        message = caught.value.format_message()
        assert message.startswith("content/alliances/nato.yaml: error: the worker rendering dying stopped "
                                  "unexpectedly (exit code 3)")
        assert pool.submit(EchoJob("after")).result(timeout=300).value == "after"  # a new worker took over


class _BrokenPool(Pool):
    """A pool whose dispatcher fails (as when it cannot start a process at all)."""

    def _serve(self, backlog: list) -> None:
        while not backlog:
            backlog.extend(self._pending())
            if not backlog:
                self._wake_r.poll(None)
                self._wake_r.recv_bytes()
        raise RuntimeError("cannot start a process")


def test_a_failing_pool_fails_its_documents_instead_of_leaving_them_waiting(small: Path) -> None:
    pool = _BrokenPool(small, 1)
    try:
        future = pool.submit(EchoJob())
        with pytest.raises(WorkersCannotStart, match="the worker pool failed: RuntimeError: cannot start a process"):
            future.result(timeout=60)
    finally:
        pool.close()


def test_a_worker_reads_the_builds_parse_cache_and_never_writes_it(small: Path, tmp_path: Path) -> None:
    """read_parsed_content (what a worker does at start) reads the cache the build wrote; an unsafe one is left
    alone there (the build itself reports it)."""
    from briefgen.batch.targets import keep_checked_content, read_parsed_content, save_checked_content
    from briefgen.project import Project

    build = Project(small)
    keep_checked_content(build, tmp_path)
    build.catalogue  # noqa: B018 - parsed
    save_checked_content(build)
    cache = tmp_path / ".cache" / "parse" / "nodes.json"
    before = cache.read_bytes()
    nato = small / "content" / "alliances" / "nato.yaml"
    nato.write_text(nato.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    worker = Project(small)
    read_parsed_content(worker, tmp_path)
    assert worker.parse_cache is not None and not worker.parse_cache.writable and worker.parse_cache.entries
    assert worker.catalogue.get("free-riding") is not None
    assert cache.read_bytes() == before  # the edited file was parsed, but nothing written
    cache.unlink()
    os.mkfifo(cache)
    read_parsed_content(other := Project(small), tmp_path)
    assert other.parse_cache is None and other.catalogue.get("nato") is not None
