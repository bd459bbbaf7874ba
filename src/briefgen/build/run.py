"""Run a build: check, plan, skip fresh targets, render the rest in warm workers, record."""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import os
import re
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from briefgen._version import __version__
from briefgen.build.editions import Proposal, commit, record_rel
from briefgen.build.inputs import Hasher, content_inputs, shared_inputs, tool_id, watched_files
from briefgen.build.manifest import _fresh, fast_up_to_date, load_manifest, save_manifest
from briefgen.build.pool import Limits, Pool
from briefgen.build.render import Output, RenderMany, RenderTargetJob, render_target
from briefgen.build.targets import Target, plan
from briefgen.config.inputs import EDITION_GLOBS, EDITIONS_DIR, project_files
from briefgen.errors import BriefgenError
from briefgen.project import Project
from briefgen.render import templates
from briefgen.render.book.segments import SegmentJob
from briefgen.safeio import hash_file


class Reporter(Protocol):
    """Receives a build's progress (the command line draws a bar)."""

    def start(self, total: int) -> None: ...

    def done(self, target: Target, error: BriefgenError | None) -> None: ...


class _Silent:
    def start(self, total: int) -> None:
        pass

    def done(self, target: Target, error: BriefgenError | None) -> None:
        pass


class BuildInterrupted(BaseException):
    """SIGINT or SIGTERM arrived during a build."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass
class BuildReport:
    """What a build did: targets rendered, skipped as up to date, failed (with their errors), and the time."""

    planned: int = 0
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[tuple[str, BriefgenError]] = field(default_factory=list)
    seconds: float = 0.0
    fast: bool = False
    book: dict[str, dict] = field(default_factory=dict)
    #: The highest resident memory any worker reported, in megabytes.
    peak_worker_mb: float = 0.0
    #: The layout audit's findings of every planned output (built now or recorded by an earlier build), by output.
    layout: dict[str, list[dict]] = field(default_factory=dict)
    #: One-pagers: the condensing steps applied, by output (those built now or recorded earlier).
    fit_steps: dict[str, list[str]] = field(default_factory=dict)
    #: Whether the build ran with --strict (layout findings then fail it).
    strict: bool = False

    @property
    def findings(self) -> list[dict]:
        return [f for rel in sorted(self.layout) for f in self.layout[rel]]

    @property
    def layout_failed(self) -> bool:
        """Under --strict, any layout finding fails the build."""
        return self.strict and bool(self.findings)


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def pool_renderer(pool: Pool, strict: bool = False, audience: str = "") -> RenderMany:
    """Render book segments in POOL's warm workers, all at once; the first failure is raised."""
    def many(jobs: list[tuple[str, str, str, bool]]) -> list:
        futures = [pool.submit(SegmentJob(html, source, strict, f"book/{label}", audience if shared else ""))
                   for label, html, source, shared in jobs]
        return [f.result().value for f in futures]

    return many


def _book_job(project: Project, target: Target, out: Path, pool: Pool, strict: bool) -> Output:
    return render_target(project, target, out, strict=strict,
                         render_many=pool_renderer(pool, strict, target.audience))


def build_book(project: Project, target: Target, out: Path, *, jobs: int | None = None, strict: bool = False,
               limits: Limits | None = None) -> Output:
    """Render one book TARGET (a selection, a title) into OUT, its segments in warm workers."""
    project.check()
    # The book's templates render in this process: they get the per-document time limit too.
    with Pool(project.root, jobs or default_jobs(), limits, warm=jobs or default_jobs()) as pool, \
            templates.time_limit((limits or Limits()).seconds, process=True):
        return _book_job(project, target, out, pool, strict)


def _sweep_temporaries(out: Path) -> None:
    """Remove temporary files an interrupted write left (write_atomic names them .NAME.RANDOM.tmp)."""
    pattern = re.compile(r"^\..+\.[^.]+\.tmp$")
    for path in out.rglob(".*.tmp"):
        if pattern.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)


def run_build(project: Project | Path, audiences: list[str] | None = None, out: Path | None = None, *,
              jobs: int | None = None, strict: bool = False, limits: Limits | None = None,
              reporter: Reporter | None = None, record_editions: bool = True) -> BuildReport:
    """Build every target of AUDIENCES (default: the project's default audience) into OUT, rendering what changed.

    The editions of the documents rendered are recorded in the project's editions/ (build.editions) unless
    RECORD_EDITIONS is false: the documents then show the editions they would get, and the record is left as it is.
    """
    # Templates rendered here (the book's) get the per-document time limit too, not only the workers' renders.
    with templates.time_limit((limits or Limits()).seconds, process=True):
        return _run_build(project, audiences, out, jobs=jobs, strict=strict, limits=limits, reporter=reporter,
                          record_editions=record_editions)


