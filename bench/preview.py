"""The preview's edit-to-screen latency: headless Chromium shows a saved edit; seconds from the save to the frame.

Run by bench/run.py: `python bench/preview.py PROJECT` (a scratch copy; its NATO block is edited). Prints JSON
with each try's seconds. Needs Debian's chromium and the test extra (playwright).
"""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

#: The text of the shown document frame, or "" while the frame is between documents (its body not there yet).
FRONT_TEXT = ("(f => (f && f.contentDocument && f.contentDocument.body) ? f.contentDocument.body.innerText : '')"
              "(document.querySelector('.frames iframe.front'))")
TRIES = 5


def _preview_process():  # noqa: ANN202 - the tests' helper module
    """tests/preview/preview_process.py: the real `briefgen serve` process the preview's browser tests start."""
    path = Path(__file__).resolve().parents[1] / "tests" / "preview" / "preview_process.py"
    spec = importlib.util.spec_from_file_location("preview_process", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    project = Path(sys.argv[1]).resolve()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print(json.dumps({"skipped": "chromium is not installed"}))
        return
    from playwright.sync_api import sync_playwright

    from briefgen.render.audit_web import CHROMIUM_ARGS

    serving = _preview_process().serving
    work = Path(tempfile.mkdtemp(prefix="briefgen-bench-preview-"))
    nato = project / "content/alliances/nato.yaml"
    original = nato.read_text(encoding="utf-8")
    anchor = re.search(r"summary: >-\n  (\S+ \S+ \S+)", original).group(1)
    seconds: list[float] = []
    try:
        with serving(project, work / "out") as url, sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(str(work / "profile"), executable_path=chromium,
                                                            headless=True, args=list(CHROMIUM_ARGS))
            page = browser.new_page()
            page.goto(url + "view/congress/brief/nato")
            page.wait_for_function(f"() => ({FRONT_TEXT}).length > 0", timeout=60_000)
            for i in range(TRIES):
                marker = f"Benchmark edit {i}."
                time.sleep(1.0)  # let the previous change settle (PDF rebuild included)
                started = time.monotonic()
                nato.write_text(original.replace(anchor, f"{marker} {anchor}", 1), encoding="utf-8")
                page.wait_for_function(
                    f"t => ({FRONT_TEXT}).includes(t)",
                    arg=marker, polling="raf", timeout=60_000)
                seconds.append(time.monotonic() - started)
            browser.close()
    finally:
        nato.write_text(original, encoding="utf-8")
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"tries": [round(s, 3) for s in seconds], "median": sorted(seconds)[len(seconds) // 2]}))


if __name__ == "__main__":
    main()
