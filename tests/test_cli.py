"""The command line: list, check, brief, onepager; exit codes 0, 1 and 2."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader


def test_list_shows_blocks(root: Path, run) -> None:
    """`briefgen list` names NATO and free riding under their types."""
    result = run(root, "list")
    assert result.exit_code == 0
    assert "nato" in result.output and "free-riding" in result.output and "Alliances (" in result.output


def test_check_passes_on_the_real_project(root: Path, run) -> None:
    """The shipped content validates, links and cites correctly."""
    result = run(root, "check")
    assert result.exit_code == 0, result.output
    assert "every quote found" in result.output


def test_brief_writes_pdf(small: Path, run) -> None:
    """`briefgen brief nato` writes build/<audience>/briefs/nato.pdf, a real PDF of two or more pages."""
    result = run(small, "brief", "nato")
    assert result.exit_code == 0, result.output
    pdf = small / "build" / "congress" / "briefs" / "nato.pdf"
    assert len(PdfReader(pdf).pages) >= 2
    assert not list(pdf.parent.glob("*.tmp"))


def test_unknown_id_is_a_usage_error_naming_the_closest(root: Path, run, tmp_path: Path) -> None:
    """An unknown id exits 2 (a usage error) and suggests the closest ids, not all of them."""
    result = run(root, "brief", "nat0", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "command line: error: no alliance or obstacle with id 'nat0'" in result.output
    assert "did you mean nato" in result.output and "free-riding" not in result.output


def test_unknown_audience_is_a_usage_error_naming_the_closest(root: Path, run, tmp_path: Path) -> None:
    """A misspelled --audience exits 2 with 'did you mean', before anything renders."""
    result = run(root, "brief", "nato", "--audience", "congres", "--out", str(tmp_path))
    assert result.exit_code == 2 and "did you mean 'congress'?" in result.output
    assert not list(tmp_path.rglob("*.pdf"))


def test_usage_error_exits_2(root: Path, run) -> None:
    """A missing argument is a usage error: exit code 2."""
    assert run(root, "brief").exit_code == 2


def test_help_for_every_command(root: Path, run) -> None:
    """Every command answers --help with its description."""
    for cmd in ("list", "check", "brief", "onepager", "book", "build"):
        result = run(root, cmd, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_python_dash_m_entry_point(root: Path) -> None:
    """`python -m briefgen --version` runs the same CLI."""
    out = subprocess.run([sys.executable, "-m", "briefgen", "--version"], capture_output=True, text=True, cwd=root)
    assert out.returncode == 0 and "briefgen" in out.stdout


def test_failed_render_keeps_previous_pdf(small: Path, run) -> None:
    """A render that fails after a good build leaves the previous PDF byte-identical and no temp files."""
    assert run(small, "brief", "nato").exit_code == 0
    pdf = small / "build" / "congress" / "briefs" / "nato.pdf"
    before = pdf.read_bytes()
    css = small / "templates" / "css" / "print.css"
    css.write_text(css.read_text() + '\n.x { background: url("file:///etc/hostname"); }\n')
    tpl = small / "templates" / "brief.html.j2"
    tpl.write_text(tpl.read_text().replace("</main>", '<div class="x">x</div></main>'))
    result = run(small, "brief", "nato")
    assert result.exit_code == 1
    assert "refused to load file:///etc/hostname" in result.output
    assert pdf.read_bytes() == before
    assert not list(pdf.parent.glob(".*tmp"))


def test_build_command_and_its_no_op_check_load_no_render_stage() -> None:
    """Starting the command line and reaching a build's no-op check imports no template engine, Markdown parser,
    WeasyPrint, content model or render stage: a no-op build costs little more than Python's start-up."""
    code = ("import sys\nimport briefgen.cli, briefgen.batch.run, briefgen.batch.manifest\n"
            "heavy = ('jinja2', 'weasyprint', 'markdown_it', 'briefgen.content.catalogue', 'briefgen.render.context',\n"
            "         'briefgen.render.documents', 'briefgen.render.templates', 'briefgen.seeds.registry')\n"
            "print(sorted(m for m in heavy if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
