"""Shared fixtures: the real project, a scratch copy of it, and a CLI runner."""
from __future__ import annotations

import fcntl
import json
import os
import resource
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


#: The cores this process could use before pytest_configure gave an xdist worker its share.
_ALL_CPUS: set[int] = set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set()


def pytest_configure(config: pytest.Config) -> None:  # noqa: ARG001
    """Under pytest-xdist, give each test worker its share of the cores (worker i of n: every n-th core from the
    i-th). briefgen's default --jobs is the cores the process may use, so a build a test runs starts one render
    worker per core of its share instead of one per core of the machine, which the other test worker is using too:
    the same wall time, a worker start-up (about a CPU-second) less per build."""
    worker, count = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("PYTEST_XDIST_WORKER_COUNT", "")
    if not worker.startswith("gw") or not count.isdigit() or not _ALL_CPUS:
        return
    cpus, n = sorted(_ALL_CPUS), int(count)
    if len(cpus) >= n > 1:
        os.sched_setaffinity(0, set(cpus[int(worker[2:]) % n::n]))


class _CheckMemo:
    """checkcache.check_blocks for this test process: a caller without a check cache (`check`, renders outside a
    build) gets one kept in memory for the whole process, so a block whose file, cited seeds, configuration and tool
    are unchanged (the key the build's check cache uses) is checked once per process, not once per project copy;
    its findings come back rebuilt as that cache rebuilds them. The check cache's own tests (CACHE_TESTS) never
    share it."""

    CACHE_TESTS = frozenset({"test_check_cache.py", "test_check_cache_is_checked.py"})

    def __init__(self) -> None:
        from briefgen.content import checkcache

        self.module, self.check = checkcache, checkcache.check_blocks
        self.cache = checkcache.CheckCache(Path("/nonexistent"), Path("/nonexistent"))  # never loaded nor saved
        self.cache.entries = self.cache.used  # what put() keeps, get() finds
        self.enabled = True
        checkcache.check_blocks = self

    def __call__(self, cat, library, ctx, cache=None) -> list:  # check_blocks(cat, library, ctx, cache)
        if cache is not None or not self.enabled:
            return self.check(cat, library, ctx, cache)
        self.module.log.disabled = True  # its "N checked, M from the cache" line is the build's, not check's
        try:
            return self.check(cat, library, ctx, self.cache)
        finally:
            self.module.log.disabled = False


class _FitRulesMemo:
    """render.setup's fit_rules for this test process: the fit rules of the same stylesheet texts (frozen FitRules, a
    pure function of the texts) are read once per process, not once per project copy and audience (each render of a
    fresh copy read the brand and print CSS with tinycss2 and compiled its selectors again: about a tenth of the CPU
    of the tests that render in-process). render.fitclasses' own tests call it directly, unchanged."""

    def __init__(self) -> None:
        from briefgen.render import setup

        self.read, self.rules = setup.fit_rules, {}
        setup.fit_rules = self

    def __call__(self, css_texts: list[str]) -> list:
        key = tuple(css_texts)
        if key not in self.rules:
            self.rules[key] = self.read(css_texts)
        return list(self.rules[key])