def _run_build(project: Project | Path, audiences: list[str] | None, out: Path | None, *, jobs: int | None,
               strict: bool, limits: Limits | None, reporter: Reporter | None,
               record_editions: bool = True) -> BuildReport:
    started = time.perf_counter()
    reporter = reporter or _Silent()
    root = (project.root if isinstance(project, Project) else Path(project)).resolve()
    out = (out or root / "build").resolve()
    names = list(audiences) if audiences else [(project if isinstance(project, Project) else Project(root))
                                               .config.default_audience]
    report = BuildReport(strict=strict)
    # Hash the inputs before reading them: a file changed or added during the build then differs from what
    # is recorded, so the next build takes it up (hashing at the end would record it as already built).
    hasher = Hasher(root)
    files = {f: hasher(f) for f in watched_files(root, names)}
    if names and fast_up_to_date(root, out, names, strict, hasher):
        manifest = load_manifest(out)
        report.skipped = [rel for name in names for rel in manifest["planned"][name]]
        report.planned = len(report.skipped)
        report.fast = True
        reporter.start(0)
        _collect_layout(report, manifest["outputs"], report.skipped)
        report.seconds = time.perf_counter() - started
        return report

    project = project if isinstance(project, Project) else Project(root)
    project.check()  # every configuration error is reported here, once, before any worker starts
    for name in names:
        project.audience(name)  # an unknown audience is a usage problem before anything renders
    targets = [Target(str(t.kind), str(t.block_id), str(t.audience)) for name in names for t in plan(project, name)]
    manifest = load_manifest(out)
    entries: dict[str, dict] = manifest["outputs"]
    stale: list[tuple[Target, dict[str, str | None]]] = []
    shared = {name: shared_inputs(root, name) for name in names}
    for target in targets:
        inputs = {f: hasher(f) for f in shared[target.audience]}
        previous_deps = (entries.get(target.rel()) or {}).get("deps")
        inputs.update(content_inputs(project, target, hasher, previous_deps if isinstance(previous_deps, dict)
                                     else None))
        record_file = record_rel(target.kind, target.block_id, target.audience)
        inputs[record_file] = hasher(record_file)  # its edition: a record edited or deleted re-renders it
        inputs = dict(sorted(inputs.items()))
        if _fresh(entries.get(target.rel()), inputs, out, target.rel(), strict):
            report.skipped.append(target.rel())
        else:
            stale.append((target, inputs))
    report.planned = len(targets)
    reporter.start(len(stale))
    run_started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()

    def record(target: Target, inputs: dict[str, str | None], seconds: float, output: Output) -> None:
        rel = target.rel()
        path = out / rel
        if target.kind != "book":  # what it read is now known: its inputs are the linked fields it showed
            inputs = {**{f: hasher(f) for f in shared[target.audience]},
                      **content_inputs(project, target, hasher, output.deps)}
        if output.edition:  # the edition it shows is recorded before its inputs are: the record file is one of them
            proposal = Proposal.from_dict(output.edition)
            if record_editions:
                commit(root, proposal)
            inputs = {**inputs, proposal.rel: _hash_or_none(root / proposal.rel)}
            edition_entry = {"doc_number": proposal.doc_number, "edition": proposal.edition.number,
                             "date": proposal.edition.date.isoformat()}
        else:
            edition_entry = {}
        inputs = dict(sorted(inputs.items()))
        entry = {"kind": target.kind, "id": target.block_id, "audience": target.audience,
                 "sha256": hash_file(path), "bytes": path.stat().st_size,
                 "seconds": round(seconds, 3), "built": run_started, "tool": tool_id(), "strict": strict,
                 "inputs": inputs, **edition_entry}
        if target.kind != "book":
            entry["deps"] = output.deps
        if output.fit_level is not None:
            entry["fit_level"] = output.fit_level
        if output.fit_level is not None or output.fit_steps:
            entry["fit_steps"] = list(output.fit_steps)
        entry["layout"] = list(output.layout)
        if output.book:
            entry["book"] = {**output.book, "seconds": round(seconds, 3)}
        entries[rel] = entry
        report.built.append(rel)

    interrupted: BuildInterrupted | None = None
    previous = {}

    def on_signal(signum: int, frame: Any) -> None:  # noqa: ARG001
        raise BuildInterrupted(signum)

    in_main = _main_thread()
    if stale and in_main:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    pool: Pool | None = None
    books: cf.ThreadPoolExecutor | None = None
    try:
        if stale:
            workers = jobs or default_jobs()
            if not any(t.kind == "book" for t, _i in stale):
                workers = min(workers, len(stale))  # a book has many segments; other targets are one task each
            pool = Pool(root, workers, limits, warm=workers)  # they start while the book is planned
            book_targets = [(t, i) for t, i in stale if t.kind == "book"]
            books = cf.ThreadPoolExecutor(max_workers=max(1, len(book_targets)), thread_name_prefix="briefgen-book")
            pending: dict[cf.Future, tuple[Target, dict, float]] = {}
            for target, inputs in stale:
                now = time.perf_counter()
                if target.kind == "book":
                    future = books.submit(_book_job, project, target, out, pool, strict)
                else:
                    source = project.catalogue.file_of(project.catalogue.get(target.block_id))
                    fit_start = (entries.get(target.rel()) or {}).get("fit_level")
                    future = pool.submit(RenderTargetJob(target, str(out), strict,
                                                         fit_start=fit_start if isinstance(fit_start, int) else None,
                                                         source=str(source)))
                pending[future] = (target, inputs, now)
            while pending:
                done, _ = cf.wait(list(pending), timeout=0.2, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    target, inputs, t0 = pending.pop(future)
                    try:
                        result = future.result()
                    except BriefgenError as exc:
                        report.failures.append((target.rel(), exc))
                        reporter.done(target, exc)
                        continue
                    if target.kind == "book":  # rendered by a thread here, its segments in the pool
                        record(target, inputs, time.perf_counter() - t0, result)
                        report.book[target.audience] = entries[target.rel()]["book"]
                    else:
                        record(target, inputs, result.seconds, result.value)
                        report.peak_worker_mb = max(report.peak_worker_mb, result.peak_mb)
                    reporter.done(target, None)
    except BuildInterrupted as exc:
        interrupted = exc
    finally:
        if previous:
            for sig in previous:  # a second Ctrl-C must not cut the clean-up short
                signal.signal(sig, signal.SIG_IGN)
        if interrupted is not None:
            templates.cancel_renders()  # a book template rendering in a thread here stops at once
        if pool is not None:
            pool.close(interrupt=interrupted is not None)
        if books is not None:
            books.shutdown(wait=True, cancel_futures=True)
        if interrupted is not None:
            _sweep_temporaries(out)
        if files:  # the record files as this build left them, so the next no-op takes the fast path
            files = {f: h for f, h in files.items() if not f.startswith(EDITIONS_DIR + "/")}
            files.update({f: _hash_or_none(root / f) for f in project_files(root, EDITION_GLOBS)})
            files = dict(sorted(files.items()))
        report.seconds = time.perf_counter() - started
        # The full path always records what it found, so the next no-op takes the fast path.
        manifest.update({
            "tool": "briefgen", "version": __version__, "code": tool_id(), "generated": run_started,
            "seconds": round(report.seconds, 3), "jobs": jobs or default_jobs(), "audiences": names,
            "strict": strict,
            "planned": {**manifest.get("planned", {}),
                        **{n: [t.rel() for t in targets if t.audience == n] for n in names}},
            "files": files if not report.failures and not interrupted else {},
            "last_run": {"built": report.built, "skipped": len(report.skipped),
                         "failed": [{"output": rel, "error": exc.format_message()} for rel, exc in report.failures],
                         "interrupted": interrupted is not None,
                         "peak_worker_mb": round(report.peak_worker_mb, 1)},
        })
        manifest["outputs"] = entries
        save_manifest(out, manifest)
        _collect_layout(report, entries, [t.rel() for t in targets])
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if interrupted is not None:
        raise interrupted
    return report


def _collect_layout(report: BuildReport, entries: dict[str, dict], rels: list[str]) -> None:
    """Gather the recorded layout findings and fit steps of RELS (so an up-to-date output still reports them)."""
    for rel in rels:
        entry = entries.get(rel) or {}
        findings = entry.get("layout")
        if isinstance(findings, list) and findings:
            report.layout[rel] = [f for f in findings if isinstance(f, dict)]
        steps = entry.get("fit_steps")
        if isinstance(steps, list) and steps:
            report.fit_steps[rel] = [str(s) for s in steps]


def _hash_or_none(path: Path) -> str | None:
    """A file's sha256, or None when it is not there (an edition not recorded, with --no-record)."""
    try:
        return hash_file(path)
    except OSError:
        return None


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()

