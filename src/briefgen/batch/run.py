"""Run a build: check, plan, skip fresh targets, render the rest through an executor, write and record."""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import os
import re
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Protocol

from briefgen._version import __version__
from briefgen.batch.executors import Executor, ExecutorChoice, ExecutorSetup, Inputs, open_executor
from briefgen.batch.executors.local import LocalExecutor
from briefgen.batch.inputs import Hasher, content_inputs, shared_inputs, source_epoch, tool_id, watched_files
from briefgen.batch.manifest import _fresh, fast_up_to_date, likely_stale, load_manifest, save_manifest
from briefgen.batch.pool import Limits
from briefgen.batch.render import (
    Output,
    RenderMany,
    RenderTargetJob,
    render,
    render_target,
    start_levels,
    write,
)
from briefgen.config.inputs import EDITION_GLOBS, EDITIONS_DIR, project_files
from briefgen.config.kinds import Target, document_kind
from briefgen.errors import BriefgenError
from briefgen.project import Project
from briefgen.safeio import hash_file

if TYPE_CHECKING:  # the render stage loads when a build renders: the no-op fast path needs none of it
    from briefgen.render.book.segments import SegmentWork


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
    #: A layout check (`briefgen check --layout`): documents laid out and audited, nothing written.
    check_only: bool = False
    #: Layouts made, by output: how many times each document laid out was laid out by its fit loops.
    layouts: dict[str, int] = field(default_factory=dict)
    #: Curated content each output leaves out, and why (content.shown.Omission.as_dict()), by output.
    omitted: dict[str, list[dict]] = field(default_factory=dict)
    #: Why the manifest could not be written (a full disk), reported after the documents that failed.
    manifest_error: BriefgenError | None = None

    @property
    def findings(self) -> list[dict]:
        return [f for rel in sorted(self.layout) for f in self.layout[rel]]

    @property
    def layout_failed(self) -> bool:
        """Under --strict, any layout finding fails the build."""
        return self.strict and bool(self.findings)

    @property
    def unexpected_omissions(self) -> list[dict]:
        """What the outputs leave out that their documents did not expect (warnings; errors under --strict)."""
        return [o for rel in sorted(self.omitted) for o in self.omitted[rel] if not o.get("expected")]

    @property
    def omitted_failed(self) -> bool:
        """Under --strict, curated content a reader will not see fails the build."""
        return self.strict and bool(self.unexpected_omissions)


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def pool_renderer(executor: Executor, strict: bool = False, audience: str = "",
                  inputs: Inputs | None = None) -> RenderMany:
    """Render book segments through EXECUTOR's workers, all at once; the first failure is raised. INPUTS: the hashes
    of the files a segment reads (the shared ones: styles, fonts, images)."""
    from briefgen.render.book.segments import SegmentJob

    def many(jobs: list[SegmentWork]) -> list:
        futures = [executor.submit(SegmentJob(html, source, strict, f"book/{label}", audience if shared else "", fit),
                                   inputs, first=True)  # the book's joining, in this process, waits on them
                   for label, html, source, shared, fit in jobs]
        return [f.result().value for f in futures]

    return many


def _book_job(project: Project, target: Target, out: Path, executor: Executor, strict: bool,
              write_out: bool = True, inputs: Inputs | None = None) -> Output:
    many = pool_renderer(executor, strict, target.audience, inputs)
    if not write_out:  # a layout check: the book is made in a scratch folder and audited, nothing kept
        return render(project, target, "pdf", strict=strict, render_many=many)
    return render_target(project, target, out, strict=strict, render_many=many)


def build_book(project: Project, target: Target, out: Path, *, jobs: int | None = None, strict: bool = False,
               limits: Limits | None = None) -> Output:
    """Render one book TARGET (a selection, a title) into OUT, its segments in warm workers. The caller checks the
    project first (render.checks.check_project: the book command does, once for all the audiences it binds)."""
    from briefgen.render import templates

    # The book's templates render in this process: they get the per-document time limit too.
    workers = jobs or default_jobs()
    setup = ExecutorSetup(project.root, workers, limits or Limits(), warm=workers, read_content=False)  # segments only
    with LocalExecutor(setup) as executor, \
            templates.time_limit((limits or Limits()).seconds, process=True):
        return _book_job(project, target, out, executor, strict)


