"""Plan output targets, skip up-to-date ones, render the rest in warm workers, and keep build/manifest.json."""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import logging
import os
import re
import signal
import time
from dataclasses import dataclass, field, fields, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Protocol
from urllib.parse import quote

from . import __version__
from .audiences import audience_names
from .config import PROJECT_FILE
from .content import content_files
from .errors import BriefgenError
from .html import KINDS, related_blocks, render_html
from .model import SourceRef
from .onepager import fit_onepager
from .pdf import lay_out, write_pdf
from .project import Project
from .workers import Limits, Pool, TargetTask
from .write import write_atomic

logger = logging.getLogger(__name__)

FOLDERS = {"brief": "briefs", "onepager": "onepagers"}
#: Every kind of target a build plans, in the order they are started (the book is the long pole).
ALL_KINDS: tuple[str, ...] = ("book", *KINDS)
MANIFEST = "manifest.json"
#: Folder under the output folder that keeps rendered book segments between builds.
CACHE = ".cache"
#: Project files every document depends on, besides its content blocks and seeds (globs, relative to the root).
SHARED_GLOBS = (PROJECT_FILE, "brand.yml", "brand/**/*", "audiences/*.yaml", "templates/**/*", "fonts/**/*",
                "images/**/*", "seeds/sources.yaml")
DOCUMENT_FOLDERS = ("alliances", "obstacles")
#: Output formats: the PDF, or a standalone HTML file for reading on screen.
FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class Target:
    """One output document: a kind of document (brief, one-pager, book) for a block and an audience."""

    kind: str
    block_id: str
    audience: str

    def path(self, out: Path, fmt: str = "pdf") -> Path:
        """Where the output goes under OUT; never outside it."""
        if self.kind == "book":
            path = out / self.audience / f"{self.block_id}.{fmt}"
        else:
            path = out / self.audience / FOLDERS[self.kind] / f"{self.block_id}.{fmt}"
        if not path.resolve().is_relative_to(out.resolve()):
            raise BriefgenError(f"output path for {self.block_id!r} escapes {out}", None, "use a plain id")
        return path

    def rel(self) -> str:
        """The output's path relative to the output folder, as the manifest records it."""
        if self.kind == "book":
            return f"{self.audience}/{self.block_id}.pdf"
        return f"{self.audience}/{FOLDERS[self.kind]}/{self.block_id}.pdf"

    def __str__(self) -> str:
        return self.rel()[: -len(".pdf")]


def plan(project: Project, audience: str | None = None, kinds: tuple[str, ...] = ALL_KINDS) -> list[Target]:
    """The book, then every brief and one-pager of every alliance and obstacle, for AUDIENCE (default: the project's)."""
    name = audience or project.config.default_audience
    targets = [Target("book", "book", name)] if "book" in kinds else []
    return targets + [Target(kind, block.id, name) for kind in kinds if kind != "book"
                      for block in project.catalogue.documents()]


def book_cache_dir(out: Path, audience: str, name: str = "book") -> Path:
    """Where the rendered segments of one book are kept."""
    return out / CACHE / "book" / audience / name


