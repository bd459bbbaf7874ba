"""A real `briefgen serve` process and Chromium's flags, shared by the preview's browser tests."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefgen.render.audit_web import CHROMIUM_ARGS as _ARGS

#: The product's own Chromium switches (the web audit's): headless, no network of its own.
CHROMIUM_ARGS = list(_ARGS)

IN_CI = bool(os.environ.get("CI"))


@contextmanager
def serving(project: Path, out: Path, *args: str, wait: float = 60) -> Iterator[str]:
    """`briefgen serve --port 0 ARGS` on PROJECT as a real process: yields its base URL, then stops it and asserts
    it ended cleanly (exit 0, or the terminate signal's code)."""
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "--project", str(project), "serve", "--port", "0",
                             *args, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if "http://" in line:
                found.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert found.wait(wait), "".join(lines)
        url = re.search(r"http://127\.0\.0\.1:\d+/", "".join(lines))
        assert url, "".join(lines)
        yield url.group(0)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert proc.returncode == 0, "".join(lines)