def _sweep_temporaries(out: Path) -> None:
    """Remove temporary files an interrupted write left (write_atomic names them .NAME.RANDOM.tmp)."""
    pattern = re.compile(r"^\..+\.[^.]+\.tmp$")
    for path in out.rglob(".*.tmp"):
        if pattern.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)


@dataclass(frozen=True)
class BuildOptions:
    """How a build runs: workers, strictness, limits, and whether it records editions or only checks layout."""

    #: Worker processes (default: all cores); with a LocalCluster, its workers.
    jobs: int | None = None
    #: Where documents render: the local warm pool (default) or a Dask cluster.
    executor: ExecutorChoice = ExecutorChoice()
    #: Layout findings and warnings fail the build.
    strict: bool = False
    #: Per-document CPU and memory limits in the workers.
    limits: Limits | None = None
    #: Record the editions of the documents rendered in the project's editions/.
    record_editions: bool = True
    #: A layout check: lay documents out and audit them, write nothing (`briefgen check --layout`).
    check_only: bool = False
    #: Only the documents of these kinds and of these alliances and obstacles (default: all; batch.targets.select).
    kinds: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()

    @property
    def selected(self) -> bool:
        """Whether only some of the planned documents are built (the no-op record then covers none)."""
        return bool(self.kinds or self.ids)


def run_build(project: Project | Path, audiences: list[str] | None = None, out: Path | None = None, *,
              jobs: int | None = None, strict: bool = False, limits: Limits | None = None,
              reporter: Reporter | None = None, record_editions: bool = True,
              executor: ExecutorChoice | None = None, kinds: tuple[str, ...] = (),
              ids: tuple[str, ...] = ()) -> BuildReport:
    """Build every target of AUDIENCES (default: the project's default audience) into OUT, rendering what changed.

    KINDS and IDS build only the documents of those kinds and of those alliances and obstacles (the book, having no
    id, only when KINDS names it; batch.targets.select); every other output's record in the manifest is kept as it
    was, and the next whole build checks every document again (the no-op record is cleared).

    EXECUTOR says where documents render (default: warm processes here; ExecutorChoice("dask", ADDRESS) a Dask
    cluster); this process alone writes the outputs and the manifest.

    The editions of the documents rendered are recorded in the project's editions/ (editions.records) unless
    RECORD_EDITIONS is false: the documents then show the editions they would get, and the record is left as it is.
    """
    options = BuildOptions(jobs=jobs, strict=strict, limits=limits, record_editions=record_editions,
                           executor=executor or ExecutorChoice(), kinds=tuple(kinds), ids=tuple(ids))
    return _run_build(project, audiences, out, options, reporter)


def run_layout_check(project: Project | Path, audiences: list[str] | None = None, out: Path | None = None, *,
                     kinds: tuple[str, ...] = (), ids: tuple[str, ...] = (), jobs: int | None = None,
                     strict: bool = False, limits: Limits | None = None,
                     reporter: Reporter | None = None) -> BuildReport:
    """Lay out and audit the documents of AUDIENCES (of KINDS, for the blocks IDS: default all, as run_build selects
    them) without writing them.

    The build's own path: the same plan, the same render() in the same warm workers, the same fit loops started at
    the levels the manifest recorded. A document whose output (or last check) is current with its inputs is not
    laid out again: its recorded findings are reported. The findings and fit levels of what was laid out are recorded
    in OUT/manifest.json under "checked"; no output file is written or replaced, and no edition is recorded.
    """
    options = BuildOptions(jobs=jobs, strict=strict, limits=limits, record_editions=False, check_only=True,
                           kinds=kinds, ids=ids)
    return _run_build(project, audiences, out, options, reporter)


def _checked_fresh(entry: dict | None, inputs: dict[str, str | None], strict: bool) -> bool:
    """Whether a layout check's record still holds: same tool, same strictness, same inputs."""
    return bool(entry) and entry.get("tool") == tool_id() and entry.get("strict", False) == strict \
        and entry.get("inputs") == inputs