_CHECK_MEMO, _FIT_RULES_MEMO = _CheckMemo(), _FitRulesMemo()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Run the real checks for the tests of the check cache (CACHE_TESTS)."""
    _CHECK_MEMO.enabled = item.path.name not in _CheckMemo.CACHE_TESTS


@contextmanager
def _every_core() -> Iterator[None]:
    """Let this process (and what it starts) use every core for a while: a shared build the other test worker may be
    waiting for."""
    if not _ALL_CPUS:
        yield
        return
    mine = os.sched_getaffinity(0)
    os.sched_setaffinity(0, _ALL_CPUS)
    try:
        yield
    finally:
        os.sched_setaffinity(0, mine)


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
            with _every_core():  # the other test worker may be waiting for it
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
    """Tests that use the whole-catalogue build or the Nu Html Checker are `slow`: `pytest -m "not slow"` is the
    inner loop. The modules holding slow tests run first, each module whole and in its order (its module fixtures
    made once): under pytest-xdist the long tests start early and the run ends on short ones, not with one worker
    alone on a long test."""
    for item in items:
        if {"built", "nu_errors"} & set(getattr(item, "fixturenames", ())):  # the Nu checker: Java, the real site
            item.add_marker(pytest.mark.slow)
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    order = {path: i for i, path in enumerate(dict.fromkeys(item.path for item in items))}
    items.sort(key=lambda item: (item.path not in slow, order[item.path]))


@pytest.fixture(scope="session")
def site_fonts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's fonts as the web edition's WOFF2 subsets, made once per session: a folder to copy to
    OUT/.cache/site-fonts, so each site a test builds reuses them instead of subsetting eight faces again."""
    from briefgen.batch.site import FONT_CACHE, web_font

    out = tmp_path_factory.mktemp("site-fonts")
    for face in sorted((ROOT / "fonts").glob("*.[ot]tf")):
        web_font(out, face.read_bytes())
    return out / FONT_CACHE


def _need_tool(path: Path | None, what: str, install: str) -> None:
    """Skip (or in CI fail) when a tool the tests need is missing."""
    if path is None or not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing in CI: {install}")
        pytest.skip(f"{what} is not installed; run: {install}")


def _site_into(out: Path, fonts: Path, project: Path, *args: str) -> None:
    """`briefgen site ARGS` of PROJECT into OUT, reusing the session's font subsets."""
    from briefgen.batch.site import FONT_CACHE

    shutil.copytree(fonts, out / FONT_CACHE)
    _cli_ok("--project", str(project), "site", "--out", str(out), *args)


@pytest.fixture(scope="session")
def small_site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The web edition of the two-block project (NATO, free riding), with a stand-in PDF of NATO's brief to offer,
    made once per run and shared read-only: PROJECT/build/congress/site."""
    def make(folder: Path) -> None:
        project = _copy_small(folder / "project")
        pdf = project / "build" / "congress" / "briefs" / "nato.pdf"
        pdf.parent.mkdir(parents=True)
        pdf.write_bytes(b"%PDF-1.7\n% a stand-in for the built brief\n")
        _site_into(project / "build", request.getfixturevalue("site_fonts"), project)

    return once_per_run(tmp_path_factory, "small-site", make) / "project" / "build" / "congress" / "site"


@pytest.fixture(scope="session")
def real_public_site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The real catalogue's web edition for the public audience, made once per run: its site folder (read-only)."""
    def make(out: Path) -> None:
        _site_into(out, request.getfixturevalue("site_fonts"), ROOT, "--audience", "public")

    return once_per_run(tmp_path_factory, "real-public-site", make) / "public" / "site"


#: The pages of the real public site the Nu Html Checker validates.
REAL_SITE_PAGES = ("index.html", "briefs/nato.html", "search.html", "editions/nato.html", "sources.html",
                   "recommendations.html")
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INVALID_HTML = '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><div><span></div></body></html>\n'


