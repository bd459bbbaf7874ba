"""The web edition's audit: each page of a site folder in headless Chromium, at a phone's and a desktop's width."""
from __future__ import annotations

import logging
import mimetypes
import shutil
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from briefgen.errors import COMMAND_LINE, UsageError

log = logging.getLogger(__name__)

#: The viewport widths every page is measured at (CSS px): a phone, a desktop.
WIDTHS = (390, 1280)
#: Viewport height at each width (CSS px): only what a first screen shows depends on it.
HEIGHTS = {390: 844, 1280: 900}
#: The names Chromium goes by on PATH, tried in order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: Chromium's switches: headless, no sandbox (containers), and nothing it would fetch or sync on its own.
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic")
#: The origin the site's pages are served under, from the folder itself, by the browser's request handler (no
#: socket is opened); every request to another origin is blocked.
ORIGIN = "http://site.localhost"
#: How far (CSS px) two text boxes may overlap, or content reach past its box, before it is a finding: anti-aliased
#: glyph edges and rounding, not a collision a reader sees.
SLACK_PX = 2.0
#: Two text boxes overlap when they share at least this fraction of the lower one's height (a tight line-height makes
#: adjacent lines touch by a pixel or two; a collision covers glyphs).
OVERLAP_HEIGHT = 0.3
#: Findings per page and width that are listed one by one (the rest are counted).
LISTED = 5
#: How long a page may take to load (ms) before it is a finding.
LOAD_TIMEOUT_MS = 30_000

#: Each kind of finding and what it means.
WEB_FINDINGS = {
    "horizontal-scroll": "the page is wider than the viewport: a reader must scroll sideways",
    "text-overlap": "two visible text boxes overlap",
    "overflow-cut": "a box cuts its content (overflow hidden or clipped, or text past the viewport's edge)",
    "leaves-site": "the page asked for something outside the site folder (blocked)",
    "load-failed": "the page did not load",
}


