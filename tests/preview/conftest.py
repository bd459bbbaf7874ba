"""Fixtures of the preview's browser tests: Debian's chromium."""
from __future__ import annotations

import os
import shutil

import pytest

IN_CI = bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's chromium; in CI its absence is a failure, elsewhere a skip that says how to install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if IN_CI:
        pytest.fail("chromium is missing in CI: .ci/run installs it through scripts/system-deps.sh")
    pytest.skip("Debian's chromium is not installed; run: sudo apt-get install -y chromium (CI installs it)")
