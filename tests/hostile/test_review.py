"""Issue 15: the hostile-input review's attacks (../shared/reviews/security.md), replayed through the real CLI."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, copy_project
from hostile_cases import EVIL, EVIL_AUDIENCE, NATO, REVIEW_CASES, assert_outcome

from briefgen.cli import main
from briefgen.render.pdf import make_fetcher

SLOW = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n"
CANARY = b"CANARY-7f3a9"


def cli(project: Path, *args: str):
    """Run the real CLI in-process on PROJECT."""
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch project with the two-block content."""
    return copy_project(tmp_path / "project")


@pytest.mark.parametrize("case", REVIEW_CASES, ids=lambda c: c.id)
def test_review_attack_is_refused(case, outcome, server) -> None:
    """Each attack exits as expected with a located error, writes nothing outside build/, leaks nothing."""
    o = outcome(case)
    assert_outcome(o, server.server_address[1])
    for pdf in (o.project / "build").rglob("*.pdf") if (o.project / "build").exists() else []:
        data = pdf.read_bytes()
        assert b"FAKETOKEN" not in data and b"sk-FAKE" not in data and b"CANARY" not in data


@pytest.mark.slow
def test_deleted_and_added_inputs_are_never_up_to_date(project: Path) -> None:
    """V3: removing a template override rebuilds; removing a block others cite fails, never 'up to date'.
    V4: a block added while a build renders (when rendering starts) is built by the next build."""
    from briefgen.batch.run import run_build

    override = project / "templates" / "audiences" / "congress" / "brief.html.j2"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text("{% extends 'base:brief.html.j2' %}{% block masthead %}<p>DRAFT - DO NOT CIRCULATE</p>"
                        "{% endblock %}", encoding="utf-8")
    assert cli(project, "-q", "build", "--kind", "brief", "--id", "nato").exit_code == 0  # the one with the override
    pdf = project / "build" / "congress" / "briefs" / "nato.pdf"
    assert b"DRAFT" in subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True).stdout
    override.unlink()

    added = project / "content" / "alliances" / "zeta.yaml"
    nato = (project / NATO).read_text(encoding="utf-8").replace("id: nato", "id: zeta", 1)
    # A valid alliance with no cross-links (links must be mutual, and free-riding does not name zeta).
    text = nato[:nato.index("related_obstacles:")] + nato[nato.index("quotes:"):]

    class AddsABlock:
        """A progress reporter that saves a new block the moment rendering starts, as a user might."""

        def start(self, total: int) -> None:
            added.write_text(text, encoding="utf-8")

        def done(self, target, error) -> None:  # noqa: ANN001
            pass

    report = run_build(project, ["congress"], reporter=AddsABlock())
    assert not report.failures and not report.skipped and len(report.built) == 5  # the override's removal counts
    assert b"DRAFT" not in subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True).stdout
    assert "congress/briefs/zeta.pdf" not in report.built
    result = cli(project, "-q", "build")
    assert result.exit_code == 0 and (project / "build" / "congress" / "briefs" / "zeta.pdf").is_file(), result.output
    assert "built 0," in cli(project, "-q", "build").output
    (project / "content" / "recommendations" / "prioritize-objectives-and-expedite-procedures.yaml").unlink()
    result = cli(project, "-q", "build")
    assert result.exit_code == 1 and "up to date" not in result.output


@pytest.mark.slow
def test_hostile_book_template_ends_within_doc_timeout(project: Path) -> None:
    """V5: a book part template that never ends fails the book with a located time-limit error; the rest build."""
    for rel, text in EVIL_AUDIENCE.items():
        (project / rel).write_text(text, encoding="utf-8")
    part = project / "templates" / "audiences" / "evil" / "book" / "part.html.j2"
    part.parent.mkdir(parents=True)
    part.write_text(SLOW, encoding="utf-8")
    # A CPU-time limit, so a busy machine cannot fail the real documents (under 3 CPU seconds each) with it.
    result = cli(project, "build", "--audience", "evil", "--doc-timeout", "5", "--kind", "book,brief",
                 "--id", "nato")  # the book and one document beside it
    assert result.exit_code == 1 and "built 1, up to date 0, failed 1 of 2" in result.output, result.output
    assert "failed evil/book.pdf: templates/audiences/evil/book/part.html.j2:1: error: template rendering used more " \
           "CPU time than the 5 s limit" in result.output, result.output
    assert (project / "build" / "evil" / "briefs" / "nato.pdf").is_file()
    assert json.loads((project / "build" / "manifest.json").read_text())["last_run"]["failed"]