@dataclass(frozen=True)
class WebFinding:
    """One defect of one page at one width: the page's URL path, the width, what, and the elements."""

    code: str
    page: str
    width: int
    message: str

    def format(self) -> str:
        return f"{self.page} at {self.width}px: web: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class WebReport:
    """What the audit of one site folder measured."""

    site: Path
    pages: list[str] = field(default_factory=list)
    findings: list[WebFinding] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def find_chromium() -> str:
    """The path of Chromium on PATH, or a usage error (exit 2) naming the package to install."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise UsageError(f"no Chromium on PATH (looked for {', '.join(CHROMIUM_NAMES)})", COMMAND_LINE,
                     "install Debian's package: sudo apt-get install -y chromium (or: sh scripts/system-deps.sh --test)")


def _playwright() -> Any:
    try:
        from playwright import sync_api
    except ImportError:
        raise UsageError("the web audit drives Chromium with Playwright, which is not installed", COMMAND_LINE,
                         "pip install 'briefgen[web-audit]' (Playwright drives the system's Chromium; "
                         "no browser is downloaded)") from None
    return sync_api


def site_pages(site: Path) -> list[str]:
    """The HTML pages of SITE (paths relative to it, sorted), links and special files left out."""
    if not site.is_dir() or site.is_symlink():
        raise UsageError(f"{site} is not a site folder", COMMAND_LINE,
                         "build it first: briefgen site --audience NAME (it writes OUT/AUDIENCE/site/)")
    pages = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site)
        if _inside(site, rel) is not None:
            pages.append(rel.as_posix())
    return pages


def _inside(site: Path, rel: Path) -> Path | None:
    """SITE/REL when it is a regular file reached through no link (no FIFO, no device, nothing outside)."""
    if rel.is_absolute() or ".." in rel.parts:
        return None
    path = site
    for part in rel.parts:
        path = path / part
        try:
            mode = path.lstat().st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            return None
    return path if stat.S_ISREG(mode) else None


def _serve(site: Path, report: WebReport, route: Any) -> None:
    """Answer one request from SITE, or block it: nothing leaves the site folder."""
    url = urlsplit(route.request.url)
    if f"{url.scheme}://{url.netloc}" != ORIGIN:
        report.blocked.append(route.request.url)
        route.abort("blockedbyclient")
        return
    rel = unquote(url.path).lstrip("/") or "index.html"
    path = _inside(site, Path(rel + "index.html" if rel.endswith("/") else rel))
    if path is None:
        route.fulfill(status=404, body="not found", content_type="text/plain")
        return
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    route.fulfill(status=200, body=path.read_bytes(), content_type=kind)


def audit_site(site: Path, widths: tuple[int, ...] = WIDTHS, pages: list[str] | None = None) -> WebReport:
    """Open every page of SITE (or PAGES of it) in headless Chromium at each of WIDTHS and measure it."""
    site = Path(site)
    chromium = find_chromium()
    sync_api = _playwright()
    report = WebReport(site, pages if pages is not None else site_pages(site))
    with tempfile.TemporaryDirectory(prefix="briefgen-chromium-") as profile, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS),
            viewport={"width": widths[0], "height": HEIGHTS.get(widths[0], 900)}, service_workers="block")
        try:
            browser.route("**/*", lambda route: _serve(site, report, route))
            page = browser.new_page()
            for width in widths:
                page.set_viewport_size({"width": width, "height": HEIGHTS.get(width, 900)})
                for rel in report.pages:
                    report.findings += audit_page(page, rel, width, report)
        finally:
            browser.close()
    return report


def audit_page(page: Any, rel: str, width: int, report: WebReport) -> list[WebFinding]:
    """Load REL in PAGE (already at WIDTH) and turn what the measuring script saw into findings."""
    name = "/" + rel
    before = len(report.blocked)
    try:
        page.goto(f"{ORIGIN}/{rel}", wait_until="load", timeout=LOAD_TIMEOUT_MS)
        page.evaluate("document.fonts.ready.then(() => true)")
        seen = page.evaluate(MEASURE, {"slack": SLACK_PX, "overlapHeight": OVERLAP_HEIGHT})
    except Exception as exc:  # noqa: BLE001 - a page that does not load is a finding, not a crash
        return [WebFinding("load-failed", name, width, f"the page did not load: {str(exc).splitlines()[0]}")]
    found: list[WebFinding] = []
    if seen["scrollWidth"] > seen["viewport"] + SLACK_PX:
        found.append(WebFinding("horizontal-scroll", name, width, f"the page is {seen['scrollWidth']}px wide in a "
                                f"{seen['viewport']}px viewport; widest: {', '.join(seen['wide'][:LISTED])}"))
    for code, key, what in (("text-overlap", "overlaps", "text overlaps"), ("overflow-cut", "cut", "content cut")):
        items = seen[key]
        if items:
            more = f" (and {len(items) - LISTED} more)" if len(items) > LISTED else ""
            found.append(WebFinding(code, name, width, f"{what}: {'; '.join(items[:LISTED])}{more}"))
    blocked = sorted(set(report.blocked[before:]))
    if blocked:
        found.append(WebFinding("leaves-site", name, width, f"blocked: {', '.join(blocked[:LISTED])}"))
    return found


def summary(findings: list[WebFinding]) -> dict[str, int]:
    """Count FINDINGS by code, in WEB_FINDINGS order."""
    counts = dict.fromkeys(WEB_FINDINGS, 0)
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    return counts


#: The measuring script, run in the page: the document's width, text boxes that overlap (Range rects of every
#: visible text node), and boxes whose overflow cuts their content or text past the viewport's edges.
MEASURE = r"""
({slack, overlapHeight}) => {
  const root = document.documentElement;
  const vw = root.clientWidth;
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = [...el.classList].slice(0, 2);
    if (cls.length) s += '.' + cls.join('.');
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ');
    return text ? `${s} "${text.slice(0, 40)}"` : s;
  };
  const shown = (el) => {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    for (let e = el; e && e !== root; e = e.parentElement) {  // visually hidden (the skip link, screen-reader text)
      const r = e.getBoundingClientRect();
      const st = getComputedStyle(e);
      if ((r.width <= 1 || r.height <= 1) && st.overflow !== 'visible') return false;
      if (st.clip && st.clip !== 'auto' && st.position === 'absolute') return false;
      if (st.clipPath && st.clipPath.startsWith('inset(50%')) return false;
    }
    return true;
  };
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TITLE']);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip.has(el.tagName) || !node.textContent.trim() || !shown(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width > 0.5 && r.height > 0.5) boxes.push({node, el, x0: r.left, x1: r.right,
                                                       y0: r.top + scrollY, y1: r.bottom + scrollY});
    }
  }
  const overlaps = [];
  const pairs = new Set();
  const sorted = boxes.slice().sort((a, b) => a.y0 - b.y0);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    for (let j = i + 1; j < sorted.length && sorted[j].y0 < a.y1; j++) {
      const b = sorted[j];
      if (a.node === b.node) continue;
      const ix = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      const iy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      const h = Math.min(a.y1 - a.y0, b.y1 - b.y0);
      if (ix > slack && iy > Math.max(slack, overlapHeight * h)) {
        const key = name(a.el) + ' / ' + name(b.el);
        if (!pairs.has(key)) { pairs.add(key); overlaps.push(`${key} at y=${Math.round(b.y0)}`); }
      }
    }
  }
  const cut = [];
  for (const el of document.body.querySelectorAll('*')) {
    const st = getComputedStyle(el);
    const clips = (v) => v === 'hidden' || v === 'clip';
    if (!(clips(st.overflowX) || clips(st.overflowY)) || !shown(el)) continue;
    const wide = clips(st.overflowX) && el.scrollWidth > el.clientWidth + slack;
    const tall = clips(st.overflowY) && el.scrollHeight > el.clientHeight + slack;
    if (wide || tall) cut.push(`${name(el)} shows ${el.clientWidth}x${el.clientHeight} of ` +
                               `${el.scrollWidth}x${el.scrollHeight}px`);
  }
  const off = new Set();
  const clipped = new Map();
  const clippers = (el) => {  // the ancestors (an <svg> included) that cut what runs past their box
    const out = [];
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const st = getComputedStyle(e);
      const x = ['hidden', 'clip'].includes(st.overflowX), y = ['hidden', 'clip'].includes(st.overflowY);
      if ((x || y) && !(e instanceof SVGElement && e.ownerSVGElement)) out.push([e, x, y]);
    }
    return out;
  };
  for (const b of boxes) {
    if (b.x1 > vw + slack || b.x0 < -slack) off.add(name(b.el));
    for (const [e, x, y] of clippers(b.el)) {
      const r = e.getBoundingClientRect();
      const top = r.top + scrollY, bottom = r.bottom + scrollY;
      if ((x && (b.x0 < r.left - slack || b.x1 > r.right + slack)) ||
          (y && (b.y0 < top - slack || b.y1 > bottom + slack))) {
        clipped.set(name(b.el), name(e));
      }
    }
  }
  const scrolls = Math.max(root.scrollWidth, document.body.scrollWidth) > vw + slack;
  if (!scrolls) for (const n of off) cut.push(`${n} runs past the viewport's edge`);  // else: horizontal-scroll
  for (const [n, by] of clipped) if (!off.has(n)) cut.push(`${n} is cut by ${by}`);
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > vw + slack && shown(el)) wide.push([r.right, el]);
  }
  wide.sort((a, b) => b[0] - a[0]);
  const widest = [];
  for (const [right, el] of wide) {  // the outermost too-wide elements (not each of their descendants)
    if (widest.some(([, w]) => w.contains(el))) continue;
    widest.push([right, el]);
    if (widest.length >= 3) break;
  }
  return {viewport: vw, scrollWidth: Math.max(root.scrollWidth, document.body.scrollWidth), overlaps, cut,
          wide: widest.map(([right, el]) => `${name(el)} (${Math.round(right)}px)`)};
}
"""

__all__ = ["CHROMIUM_ARGS", "WEB_FINDINGS", "WIDTHS", "WebFinding", "WebReport", "audit_site", "find_chromium",
           "site_pages", "summary"]
