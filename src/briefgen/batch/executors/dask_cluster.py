"""The Dask executor: documents render on a Dask cluster's workers (an existing scheduler, or a LocalCluster here)."""
from __future__ import annotations

import concurrent.futures as cf
import logging
import os
import uuid
from typing import Any

from briefgen.batch.executors.base import ExecutorChoice, ExecutorSetup, Inputs
from briefgen.batch.executors.remote import RemoteTask, run_task
from briefgen.batch.pool import Interrupted, Job
from briefgen.errors import COMMAND_LINE, BriefgenError, Location, RenderError, UsageError

logger = logging.getLogger(__name__)

#: Times a task may lose its worker before it is reported as failed, on a LocalCluster (Dask's allowed-failures: a
#: lost worker's task is run again on another); an existing cluster's scheduler has its own setting.
ALLOWED_FAILURES = 3


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError("the dask executor needs the dask and distributed packages", COMMAND_LINE,
                         "install them with pip install 'briefgen[dask]', or build with --executor local") from None
    return distributed


class DaskExecutor:
    """Ships each job to a Dask worker with its inputs' hashes; the result (bytes, pages, findings, dependencies)
    comes back here, where the build writes it. Without a scheduler address, a LocalCluster of JOBS single-threaded
    worker processes on 127.0.0.1 is started for the build and stopped after it, each with --doc-memory as its
    memory limit (a worker over it is restarted, its document retried)."""

    name = "dask"

    def __init__(self, setup: ExecutorSetup, choice: ExecutorChoice) -> None:
        distributed = _distributed()
        import dask

        if logging.getLogger("distributed").level == logging.NOTSET:  # its INFO chatter is not the build's output
            logging.getLogger("distributed").setLevel(logging.WARNING)

        dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES})
        self.root = str(setup.root)
        self.build = uuid.uuid4().hex
        self.epoch = os.environ.get("SOURCE_DATE_EPOCH")
        self.seconds = setup.limits.seconds
        self.cluster: Any = None
        if choice.scheduler is None:
            self.cluster = distributed.LocalCluster(n_workers=setup.jobs, threads_per_worker=1, processes=True,
                                                    host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                                    memory_limit=f"{setup.limits.memory_mb}MiB",
                                                    silence_logs=logging.ERROR)
            address = self.cluster.scheduler_address
        else:
            address = choice.scheduler
        try:
            # A wrong address fails after Dask's connect timeout (distributed.comm.timeouts.connect, 30 s).
            self.client = distributed.Client(address, timeout=dask.config.get("distributed.comm.timeouts.connect"),
                                             set_as_default=False)
        except (OSError, TimeoutError) as exc:
            self._stop_cluster()
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}", COMMAND_LINE,
                             "start one with `dask scheduler` and workers with `dask worker ADDRESS`, or check "
                             "--scheduler") from None
        self._killed = distributed.KilledWorker
        #: Every task not settled yet: key -> (its remote future, the future submit() returned, the job).
        self._running: dict[str, tuple[Any, cf.Future, Job]] = {}

    def submit(self, job: Job, inputs: Inputs | None = None, *, first: bool = False) -> cf.Future:
        """Send JOB as a task (a unique key: the same document twice is two tasks; FIRST: at a higher priority);
        resolve the returned future."""
        task = RemoteTask(job, self.root, self.build, dict(inputs or {}), self.epoch, self.seconds)
        future: cf.Future = cf.Future()
        future.set_running_or_notify_cancel()
        key = f"briefgen-{job.label}-{uuid.uuid4().hex}"
        remote = self.client.submit(run_task, task, key=key, pure=False, priority=1 if first else 0)
        self._running[key] = (remote, future, job)
        remote.add_done_callback(lambda done: self._settle(done, future, job))
        return future

    def _settle(self, done: Any, future: cf.Future, job: Job) -> None:
        """Pass DONE's result or error to FUTURE: a job's BriefgenError as it is, a worker lost too often or a bug
        as the document's RenderError."""
        source = getattr(job, "source", "") or None
        if self._running.pop(done.key, None) is None:
            return  # settled already (the build was stopped)
        try:
            future.set_result(done.result())
        except BriefgenError as exc:
            future.set_exception(exc)
        except self._killed:
            future.set_exception(RenderError(
                f"the Dask workers rendering {job.label} stopped unexpectedly, again on every retry",
                Location(source) if source else None,
                "the document may need more memory than the workers have (dask worker --memory-limit), or crashed "
                "the renderer"))
        except (cf.CancelledError, Exception) as exc:  # noqa: BLE001 - one document's failure, not the build's
            if done.cancelled() or isinstance(exc, cf.CancelledError):
                future.set_exception(Interrupted(f"the build was stopped while rendering {job.label}", None, None))
            else:
                future.set_exception(RenderError(f"internal error on a Dask worker: {type(exc).__name__}: {exc}",
                                                 Location(source) if source else None,
                                                 "report this as a briefgen bug"))

    def close(self, *, interrupt: bool = False) -> None:
        """Cancel what is left (on interrupt), disconnect, and stop the LocalCluster this build started."""
        try:
            left = list(self._running.values())
            self._running.clear()
            if interrupt and left:
                self.client.cancel([remote for remote, _f, _j in left], force=True)
            for _remote, future, job in left:
                if not future.done():
                    future.set_exception(Interrupted(f"the build was stopped while rendering {job.label}", None, None))
            self.client.close()
        finally:
            self._stop_cluster()

    def _stop_cluster(self) -> None:
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
