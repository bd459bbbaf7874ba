"""End to end: Debian's headless Chromium drives `briefgen serve` through an edit, a YAML error and its fix."""
from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from preview_process import CHROMIUM_ARGS, IN_CI, serving  # tests/preview/preview_process.py

#: The opening words of nato.yaml's summary, which the edits below lead with a marker.
LEAD = "CSIS calls NATO the gold standard"  # the two-block catalogue's NATO summary
EDITED = "Edited on disk: the preview shows this sentence without a reload."
RECOVERED = "Recovered: the next good save clears the overlay."


@pytest.fixture
def server(small: Path, tmp_path: Path) -> Iterator[str]:
    """`briefgen serve --port 0` on a scratch project (the two-block catalogue: `scratch` in the test), as a real
    process; yields its base URL."""
    with serving(small, tmp_path / "out", wait=30) as url:
        yield url


@pytest.mark.slow
def test_preview_follows_edits_in_headless_chromium(chromium: str, server: str, scratch: Path, tmp_path: Path) -> None:
    """Index -> NATO brief; a saved summary shows without reload; a YAML error overlays file:line; a fix recovers."""
    if IN_CI:
        from playwright.sync_api import expect, sync_playwright
    else:
        sync_api = pytest.importorskip("playwright.sync_api", reason="install the test extra: pip install -e '.[test]'")
        expect, sync_playwright = sync_api.expect, sync_api.sync_playwright
    shots = Path(os.environ.get("BRIEFGEN_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    nato = scratch / "content/alliances/nato.yaml"
    original = nato.read_text(encoding="utf-8")
    requests: list[str] = []
    console_errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
            page.goto(server)
            link = page.locator("a[href='/view/congress/brief/nato']")
            expect(link).to_have_text("North Atlantic Treaty Organization (NATO)")
            expect(page.locator("a[href='/view/congress/onepager/free-riding']")).to_be_visible()
            page.screenshot(path=str(shots / "index.png"))
            link.click()
            page.wait_for_url(server + "view/congress/brief/nato")
            doc = page.frame_locator("iframe.front")
            expect(doc.locator("h1")).to_contain_text("North Atlantic Treaty Organization")
            expect(doc.locator("body")).to_contain_text(LEAD)
            expect(page.locator("#live")).to_have_class(re.compile(r"\bon\b"))
            expect(page.locator("#pdf-status")).to_contain_text("built in", timeout=20_000)
            page.evaluate("window.notReloaded = true")

            started = time.monotonic()
            nato.write_text(original.replace(LEAD, EDITED + " " + LEAD, 1), encoding="utf-8")
            page.wait_for_function(  # checked on every animation frame, so the time measured is the page's
                "text => document.querySelector('iframe.front').contentDocument.body.innerText.includes(text)",
                arg=EDITED, polling="raf", timeout=60_000)
            # The latency itself is measured by `make bench` (bench/preview.py), never asserted: CI runs loaded.
            print(f"edit visible in the browser after {time.monotonic() - started:.2f} s")
            expect(page.frame_locator("iframe.front").locator("body")).to_contain_text(EDITED)
            assert page.evaluate("window.notReloaded") is True  # the page itself was not reloaded
            page.screenshot(path=str(shots / "edited.png"))

            lines = nato.read_text(encoding="utf-8").splitlines(keepends=True)
            lines[1] = "name: North: Atlantic\n"
            nato.write_text("".join(lines), encoding="utf-8")
            overlay = page.locator("#overlay")
            expect(overlay).to_be_visible(timeout=60_000)
            expect(overlay.locator(".where")).to_have_text(re.compile(r"^content/alliances/nato\.yaml:2(:\d+)?$"))
            expect(overlay.locator(".message")).to_contain_text("mapping values are not allowed")
            expect(overlay.locator("pre .here")).to_contain_text("name: North: Atlantic")
            expect(page.frame_locator("iframe.front").locator("body")).to_contain_text(EDITED)  # last good page stays
            page.screenshot(path=str(shots / "error-overlay.png"))

            nato.write_text(original.replace(LEAD, RECOVERED + " " + LEAD, 1),
                            encoding="utf-8")
            expect(overlay).to_be_hidden(timeout=60_000)
            expect(page.frame_locator("iframe.front").locator("body")).to_contain_text(RECOVERED, timeout=60_000)
            assert page.evaluate("window.notReloaded") is True

            page.locator("#tab-button-pages").click()
            expect(page.locator("#pdf-status")).to_contain_text("built in", timeout=20_000)
            first = page.locator("#pages img").first
            expect(first).to_have_attribute("alt", re.compile(r"^Page 1 of \d+$"))
            page.wait_for_function("() => { const i = document.querySelector('#pages img');"
                                   " return i && i.complete && i.naturalWidth > 0; }", timeout=20_000)
            page.screenshot(path=str(shots / "pdf-pages.png"))
        finally:
            browser.close()
    assert requests and all(url.startswith(server) for url in requests), sorted(set(requests))
    assert not console_errors, console_errors  # e.g. a Content-Security-Policy refusal
    assert all(p.stat().st_size > 10_000 for p in shots.glob("*.png"))
