"""One warm process per briefgen process that forks the pool's render workers, so each skips a second of imports."""
from __future__ import annotations

import atexit
import gc
import logging
import multiprocessing
import os
import select
import signal
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import reduction
from multiprocessing.connection import Connection, wait

from briefgen.write import current_umask

logger = logging.getLogger(__name__)

#: What the forker writes on a worker's status pipe once it has reaped it: the exit code (negative: the signal that
#: ended it, as multiprocessing reports it), the worker's CPU seconds, the forker's own CPU seconds so far.
_STATUS = struct.Struct("!idd")

#: The exit code reported for a worker whose forker ended before it could say how the worker ended.
EXIT_UNKNOWN = 70


@dataclass(frozen=True)
class WorkerContext:
    """What a worker takes from the process that starts the pool, at that moment, instead of from the forker:
    the environment (SOURCE_DATE_EPOCH set after the forker started), working folder, umask and CPUs."""

    env: dict[str, str]
    cwd: str
    umask: int
    cpus: frozenset[int] | None

    @staticmethod
    def now() -> WorkerContext:
        """This process's context as it is now."""
        cpus = frozenset(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        return WorkerContext(dict(os.environ), os.getcwd(), current_umask(), cpus)

    def apply(self) -> None:
        """Make this (forked) process's context this one."""
        os.environ.clear()
        os.environ.update(self.env)
        os.chdir(self.cwd)
        os.umask(self.umask)
        if self.cpus is not None:
            os.sched_setaffinity(0, self.cpus)


class ForkedWorker:
    """A worker process forked by the forker, with the part of multiprocessing.Process the pool uses: pid,
    sentinel, exitcode, is_alive, join, terminate, kill."""

    def __init__(self, pid: int, status_fd: int, exitcode: int | None = None) -> None:
        self.pid = pid
        self.sentinel = status_fd  # readable once the forker has reaped the worker (or is gone)
        self._exitcode = exitcode

    @staticmethod
    def failed(exitcode: int | None) -> ForkedWorker:
        """A worker that never started, as its forker ended at start-up with EXITCODE."""
        r, w = os.pipe()
        os.close(w)
        return ForkedWorker(0, r, EXIT_UNKNOWN if exitcode is None else exitcode)

    @property
    def exitcode(self) -> int | None:
        if self._exitcode is None and wait([self.sentinel], 0):  # poll(), not select(): any descriptor number
            self._settle()
        return self._exitcode

    def _settle(self) -> None:
        """Read how the worker ended; the pipe stays open, at its end: the sentinel stays readable."""
        data = os.read(self.sentinel, _STATUS.size)
        if len(data) == _STATUS.size:
            code, cpu, forker_cpu = _STATUS.unpack(data)
            _account(cpu, forker_cpu)
            self._exitcode = code
        else:
            self._exitcode = EXIT_UNKNOWN

    def __del__(self) -> None:
        try:
            os.close(self.sentinel)
        except OSError:
            pass

    def is_alive(self) -> bool:
        return self.exitcode is None

    def join(self, timeout: float | None = None) -> None:
        if self._exitcode is None and wait([self.sentinel], timeout):
            self._settle()

    def _signal(self, signum: int) -> None:
        if self.is_alive():  # not reaped yet, so the pid is still the worker's
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)


_cpu_lock = threading.Lock()
_cpu = {"workers": 0.0, "forker": 0.0}


def _account(worker_cpu: float, forker_cpu: float) -> None:
    with _cpu_lock:
        _cpu["workers"] += worker_cpu
        _cpu["forker"] = max(_cpu["forker"], forker_cpu)


def cpu_seconds() -> float:
    """CPU seconds of this process's forked workers that have ended, and of the forker itself so far: they are the
    forker's children, not this process's, so RUSAGE_CHILDREN counts them only once the forker has ended."""
    with _cpu_lock:
        return _cpu["workers"] + _cpu["forker"]


class Forker:
    """The warm process (started with multiprocessing's spawn, its imports done) and the pipe to ask it for workers;
    one per process, made by start_worker on first use."""

    def __init__(self, preload: Callable[[], None]) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(target=forker_main, args=(theirs, preload), name="briefgen-forker", daemon=True)
        self.process.start()
        theirs.close()
        self.owner = os.getpid()
        self.ready = self._wait_ready()

    def _wait_ready(self) -> bool:
        try:
            ready = wait([self.conn, self.process.sentinel])
            return self.conn in ready and self.conn.recv() == "ready"
        except (EOFError, OSError):
            return False

    def fork(self, target: Callable[..., None], args: tuple, context: WorkerContext) -> ForkedWorker:
        """A new worker running target(conn_end, *args) in CONTEXT; args[0] is the worker's end of its pipe."""
        status_r, status_w = os.pipe()
        conn, rest = args[0], args[1:]
        try:
            self.conn.send((target, rest, context))
            with _socket(self.conn) as sock:
                reduction.sendfds(sock, [conn.fileno(), status_w, 1, 2])  # its standard output and error are ours
            pid = self.conn.recv()
        except BaseException:
            os.close(status_r)
            raise
        finally:
            os.close(status_w)
        return ForkedWorker(pid, status_r)

    def stop(self) -> None:
        """Close the pipe (the forker stops the workers still running, then ends) and wait for it to end."""
        if self.owner != os.getpid():
            return
        self.conn.close()
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


