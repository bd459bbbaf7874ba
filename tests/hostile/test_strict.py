"""`--strict` turns WeasyPrint warnings into errors located in the stylesheet, on brief, onepager and build."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_project
from test_error_format import assert_format

from briefgen.cli import main

BAD = "\n.masthead { colr: red; width: banana; }\n"


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A project whose stylesheet ends with two declarations WeasyPrint ignores with a warning; their line."""
    project = copy_project(tmp_path_factory.mktemp("strict") / "project")
    css = project / "templates/css/print.css"
    text = css.read_text(encoding="utf-8")
    css.write_text(text + BAD, encoding="utf-8")
    return project, text.count("\n") + 2


def _cli(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


def test_warnings_alone_do_not_fail(warned) -> None:
    """Without --strict the one-pager is written despite the ignored declarations."""
    project, _ = warned
    result = _cli(project, "onepager", "nato", "--out", str(project / "plain"))
    assert result.exit_code == 0, result.output
    assert (project / "plain/congress/onepagers/nato.pdf").is_file()


@pytest.mark.parametrize("command", [("onepager", "nato"), ("brief", "free-riding"), ("build", "--id", "nato")])
def test_strict_fails_at_the_stylesheet_line(warned, command: tuple[str, ...]) -> None:
    """With --strict each warning is an error at print.css:LINE:COL, and no PDF is written."""
    project, line = warned
    out = project / ("strict-" + command[0])
    result = _cli(project, *command, "--strict", "--out", str(out))
    assert result.exit_code == 1
    assert f"templates/css/print.css:{line}:13: error: WeasyPrint warned" in result.stderr
    assert f"templates/css/print.css:{line}:24: error: WeasyPrint warned" in result.stderr
    assert "unknown property" in result.stderr and "invalid value" in result.stderr
    assert not list(out.rglob("*.pdf"))


def test_strict_errors_follow_the_format_on_a_real_terminal(warned) -> None:
    """Run as a real process, `brief --strict` prints only formatted error lines on stderr and exits 1."""
    project, _ = warned
    proc = subprocess.run([sys.executable, "-m", "briefgen", "--project", str(project), "brief", "nato", "--strict",
                           "--out", str(project / "proc")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and not ln.endswith("error(s)")]
    assert_format(lines)
    assert len(lines) == 2
