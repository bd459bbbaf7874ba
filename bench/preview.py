"""The preview's edit-to-screen latency: headless Chromium shows a saved edit; seconds from the save to the frame.

Run by bench/run.py: `python bench/preview.py PROJECT` (a scratch copy; its NATO block is edited). Prints JSON
with each try's seconds. Needs Debian's chromium and the test extra (playwright).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

#: The text of the shown document frame, or "" while the frame is between documents (its body not there yet).
FRONT_TEXT = ("(f => (f && f.contentDocument && f.contentDocument.body) ? f.contentDocument.body.innerText : '')"
              "(document.querySelector('.frames iframe.front'))")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TRIES = 5


def main() -> None:
    project = Path(sys.argv[1]).resolve()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print(json.dumps({"skipped": "chromium is not installed"}))
        return
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="briefgen-bench-preview-"))
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "--project", str(project), "serve", "--port", "0",
                             "--out", str(work / "out")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if "http://" in line:
                found.set()

    threading.Thread(target=read, daemon=True).start()
    nato = project / "content/alliances/nato.yaml"
    original = nato.read_text(encoding="utf-8")
    anchor = re.search(r"summary: >-\n  (\S+ \S+ \S+)", original).group(1)
    seconds: list[float] = []
    try:
        if not found.wait(60):
            raise SystemExit("the preview did not start:\n" + "".join(lines))
        url = re.search(r"http://127\.0\.0\.1:\d+/", "".join(lines)).group(0)
        with sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(str(work / "profile"), executable_path=chromium,
                                                            headless=True, args=CHROMIUM_ARGS)
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
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"tries": [round(s, 3) for s in seconds], "median": sorted(seconds)[len(seconds) // 2]}))


if __name__ == "__main__":
    main()
