"""Preview state: a fresh project snapshot per change, HTML per open document, PDFs rebuilt in the background."""
from __future__ import annotations

import contextlib
import hashlib
import logging
import queue
import re
import shutil
import subprocess
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from briefgen.batch.render import render, render_target
from briefgen.batch.targets import plan
from briefgen.config.kinds import KIND_LABELS, KINDS, Target
from briefgen.config.project import audience_names
from briefgen.config.yamlcache import ParseCache
from briefgen.content.checkcache import CheckCache
from briefgen.errors import BriefgenError, CpuTimeout, ErrorGroup, Location
from briefgen.preview.site import Site
from briefgen.project import Project
from briefgen.render.checks import check_project
from briefgen.render.omitted import omission_lines
from briefgen.render.templates import cancellable, time_limit

logger = logging.getLogger(__name__)

#: Resolution of page images, in dots per inch (a Letter page is 850 x 1100 pixels).
PAGE_DPI = 100
#: Seconds the PDF builder waits after a change, so the open pages get their HTML first and a burst of
#: saves builds once.
PDF_DELAY = 0.3
#: Seconds one template render may take in the preview (documents render in milliseconds; a runaway loop is
#: reported over the page and the builder moves on).
TEMPLATE_SECONDS = 10.0
#: How many of the documents pages looked at last are rendered again at once after an edit.
VIEWED = 4
#: Lines of source shown around an error's line in the overlay.
EXCERPT_CONTEXT = 2


def error_infos(exc: BaseException, root: Path) -> list[dict[str, Any]]:
    """Describe EXC (and every error it groups) for the browser: file, line, column, message, hint, excerpt."""
    if isinstance(exc, ErrorGroup):
        return [info for e in exc.errors for info in error_infos(e, root)]
    if isinstance(exc, BriefgenError):
        loc = exc.location or Location("")
        return [{"type": type(exc).__name__, "file": loc.path or None, "line": loc.line, "col": loc.col,
                 "message": exc.message, "hint": exc.hint, "text": exc.format_message(),
                 "excerpt": _excerpt(root, loc)}]
    message = f"{type(exc).__name__}: {exc}"
    return [{"type": "InternalError", "file": None, "line": None, "col": None, "message": message,
             "hint": "this is a bug in briefgen; the preview keeps running", "text": f"internal error: {message}",
             "excerpt": []}]


