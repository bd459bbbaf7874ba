"""`briefgen build`: the manifest, incremental rebuilds, failure isolation, per-document limits, interruption."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _synthetic():  # noqa: ANN202 - the bench helper module
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _assert_consistent(out: Path) -> dict:
    """The manifest parses, each entry's file is on disk with its hash, no temporary or partial file is left."""
    manifest = _manifest(out)
    for rel, entry in manifest["outputs"].items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == entry["sha256"], rel
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    for pdf in out.rglob("*.pdf"):
        assert len(PdfReader(pdf).pages) >= 1, pdf  # complete, readable PDFs only
    return manifest


def test_manifest_records_outputs_inputs_hashes_tool_and_time(built: Path) -> None:
    """The session build's manifest lists the book, briefs and one-pagers with input hashes, tool version and times."""
    manifest = _assert_consistent(built)
    outputs = manifest["outputs"]
    assert {"congress/book.pdf", "congress/briefs/nato.pdf", "congress/onepagers/free-riding.pdf"} <= outputs.keys()
    brief = outputs["congress/briefs/nato.pdf"]
    assert brief["inputs"]["content/alliances/nato.yaml"] == hashlib.sha256(
        (ROOT / "content/alliances/nato.yaml").read_bytes()).hexdigest()
    assert "templates/css/print.css" in brief["inputs"] and any(k.startswith("fonts/") for k in brief["inputs"])
    # The linked obstacle counts by the fields the NATO brief's templates read, recorded while rendering.
    assert brief["deps"]["free-riding"] and "name" in brief["deps"]["free-riding"]
    linked = "content/obstacles/free-riding.yaml#" + ",".join(brief["deps"]["free-riding"])
    assert linked in brief["inputs"] and "content/obstacles/free-riding.yaml" not in brief["inputs"]
    assert brief["tool"].startswith(manifest["version"]) and brief["seconds"] > 0 and manifest["seconds"] > 0
    assert set(outputs["congress/book.pdf"]["inputs"]) >= {"content/alliances/nato.yaml",
                                                            "content/obstacles/free-riding.yaml"}


@pytest.mark.slow
def test_edit_one_obstacle_rebuilds_only_what_includes_it(small_built: Path, run) -> None:
    """After a build (the shared one's copy): a no-op build (fresh process) renders nothing, fast; editing one
    obstacle's prose rebuilds its brief, its one-pager and the book."""
    small = small_built
    out = small / "build"
    before = {p: p.read_bytes() for p in out.rglob("*.pdf") if ".cache" not in p.parts}
    # A fresh process answers from the manifest without loading WeasyPrint (its speed is the bench's to measure).
    code = ("import sys\nfrom briefgen.cli import main\n"
            f"main(['--project', {str(small)!r}, 'build', '-q', '--out', {str(out)!r}], standalone_mode=False)\n"
            "print('weasyprint loaded' if 'weasyprint' in sys.modules else 'weasyprint not loaded')")
    noop = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert noop.returncode == 0, noop.stderr
    assert "built 0, up to date 5" in noop.stdout and "weasyprint not loaded" in noop.stdout
    obstacle = small / "content" / "obstacles" / "free-riding.yaml"
    obstacle.write_text(obstacle.read_text(encoding="utf-8").replace(
        "Some allies contribute less", "Some allies still contribute less"), encoding="utf-8")
    result = run(small, "build", "-q")
    assert result.exit_code == 0, result.output
    manifest = _assert_consistent(out)
    assert sorted(manifest["last_run"]["built"]) == ["congress/book.pdf", "congress/briefs/free-riding.pdf",
                                                     "congress/onepagers/free-riding.pdf"]
    # the chapter, and the cover: it shows the book's new edition (editions.records)
    assert manifest["outputs"]["congress/book.pdf"]["book"]["rendered"] == ["ch-free-riding", "front"]
    assert (out / "congress/briefs/nato.pdf").read_bytes() == before[out / "congress/briefs/nato.pdf"]


