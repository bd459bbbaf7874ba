"""The local executor: the warm process pool on this machine, with per-document CPU and memory limits."""
from __future__ import annotations

import concurrent.futures as cf

from briefgen.batch.executors.base import ExecutorChoice, ExecutorSetup, Inputs
from briefgen.batch.pool import Job, Pool


class LocalExecutor:
    """batch.pool.Pool behind the Executor interface: workers read the project here, so INPUTS need no check."""

    name = "local"

    def __init__(self, setup: ExecutorSetup, choice: ExecutorChoice | None = None) -> None:  # noqa: ARG002
        self.pool = Pool(setup.root, setup.jobs, setup.limits, warm=setup.warm, read_content=setup.read_content,
                         out=setup.out)

    def submit(self, job: Job, inputs: Inputs | None = None, *, first: bool = False  # noqa: ARG002 - same files
               ) -> cf.Future:
        return self.pool.submit(job, first=first)

    def close(self, *, interrupt: bool = False) -> None:
        self.pool.close(interrupt=interrupt)

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.close(interrupt=exc_type is not None)