def _socket(conn: Connection) -> socket.socket:
    """CONN's socket, to pass descriptors over (a duplicate: closing it leaves CONN open)."""
    return socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=os.dup(conn.fileno()))


_lock = threading.Lock()
_forker: Forker | None = None


def _reset_after_fork() -> None:
    global _forker, _lock
    _forker, _lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


class ForkerFailed(Exception):
    """The forker ended before it was ready: EXITCODE is its exit code."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"the forker ended at start-up (exit code {exitcode})")
        self.exitcode = exitcode


def start_worker(target: Callable[..., None], args: tuple, context: WorkerContext,
                 preload: Callable[[], None]) -> ForkedWorker:
    """Fork a worker running target(*args) in CONTEXT from this process's forker, starting the forker (which runs
    PRELOAD once) if none is running; raise ForkerFailed when it cannot start."""
    global _forker
    with _lock:
        for attempt in (1, 2):
            if _forker is None or not _forker.process.is_alive():
                _forker = Forker(preload)
                if not _forker.ready:
                    _forker.process.join(5)
                    code, _forker = _forker.process.exitcode, None
                    raise ForkerFailed(code)
            try:
                return _forker.fork(target, args, context)
            except (EOFError, OSError):
                if attempt == 2:
                    raise
                _forker = None  # it died since: start another
    raise AssertionError("unreachable")


@atexit.register
def _stop_forker() -> None:
    global _forker
    with _lock:
        if _forker is not None:
            _forker.stop()
            _forker = None


# --- In the forker process ----------------------------------------------------------------------------------------

def forker_main(conn: Connection, preload: Callable[[], None]) -> None:
    """Preload, then fork a worker per request on CONN until it closes; reap each and report how it ended on its
    status pipe. CONN closes when the parent ends: workers still running are stopped (SIGTERM: their temporary files
    are removed), killed 5 s later, and reaped, then the forker ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, as for the workers
    preload()
    gc.freeze()  # workers' full collections skip the objects they all share: measured, about 6% of a render's CPU
    sig_r, sig_w = os.pipe()
    os.set_blocking(sig_w, False)
    signal.set_wakeup_fd(sig_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: dict[int, int] = {}
    conn.send("ready")
    open_ = True
    while open_ or children:
        ready, _, _ = select.select([sig_r] + ([conn] if open_ else []), [], [], None if open_ else 5)
        if sig_r in ready:
            os.read(sig_r, 4096)
        _reap(children)
        if not ready and not open_:
            _signal_all(children, signal.SIGKILL)  # still running 5 s after SIGTERM
        if conn in ready:
            try:
                target, args, context = conn.recv()
                with _socket(conn) as sock:
                    fds = reduction.recvfds(sock, 4)
            except (EOFError, OSError):
                open_ = False
                _signal_all(children, signal.SIGTERM)
                continue
            pid = os.fork()
            if pid == 0:
                _worker_child(target, args, context, fds, [conn.fileno(), sig_r, sig_w, *children.values()])
            for fd in (fds[0], fds[2], fds[3]):
                os.close(fd)
            children[pid] = fds[1]
            try:
                conn.send(pid)
            except OSError:  # the parent is gone
                open_ = False
                _signal_all(children, signal.SIGTERM)


def _signal_all(children: dict[int, int], signum: int) -> None:
    for pid in children:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def _reap(children: dict[int, int]) -> None:
    """Report every worker that has ended on its status pipe."""
    while children:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        fd = children.pop(pid, None)
        if fd is None:
            continue
        own = os.times()
        data = _STATUS.pack(os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, own.user + own.system)
        try:
            os.write(fd, data)
        except OSError:
            pass  # the parent stopped listening
        os.close(fd)


def _worker_child(target: Callable[..., None], args: tuple, context: WorkerContext, fds: list[int],
                  forker_fds: list[int]) -> None:
    """In the forked worker: drop the forker's descriptors and signal set-up, take the parent's context and
    standard output and error, and run the worker; never return into the forker's loop."""
    code = 70
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in (*forker_fds, fds[1]):
            os.close(fd)
        os.dup2(fds[2], 1)
        os.dup2(fds[3], 2)
        os.close(fds[2])
        os.close(fds[3])
        context.apply()
        target(Connection(fds[0]), *args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported, then the worker ends with an error code
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)
