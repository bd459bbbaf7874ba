"""The web edition in headless Chromium: accessible (axe-core), valid (Nu Html Checker), self-contained, responsive."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from briefgen.render.audit_web import CHROMIUM_ARGS as WEB_AUDIT_ARGS

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = bool(os.environ.get("CI"))
CHROMIUM_ARGS = list(WEB_AUDIT_ARGS)  # the product's own switches (the web audit's)
#: One page of each type, and what each must show.
PAGE_TYPES = {"index.html": "Which obstacles affect which alliances", "briefs/nato.html": "Bottom line",
              "search.html?q=gold+standard": "North Atlantic Treaty Organization", "editions/nato.html": "Edition 1",
              "recommendations.html": "Recommendations", "sources.html": "Sources",
              "assets/fonts/index.html": "Fonts and licences"}


def _need(path: Path | None, what: str, install: str) -> None:
    """Skip (or in CI fail) when a tool is missing."""
    if path is None or not path.exists():
        if IN_CI:
            pytest.fail(f"{what} is missing in CI: {install}")
        pytest.skip(f"{what} is not installed; run: {install}")


@pytest.fixture(scope="module")
def site(small_site: Path) -> Path:
    """The web edition of a two-block project (NATO, free riding), with a stand-in PDF of NATO's brief to offer (the
    run's shared `small_site`: read it only)."""
    return small_site


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium under Playwright."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    _need(Path(path) if path else None, "chromium", "scripts/system-deps.sh --test")
    sync_api = pytest.importorskip("playwright.sync_api", reason="install the test extra: pip install -e '.[test]'")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A page opened in a fresh context: every request and console message recorded."""

    def __init__(self, browser, url: str, width: int = 1280, scheme: str = "light") -> None:  # noqa: ANN001
        self.context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.console.append(m.text))
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        self.page.evaluate("document.fonts.ready.then(() => true)")

    def axe(self) -> list:
        """axe-core's violations (every rule of its default set), injected past the page's CSP by the driver."""
        self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
        return self.page.evaluate("axe.run(document, {preload: false}).then(r => r.violations.map(v => "
                                  "({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))")

    def close(self) -> None:
        self.context.close()


def _url(site: Path, rel: str) -> str:
    path, _, query = rel.partition("?")
    return (site / path).as_uri() + (f"?{query}" if query else "")


@pytest.mark.slow  # about 6 s a colour scheme (seven pages, each checked by axe-core)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_type_has_no_axe_violation_and_loads_nothing_from_elsewhere(site: Path, browser,
                                                                               scheme: str) -> None:
    """axe-core finds nothing on each page type, in light and dark colours; every request is a file of the site."""
    _need(AXE, "axe-core", "npm ci (package.json lists axe-core)")
    for rel, shows in PAGE_TYPES.items():
        visit = Visit(browser, _url(site, rel), scheme=scheme)
        try:
            assert shows in visit.page.inner_text("main"), rel
            assert visit.axe() == [], rel
            assert visit.requests and all(r.startswith(site.as_uri()) for r in visit.requests), visit.requests
            assert visit.console == [], (rel, visit.console)
            loaded = visit.page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
            assert {'"Noto Serif"', '"Inter"'} <= set(loaded) or {"Noto Serif", "Inter"} <= set(loaded), loaded
        finally:
            visit.close()


def test_pages_pass_the_nu_html_checker(site: Path, nu_errors) -> None:  # noqa: ANN001
    """Every page of the site is valid HTML (vnu-jar, Java 17), and so is the stylesheet (one checker run for the
    whole test run: conftest's nu_errors)."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 8
    assert nu_errors(pages) == []
    assert nu_errors([site / "assets" / "site.css"]) == []


def test_brief_at_390_px_shows_bottom_line_and_takeaways_without_horizontal_scroll(site: Path, browser) -> None:
    """On a phone the page fits its width, the bottom line and takeaways come before the fact box, notes in line."""
    for rel in ("briefs/nato.html", "index.html", "briefs/free-riding.html", "search.html?q=planning"):
        visit = Visit(browser, _url(site, rel), width=390)
        try:
            assert visit.page.evaluate("document.documentElement.scrollWidth") <= 390, rel
            header, main = visit.page.locator("body > header").bounding_box(), visit.page.locator("main").bounding_box()
            assert header["y"] + header["height"] <= main["y"] and main["width"] >= 380, rel
            if rel == "briefs/nato.html":
                top = {sel: visit.page.locator(sel).bounding_box()["y"] for sel in (".bottom-line", ".sidebar")}
                assert top[".bottom-line"] < top[".sidebar"]
                assert visit.page.locator(".bottom-line").bounding_box()["y"] < 900
                assert not visit.page.locator(".sidenote").first.is_visible()
        finally:
            visit.close()


def test_wide_screen_puts_fact_box_and_notes_beside_a_measured_text_column(site: Path, browser) -> None:
    """At 1366 px the text column is 60-80 characters wide; the fact box and side notes sit to its right."""
    visit = Visit(browser, _url(site, "briefs/nato.html"), width=1366)
    try:
        page = visit.page
        column = page.locator(".doc > .bottom-line").bounding_box()
        chars = page.evaluate("""(() => { const p = document.querySelector('.why-it-matters li, .overview p, main p');
            const s = getComputedStyle(p); const c = document.createElement('canvas').getContext('2d');
            c.font = s.fontSize + ' ' + s.fontFamily;
            return p.getBoundingClientRect().width / c.measureText('abcdefghijklmnopqrstuvwxyz'.repeat(2)).width * 52;
            })()""")
        assert 60 <= chars <= 80, chars
        for sel in (".sidebar", ".sidenote"):
            box = page.locator(sel).first.bounding_box()
            assert box and box["x"] >= column["x"] + column["width"], sel
    finally:
        visit.close()


def test_note_numbers_link_to_footnotes_that_link_back(site: Path, browser) -> None:
    """A note number jumps to its footnote; the footnote's back link returns to the text."""
    visit = Visit(browser, _url(site, "briefs/nato.html"), width=390)
    try:
        page = visit.page
        page.locator("#ref-1").click()
        page.wait_for_function("location.hash === '#note-1'")
        page.locator("#note-1 a.backref").click()
        page.wait_for_function("location.hash === '#ref-1'")
    finally:
        visit.close()


def test_print_stylesheet_prints_the_brief_alone(site: Path, browser) -> None:
    """Printed, the page drops the site's header, footer, downloads and margin notes, and sets black on white."""
    visit = Visit(browser, _url(site, "briefs/nato.html"), width=1366)
    try:
        page = visit.page
        assert page.locator(".site-header").is_visible() and page.locator(".sidenote").first.is_visible()
        page.emulate_media(media="print")
        for sel in (".site-header", ".site-footer", ".downloads", ".sidenote"):
            assert not page.locator(sel).first.is_visible(), sel
        assert page.locator(".source-notes").is_visible()
        assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    finally:
        visit.close()


def test_skip_link_is_first_and_moves_focus_to_main(site: Path, browser) -> None:
    """Tab once: the skip link; Enter: the main content has focus."""
    visit = Visit(browser, _url(site, "briefs/nato.html"))
    try:
        page = visit.page
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
        page.keyboard.press("Enter")
        page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    finally:
        visit.close()


def test_search_works_offline_from_file_and_from_a_sub_path(site: Path, browser, tmp_path: Path) -> None:
    """The header's search form finds a phrase, from file:// and served under /some/sub/path/, requests same-origin."""
    served = tmp_path / "www" / "some" / "sub" / "path"
    shutil.copytree(site, served)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/some/sub/path/"
    try:
        for start in (_url(site, "briefs/nato.html"), base + "briefs/nato.html"):
            visit = Visit(browser, start)
            try:
                page = visit.page
                page.fill("#site-search-q", "burden sharing")
                page.press("#site-search-q", "Enter")
                page.wait_for_selector("#search-results li")
                assert "result" in page.inner_text("#search-status")
                first = page.locator("#search-results li a").first
                marks = page.locator("#search-results mark").all_inner_texts()
                assert len(marks) >= 2 and {m.lower() for m in marks} <= {"burden", "sharing"}, marks
                first.click()
                page.wait_for_load_state("load")
                assert page.url.startswith(start.rsplit("/", 2)[0])
                origin = start.split("/some/")[0] if start.startswith("http") else site.as_uri()
                assert all(r.startswith(origin) for r in visit.requests), visit.requests
                assert visit.console == [], visit.console
            finally:
                visit.close()
    finally:
        server.shutdown()


@pytest.mark.slow
def test_real_catalogue_public_site(browser, tmp_path: Path, real_public_site: Path, nu_errors) -> None:  # noqa: ANN001
    """The real catalogue's public site: NOFORN is found; the NATO page at 390 x 844 shows the bottom line and the
    takeaways without horizontal scrolling; axe-core and vnu find nothing on home, a brief, a search and editions."""
    _need(AXE, "axe-core", "npm ci (package.json lists axe-core)")
    site = real_public_site
    visit = Visit(browser, _url(site, "search.html?q=NOFORN"))
    try:
        hits = visit.page.locator("#search-results li a").all_inner_texts()
        assert any("Information categorization" in h for h in hits), hits
        assert visit.axe() == []
    finally:
        visit.close()
    visit = Visit(browser, _url(site, "briefs/nato.html"), width=390)
    try:
        page = visit.page
        page.set_viewport_size({"width": 390, "height": 844})
        shots = Path(os.environ.get("BRIEFGEN_SCREENSHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "site-nato-390.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        bottom, takeaways = page.locator(".bottom-line").bounding_box(), page.locator(".takeaways").bounding_box()
        assert bottom["y"] + bottom["height"] <= 844 and takeaways["y"] < 844
        assert visit.axe() == []
    finally:
        visit.close()
    for rel in ("index.html", "editions/nato.html"):
        visit = Visit(browser, _url(site, rel))
        try:
            assert visit.axe() == [], rel
        finally:
            visit.close()
    assert [p.relative_to(site).as_posix() for p in nu_errors.real_pages] == \
        ["index.html", "briefs/nato.html", "search.html", "editions/nato.html", "sources.html", "recommendations.html"]
    assert nu_errors(nu_errors.real_pages) == []
