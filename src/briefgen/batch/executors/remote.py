"""What a Dask worker runs: a job, after checking that the project it reads is the one the client hashed."""
from __future__ import annotations

import logging
import os
import resource
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from briefgen.batch.pool import DocumentTimeout, Job, JobResult, timeout_error
from briefgen.errors import Location, RenderError
from briefgen.project import Project
from briefgen.render.templates import cpu_limit
from briefgen.safeio import hash_file

logger = logging.getLogger(__name__)

_lock = threading.Lock()
#: The project each root was last read for, and the build it was read for (a new build reads it again).
_projects: dict[str, tuple[str, Project]] = {}
#: (build, file) pairs this worker has already checked against the client's hash.
_checked: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class RemoteTask:
    """A job as shipped to a worker: the job (it carries its target), the project's path the worker reads, the build
    it belongs to, the content hashes of the files it reads, and the client's SOURCE_DATE_EPOCH."""

    job: Job
    root: str
    build: str
    inputs: dict[str, str | None] = field(default_factory=dict)
    epoch: str | None = None
    #: CPU seconds the job may take on the worker (--doc-timeout); None: no limit.
    seconds: float | None = None


def run_task(task: RemoteTask) -> JobResult:
    """Run TASK's job with the project at its root (read once per build) within its CPU-time limit; refuse files that
    differ from the client's."""
    start = time.perf_counter()
    project = _project(task.root, task.build)
    _check_inputs(task)
    try:
        with _source_date(task.epoch), cpu_limit(task.seconds, DocumentTimeout) if task.seconds else nullcontext():
            value = task.job.run(project)
    except DocumentTimeout:  # the thread is freed for the next task; the document fails as on the local pool
        raise timeout_error(task.seconds or 0, task.job) from None
    return JobResult(value, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _project(root: str, build: str) -> Project:
    with _lock:
        held = _projects.get(root)
        if held is None or held[0] != build:
            if not _projects:  # the first task on this worker: quiet the engine's logs as the local workers do
                logging.getLogger("weasyprint").setLevel(logging.WARNING)
                logging.getLogger("fontTools").setLevel(logging.ERROR)
            _projects.clear()  # one build's project at a time: a worker serving many builds does not grow
            _checked.clear()
            _projects[root] = held = (build, Project(Path(root)))
        return held[1]


def _check_inputs(task: RemoteTask) -> None:
    """Every file TASK reads must hash as it did on the client: the workers need the project at the same path."""
    root = Path(task.root)
    for rel, expected in task.inputs.items():
        if "#" in rel or (task.build, rel) in _checked:
            continue
        try:
            found: str | None = hash_file(root / rel, root)
        except OSError:
            found = None
        if found != expected:
            source = getattr(task.job, "source", "") or rel
            raise RenderError(f"the Dask worker on {os.uname().nodename} sees {rel} under {root} "
                              f"{'missing' if found is None else 'different'} from the client's copy",
                              Location(source), "give every worker the project at the same path with the same files "
                              "(a shared folder), or build with --executor local")
        with _lock:
            _checked.add((task.build, rel))


@contextmanager
def _source_date(epoch: str | None) -> Iterator[None]:
    """Render under the client's SOURCE_DATE_EPOCH (or none), so outputs match the local pool's byte for byte."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    _set("SOURCE_DATE_EPOCH", epoch)
    try:
        yield
    finally:
        _set("SOURCE_DATE_EPOCH", saved)


def _set(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
