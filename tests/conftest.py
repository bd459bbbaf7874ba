"""Shared fixtures: the real project, a scratch copy of it, and a CLI runner."""
from __future__ import annotations

import fcntl
import json
import os
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefgen.cli import main

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("briefgen.yaml", "brand.yml", "audiences", "brand", "content", "seeds", "templates", "fonts")


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository's own project."""
    return ROOT


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the project that a test may edit freely."""
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, tmp_path / part)
        elif src.exists():
            shutil.copy2(src, tmp_path / part)
    for optional in ("brand.yml",):
        if (ROOT / optional).exists():
            shutil.copy2(ROOT / optional, tmp_path / optional)
    return tmp_path


@pytest.fixture
def small(scratch: Path) -> Path:
    """A copy of the project whose catalogue is just NATO and free riding (tests/fixtures/two-blocks): quick to build."""
    shutil.rmtree(scratch / "content")
    shutil.copytree(SMALL_CONTENT, scratch / "content")
    return scratch


SMALL_CONTENT = ROOT / "tests" / "fixtures" / "two-blocks" / "content"


def _copy_small(dest: Path) -> Path:
    """Copy the project, with the two-block content, into DEST (what `small` gives, anywhere)."""
    dest.mkdir(parents=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if part == "content":
            shutil.copytree(SMALL_CONTENT, dest / part)
        elif src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


def _cli_ok(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`small` built once per run for the default audience (`build --jobs 2`: its build/ and editions/ inside, what
    it printed in FOLDER/build.log): shared read-only; `small_built` gives a test its own copy to change and build
    again."""
    def make(folder: Path) -> None:
        project = _copy_small(folder / "project")
        (folder / "build.log").write_text(_cli_ok("--project", str(project), "build", "--jobs", "2"), encoding="utf-8")

    return once_per_run(tmp_path_factory, "small-build", make) / "project"


@pytest.fixture
def small_built(small_build: Path, tmp_path: Path) -> Path:
    """A copy of `small_build` (TMP/project): `small` after a first build, which every later build compares against
    (the manifest records hashes and relative paths, so the copy is up to date where it lies)."""
    return Path(shutil.copytree(small_build, tmp_path / "project", symlinks=True))


#: The SOURCE_DATE_EPOCH `small_other_audiences` is built under.
SMALL_EPOCH = "1700000000"


@pytest.fixture(scope="session")
def small_other_audiences(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`small` built once per run for every audience but the default one, under SOURCE_DATE_EPOCH=SMALL_EPOCH, with
    editions recorded: FOLDER/project (its editions/) and FOLDER/out (the build). Read it, or copy the folder."""
    def make(folder: Path) -> None:
        from briefgen.config.project import load_project_config

        project = _copy_small(folder / "project")
        default = load_project_config(project).default_audience
        others = sorted(p.stem for p in (project / "audiences").glob("*.yaml") if p.stem != default)
        with pytest.MonkeyPatch.context() as env:
            env.setenv("SOURCE_DATE_EPOCH", SMALL_EPOCH)
            _cli_ok("--project", str(project), "-q", "build", *[a for name in others for a in ("--audience", name)],
                    "--out", str(folder / "out"))

    return once_per_run(tmp_path_factory, "small-other-audiences", make)


@pytest.fixture
def run():
    """Run the real CLI in-process: run(project, *args) -> click Result."""
    runner = CliRunner()

    def _run(project: Path, *args: str):
        return runner.invoke(main, ["--project", str(project), *args], catch_exceptions=False)

    return _run


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """A folder that make(folder) fills once per test run, then shared read-only by every test that asks for it.

    Under pytest-xdist every worker has its own session: the first to get here fills the run's shared temporary
    folder NAME, under a lock, and the others wait for it and reuse it.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = tmp_path_factory.mktemp(name)
        make(out)
        return out
    shared = tmp_path_factory.getbasetemp().parent / name
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / ".complete").is_file():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            make(shared)
            (shared / ".complete").touch()
    return shared


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every brief and one-pager of the real project for the default audience, built once per run."""
    return once_per_run(tmp_path_factory, "built", _build_catalogue)


def _build_catalogue(out: Path) -> Path:
    # --no-record: the test build leaves the repository's editions/ as it is.
    result = CliRunner().invoke(main, ["--project", str(ROOT), "-q", "build", "--no-record", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


#: The SOURCE_DATE_EPOCH `every_audience` is rendered under (2026-01-01T00:00:00Z).
EVERY_AUDIENCE_EPOCH = "1767225600"


@pytest.fixture(scope="session")
def every_audience(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project's NATO brief and countercoercion one-pager for every audience, rendered once per run under
    SOURCE_DATE_EPOCH=EVERY_AUDIENCE_EPOCH: OUT/AUDIENCE/briefs/nato.pdf and
    OUT/AUDIENCE/onepagers/countercoercion.pdf."""
    def make(out: Path) -> None:
        for kind, block in (("brief", "nato"), ("onepager", "countercoercion")):
            result = CliRunner(env={"SOURCE_DATE_EPOCH": EVERY_AUDIENCE_EPOCH}).invoke(
                main, ["--project", str(ROOT), "-q", kind, block, "--audience", "all", "--out", str(out)],
                catch_exceptions=False)
            assert result.exit_code == 0, result.output

    return once_per_run(tmp_path_factory, "every-audience", make)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the whole-catalogue build are `slow`: `pytest -m "not slow"` is the inner loop."""
    for item in items:
        if "built" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def site_fonts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's fonts as the web edition's WOFF2 subsets, made once per session: a folder to copy to
    OUT/.cache/site-fonts, so each site a test builds reuses them instead of subsetting eight faces again."""
    from briefgen.batch.site import FONT_CACHE, web_font

    out = tmp_path_factory.mktemp("site-fonts")
    for face in sorted((ROOT / "fonts").glob("*.[ot]tf")):
        web_font(out, face.read_bytes())
    return out / FONT_CACHE




# --- Opt-in CPU profile: BRIEFGEN_TEST_CPU=path.jsonl pytest ... appends one JSON line per test. ---------------------
_CPU_LOG = os.environ.get("BRIEFGEN_TEST_CPU")


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """With BRIEFGEN_TEST_CPU set, record each test's CPU seconds, its own process's and its finished children's
    (subprocess CLIs, Chromium, LibreOffice, Dask workers), and its wall time, fixture set-up and tear-down included:
    the suite's budget is CPU, since its wall time depends on what else the machine runs."""
    if not _CPU_LOG:
        yield
        return
    self0, children0 = _cpu_seconds(resource.RUSAGE_SELF), _cpu_seconds(resource.RUSAGE_CHILDREN)
    wall0 = time.monotonic()
    yield
    row = {"test": item.nodeid,
           "self": round(_cpu_seconds(resource.RUSAGE_SELF) - self0, 3),
           "children": round(_cpu_seconds(resource.RUSAGE_CHILDREN) - children0, 3),
           "wall": round(time.monotonic() - wall0, 3),
           "worker": os.environ.get("PYTEST_XDIST_WORKER", "")}
    with open(_CPU_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(row) + "\n")