def render_target(project: Project, target: Target, out: Path, *, strict: bool = False, fmt: str = "pdf") -> Path:
    """Render TARGET to its PDF (or standalone HTML) under OUT; a one-pager is fitted to one page or fails."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    if target.kind == "book":
        from .book import plan_book, render_book, render_locally

        if fmt == "html":
            return write_atomic(target.path(out, fmt), plan_book(project, target.audience).whole_html())
        book = plan_book(project, target.audience)
        return render_book(book, target.path(out), book_cache_dir(out, target.audience),
                           render_locally(project, strict), strict=strict).path
    path = target.path(out, fmt)
    fitted = fit_onepager(project, target.block_id, target.audience, strict=strict) \
        if target.kind == "onepager" else None
    condense = fitted.options if fitted else {}
    if fmt == "html":
        # Project files (stylesheet, fonts, logo) are referenced relative to the HTML file, so it opens from OUT.
        back = os.path.relpath(project.root, path.parent.resolve()).replace(os.sep, "/")
        doc = render_html(project, target.block_id, target.kind, target.audience, asset_prefix=quote(back) + "/",
                          **condense)
        return write_atomic(path, doc.html)
    if fitted is not None:
        layout = fitted.layout
    else:
        doc = render_html(project, target.block_id, target.kind, target.audience)
        layout = lay_out(doc.html, project.root, project.catalogue.file_of(doc.block), strict=strict)
    result = write_pdf(layout)
    for warning in result.warnings:
        logger.warning("%s: %s", target, warning)
    return write_atomic(path, result.data)


# --- inputs and their hashes ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def tool_id() -> str:
    """The tool version and a hash of its code: a new briefgen rebuilds everything."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:16]}"


class Hasher:
    """SHA-256 of project files, each read once per build."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, str | None] = {}

    def __call__(self, rel: str) -> str | None:
        if rel not in self._cache:
            path = self.root / rel
            try:
                self._cache[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._cache[rel] = None
        return self._cache[rel]


def shared_inputs(root: Path, audience: str) -> list[str]:
    """Files every document of AUDIENCE depends on: configuration, brand, templates, stylesheets, fonts.

    Every audience's template overrides count (an audience may extend another), so the set is the same for all.
    """
    del audience
    out: set[str] = set()
    for pattern in SHARED_GLOBS:
        for path in root.glob(pattern):
            if not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            if "/." in "/" + rel or rel.endswith((".pyc", "~")):
                continue
            out.add(rel)
    return sorted(out)


def _refs(value: Any, depth: int = 0) -> Iterable[SourceRef]:
    if depth > 8:
        return
    if isinstance(value, SourceRef):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item, depth + 1)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            if not f.metadata.get("internal"):
                yield from _refs(getattr(value, f.name), depth + 1)


#: What a brief or one-pager shows of the blocks it links to; only these fields make it stale. (An audience
#: template that shows more of a linked block must add the field here.)
RELATED_FIELDS = {"recommendation": ("id", "name", "summary")}
RELATED_DEFAULT = ("id", "name", "short_name")


def _field_digest(block: Any, names: tuple[str, ...]) -> str:
    values = {n: str(getattr(block, n, None)) for n in names}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def content_inputs(project: Project, target: Target, hasher: Hasher) -> dict[str, str | None]:
    """Content TARGET reads: its block's file, the shown fields of linked blocks (`file#fields`), cited seeds."""
    cat = project.catalogue
    inputs: dict[str, str | None] = {}
    if target.kind == "book":
        blocks = list(cat.blocks.values())
        for path in content_files(project.root):
            rel = path.relative_to(project.root).as_posix()
            inputs[rel] = hasher(rel)
    else:
        block = cat.get(target.block_id)
        if block is None:
            return {}
        blocks = [block]
        inputs[cat.file_of(block)] = hasher(cat.file_of(block))
        for group in related_blocks(project, block).values():
            for other in group:
                names = RELATED_FIELDS.get(other.type_name, RELATED_DEFAULT)
                inputs[f"{cat.file_of(other)}#{','.join(names)}"] = _field_digest(other, names)
    for block in blocks:
        for ref in _refs(block):
            seed = project.seeds.get(ref.seed)
            if seed is not None:
                inputs[seed.shown] = hasher(seed.shown)
    return dict(sorted(inputs.items()))


def watched_files(root: Path, audiences: list[str]) -> dict[str, None]:
    """Every project file any planned output may read, for the no-op check."""
    files = {p.relative_to(root).as_posix(): None for p in content_files(root)}
    for name in audiences:
        files.update(dict.fromkeys(shared_inputs(root, name)))
    for path in (root / "seeds").glob("*"):
        if path.is_file() and not path.name.startswith("."):
            files[path.relative_to(root).as_posix()] = None
    return dict(sorted(files.items()))