def _excerpt(root: Path, loc: Location) -> list[dict[str, Any]]:
    """Return the lines around LOC.line of a file inside ROOT, for showing in the overlay."""
    if not loc.path or not loc.line:
        return []
    path = (root / loc.path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    first = max(1, loc.line - EXCERPT_CONTEXT)
    last = min(len(lines), loc.line + EXCERPT_CONTEXT)
    return [{"n": n, "text": lines[n - 1][:300], "here": n == loc.line} for n in range(first, last + 1)]


#: Where the preview serves its mirror of the project's stylesheets, fonts and images: documents link them by this
#: absolute path, so the Changes tab (/changes/...) loads them as the HTML tab (/site/...) does.
SITE_PREFIX = "/site/"


@dataclass
class DocRender:
    """One document's HTML in one snapshot, or why it could not be rendered."""

    target: Target
    title: str
    fingerprint: str | None = None
    html_path: Path | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None
    #: What the document leaves out of its block that it did not expect to (render.omitted), as located lines.
    omitted: list[str] = field(default_factory=list)


class Snapshot:
    """Everything read from disk for one version of the project; never updated, only replaced."""

    def __init__(self, version: int, root: Path, site: Site, previous: Snapshot | None,
                 only: list[str] | None = None, *, checked: bool = True, seeds_kept: bool = False) -> None:
        self.version = version
        self.root = root
        self.site = site
        self.project = Project(root)  # a fresh one: Project caches what it reads
        # What the previous snapshot parsed and checked: a file it read is not parsed again, nor a block checked again
        # whose file, cited seeds and configuration are unchanged (both caches are keyed by what they read).
        self.project.parse_cache, self.project.check_cache = _carried(previous, site)
        if previous is not None and seeds_kept:  # SEEDS_KEPT: nothing under seeds/ changed since PREVIOUS
            self.project.keep_seeds(previous.project)
        self.errors: list[dict[str, Any]] = []
        #: Until this snapshot's own check has run, pages are shown what the previous one found: an error must not
        #: leave the overlay while a reload renders pages and checks (a save that fixes it clears it once checked).
        self.pending_errors: list[dict[str, Any]] = list(previous.errors) if previous is not None and not checked \
            else []
        self.catalogue_ok = False
        self.assets = site.sync_assets()
        self._docs: dict[Target, DocRender] = {}
        self._redlines: dict[Target, Path | None] = {}
        self._lock = threading.Lock()
        if checked:
            self.check()
        self.audiences: dict[str, str] = {}
        for name in only or audience_names(root):
            try:
                self.audiences[name] = self.project.audience(name).config.label
            except Exception as exc:  # noqa: BLE001 - check() reports it unless the catalogue failed first
                self.audiences[name] = name
                self.errors += [e for e in error_infos(exc, root) if e not in self.errors]
        try:
            self.project.catalogue
            self.catalogue_ok = True
            self.targets = [t for name in self.audiences for t in plan(self.project, name)]
        except Exception:  # noqa: BLE001 - already reported by check(); keep the last good list
            self.targets = previous.targets if previous else []
            self.titles = previous.titles if previous else {}
        else:
            self.titles = {t: self._title(t) for t in self.targets}
        self.by_key = {t.key: t for t in self.targets}
        self.by_pdf = {t.path(site.out).relative_to(site.out).as_posix(): t for t in self.targets}

    def check(self) -> None:
        """Check the whole project (sources, claims, templates) and add what it finds to the errors shown."""
        try:
            check_project(self.project)
        except Exception as exc:  # noqa: BLE001 - any failure is shown in the browser, never fatal
            if not isinstance(exc, BriefgenError):
                logger.exception("checking the project failed")
            found = error_infos(exc, self.root)
            self.errors = found + [e for e in self.errors if e not in found]  # one assignment: pages read it
        finally:
            self.pending_errors = []

    @property
    def shown_errors(self) -> list[dict[str, Any]]:
        """The errors pages show: this snapshot's, or while it is not checked yet and found none, the last found."""
        return self.errors or self.pending_errors

    @property
    def signature(self) -> str:
        """A digest of the document list, so an index page knows when to reload."""
        text = "\n".join(f"{t.key}\t{self.titles.get(t, '')}" for t in self.targets)
        text += "\n" + "\n".join(f"{k}\t{v}" for k, v in self.audiences.items())
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def project_title(self) -> str:
        """The collection's title from briefgen.yaml, or the folder's name while that file is broken."""
        try:
            return str(self.project.config.title)
        except Exception:  # noqa: BLE001 - reported with the other errors
            return self.root.name

    def _title(self, target: Target) -> str:
        block = self.project.catalogue.get(target.block_id)
        return block.name if block is not None else target.block_id

    def document(self, target: Target) -> DocRender:
        """Render TARGET's HTML once per snapshot and publish it under the preview folder."""
        with self._lock:
            doc = self._docs.get(target)
            if doc is None:
                doc = self._docs[target] = self._render(target)
            return doc

    def _render(self, target: Target) -> DocRender:
        doc = DocRender(target, self.titles.get(target, target.block_id))
        if target.kind not in KINDS:
            doc.note = f"{KIND_LABELS.get(target.kind, target.kind)}: no HTML view; see its PDF pages"
            return doc
        if not self.catalogue_ok:
            return doc  # the project's errors say why; the browser keeps the last good page
        started = time.perf_counter()
        try:
            with time_limit(TEMPLATE_SECONDS):  # a runaway template must not hold the page (and this lock)
                # Linked, not standalone: the preview's site serves the stylesheet, fonts and images itself.
                rendered = render(self.project, target, "html", standalone=False, asset_prefix=SITE_PREFIX)
        except Exception as exc:  # noqa: BLE001 - a template error must not stop the preview
            if not isinstance(exc, BriefgenError):
                logger.exception("rendering %s failed", target.key)
            doc.errors = error_infos(exc, self.root)
            return doc
        doc.omitted = omission_lines(rendered.omitted)
        html = rendered.data.decode("utf-8").replace("</head>", '<link rel="stylesheet" href="/_preview/doc.css">\n</head>', 1)
        doc.fingerprint = hashlib.sha256((self.assets + "\0" + html).encode()).hexdigest()[:16]
        name = f"{target.audience}--{target.kind}--{target.block_id}.html"
        doc.html_path = self.site.write(self.site.site / name, html)
        logger.info("rendered %s in %.3f s", target.key, time.perf_counter() - started)
        return doc


    def redline(self, target: Target) -> Path | None:
        """The redline of TARGET against its last edition (build.redline), as HTML under the preview folder; once
        per snapshot. None for the book (its changes appendix says what changed) or while the content is broken."""
        if target.kind not in KINDS or not self.catalogue_ok:
            return None
        with self._lock:
            if target in self._redlines:
                return self._redlines[target]
        from briefgen.batch.redline import compare_target, redline_project

        try:
            with time_limit(TEMPLATE_SECONDS):
                cmp = compare_target(self.project, target)
                rendered = render(redline_project(self.project, cmp), target, "html", standalone=False,
                                  asset_prefix=SITE_PREFIX)
        except Exception:  # noqa: BLE001 - the HTML tab shows the error; the changes tab stays empty
            logger.exception("the redline of %s failed", target.key)
            path = None
        else:
            html = rendered.data.decode("utf-8").replace(
                "</head>", '<link rel="stylesheet" href="/_preview/doc.css">\n</head>', 1)
            name = f"{target.audience}--{target.kind}--{target.block_id}--changes.html"
            path = self.site.write(self.site.site / name, html)
        with self._lock:
            self._redlines[target] = path
        return path


def _carried(previous: Snapshot | None, site: Site) -> tuple[ParseCache, CheckCache]:
    """Caches held in memory, never read from or written to disk, that start with what PREVIOUS's project parsed and
    checked (what it used; all it held when its content did not load, so one broken save does not empty them)."""
    folder = site.base / "cache"  # a name only: both caches start loaded and are never saved
    parsed = previous.project.parse_cache if previous is not None else None
    checked = previous.project.check_cache if previous is not None else None
    return (ParseCache(folder, site.out, writable=False, loaded=True,
                       entries=dict((parsed.used or parsed.entries) if parsed is not None else {})),
            CheckCache(folder, site.out, loaded=True,
                       entries=dict((checked.used or checked.entries) if checked is not None else {})))


class Superseded(CpuTimeout):
    """Raised in the PDF builder when a change arrives while it builds: the PDF it makes is out of date already, and
    the render would take the interpreter from the change's own (the edited page waits for it)."""


@dataclass
class PdfState:
    """Where one document's PDF stands in this session."""

    status: str = "queued"  # queued | building | ok | error | blocked
    fingerprint: str | None = None
    path: Path | None = None
    pages: int = 0
    error: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    built_at: float = 0.0


class PreviewSession:
    """The live state of `briefgen serve`: current snapshot, subscribers, and the background PDF builder."""

    def __init__(self, root: Path, out: Path, *, strict: bool = False, audiences: list[str] | None = None,
                 say: Callable[[str], None] | None = None) -> None:
        self.root = root.resolve()
        self.only = audiences
        self.site = Site(self.root, out)
        self.strict = strict
        self.say = say or (lambda message: logger.info("%s", message))
        self._reload_lock = threading.Lock()
        self.snapshot = Snapshot(1, self.root, self.site, None, audiences)
        self.pdfs: dict[Target, PdfState] = {}
        self.pdf_builds: Counter[Target] = Counter()
        self._cond = threading.Condition()
        self._pending: deque[Target] = deque()
        self._current: Target | None = None
        self._subscribers: list[queue.Queue[dict[str, Any] | None]] = []
        self._sub_lock = threading.Lock()
        self._closed = False
        self._changed_at = 0.0
        #: While a change is read and its pages rendered, the builder starts nothing (it would share the interpreter).
        self._reloading = False
        #: Stops the PDF build in progress (set by the builder while it renders).
        self._cancel: Callable[[], None] | None = None
        #: The documents pages asked for most recently (last at the end): rendered first after an edit.
        self._viewed: deque[Target] = deque(maxlen=VIEWED)
        self._pages_lock = threading.Lock()
        self._worker = threading.Thread(target=self._build_loop, name="briefgen-pdf", daemon=True)

    # -- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background PDF builder."""
        self._worker.start()

    def close(self) -> None:
        """Stop the builder and end every event stream."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        with self._sub_lock:
            for sub in self._subscribers:
                sub.put(None)
        if self._worker.is_alive():
            self._worker.join(timeout=30)

    # -- changes ---------------------------------------------------------------------------------------------

    def reload(self, changed: set[str] | None = None) -> Snapshot:
        """Read the project afresh, tell every open page, and queue the PDFs that may be affected."""
        started = time.perf_counter()
        with self._cond:  # a PDF being built is out of date now: stop it, and start none until the pages are done
            self._reloading, self._changed_at = True, time.monotonic()
            if self._cancel is not None:
                self._cancel()
        try:
            return self._reload(changed, started)
        finally:
            with self._cond:
                self._reloading = False
                self._cond.notify_all()

    def _reload(self, changed: set[str] | None, started: float) -> Snapshot:
        """Make the next snapshot, render the pages looked at, announce it, check it, queue the PDFs."""
        with self._reload_lock:
            # The seeds (their outlines are much of a render's reading) are kept when the change names no seed.
            seeds_kept = changed is not None and not any(p == "seeds" or p.startswith("seeds/") for p in changed)
            snap = Snapshot(self.snapshot.version + 1, self.root, self.site, self.snapshot, self.only, checked=False,
                            seeds_kept=seeds_kept)
            self.snapshot = snap
            for target in [t for t in list(self._viewed) if t in snap.by_key.values()]:
                snap.document(target)  # before the check below, which would share the interpreter with it
            # Pages show the edit first; the whole project's check (a second or more: every claim of every block)
            # follows, and a second event brings any error it finds to the overlay.
            self.broadcast({"type": "version", "version": snap.version, "errors": len(snap.errors),
                            "changed": sorted(changed or ())})
            cleared = bool(snap.pending_errors)  # pages show the last errors until this check: say when it ends
            snap.check()
        took = time.perf_counter() - started
        what = ", ".join(sorted(changed)) if changed else "project"
        state = f"{len(snap.errors)} error(s)" if snap.errors else "ok"
        self.say(f"changed: {what} -> version {snap.version} in {took:.2f} s ({state})")
        for error in snap.errors:
            self.say(f"  {error['text']}")
        if snap.errors or cleared:
            self.broadcast({"type": "checked", "version": snap.version, "errors": len(snap.errors)})
        with self._cond:
            self._changed_at = time.monotonic()
            for target in self.pdfs:
                self._enqueue(target)
        return snap

    def subscribe(self) -> queue.Queue[dict[str, Any] | None]:
        """Return a queue that receives every event from now on."""
        sub: queue.Queue[dict[str, Any] | None] = queue.Queue()
        with self._sub_lock:
            self._subscribers.append(sub)
            if self._closed:
                sub.put(None)
        return sub

    def unsubscribe(self, sub: queue.Queue[dict[str, Any] | None]) -> None:
        """Stop sending events to SUB."""
        with self._sub_lock:
            if sub in self._subscribers:
                self._subscribers.remove(sub)

    def broadcast(self, event: dict[str, Any]) -> None:
        """Send EVENT to every subscriber."""
        with self._sub_lock:
            for sub in self._subscribers:
                sub.put(event)

    # -- what a page asks for --------------------------------------------------------------------------------

    def state(self, key: str | None) -> dict[str, Any]:
        """The JSON a page polls after each event: errors to overlay, the document's fingerprint and PDF state."""
        snap = self.snapshot
        out: dict[str, Any] = {"version": snap.version, "signature": snap.signature,
                               "errors": list(snap.shown_errors)}
        target = snap.by_key.get(key or "")
        if target is None:
            out["doc"] = None
            return out
        if target not in self._viewed or self._viewed[-1] != target:
            with contextlib.suppress(ValueError):
                self._viewed.remove(target)
            self._viewed.append(target)
        doc = snap.document(target)
        out["errors"] += doc.errors
        out["doc"] = {
            "key": key, "title": doc.title, "kind": target.kind, "audience": target.audience,
            "fingerprint": doc.fingerprint, "note": doc.note, "omitted": doc.omitted,
            "html_url": f"/site/{doc.html_path.name}?v={doc.fingerprint}" if doc.html_path else None,
            "pdf": self.pdf_state(target),
        }
        return out

    def pdf_state(self, target: Target) -> dict[str, Any]:
        """Describe TARGET's PDF for the page: status, link, page count, error."""
        with self._cond:
            st = self.pdfs.get(target)
            if st is None:
                return {"status": "none"}
            rel = st.path.relative_to(self.site.out).as_posix() if st.path else None
            return {"status": st.status, "fingerprint": st.fingerprint, "pages": st.pages,
                    "url": f"/pdf/{rel}?v={st.fingerprint}" if rel and st.fingerprint else None,
                    "page_url": f"/pages/{target.key}/" if st.pages else None,
                    "seconds": round(st.seconds, 2), "built_at": st.built_at, "error": st.error}

    def request_pdf(self, target: Target) -> None:
        """Make sure TARGET's PDF is built and kept fresh from now on."""
        with self._cond:
            if target not in self.pdfs:
                self.pdfs[target] = PdfState()
            self._enqueue(target)

    def wait_pdf(self, target: Target, timeout: float = 120.0) -> PdfState:
        """Request TARGET's PDF and wait until no build of it is queued or running."""
        self.request_pdf(target)
        deadline = time.monotonic() + timeout
        with self._cond:
            while (target in self._pending or self._current == target) and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return self.pdfs[target]

    def idle(self, timeout: float = 120.0) -> bool:
        """Wait until the PDF builder has nothing queued or running; return whether it got there."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._current is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def page_image(self, target: Target, number: int) -> Path | None:
        """Render page NUMBER of TARGET's current PDF to a PNG (once) and return it."""
        with self._cond:
            st = self.pdfs.get(target)
            if st is None or st.status != "ok" or st.path is None or not 1 <= number <= st.pages:
                return None
            pdf, fingerprint = st.path, st.fingerprint
        folder = self._pages_folder(target) / str(fingerprint)
        png = folder / f"{number}.png"
        with self._pages_lock:
            if not png.is_file():
                folder.mkdir(parents=True, exist_ok=True)
                prefix = folder / f".{number}.tmp"
                subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(PAGE_DPI), "-f", str(number),
                                "-l", str(number), str(pdf), str(prefix)], check=True, capture_output=True,
                               timeout=60)
                prefix.with_suffix(".tmp.png").replace(png)
            self.site.register(png)
        return png

    def _pages_folder(self, target: Target) -> Path:
        return self.site.base / "pages" / target.audience / target.kind / target.block_id

    # -- the builder -----------------------------------------------------------------------------------------

    def _enqueue(self, target: Target) -> None:
        """Queue TARGET once (caller holds the condition)."""
        if target not in self._pending:
            self._pending.append(target)
            self._cond.notify_all()

    def _build_loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (self._reloading or not self._pending
                                            or time.monotonic() < self._changed_at + PDF_DELAY):
                    self._cond.wait(None if self._reloading else
                                    max(0.0, self._changed_at + PDF_DELAY - time.monotonic()) or None)
                if self._closed:
                    return
                target = self._current = self._pending.popleft()
            try:
                with time_limit(TEMPLATE_SECONDS):  # one slow template must not wedge the builder for good
                    self._build(target)
            except Exception:  # noqa: BLE001 - the builder must outlive any one document
                logger.exception("building the PDF of %s failed", target.key)
            finally:
                with self._cond:
                    self._current = None
                    self._cond.notify_all()

    def _build(self, target: Target) -> None:
        """Rebuild TARGET's PDF if its HTML or styles changed since the last build."""
        snap = self.snapshot
        st = self.pdfs[target]
        if target not in snap.targets:
            return
        if snap.errors:
            self._set(target, status="blocked", error=[])
            return
        doc = snap.document(target)
        if doc.errors:
            self._set(target, status="error", error=doc.errors)
            return
        if st.status == "ok" and doc.fingerprint is not None and st.fingerprint == doc.fingerprint:
            return  # unaffected by the change
        self._set(target, status="building")
        started = time.perf_counter()
        try:
            with cancellable(Superseded) as self._cancel:
                render_target(snap.project, target, self.site.out, strict=self.strict)
            path = target.path(self.site.out)
        except Superseded:
            with self._cond:
                self._enqueue(target)  # built again once the change that stopped it is read
            self._set(target, status="queued")
            return
        except Exception as exc:  # noqa: BLE001
            if not isinstance(exc, BriefgenError):
                logger.exception("building the PDF of %s failed", target.key)
            self._set(target, status="error", error=error_infos(exc, self.root))
            self.say(f"pdf: {target.key} failed: {exc}")
            return
        finally:
            self._cancel = None
        seconds = time.perf_counter() - started
        self.site.register(path)
        pages = pdf_pages(path)
        old = self._pages_folder(target)
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        self.pdf_builds[target] += 1
        self._set(target, status="ok", fingerprint=doc.fingerprint or snap.assets, path=path, pages=pages,
                  error=[], seconds=seconds, built_at=time.time())
        self.say(f"pdf: {path.relative_to(self.site.out).as_posix()} ({pages} pages, {seconds:.2f} s)")

    def _set(self, target: Target, **changes: Any) -> None:
        with self._cond:
            st = self.pdfs[target]
            for name, value in changes.items():
                setattr(st, name, value)
        self.broadcast({"type": "pdf", "doc": target.key, "status": st.status})


def pdf_pages(path: Path) -> int:
    """Count the pages of PATH with pdfinfo (poppler-utils)."""
    result = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True, timeout=30)
    match = re.search(r"^Pages:\s+(\d+)", result.stdout, re.MULTILINE)
    return int(match.group(1)) if match else 0