@pytest.mark.slow
def test_one_failure_does_not_stop_the_others(small_built: Path, run) -> None:
    """After a build (the shared one's copy), a template that breaks NATO's brief fails it and the book, lists each
    cause, exits 1, keeps the old PDFs."""
    small = small_built
    out = small / "build"
    old_brief = (out / "congress/briefs/nato.pdf").read_bytes()
    old_book = (out / "congress/book.pdf").read_bytes()
    override = small / "templates" / "audiences" / "congress" / "sections"
    override.mkdir(parents=True)
    (override / "key_actions.html.j2").write_text(
        '{% if block.id == "nato" %}{{ block.no_such_field }}{% endif %}\n', encoding="utf-8")
    result = run(small, "build", "-q", "--jobs", "2")
    assert result.exit_code == 1
    assert "failed congress/briefs/nato.pdf" in result.output and "failed congress/book.pdf" in result.output
    assert "no_such_field" in result.output
    assert "built 3, up to date 0, failed 2 of 5" in result.output
    assert (out / "congress/briefs/nato.pdf").read_bytes() == old_brief
    assert (out / "congress/book.pdf").read_bytes() == old_book
    manifest = _assert_consistent(out)
    assert {f["output"] for f in manifest["last_run"]["failed"]} == {"congress/briefs/nato.pdf", "congress/book.pdf"}


@pytest.mark.slow
def test_runaway_document_stops_at_its_limits(small: Path, run) -> None:
    """A 900 KB block (2,400 long points, under the input caps, all shown) ends at the per-document time or
    memory limit with a clear error; the batch completes."""
    point = "  - text: " + "An obstacle that never ends. " * 12 + "\n    cite: csis-2025#L201\n"
    (small / "content" / "obstacles" / "runaway.yaml").write_text(
        "id: runaway\nname: Runaway paragraph\ndomain: general\nsummary_cite: csis-2025#L201\n"
        "summary: An obstacle that never ends.\n"
        "how_it_shows_up:\n" + point * 2400, encoding="utf-8")
    audience = small / "audiences" / "congress.yaml"
    audience.write_text(audience.read_text(encoding="utf-8").replace("max_points: 6", "max_points: 5000"), "utf-8")
    # The book, the runaway topic's documents and NATO's (free riding's would add nothing but time).
    result = run(small, "build", "-q", "--jobs", "2", "--doc-timeout", "5", "--doc-memory", "450",
                 "--kind", "book,brief,onepager", "--id", "runaway,nato")
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed ")]
    # The one-pager shows at most 4 points, so it builds; the brief and the book show all 2,400.
    assert sorted(line.split(":")[0] for line in failed) == ["failed congress/book.pdf",
                                                             "failed congress/briefs/runaway.pdf"]
    for line in failed:
        assert "content/obstacles/runaway.yaml" in line
        assert ("s limit" in line or "MB memory limit" in line or "stopped unexpectedly" in line), line
    assert "built 3, up to date 0, failed 2 of 5" in result.output
    out = small / "build" / "congress"
    for kind in ("briefs", "onepagers"):
        assert (out / kind / "nato.pdf").is_file()
    assert (out / "onepagers" / "runaway.pdf").is_file()
    _assert_consistent(small / "build")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_build_leaves_no_partial_files(tmp_path: Path, signum: int, run) -> None:
    """SIGINT or SIGTERM mid-build: exit 128+N, no temporary or partial file, a manifest that matches the disk; and
    no multiprocessing folder (`pymp-*`, a socket's) in the temporary folder while it renders: the workers' forker is
    reached over a pipe."""
    project = _synthetic().make(tmp_path / "project", alliances=1, obstacles=1)  # five documents with the book
    out, temp = tmp_path / "out", tmp_path / "temp"
    temp.mkdir()
    cmd = [sys.executable, "-m", "briefgen", "--project", str(project), "build", "-q", "--jobs", "2", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(temp)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.glob("congress/*/*.pdf")):
        time.sleep(0.05)
    assert not list(temp.glob("pymp-*"))  # two workers are running now
    proc.send_signal(signum)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, stderr
    assert "interrupted" in stderr
    manifest = _assert_consistent(out)
    assert manifest["last_run"]["interrupted"] is True
    assert len(manifest["outputs"]) < 5  # it really stopped early (the book, the long pole, was still in flight)
    if signum == signal.SIGTERM:  # and the next build (in this process: its warm forker) finishes the job
        done = run(project, "build", "-q", "--jobs", "2", "--out", str(out))
        assert done.exit_code == 0, done.output
        assert len(_assert_consistent(out)["outputs"]) == 5