def _run_build(project: Project | Path, audiences: list[str] | None, out: Path | None, options: BuildOptions,
               reporter: Reporter | None) -> BuildReport:
    """The build as a pipeline: the no-op fast path, else plan, dispatch (recording each output), finish.

    The no-op fast path reads the manifest and hashes files only: it imports no template, content or render module
    (a no-op build's time is mostly Python's start-up)."""
    started = time.perf_counter()
    reporter = reporter or _Silent()
    root = (project.root if isinstance(project, Project) else Path(project)).resolve()
    out = (out or root / "build").resolve()
    names = list(audiences) if audiences else [(project if isinstance(project, Project) else Project(root))
                                               .config.default_audience]
    # Hash the inputs before reading them: a file changed or added during the build then differs from what
    # is recorded, so the next build takes it up (hashing at the end would record it as already built).
    hasher = Hasher(root)
    files = {f: hasher(f) for f in watched_files(root, names)}
    if names and not (options.check_only or options.selected) \
            and fast_up_to_date(root, out, names, options.strict, hasher):
        return _fast_report(out, names, options, reporter, started)
    from briefgen.render import templates

    # Templates rendered here (the book's) get the per-document time limit too, not only the workers' renders.
    with templates.time_limit((options.limits or Limits()).seconds, process=True):
        return _full_build(project, root, out, names, options, hasher, files, reporter, started)


def _full_build(project: Project | Path, root: Path, out: Path, names: list[str], options: BuildOptions,
                hasher: Hasher, files: dict[str, str | None], reporter: Reporter, started: float) -> BuildReport:
    """Plan, dispatch (recording each output) and finish a build that is not a no-op."""
    run = _Run(project if isinstance(project, Project) else Project(root), out, names, options, hasher, reporter)
    if not options.check_only and likely_stale(out, files, options.strict):
        run.start_workers()  # they start (import WeasyPrint, read the content) while this process checks and plans
    try:
        stale = run.plan()
    except BaseException as exc:
        if run.executor is not None:
            run.executor.close(interrupt=not isinstance(exc, Exception))
        raise
    interrupted: BuildInterrupted | None = None
    with _trap_signals(enabled=bool(stale)) as previous:
        try:
            run.dispatch(stale)
        except BuildInterrupted as exc:
            interrupted = exc
        finally:
            for sig in previous:  # a second Ctrl-C must not cut the clean-up short
                signal.signal(sig, signal.SIG_IGN)
            run.finish(files, interrupted, started)
    if interrupted is not None:
        raise interrupted
    return run.report


