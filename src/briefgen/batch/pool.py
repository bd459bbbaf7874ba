"""A generic pool of warm worker processes: each imports WeasyPrint once and runs one picklable job at a time."""
from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import resource
import signal
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Protocol

from briefgen.batch.forker import ForkedWorker, ForkerFailed, WorkerContext, start_worker
from briefgen.errors import BriefgenError, CpuTimeout, Location, RenderError

logger = logging.getLogger(__name__)

#: Seconds a worker may overrun its document's wall-clock backstop before the parent kills it.
KILL_GRACE = 5.0

#: The wall-clock backstop, as a multiple of a document's CPU-time limit: a worker blocked without using CPU (so its
#: CPU timer never fires) is killed after this long, while a loaded machine that merely slows it has room.
WALL_FACTOR = 4.0


@dataclass(frozen=True)
class Limits:
    """What one document may cost a worker: CPU seconds and address space in megabytes.

    CPU time, not wall time, so that a busy machine slows a document without failing it; the parent still kills a
    worker that takes WALL_FACTOR times as long in wall time (blocked, not computing).
    """

    seconds: float = 120.0
    memory_mb: int = 3072


class Job(Protocol):
    """Work a worker process can do: picklable, with a label and a source file for messages.

    The pool knows nothing of what a job does; the job's class is imported in the worker by unpickling.
    """

    label: str
    source: str

    def run(self, project: Any) -> Any:
        """Do the work with PROJECT (a briefgen.project.Project the worker keeps, with its render resources
        built once); return a picklable result or raise a BriefgenError."""


@dataclass
class JobResult:
    """What a worker reports for a finished job: its result and the seconds it took."""

    value: Any
    seconds: float
    #: The worker's peak resident memory so far, in megabytes (for the benchmark).
    peak_mb: float = 0.0


#: The exit code of a worker process (or of the forker it starts from) that stopped because the script starting it
#: calls briefgen at its top level.
EXIT_UNGUARDED = 78


class WorkersCannotStart(RenderError):
    """Worker processes die before they are ready: every document of the build fails with this cause."""


def unguarded_script() -> str | None:
    """The script the workers' forker is importing while it starts (spawn imports the parent's main module again),
    when briefgen is called from it now: a script whose calls are not under `if __name__ == "__main__":`."""
    if not getattr(multiprocessing.current_process(), "_inheriting", False):
        return None
    import sys

    main = sys.modules.get("__mp_main__") or sys.modules.get("__main__")
    return str(getattr(main, "__file__", "") or "the script")


def refuse_unguarded() -> None:
    """In a worker process starting up, stop before a script's top-level call renders anything (see
    unguarded_script); the pool reports the cause to the parent by the exit code."""
    script = unguarded_script()
    if script is not None:
        import sys

        print(f"briefgen: a worker process stopped at start-up: {script} calls briefgen at its top level; put the "
              "calls under `if __name__ == \"__main__\":`", file=sys.stderr)
        raise SystemExit(EXIT_UNGUARDED)


class DocumentTimeout(CpuTimeout):
    """Raised inside a worker when a document exceeds its time limit (BaseException: nothing swallows it)."""


def timeout_error(seconds: float, job: Any) -> RenderError:
    """The error of JOB stopped past its SECONDS of CPU time (a local worker's or a Dask worker's)."""
    return RenderError(f"rendering used more CPU time than the {seconds:g} s limit and was stopped",
                       Location(job.source) if getattr(job, "source", "") else None,
                       "shorten the document (a very long paragraph or table?) or raise --doc-timeout")


def _caused_by_memory(exc: BaseException) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        # A C library whose allocation fails at the address-space limit may return an error without setting
        # MemoryError; CPython then raises this SystemError.
        if isinstance(exc, MemoryError) or (isinstance(exc, SystemError) and "without exception set" in str(exc)):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _memory_error(limits: Limits, job: Any) -> RenderError:
    return RenderError(f"rendering needed more than the {limits.memory_mb} MB memory limit and was stopped",
                       Location(job.source) if getattr(job, "source", "") else None,
                       "shorten the document or raise --doc-memory")


def _on_alarm(signum: int, frame: Any) -> None:  # noqa: ARG001
    raise DocumentTimeout()


def _on_term(signum: int, frame: Any) -> None:  # noqa: ARG001
    raise SystemExit(128 + signum)  # unwinds through write_atomic, which removes its temporary file


