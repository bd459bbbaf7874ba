"""Item 8 (first part): a render that fails after a good build leaves the previous PDF byte-identical."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_project

from briefgen.cli import main

BRIEF = Path("build/congress/briefs/nato.pdf")
OVERRIDE = "templates/audiences/congress/brief.html.j2"


def _cli(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


def _leftovers(build: Path) -> list[Path]:
    """Temporary or hidden files under BUILD: what an interrupted or failed write would leave."""
    return [p for p in build.rglob("*") if p.is_file() and (p.name.startswith(".") or ".tmp" in p.name)]


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A project with a good brief of nato built, and that PDF's bytes."""
    project = copy_project(tmp_path_factory.mktemp("previous") / "project")
    assert _cli(project, "brief", "nato").exit_code == 0
    return project, (project / BRIEF).read_bytes()


BREAKS = {
    "content": ("content/alliances/nato.yaml", lambda s: s.replace("short_name: NATO", "short_name: NATO\n\tx: 1")),
    "template": ("templates/brief.html.j2",
                 lambda s: s.replace("{% block body %}", "{% block body %}{% include '/etc/hostname' %}")),
    "template-bomb": ("templates/brief.html.j2",
                      lambda s: s.replace("{% block body %}", "{% block body %}{{ 'a' * 10**9 }}")),
    "stylesheet": ("templates/css/print.css", lambda s: s + "\nhtml { background: url(/etc/hostname); }\n"),
    "prose": ("content/alliances/nato.yaml", lambda s: s.replace("summary: >-\n", "summary: >-\n  [x](file:///etc/passwd)\n")),
}


@pytest.mark.parametrize("stage", BREAKS)
def test_failed_render_keeps_previous_pdf(good, stage: str) -> None:
    """Breaking the content, a template, a stylesheet or the prose fails the render; the old PDF is untouched."""
    project, before = good
    rel, breaker = BREAKS[stage]
    path = project / rel
    original = path.read_text(encoding="utf-8")
    broken = breaker(original)
    assert broken != original, f"the {stage} breaker no longer applies to {rel}"
    path.write_text(broken, encoding="utf-8")
    try:
        result = _cli(project, "brief", "nato")
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.exit_code == 1, result.output
    assert (project / BRIEF).read_bytes() == before
    assert not _leftovers(project / "build")


def test_strict_failure_keeps_previous_pdf(good) -> None:
    """A --strict render that fails on a WeasyPrint warning keeps the previous PDF too."""
    project, before = good
    css = project / "templates/css/print.css"
    original = css.read_text(encoding="utf-8")
    css.write_text(original + "\n.masthead { colr: red; }\n", encoding="utf-8")
    try:
        result = _cli(project, "brief", "nato", "--strict")
    finally:
        css.write_text(original, encoding="utf-8")
    assert result.exit_code == 1
    assert (project / BRIEF).read_bytes() == before
    assert not _leftovers(project / "build")


@pytest.mark.slow
def test_build_keeps_the_failed_documents_old_pdf(small_built: Path) -> None:
    """In a build (of the briefs) where only nato's brief fails, its old PDF (the shared first build's copy) stays
    and the other documents are still written."""
    project = small_built
    before = {p: p.read_bytes() for p in (project / "build").rglob("*.pdf")}
    nato = project / BRIEF
    override = project / OVERRIDE
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base:brief.html.j2" %}{% block masthead %}{{ super() }}'
                        '{% if block.id == "nato" %}<img src="/etc/hostname" alt="x">{% endif %}{% endblock %}\n')
    other = project / "build/congress/briefs/free-riding.pdf"
    other.unlink()
    result = _cli(project, "build", "--kind", "brief")
    assert result.exit_code == 1
    assert "refused to load file:///etc/hostname" in result.output
    assert nato.read_bytes() == before[nato]
    assert other.is_file()
    assert not _leftovers(project / "build")
