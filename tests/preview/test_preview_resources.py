"""Every page of the preview loads every stylesheet, font, image and script it asks for (Debian's chromium)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from preview_process import CHROMIUM_ARGS, serving  # tests/preview/preview_process.py

from briefgen.batch.redline import current
from briefgen.config.kinds import Target
from briefgen.editions.records import commit
from briefgen.project import Project

OLD = "Of the 51 formal treaty allies of the United States, 31 are NATO allies."
NEW = "Of the 51 formal treaty allies of the United States, 31 are members of NATO."


@pytest.fixture
def changed_server(small: Path, tmp_path: Path) -> Iterator[str]:
    """`briefgen serve --audience congress` on the two-block project, NATO's brief changed since its edition 1."""
    commit(small, current(Project(small), Target("brief", "nato", "congress")))
    path = small / "content/alliances/nato.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    with serving(small, tmp_path / "out", "--audience", "congress") as url:
        yield url


def _wait_loaded(page) -> None:  # noqa: ANN001 - a playwright Page
    """Wait until the page and every frame in it finished loading (their subresources included). Not "networkidle":
    the preview's live poll keeps the network busy, so that state may never come on a loaded machine."""
    page.wait_for_load_state("load", timeout=60_000)
    page.wait_for_function("() => [...document.querySelectorAll('iframe')].every(f => !f.contentDocument"
                           " || f.contentDocument.readyState === 'complete')", timeout=60_000)


@pytest.mark.slow
def test_every_subresource_of_every_preview_page_answers_200(chromium: str, changed_server: str,
                                                             tmp_path: Path) -> None:
    """The index, each document's view, its HTML and its Changes tab (the redline, served under /changes/): every
    stylesheet, font, image and script they load answers 200 (the Changes tab once linked them relatively: 404)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="install the test extra: pip install -e '.[test]'")
    expect = sync_api.expect
    server = changed_server
    failed: list[str] = []
    loaded: list[str] = []

    def on_response(response) -> None:  # noqa: ANN001 - playwright's Response
        url = response.url
        if url.endswith("/favicon.ico") or "/events" in url:
            return
        loaded.append(url)
        if response.status not in (200, 304):  # 304: the browser's cached copy of a 200, still current
            failed.append(f"{response.status} {url} (from {response.frame.url})")

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        try:
            page = browser.new_page()
            page.on("response", on_response)
            # Leaving a page aborts its live connection and state poll (ERR_ABORTED); anything else is a failure.
            page.on("requestfailed", lambda r: "ERR_ABORTED" in (r.failure or "")
                    or failed.append(f"failed {r.url}: {r.failure}"))
            page.goto(server)
            keys = page.eval_on_selector_all("a[href^='/view/']", "links => links.map(a => a.getAttribute('href'))")
            assert "/view/congress/brief/nato" in keys
            for key in keys:
                page.goto(server + key.lstrip("/"))
                if "/book/" not in key:
                    expect(page.frame_locator("iframe.front").locator("h1")).to_be_visible(timeout=60_000)
                    _wait_loaded(page)
                if page.locator("#tab-button-changes").count():
                    page.locator("#tab-button-changes").click()
                    frame = page.frame_locator("#frame-changes")
                    expect(frame.locator(".redline-summary")).to_be_visible(timeout=60_000)
                    _wait_loaded(page)
                    if key == "/view/congress/brief/nato":  # styled: the brand's heading font, the logo drawn
                        font = frame.locator("h1").evaluate("h => getComputedStyle(h).fontFamily")
                        assert "Inter" in font, font
                        assert frame.locator("img.logo").evaluate("i => i.complete && i.naturalWidth > 0")
        finally:
            browser.close()
    assert not failed, "\n".join(failed)
    assert any("/changes/congress/brief/nato" in u for u in loaded)
    assert any(u.endswith("print.css") for u in loaded) and any(".woff" in u or ".ttf" in u or ".otf" in u
                                                                  for u in loaded), sorted(set(loaded))