def _fast_report(out: Path, names: list[str], options: BuildOptions, reporter: Reporter,
                 started: float) -> BuildReport:
    """Nothing changed since the last build: report its outputs from the manifest alone."""
    report = BuildReport(strict=options.strict, check_only=options.check_only)
    manifest = load_manifest(out)
    report.skipped = [rel for name in names for rel in manifest["planned"][name]]
    report.planned = len(report.skipped)
    report.fast = True
    reporter.start(0)
    _collect_layout(report, manifest["outputs"], report.skipped)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _trap_signals(enabled: bool) -> Iterator[dict]:
    """Turn SIGINT and SIGTERM into BuildInterrupted while a build renders (main thread only); restore after."""
    previous: dict = {}

    def on_signal(signum: int, frame: Any) -> None:  # noqa: ARG001
        raise BuildInterrupted(signum)

    if enabled and _main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        yield previous
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _Run:
    """One build in progress: its targets, the manifest it started from, and the report it fills."""

    def __init__(self, project: Project, out: Path, names: list[str], options: BuildOptions, hasher: Hasher,
                 reporter: Reporter) -> None:
        self.project, self.root, self.out, self.names = project, project.root, out, names
        self.options, self.hasher, self.reporter = options, hasher, reporter
        self.report = BuildReport(strict=options.strict, check_only=options.check_only)
        self.targets: list[Target] = []
        self.manifest: dict = {}
        self.entries: dict[str, dict] = {}
        self.checked: dict[str, dict] = {}
        self.recorded: dict[str, dict] = {}
        self.shared: dict[str, list[str]] = {}
        self.run_started = ""
        self.executor: Executor | None = None
        self.books: cf.ThreadPoolExecutor | None = None

    def plan(self) -> list[tuple[Target, dict[str, str | None]]]:
        """Check the project, plan every target, and return those whose inputs changed, with their inputs. The
        content caches are written once the plan is made or the content failed its check (a usage error writes
        nothing)."""
        from briefgen.batch.targets import save_checked_content
        from briefgen.errors import UsageError

        try:
            self.check()
            stale = self.outdated()
        except UsageError:
            raise
        except BriefgenError:
            save_checked_content(self.project)  # the findings of a failed check are reported again next time
            raise
        save_checked_content(self.project)
        return stale

    def check(self) -> None:
        """Check the project and the audiences asked for: every configuration error, once, before anything renders."""
        from briefgen.batch.targets import keep_checked_content
        from briefgen.render.checks import check_project

        # Parsed content files and each block's findings are kept in the output folder: an edit parses and checks
        # again only the blocks whose file, cited seeds or configuration changed; every recorded finding is reported.
        keep_checked_content(self.project, self.out)
        check_project(self.project)
        for name in self.names:
            self.project.audience(name)  # an unknown audience is a usage problem before anything renders

    def outdated(self) -> list[tuple[Target, dict[str, str | None]]]:
        """Plan every target, hash its inputs, and return those whose inputs changed since the manifest's record."""
        from briefgen.batch.targets import plan, select
        from briefgen.editions.records import record_rel

        project, options, hasher = self.project, self.options, self.hasher
        self.targets = [Target(str(t.kind), str(t.block_id), str(t.audience))
                        for name in self.names for t in plan(project, name)]
        if options.selected:
            self.targets = select(project, self.targets, options.kinds, options.ids)
        self.manifest = load_manifest(self.out)
        self.entries = self.manifest["outputs"]
        # What layout checks recorded (findings and fit levels of documents laid out but not written).
        checked = self.manifest.get("checked")
        self.checked = checked if isinstance(checked, dict) else {}
        # Where each target's findings are read from at the end: its output's entry, or its last check's.
        self.recorded = self.entries if not options.check_only else {}
        self.shared = {name: shared_inputs(self.root, name, project.audience(name).chain) for name in self.names}
        stale: list[tuple[Target, dict[str, str | None]]] = []
        for target in self.targets:
            rel = target.rel()
            inputs = {f: hasher(f) for f in self.shared[target.audience]}
            previous_deps = ((self.checked.get(rel) if options.check_only else None) or self.entries.get(rel)
                             or {}).get("deps")
            inputs.update(content_inputs(project, target, hasher, previous_deps if isinstance(previous_deps, dict)
                                         else None))
            record_file = record_rel(target.kind, target.block_id, target.audience)
            inputs[record_file] = hasher(record_file)  # its edition: a record edited or deleted re-renders it
            inputs = dict(sorted(inputs.items()))
            if _fresh(self.entries.get(rel), inputs, self.out, rel, options.strict):
                self.report.skipped.append(rel)
                self.recorded[rel] = self.entries[rel]
            elif options.check_only and _checked_fresh(self.checked.get(rel), inputs, options.strict):
                self.report.skipped.append(rel)
                self.recorded[rel] = self.checked[rel]
            else:
                stale.append((target, inputs))
        self.report.planned = len(self.targets)
        self.reporter.start(len(stale))
        self.run_started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        return stale

    def start_workers(self) -> None:
        """Open the executor with every worker warm (dispatch opens it otherwise); one that cannot open (a Dask
        scheduler not there) is left to dispatch, so it is reported where it always was, after the check."""
        workers = self.options.jobs or default_jobs()
        try:
            self.executor = open_executor(self.options.executor, ExecutorSetup(
                self.root, workers, self.options.limits or Limits(), workers, out=self.out))
        except BriefgenError:
            self.executor = None

    def dispatch(self, stale: list[tuple[Target, dict[str, str | None]]]) -> None:
        """Render STALE through the executor (a book in a thread here, its segments in the workers); write and
        record each as it comes back."""
        if not stale:
            return
        options, out = self.options, self.out
        workers = options.jobs or default_jobs()
        books = [(t, i) for t, i in stale if not document_kind(t.kind).per_block]
        if not books:
            workers = min(workers, len(stale))  # a book has many segments; other targets are one task each
        # Local workers start while books plan (or started already, while this process checked and planned).
        if self.executor is None:
            self.executor = open_executor(options.executor, ExecutorSetup(self.root, workers,
                                                                          options.limits or Limits(), workers,
                                                                          out=out))
        executor = self.executor
        self.books = cf.ThreadPoolExecutor(max_workers=max(1, len(books)), thread_name_prefix="briefgen-book")
        pending: dict[cf.Future, tuple[Target, dict, float]] = {}
        for target, inputs in stale:
            now = time.perf_counter()
            if not document_kind(target.kind).per_block:
                future = self.books.submit(_book_job, self.project, target, out, executor, options.strict,
                                           not options.check_only, self._shared_hashes(target.audience))
            else:
                source = self.project.catalogue.file_of(self.project.catalogue.get(target.block_id))
                # The fit loops start at the levels last recorded: a check's (a build drops it, so one still
                # there is newer than the output), else the output's build's.
                levels = start_levels(self.checked.get(target.rel()) or self.entries.get(target.rel()))
                future = executor.submit(RenderTargetJob(target, str(out), options.strict, source=str(source),
                                                         write_out=not options.check_only, **levels), inputs)
            pending[future] = (target, inputs, now)
        while pending:
            done, _ = cf.wait(list(pending), timeout=0.2, return_when=cf.FIRST_COMPLETED)
            for future in done:
                target, inputs, t0 = pending.pop(future)
                try:
                    result = future.result()
                    if document_kind(target.kind).per_block and not options.check_only:
                        # Only this process writes (the workers return bytes): a full disk fails this document.
                        write(result.value, target.path(out, result.value.fmt))
                except BriefgenError as exc:
                    self.report.failures.append((target.rel(), exc))
                    self.reporter.done(target, exc)
                    continue
                if not document_kind(target.kind).per_block:  # rendered by a thread here, segments in the pool
                    self.record(target, inputs, time.perf_counter() - t0, result)
                    self.report.book[target.audience] = self.recorded[target.rel()]["book"]
                else:
                    self.record(target, inputs, result.seconds, result.value)
                    self.report.peak_worker_mb = max(self.report.peak_worker_mb, result.peak_mb)
                self.reporter.done(target, None)

    def _shared_hashes(self, audience: str) -> Inputs:
        return {f: self.hasher(f) for f in self.shared[audience]}

    def record(self, target: Target, inputs: dict[str, str | None], seconds: float, output: Output) -> None:
        """Record one rendered OUTPUT: its edition (committed unless checking), inputs, fit levels and findings."""
        from briefgen.editions.records import Proposal, commit

        rel, root, hasher, check_only = target.rel(), self.root, self.hasher, self.options.check_only
        path = self.out / rel
        per_block = document_kind(target.kind).per_block
        if per_block:  # what it read is now known: its inputs are the linked fields it showed
            inputs = {**{f: hasher(f) for f in self.shared[target.audience]},
                      **content_inputs(self.project, target, hasher, output.deps)}
        edition_entry: dict[str, Any] = {}
        if output.edition:  # the edition it shows is recorded before its inputs are: the record file is one of them
            proposal = Proposal.from_dict(output.edition)
            if self.options.record_editions and not check_only:
                commit(root, proposal)
            inputs = {**inputs, proposal.rel: _hash_or_none(root / proposal.rel)}
            edition_entry = {"doc_number": proposal.doc_number, "edition": proposal.edition.number,
                             "date": proposal.edition.date.isoformat()}
        entry: dict[str, Any] = {"kind": target.kind, "id": target.block_id, "audience": target.audience}
        if not check_only:
            entry.update({"sha256": hash_file(path), "bytes": path.stat().st_size})
        entry.update({"seconds": round(seconds, 3), ("checked" if check_only else "built"): self.run_started,
                      "tool": tool_id(), "strict": self.options.strict, "source_date_epoch": source_epoch(),
                      "inputs": dict(sorted(inputs.items())),
                      **edition_entry})
        if per_block:
            entry["deps"] = output.deps
        for key in ("fit_level", "grow_level", "tail_level"):
            if getattr(output, key) is not None:
                entry[key] = getattr(output, key)
        if output.fit_level is not None or output.fit_steps:
            entry["fit_steps"] = list(output.fit_steps)
        if output.layouts:
            entry["layouts"] = output.layouts
            self.report.layouts[rel] = output.layouts
        entry["layout"] = list(output.layout)
        entry["omitted"] = list(output.omitted)
        if output.book:
            entry["book"] = {**output.book, "seconds": round(seconds, 3)}
        if check_only:
            self.checked[rel] = entry
        else:
            self.entries[rel] = entry
            self.checked.pop(rel, None)  # the output's own entry is the record now
        self.recorded[rel] = entry
        self.report.built.append(rel)

    def finish(self, files: dict[str, str | None], interrupted: BuildInterrupted | None, started: float) -> None:
        """Stop the workers, sweep an interrupted run's temporaries, and write a manifest that matches the disk."""
        root, out, report, options = self.root, self.out, self.report, self.options
        if interrupted is not None:
            from briefgen.render import templates

            templates.cancel_renders()  # a book template rendering in a thread here stops at once
        if self.executor is not None:
            self.executor.close(interrupt=interrupted is not None)
        if self.books is not None:
            self.books.shutdown(wait=True, cancel_futures=True)
        if interrupted is not None:
            _sweep_temporaries(out)
        if files:  # the record files as this build left them, so the next no-op takes the fast path
            files = {f: h for f, h in files.items() if not f.startswith(EDITIONS_DIR + "/")}
            files.update({f: _hash_or_none(root / f) for f in project_files(root, EDITION_GLOBS)})
            files = dict(sorted(files.items()))
        report.seconds = time.perf_counter() - started
        manifest = self.manifest
        manifest["checked"] = self.checked
        # The full path always records what it found, so the next no-op takes the fast path (a check records what
        # it laid out, and leaves the build's record as it was).
        manifest.update({} if options.check_only else {
            "tool": "briefgen", "version": __version__, "code": tool_id(), "generated": self.run_started,
            "seconds": round(report.seconds, 3), "jobs": options.jobs or default_jobs(),
            "executor": options.executor.name, "audiences": self.names,
            "strict": options.strict, "source_date_epoch": source_epoch(),
            # A selection plans some documents only: what the last whole build planned stays, and no no-op record
            # is kept, so the next whole build checks every document (and builds those never built).
            "planned": {**manifest.get("planned", {}),
                        **({} if options.selected else
                           {n: [t.rel() for t in self.targets if t.audience == n] for n in self.names})},
            "files": files if not report.failures and not interrupted and not options.selected else {},
            "last_run": {"built": report.built, "skipped": len(report.skipped),
                         "failed": [{"output": rel, "error": exc.format_message()} for rel, exc in report.failures],
                         "interrupted": interrupted is not None,
                         "peak_worker_mb": round(report.peak_worker_mb, 1)},
        })
        manifest["outputs"] = self.entries
        try:
            save_manifest(out, manifest)
        except BriefgenError as exc:  # a full disk: the summary still lists every failed document
            report.manifest_error = exc
        _collect_layout(report, self.recorded, [t.rel() for t in self.targets])


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
        omitted = entry.get("omitted")
        if isinstance(omitted, list) and omitted:
            report.omitted[rel] = [o for o in omitted if isinstance(o, dict)]


def _hash_or_none(path: Path) -> str | None:
    """A file's sha256, or None when it is not there (an edition not recorded, with --no-record)."""
    try:
        return hash_file(path)
    except OSError:
        return None


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()

