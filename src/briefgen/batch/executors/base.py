"""What an executor is: it runs a build's picklable jobs somewhere and hands back a future of each JobResult."""
from __future__ import annotations

import concurrent.futures as cf
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from briefgen.batch.pool import Job, Limits

#: A job's inputs as the client hashed them: project-relative path -> sha256 (None: absent). Keys with a "#" are
#: digests of linked blocks' fields, not files.
Inputs = dict[str, "str | None"]


@dataclass(frozen=True)
class ExecutorChoice:
    """Which executor a build uses: "local" (warm processes here) or "dask" (SCHEDULER's cluster, else one here)."""

    name: str = "local"
    #: A Dask scheduler's address (tcp://host:8786); None: a LocalCluster of --jobs workers on this machine.
    scheduler: str | None = None


@dataclass(frozen=True)
class ExecutorSetup:
    """What every executor is started with: the project root, how many workers, their limits, how many to warm."""

    root: Path
    jobs: int
    limits: Limits
    warm: int = 0
    #: Whether a local worker reads the catalogue and seeds as it starts (False: it renders only book segments,
    #: which read neither).
    read_content: bool = True
    #: The build's output folder: local workers read the content files it parsed from its parse cache.
    out: Path | None = None


class Executor(Protocol):
    """Runs jobs and returns concurrent.futures.Future objects resolving to a batch.pool.JobResult, or raising the
    job's BriefgenError. The client alone writes outputs and the manifest: a job returns what it made."""

    name: str

    def submit(self, job: Job, inputs: Inputs | None = None, *, first: bool = False) -> cf.Future:
        """Queue JOB; INPUTS are the content hashes of the project files it reads (a remote worker checks them);
        FIRST: run it before the jobs not submitted FIRST (a book's segments: the book waits on them to be joined,
        while another document waits on nothing, so the book's serial joining overlaps other documents)."""

    def close(self, *, interrupt: bool = False) -> None:
        """Stop the workers (at once when INTERRUPT); jobs not finished fail as interrupted."""