@pytest.fixture(scope="session")
def nu_errors(tmp_path_factory: pytest.TempPathFactory, small_site: Path,
              real_public_site: Path) -> NuErrors:
    """One run of the Nu Html Checker (vnu-jar, Java 17) per test run over every file the tests validate: the
    two-block project's NATO brief and one-pager as `--format html` (FOLDER/html/...), every page and the stylesheet
    of `small_site`, and REAL_SITE_PAGES of `real_public_site` (NuErrors)."""
    _need_tool(VNU, "vnu-jar", "npm ci (package.json lists vnu-jar)")
    java = shutil.which("java")
    _need_tool(Path(java) if java else None, "java", "scripts/system-deps.sh --test")

    def make(folder: Path) -> None:
        project = _copy_small(folder / "html")
        for kind in ("brief", "onepager"):
            _cli_ok("--project", str(project), "-q", kind, "nato", "--format", "html")
        (folder / "invalid.html").write_text(INVALID_HTML, encoding="utf-8")
        files = sorted(project.glob("build/congress/*/nato.html")) + sorted(small_site.rglob("*.html")) \
            + [small_site / "assets" / "site.css"] + [real_public_site / rel for rel in REAL_SITE_PAGES] \
            + [folder / "invalid.html"]
        # One short run: Java's first-tier compiler alone (the second tier's background compiling costs about twice
        # the CPU time of the whole check); its deeper frames need a larger stack than the checker's 512k minimum.
        checked = subprocess.run([java, "-XX:TieredStopAtLevel=1", "-Xss16m", "-jar", str(VNU), "--format", "json",
                                  "--errors-only", "--also-check-css",
                                  *map(str, files)], capture_output=True, text=True, timeout=600)
        messages = json.loads(checked.stderr)["messages"]  # the checker's report is JSON on stderr
        errors: dict[str, list[str]] = {str(f.resolve()): [] for f in files}
        for m in messages:
            where = str(Path(m["url"].removeprefix("file:")).resolve()) if "url" in m else "?"
            errors.setdefault(where, []).append(f"{m.get('type')}: {m.get('message')} ({m.get('extract', '')!r})")
        (folder / "errors.json").write_text(json.dumps(errors), encoding="utf-8")

    folder = once_per_run(tmp_path_factory, "nu-checker", make)
    return NuErrors(json.loads((folder / "errors.json").read_text("utf-8")),
                    sorted((folder / "html").glob("build/congress/*/nato.html")), folder / "invalid.html",
                    [real_public_site / rel for rel in REAL_SITE_PAGES])


class NuErrors:
    """What the Nu Html Checker found, by file: nu_errors(paths) -> the errors in those files (each path must have been
    given to it); `html_pages`: the two-block project's NATO brief and one-pager written with `--format html`;
    `invalid`: a page with an unclosed element (INVALID_HTML), to show the checker's errors reach the tests;
    `real_pages`: REAL_SITE_PAGES of the real public site."""

    def __init__(self, found: dict[str, list[str]], html_pages: list[Path], invalid: Path,
                 real_pages: list[Path]) -> None:
        self.found, self.html_pages, self.invalid, self.real_pages = found, html_pages, invalid, real_pages

    def __call__(self, paths: list[Path]) -> list[str]:
        missing = [str(p) for p in paths if str(p.resolve()) not in self.found]
        assert not missing, f"not given to the checker: {missing}"
        return [f"{p}: {e}" for p in paths for e in self.found[str(p.resolve())]] + self.found.get("?", [])


# --- Opt-in CPU profile: BRIEFGEN_TEST_CPU=path.jsonl pytest ... appends one JSON line per test. ---------------------
_CPU_LOG = os.environ.get("BRIEFGEN_TEST_CPU")


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    seconds = usage.ru_utime + usage.ru_stime
    if who == resource.RUSAGE_CHILDREN:  # and the render workers that ended, which are the forker's children
        from briefgen.batch.forker import cpu_seconds

        seconds += cpu_seconds()
    return seconds


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """With BRIEFGEN_TEST_CPU set, record each test's CPU seconds, its own process's and its finished children's
    (subprocess CLIs, Chromium, LibreOffice, Dask workers; render workers, which the pool's forker reaps, as it
    reports them), and its wall time, fixture set-up and tear-down included:
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


def pytest_collection_finish(session: pytest.Session) -> None:  # noqa: ARG001
    """Freeze what collection imported and made (gc.freeze): the full collections each in-process render triggers
    then leave those objects alone instead of walking them all every time (measured: a third less time in the
    collector, about 5% of the CPU of tests that render in-process)."""
    import gc

    gc.collect()
    gc.freeze()
