"""Fixtures for the hostile suite: scratch projects, a recording loopback server, cached case outcomes."""
from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_cases import Case

from briefgen.cli import main

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PARTS = ("briefgen.yaml", "brand.yml", "audiences", "brand", "seeds", "templates", "fonts")
#: The content the hostile cases attack: NATO, free riding and one recommendation, linked as in the real
#: catalogue. Each case runs the CLI, which validates every block, so a small catalogue keeps the suite fast.
CONTENT = ROOT / "tests" / "fixtures" / "two-blocks" / "content"


def copy_project(dest: Path) -> Path:
    """Copy the repository's project (not its build/) into DEST, with the two-block content fixture."""
    dest.mkdir(parents=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.exists():
            shutil.copy2(src, dest / part)
    shutil.copytree(CONTENT, dest / "content")
    return dest


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file (and link) under FOLDER with its bytes (a link's target for links)."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = os.readlink(path).encode()
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


class Recorder(BaseHTTPRequestHandler):
    """Answer every request with a tiny PNG-less 200 and remember that it came."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args) -> None:  # noqa: ANN002 - silence the request log
        pass


@pytest.fixture(scope="session")
def server() -> ThreadingHTTPServer:
    """A loopback HTTP server on a free port that records every request it receives."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Outcome:
    """What running one hostile case through the real CLI did."""

    case: Case
    project: Path
    exit_code: int
    output: str
    stderr: str
    seconds: float
    marker: Path
    before: dict[str, bytes]
    after: dict[str, bytes]

    def written_outside_build(self) -> list[str]:
        """Files created or changed anywhere in the case's folder except under project/build/."""
        return [p for p, data in self.after.items()
                if self.before.get(p) != data and not p.startswith("project/build/")]

    def error_lines(self) -> list[str]:
        """The error lines on stderr, without the closing 'N error(s)' count."""
        return [ln for ln in self.stderr.splitlines() if ln.strip() and not ln.rstrip().endswith("error(s)")]


def _fill(text: str | bytes, port: int, marker: Path) -> str | bytes:
    if isinstance(text, bytes):
        return text.replace(b"@PORT@", str(port).encode()).replace(b"@MARKER@", str(marker).encode())
    return text.replace("@PORT@", str(port)).replace("@MARKER@", str(marker))


def prepare(case: Case, folder: Path, port: int) -> tuple[Path, Path]:
    """Write CASE's files into a fresh project under FOLDER; return (project, marker path)."""
    project = copy_project(folder / "project")
    marker = folder / "pwned"
    for rel, dest in case.copies.items():
        shutil.copy2(project / dest, project / rel)
    for rel, pairs in case.edits.items():
        path = project / rel
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, f"{case.id}: {old!r} not in {rel}"
            text = text.replace(old, _fill(new, port, marker), 1)
        path.write_text(text, encoding="utf-8")
    for rel, content in case.files.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        content = _fill(content, port, marker)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    for rel, target in case.links.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
    return project, marker


@pytest.fixture(scope="session")
def outcome(tmp_path_factory: pytest.TempPathFactory, server: ThreadingHTTPServer):
    """outcome(case) -> Outcome: run CASE through the real CLI once per session and remember the result."""
    cache: dict[str, Outcome] = {}
    port = server.server_address[1]

    def _outcome(case: Case) -> Outcome:
        if case.id not in cache:
            folder = tmp_path_factory.mktemp(case.id)
            project, marker = prepare(case, folder, port)
            before = snapshot(folder)
            start = time.monotonic()
            result = CliRunner().invoke(main, ["--project", str(project), *case.args], catch_exceptions=False)
            seconds = time.monotonic() - start
            cache[case.id] = Outcome(case, project, result.exit_code, result.output, result.stderr, seconds,
                                     marker, before, snapshot(folder))
        return cache[case.id]

    return _outcome