@pytest.mark.slow
def test_ctrl_c_stops_a_build_hung_in_a_book_template(project: Path) -> None:
    """V5/D13: SIGINT while the parent renders a hostile book template (and a one-pager has been built beside it)
    exits 130 with the manifest written."""
    for rel, text in EVIL_AUDIENCE.items():
        (project / rel).write_text(text, encoding="utf-8")
    part = project / "templates" / "audiences" / "evil" / "book" / "part.html.j2"
    part.parent.mkdir(parents=True)
    part.write_text(SLOW, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "--project", str(project), "build", "--audience",
                             "evil", "--doc-timeout", "600", "-j", "1", "--kind", "book,onepager", "--id", "nato"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)
    done = project / "build" / "evil" / "onepagers"
    try:
        while proc.poll() is None and not (done.is_dir() and list(done.glob("*.pdf"))):
            threading.Event().wait(0.2)  # the one-pager finishes while the book hangs
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert (project / "build" / "manifest.json").is_file()
    assert not list((project / "build").rglob("*.tmp"))


def test_ctrl_c_during_check_exits_130(project: Path) -> None:
    """D13: Ctrl-C before any worker starts (while a big YAML file is parsed) exits 130, not 1 with 'Aborted!'."""
    rows = "".join(f"  k{i}: value number {i}\n" for i in range(30000))  # 700 KB: under the size cap
    (project / "content" / "alliances" / "big.yaml").write_text(f"id: big\nname: Big\nextra:\n{rows}", "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "--project", str(project), "check"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)
    try:
        while proc.poll() is None and _cpu_seconds(proc.pid) < 0.7:  # imports done (0.3 s), parsing the file (1 s)
            threading.Event().wait(0.05)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Aborted!" not in err and "Traceback" not in err


def _default_sigint() -> None:
    """In the child: take Ctrl-C the default way, as at a terminal, even where the test runner ignores it (a
    background job, a pytest-xdist worker): a process started with SIGINT ignored rightly keeps ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("where", ["content/alliances/x.yaml", "audiences/y.yaml"])
def test_a_fifo_is_refused_not_waited_on(project: Path, where: str) -> None:
    """V7: a FIFO named *.yaml makes check, list and build fail with a located error instead of hanging."""
    os.mkfifo(project / where)
    for args in (("check",), ("list",), ("-q", "build")) if where.startswith("content") else (("check",),
                                                                                             ("-q", "build")):
        result = cli(project, *args)
        assert result.exit_code == 1, (args, result.output)
        assert f"{where}: error: file refused: not a regular file (a FIFO, socket or device)" in result.output


def test_nested_unclosed_paragraphs_ingest_as_separate_passages(project: Path) -> None:
    """V8: 8000 unclosed <p> (64 KB) are 8000 sibling paragraphs, as a browser reads them, not 8000 nested ones."""
    seed = project / "seeds" / "nested.html"
    seed.write_text("<html><body><article>" + "<p>word " * 8000, encoding="utf-8")
    result = cli(project, "ingest", "seeds/nested.html", "--all")
    assert result.exit_code == 0, result.output
    assert result.output.count("word") >= 8000


def test_a_swapped_link_never_feeds_the_fetcher_an_outside_file(project: Path, tmp_path: Path) -> None:
    """V11: while a thread swaps images/x.svg between a real file and a link out, no fetch returns the outside file."""
    outside = tmp_path / "canary.svg"
    outside.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><text>" + CANARY + b"</text></svg>")
    images = project / "images"
    images.mkdir(exist_ok=True)
    real, link, target = images / "real.svg", images / "link.svg", images / "x.svg"
    real.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    link.symlink_to(outside)
    os.link(real, target)
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            for source in (link, real):
                tmp = images / ".swap"
                if source.is_symlink():
                    tmp.symlink_to(outside)
                else:
                    os.link(source, tmp)
                os.replace(tmp, target)

    fetcher = make_fetcher(project)
    thread = threading.Thread(target=swap, daemon=True)
    thread.start()
    served = refused = 0
    try:
        for n in range(30000):
            if n >= 3000 and served and refused:
                break
            time.sleep(0)  # hand the swapper the GIL between fetches (on one core it may otherwise never run)
            try:
                response = fetcher.fetch(target.as_uri())
            except Exception:  # noqa: BLE001 - a refusal (the link was in place) is the other good outcome
                refused += 1
                continue
            body = response.body if hasattr(response, "body") else response.read()
            assert CANARY not in (body if isinstance(body, bytes) else bytes(body))
            served += 1
    finally:
        stop.set()
        thread.join()
    assert served and refused  # both states were seen: the race really ran


def test_form_feeds_do_not_shift_seed_lines(project: Path) -> None:
    """V13: a pdftotext seed with form feeds keeps grep -n's line numbers: L20 is its last line, L25 does not exist."""
    lines = [f"Line {i} of the report." for i in range(1, 20)]
    lines.append("The final finding says cooperation with partners is durable.")
    text = "".join(("\x0c" if i in (4, 7, 10, 13, 16) else "") + ln + "\n" for i, ln in enumerate(lines, start=1))
    data = text.encode("utf-8")
    (project / "seeds" / "ffreport.txt").write_bytes(data)
    with open(project / "seeds" / "sources.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"  - id: ffreport\n    file: ffreport.txt\n    format: web-text\n    title: \"FF report\"\n"
                 f"    sha256: {hashlib.sha256(data).hexdigest()}\n")
    nato = project / NATO
    original = nato.read_text(encoding="utf-8")

    def cite(line: str) -> str:
        quote = "cooperation with partners is durable"
        return original.replace("quotes:\n", f"quotes:\n  - text: \"{quote}\"\n    speaker: A report\n"
                                f"    cite: ffreport#{line}\n", 1)

    nato.write_text(cite("L20"), encoding="utf-8")
    result = cli(project, "check")
    assert result.exit_code == 0, result.output
    nato.write_text(cite("L25"), encoding="utf-8")
    result = cli(project, "check")
    assert result.exit_code == 1 and "no passage 'L25' in seed ffreport" in result.output, result.output
    assert "line spans run L1 to L20" in result.output


def test_outputs_honour_the_umask_and_keep_a_changed_mode(project: Path) -> None:
    """D1: under umask 022 outputs are 0644; a PDF the user made 0640 stays 0640 when rebuilt."""
    old = os.umask(0o022)
    try:
        assert cli(project, "onepager", "nato").exit_code == 0
        pdf = project / "build" / "congress" / "onepagers" / "nato.pdf"
        assert pdf.stat().st_mode & 0o777 == 0o644
        os.chmod(pdf, 0o640)
        before = pdf.stat().st_ino
        assert cli(project, "onepager", "nato").exit_code == 0
        assert pdf.stat().st_ino != before and pdf.stat().st_mode & 0o777 == 0o640  # a new file, the old mode
    finally:
        os.umask(old)


def test_an_unwritable_output_is_a_located_error(project: Path, tmp_path: Path) -> None:
    """D2: an output folder that cannot be created is a located error, not a traceback."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the output folder should be", encoding="utf-8")
    result = cli(project, "brief", "nato", "--out", str(blocked / "out"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "error: cannot write the output" in result.output and "previous file, if any, is unchanged" in result.output


def test_register_quotes_any_file_name(project: Path) -> None:
    """D14: `ingest --register` of 'Report #3: NATO.md' writes valid YAML; every command still works."""
    source = ROOT / "seeds" / "wisc-modernizing-alliances-and-partnerships.txt"
    # Not byte-identical to a registered seed (such a copy is refused): a note of our own ends it. Its text is
    # still the registered seed's, so it takes --allow-duplicate (tests/ingest pins the refusal without it).
    (project / "seeds" / "Report #3: NATO.txt").write_bytes(source.read_bytes() + b"\nA note added by the analyst.\n")
    result = cli(project, "ingest", "--register", "--allow-duplicate", "seeds/Report #3: NATO.txt")
    assert result.exit_code == 0, result.output
    assert 'file: "Report #3: NATO.txt"' in (project / "seeds" / "sources.yaml").read_text(encoding="utf-8")
    result = cli(project, "check")
    assert result.exit_code == 0, result.output


def test_an_override_of_an_unknown_block_is_an_error(project: Path) -> None:
    """A misspelled `{% block %}` in an override changes nothing; check names it and the blocks that exist."""
    folder = project / "templates" / "audiences" / "congress"
    folder.mkdir(parents=True)
    (folder / "onepager.html.j2").write_text("{% extends 'base:onepager.html.j2' %}\n"
                                             "{% block colums %}<p>x</p>{% endblock %}\n", encoding="utf-8")
    (folder / "brief.html.j2").write_text("{% extends 'base:brief.html.j2' %}{% block masthead %}"
                                          "{% block extra %}{% endblock %}{% endblock %}", encoding="utf-8")
    result = cli(project, "check")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "templates/audiences/congress/onepager.html.j2:2: error: block 'colums' is not defined by "
        "'base:onepager.html.j2', so this override changes nothing (hint: did you mean 'columns'? blocks "
        "base:onepager.html.j2 defines: body, columns, head_extra, lead, masthead, tail)")
    assert "brief.html.j2" not in result.output  # a new block nested in a real one is fine


def test_an_output_folder_inside_an_input_folder_is_refused(project: Path) -> None:
    """D15: `--out` inside templates/ or content/ is a usage error (it would be read back as input)."""
    for folder in ("templates/out", "content"):
        result = cli(project, "-q", "build", "--out", str(project / folder))
        assert result.exit_code == 2 and "an input folder" in result.output, result.output
    assert not (project / "templates" / "out").exists()


def test_a_template_printing_the_seeds_learns_no_absolute_path(project: Path) -> None:
    """D17: `{{ notes.project.seeds|string }}` renders without the project's absolute path."""
    for rel, text in EVIL_AUDIENCE.items():
        (project / rel).write_text(text, encoding="utf-8")
    (project / EVIL).parent.mkdir(parents=True)
    (project / EVIL).write_text("<p>{{ notes.project.seeds|string }} {{ notes.project.seeds|pprint }}</p>", "utf-8")
    result = cli(project, "brief", "nato", "--audience", "evil", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (project / "build" / "evil" / "briefs" / "nato.html").read_text(encoding="utf-8")
    assert "csis-2025" in html and str(project) not in html and "PosixPath" not in html