# --- the manifest -----------------------------------------------------------------------------------------

def load_manifest(out: Path) -> dict:
    """Read OUT/manifest.json; a missing or unreadable one is an empty manifest."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("outputs"), dict) else {"outputs": {}}
    except (OSError, ValueError):
        return {"outputs": {}}


def save_manifest(out: Path, manifest: dict) -> None:
    """Write the manifest atomically, keeping only entries whose output on disk is the one recorded."""
    outputs = {}
    for rel, entry in sorted(manifest.get("outputs", {}).items()):
        path = out / rel
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue
        if digest == entry.get("sha256"):
            outputs[rel] = entry
    manifest["outputs"] = outputs
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=False) + "\n")


def _output_hash(out: Path, rel: str) -> str | None:
    try:
        return hashlib.sha256((out / rel).read_bytes()).hexdigest()
    except OSError:
        return None


def _fresh(entry: dict | None, inputs: dict[str, str | None], out: Path, rel: str, strict: bool) -> bool:
    return bool(entry) and entry.get("tool") == tool_id() and entry.get("strict", False) == strict \
        and entry.get("inputs") == inputs and _output_hash(out, rel) == entry.get("sha256")


def fast_up_to_date(root: Path, out: Path, audiences: list[str], strict: bool = False) -> bool:
    """Tell, without loading the catalogue or WeasyPrint, whether every planned output is current.

    True only when no watched file changed since the last build, the tool is the same, and every output
    that build planned for AUDIENCES is on disk as recorded.
    """
    manifest = load_manifest(out)
    if manifest.get("code") != tool_id() or manifest.get("strict", False) != strict:
        return False
    watched = manifest.get("files")
    planned = manifest.get("planned") or {}
    if not isinstance(watched, dict) or not all(a in planned for a in audiences):
        return False
    hasher = Hasher(root)
    current = watched_files(root, audiences)
    if not current.keys() <= watched.keys() or any(hasher(f) != watched[f] for f in current):
        return False
    entries = manifest["outputs"]
    for audience in audiences:
        for rel in planned[audience]:
            entry = entries.get(rel)
            if not entry or entry.get("tool") != tool_id() or _output_hash(out, rel) != entry.get("sha256"):
                return False
    return True


# --- running a build --------------------------------------------------------------------------------------

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


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _book_job(project: Project, target: Target, out: Path, pool: Pool, strict: bool) -> dict:
    from .book import plan_book, pool_renderer, render_book

    start = time.perf_counter()
    book = plan_book(project, target.audience)
    result = render_book(book, target.path(out), book_cache_dir(out, target.audience), pool_renderer(pool, strict),
                         strict=strict)
    return {"pages": result.pages, "rendered": result.rendered, "reused": result.reused,
            "seconds": round(time.perf_counter() - start, 3)}


def _sweep_temporaries(out: Path) -> None:
    """Remove temporary files an interrupted write left (write_atomic names them .NAME.RANDOM.tmp)."""
    pattern = re.compile(r"^\..+\.[^.]+\.tmp$")
    for path in out.rglob(".*.tmp"):
        if pattern.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)


def run_build(root: Path, audiences: list[str] | None = None, out: Path | None = None, *, jobs: int | None = None,
              strict: bool = False, limits: Limits | None = None, reporter: Reporter | None = None) -> BuildReport:
    """Build every target of AUDIENCES (default: all) into OUT, rendering only what changed."""
    started = time.perf_counter()
    reporter = reporter or _Silent()
    root = root.resolve()
    out = (out or root / "build").resolve()
    names = audiences or audience_names(root)
    report = BuildReport()
    if names and fast_up_to_date(root, out, names, strict):
        manifest = load_manifest(out)
        report.skipped = [rel for name in names for rel in manifest["planned"][name]]
        report.planned = len(report.skipped)
        report.fast = True
        reporter.start(0)
        report.seconds = time.perf_counter() - started
        return report

    project = Project(root)
    project.check()
    for name in names:
        project.audience(name)  # an unknown audience is a usage problem before anything renders
    targets = [Target(str(t.kind), str(t.block_id), str(t.audience)) for name in names for t in plan(project, name)]
    hasher = Hasher(root)
    manifest = load_manifest(out)
    entries: dict[str, dict] = manifest["outputs"]
    stale: list[tuple[Target, dict[str, str | None]]] = []
    shared = {name: shared_inputs(root, name) for name in names}
    for target in targets:
        inputs = {f: hasher(f) for f in shared[target.audience]}
        inputs.update(content_inputs(project, target, hasher))
        inputs = dict(sorted(inputs.items()))
        if _fresh(entries.get(target.rel()), inputs, out, target.rel(), strict):
            report.skipped.append(target.rel())
        else:
            stale.append((target, inputs))
    report.planned = len(targets)
    reporter.start(len(stale))
    run_started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()

    def record(target: Target, inputs: dict[str, str | None], seconds: float, extra: dict | None = None) -> None:
        rel = target.rel()
        path = out / rel
        entry = {"kind": target.kind, "id": target.block_id, "audience": target.audience,
                 "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size,
                 "seconds": round(seconds, 3), "built": run_started, "tool": tool_id(), "strict": strict,
                 "inputs": inputs}
        if extra:
            entry["book"] = extra
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
            pool = Pool(root, workers, limits)
            book_targets = [(t, i) for t, i in stale if t.kind == "book"]
            books = cf.ThreadPoolExecutor(max_workers=max(1, len(book_targets)), thread_name_prefix="briefgen-book")
            pending: dict[cf.Future, tuple[Target, dict, float]] = {}
            for target, inputs in stale:
                now = time.perf_counter()
                if target.kind == "book":
                    future = books.submit(_book_job, project, target, out, pool, strict)
                else:
                    source = project.catalogue.file_of(project.catalogue.get(target.block_id))
                    future = pool.submit(TargetTask(str(target.kind), str(target.block_id), str(target.audience),
                                                    str(out), strict, str(source)))
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
                    if isinstance(result, dict):  # the book
                        record(target, inputs, time.perf_counter() - t0, result)
                        report.book[target.audience] = result
                    else:
                        record(target, inputs, result.seconds)
                    reporter.done(target, None)
    except BuildInterrupted as exc:
        interrupted = exc
    finally:
        if previous:
            for sig in previous:  # a second Ctrl-C must not cut the clean-up short
                signal.signal(sig, signal.SIG_IGN)
        if pool is not None:
            pool.close(interrupt=interrupted is not None)
        if books is not None:
            books.shutdown(wait=True, cancel_futures=True)
        if interrupted is not None:
            _sweep_temporaries(out)
        report.seconds = time.perf_counter() - started
        # The full path always records what it found, so the next no-op takes the fast path.
        manifest.update({
            "tool": "briefgen", "version": __version__, "code": tool_id(), "generated": run_started,
            "seconds": round(report.seconds, 3), "jobs": jobs or default_jobs(), "audiences": names,
            "strict": strict,
            "planned": {**manifest.get("planned", {}),
                        **{n: [t.rel() for t in targets if t.audience == n] for n in names}},
            "files": {f: hasher(f) for f in watched_files(root, names)} if not report.failures and not interrupted
            else {},
            "last_run": {"built": report.built, "skipped": len(report.skipped),
                         "failed": [{"output": rel, "error": exc.format_message()} for rel, exc in report.failures],
                         "interrupted": interrupted is not None},
        })
        manifest["outputs"] = entries
        save_manifest(out, manifest)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if interrupted is not None:
        raise interrupted
    return report


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