def worker_main(conn: Connection, root: str, limits: Limits, read_content: bool = True, out: str | None = None
                ) -> None:
    """Run jobs from CONN until it closes: one at a time, each within LIMITS; READ_CONTENT: read the catalogue and
    seeds before the first job (a pool of book segments needs neither), the files the build OUT parsed before from
    its parse cache."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides how an interrupted build ends
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGPROF, _on_alarm)
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint").propagate = False
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    import pikepdf  # noqa: F401 - loaded now, so the memory limit below counts documents, not libraries

    from briefgen.project import Project
    from briefgen.render.pdf import weasyprint

    weasyprint()  # pay the import once, before the first document
    project = Project(Path(root))
    if out is not None and read_content:
        from briefgen.batch.targets import read_parsed_content

        read_parsed_content(project, Path(out))
    try:  # read the content once, outside any document's time limit
        if read_content:
            project.catalogue, project.seeds  # noqa: B018
    except BriefgenError:
        pass  # the parent has reported it already; each job will report it again
    if limits.memory_mb:
        cap = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        conn.send(("ready", os.getpid()))
    except (BrokenPipeError, OSError):
        return  # the pool closed before this worker was needed
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - a task that cannot be read is reported, not fatal
            try:
                conn.send(("error", RenderError(f"internal error: unreadable job: {exc}", None,
                                                "report this as a briefgen bug"), False))
            except (BrokenPipeError, OSError):
                return
            continue
        start = time.perf_counter()
        restart = False
        try:
            signal.setitimer(signal.ITIMER_PROF, limits.seconds)  # CPU time of this process
            try:
                value = task.run(project)
                result = JobResult(value, time.perf_counter() - start,
                                   resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            reply: tuple = ("ok", result)
        except DocumentTimeout:
            reply = ("error", timeout_error(limits.seconds, task))
        except BriefgenError as exc:
            if _caused_by_memory(exc):
                restart = True
                reply = ("error", _memory_error(limits, task))
            else:
                reply = ("error", exc)
        except MemoryError:
            restart = True
            reply = ("error", _memory_error(limits, task))
        except Exception as exc:  # noqa: BLE001 - a bug must not take the batch down; report it as this document's
            logger.exception("worker failed on %s", getattr(task, "label", task))
            reply = ("error", RenderError(f"internal error: {type(exc).__name__}: {exc}",
                                          Location(task.source) if task.source else None,
                                          "report this as a briefgen bug"))
        try:
            conn.send((*reply, restart))  # after MemoryError the process may be unreliable: the parent replaces it
        except (BrokenPipeError, OSError):
            return
        if restart:
            return


def worker_process(conn: Connection, root: str, limits: Limits, read_content: bool = True,
                   out: str | None = None) -> None:
    """Run worker_main, then leave at once with its exit code: the interpreter's clean-up would free WeasyPrint's
    caches object by object, tenths of a second every build waits for (a worker writes no file; its pipe closes)."""
    code = 0
    try:
        worker_main(conn, root, limits, read_content, out)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
    os._exit(code)


def preload() -> None:
    """What every worker imports before its first document (about a CPU-second): the forker does it once, and the
    workers it forks start with it done."""
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint").propagate = False
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    import pikepdf  # noqa: F401

    import briefgen.batch.render  # noqa: F401 - the jobs' modules, unpickled by the workers
    import briefgen.batch.targets  # noqa: F401
    import briefgen.project  # noqa: F401
    import briefgen.render.book.segments  # noqa: F401
    from briefgen.render.pdf import weasyprint

    weasyprint()


class _Worker:
    def __init__(self, ctx: WorkerContext, root: str, limits: Limits, read_content: bool, out: str | None = None
                 ) -> None:
        self.conn, child = multiprocessing.Pipe()
        try:
            self.process: Any = start_worker(worker_process, (child, root, limits, read_content, out), ctx, preload)
        except ForkerFailed as failed:  # e.g. EXIT_UNGUARDED: reported as this worker's death at start-up
            self.process = ForkedWorker.failed(failed.exitcode)
        except (EOFError, OSError) as exc:
            logger.warning("could not start a worker: %s", exc)
            self.process = ForkedWorker.failed(None)
        child.close()
        self.ready = False
        self.task: Any = None
        self.future: Future | None = None
        self.deadline = 0.0
        self.dead = False
        #: The labels of the jobs it ran: a job of the same label again comes back here (Pool._pick).
        self.ran: set[str] = set()


class Interrupted(BriefgenError):
    """The build was interrupted before this document was done."""


class Pool:
    """Up to JOBS warm worker processes, started when work arrives (or WARM of them at once, when the caller
    knows work is coming: their start-up then overlaps its planning); submit() returns a Future per task.
    READ_CONTENT: each worker reads the catalogue and seeds as it starts (not for a pool of book segments)."""

    def __init__(self, root: Path, jobs: int, limits: Limits | None = None, *, warm: int = 0,
                 read_content: bool = True, out: Path | None = None) -> None:
        refuse_unguarded()
        self.root = str(root)
        self.out = str(out) if out is not None else None  # a build's output folder: its parse cache is read
        self.jobs = max(1, jobs)
        self._warm = min(self.jobs, max(0, warm))
        self.limits = limits or Limits()
        self.read_content = read_content
        self._ctx = WorkerContext.now()  # the workers' environment, folder, umask and CPUs: this process's, now
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        self._lock = threading.Lock()
        self._closing = False
        self._bad_starts = 0
        self._broken: str | None = None
        self._broken_at: Location | None = None
        self._broken_hint = "raise --doc-memory, or check the installation with `briefgen brief ID`"
        self._workers: list[_Worker] = []
        #: How many tasks at the head of the backlog were submitted FIRST (they go before every other).
        self._firsts = 0
        self._thread = threading.Thread(target=self._dispatch, name="briefgen-pool", daemon=True)
        self._thread.start()

    def submit(self, task: Job, *, first: bool = False) -> Future:
        """Queue JOB (FIRST: ahead of every task not submitted FIRST); the Future resolves to a JobResult or raises
        the job's BriefgenError."""
        future: Future = Future()
        if self._closing:
            future.set_exception(Interrupted("the build was stopped", None, None))
            return future
        self._queue.put((task, future, first))
        with self._lock:
            self._wake_w.send_bytes(b"x")
        return future

    def _pending(self) -> list[tuple[Any, Future, bool]]:
        items = []
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                return items

    def _dispatch(self) -> None:
        """Run the pool (see _serve); if it fails, fail every document waiting on it instead of leaving them waiting."""
        backlog: list[tuple[Any, Future]] = []
        try:
            self._serve(backlog)
        except BaseException as exc:  # noqa: BLE001 - a dead dispatcher would leave the build waiting forever
            logger.exception("the worker pool failed")
            error = WorkersCannotStart(f"the worker pool failed: {type(exc).__name__}: {exc}", None,
                                       "run `briefgen build` from a terminal; if it fails the same way, report "
                                       "this as a briefgen bug")
            for _task, future, *_first in backlog + self._pending():
                if future.set_running_or_notify_cancel():
                    future.set_exception(error)
            for w in self._workers:
                if w.future is not None and not w.future.done():
                    w.future.set_exception(error)
                if w.process.is_alive():
                    w.process.kill()

    def _serve(self, backlog: list[tuple[Any, Future]]) -> None:
        self._workers = [_Worker(self._ctx, self.root, self.limits, self.read_content, self.out)
                         for _ in range(self._warm)]
        while not self._closing:
            for task, future, first in self._pending():
                if first:  # after those submitted first before it, ahead of the rest
                    backlog.insert(self._firsts, (task, future))
                    self._firsts += 1
                else:
                    backlog.append((task, future))
            if self._broken:
                for _task, future in backlog:
                    if future.set_running_or_notify_cancel():
                        future.set_exception(WorkersCannotStart(self._broken, self._broken_at, self._broken_hint))
                backlog.clear()
                self._firsts = 0
            self._workers = [w for w in self._workers if not w.dead]
            free = sum(1 for w in self._workers if w.task is None)
            while not self._broken and len(backlog) > free and len(self._workers) < self.jobs:
                # as the work needs
                self._workers.append(_Worker(self._ctx, self.root, self.limits, self.read_content, self.out))
                free += 1
            for w in self._workers:
                if w.ready and w.task is None and backlog:
                    index = self._pick(w, backlog[:self._firsts] or backlog)
                    if index < self._firsts:
                        self._firsts -= 1
                    task, future = backlog.pop(index)
                    if not future.set_running_or_notify_cancel():
                        continue
                    w.task, w.future = task, future
                    w.ran.add(task.label)
                    w.deadline = time.monotonic() + self.limits.seconds * WALL_FACTOR + KILL_GRACE
                    try:
                        w.conn.send(task)
                    except (BrokenPipeError, OSError):
                        pass  # its sentinel reports the death below
            busy = [w.deadline for w in self._workers if w.task is not None]
            timeout = max(0.0, min(busy) - time.monotonic()) if busy else None
            handles: list[Any] = [self._wake_r]
            for w in self._workers:
                if not w.dead:
                    handles += [w.conn, w.process.sentinel]
            ready = wait(handles, timeout=timeout)
            if self._wake_r in ready:
                while self._wake_r.poll():
                    self._wake_r.recv_bytes()
            for w in list(self._workers):
                if w.dead:
                    continue
                if w.conn in ready:
                    try:
                        message = w.conn.recv()
                    except (EOFError, OSError):
                        message = None
                    except Exception as exc:  # noqa: BLE001 - an unreadable reply fails its job, not the pool
                        logger.exception("unreadable reply from a worker")
                        message = ("error", RenderError(f"internal error: unreadable result: {exc}", None,
                                                        "report this as a briefgen bug"), True)
                    if message is not None:
                        if self._handle(w, message):
                            self._retire(w, died=False)
                        continue
                if w.process.sentinel in ready or (w.task is not None and time.monotonic() > w.deadline):
                    self._retire(w, died=w.process.sentinel in ready)
        self._fail_all(backlog)

    def _pick(self, w: _Worker, backlog: list[tuple[Any, Future]]) -> int:
        """Which of BACKLOG's tasks (those submitted first, while any wait) W takes: the first whose label W ran before
        (a book chapter measured, then written with its real page references: W's caches, its line breaks, hold its
        text), else the first no other live worker ran, else the first."""
        labels = [task.label for task, _future in backlog]
        mine = next((i for i, label in enumerate(labels) if label in w.ran), None)
        if mine is not None:
            return mine
        others = set().union(*(o.ran for o in self._workers if o is not w and not o.dead))
        return next((i for i, label in enumerate(labels) if label not in others), 0)

    def _handle(self, w: _Worker, message: tuple) -> bool:
        """Settle the worker's task from MESSAGE; return True when the worker asks to be replaced."""
        if message[0] == "ready":
            w.ready = True
            return False
        status, payload, retire = message
        future, w.task, w.future = w.future, None, None
        if future is not None:
            if status == "ok":
                future.set_result(payload)
            else:
                future.set_exception(payload if isinstance(payload, BriefgenError) else
                                     RenderError(f"internal error: {payload!r}", None, "report this as a bug"))
        return bool(retire)

    def _retire(self, w: _Worker, *, died: bool) -> None:
        """Stop W (dead, overdue or asking to go), fail its task with the reason; a new one starts on demand."""
        if w.process.is_alive():
            w.process.kill()
        w.process.join(5)
        if w.future is not None and not w.future.done():
            source = getattr(w.task, "source", "") or None
            if died:
                code = w.process.exitcode
                w.future.set_exception(RenderError(
                    f"the worker rendering {w.task.label} stopped unexpectedly (exit code {code})",
                    Location(source) if source else None,
                    "the document may need more memory than --doc-memory allows, or crashed the renderer"))
            else:
                w.future.set_exception(RenderError(
                    f"rendering {w.task.label} did not finish in {self.limits.seconds * WALL_FACTOR:g} s of wall time "
                    f"({WALL_FACTOR:g} times the {self.limits.seconds:g} s CPU limit); worker stopped",
                    Location(source) if source else None, "shorten the document or raise --doc-timeout"))
        w.conn.close()
        w.dead = True
        if not w.ready and died:
            self._bad_starts += 1
            if w.process.exitcode == EXIT_UNGUARDED:  # the script that started the build: no retry will help
                import sys

                script = getattr(sys.modules.get("__main__"), "__file__", None) or "the script"
                self._broken = (f"worker processes stopped at start-up: {Path(script).name} calls briefgen at its top "
                                "level, and the process the workers start from imports it again before any can work")
                self._broken_at = Location(Path(script).name)
                self._broken_hint = ('put the calls under `if __name__ == "__main__":` (as in the README\'s Python '
                                     "API example), or run `briefgen build`")
            elif self._bad_starts > 2 * self.jobs:
                self._broken = f"worker processes could not start (last exit code {w.process.exitcode})"

    def _fail_all(self, backlog: list[tuple[Any, Future]]) -> None:
        for _task, future, *_first in backlog + self._pending():
            if future.set_running_or_notify_cancel():
                future.set_exception(Interrupted("the build was stopped before this document", None, None))
        for w in self._workers:
            if w.future is not None and not w.future.done():
                w.future.set_exception(Interrupted(f"the build was stopped while rendering {w.task.label}", None, None))

    def close(self, *, interrupt: bool = False) -> None:
        """Stop the workers: politely (SIGTERM, so temporary files are removed), then by force."""
        with self._lock:
            self._closing = True
            try:
                self._wake_w.send_bytes(b"x")
            except OSError:
                pass
        self._thread.join(10)
        for w in self._workers:
            if w.process.is_alive():
                if interrupt or w.task is not None:
                    w.process.terminate()
                else:
                    w.conn.close()
        deadline = time.monotonic() + 3
        for w in self._workers:
            w.process.join(max(0.1, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join(2)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        self.close(interrupt=exc_type is not None)
