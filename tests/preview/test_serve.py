"""The live preview without a browser: state and errors, affected-only PDF rebuilds, refused paths, the watcher."""
from __future__ import annotations

import http.client
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from briefgen.batch.redline import current
from briefgen.config.kinds import Target
from briefgen.editions.records import commit
from briefgen.preview import PreviewSession, Watcher
from briefgen.preview.server import Preview
from briefgen.project import Project

NATO = "congress/brief/nato"
BAD_YAML_LINE = "name: North: Atlantic"  # 'mapping values are not allowed here', at line 2


def get(base: str, path: str) -> tuple[int, bytes, dict[str, str]]:
    """Send PATH exactly as written (no client-side normalisation) and return status, body, headers."""
    netloc = urlsplit(base).netloc
    conn = http.client.HTTPConnection(netloc, timeout=60)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read(), {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def break_line(path: Path, number: int, text: str) -> str:
    """Replace line NUMBER of PATH with TEXT; return the original contents."""
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    lines[number - 1] = text + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    return original


@pytest.fixture
def session(small: Path, tmp_path: Path):
    """A preview session on a scratch project (the two-block catalogue: `scratch` in its tests), with its PDF
    builder running."""
    s = PreviewSession(small, tmp_path / "out")
    s.start()
    yield s
    s.close()


@pytest.fixture
def preview(small: Path, tmp_path: Path):
    """A running preview server (watcher included) on a free loopback port, on the two-block catalogue."""
    p = Preview(small, tmp_path / "out", port=0)
    p.start()
    yield p
    p.stop()


def test_state_shows_yaml_error_with_file_and_line_then_recovers(session: PreviewSession, scratch: Path) -> None:
    """A YAML syntax error reaches the page's state with file, line and excerpt; the next good save clears it."""
    before = session.state(NATO)["doc"]["fingerprint"]
    nato = scratch / "content/alliances/nato.yaml"
    original = break_line(nato, 2, BAD_YAML_LINE)
    session.reload({"content/alliances/nato.yaml"})
    state = session.state(NATO)
    [error] = state["errors"]
    assert (error["file"], error["line"]) == ("content/alliances/nato.yaml", 2)
    assert "mapping values are not allowed" in error["message"]
    assert [line["text"] for line in error["excerpt"] if line["here"]] == [BAD_YAML_LINE]
    assert state["doc"]["fingerprint"] is None  # nothing new to show: the page keeps the last good HTML
    edited = original.replace("institutionalized multinational defense planning. It runs",
                              "institutionalized multinational planning for defense. It runs", 1)
    assert edited != original  # the edit must change the block, or the test proves nothing
    nato.write_text(edited, encoding="utf-8")
    session.reload({"content/alliances/nato.yaml"})
    state = session.state(NATO)
    assert state["errors"] == []
    assert state["doc"]["fingerprint"] not in (None, before)
    html = (session.site.site / "congress--brief--nato.html").read_text(encoding="utf-8")
    assert "multinational planning for defense" in html


def test_an_edit_reaches_the_page_before_the_project_check(session: PreviewSession, scratch: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """After an edit the document a page looks at is rendered and announced before the whole project's check runs;
    the error the check finds follows in a second event."""
    import briefgen.preview.session as module

    session.state(NATO)  # a page looks at NATO's brief
    events = session.subscribe()
    when_checked: list[tuple[int, bool]] = []
    check = module.check_project

    def recording(project: Project) -> None:
        when_checked.append((events.qsize(), Target("brief", "nato", "congress") in session.snapshot._docs))
        check(project)

    monkeypatch.setattr(module, "check_project", recording)
    break_line(scratch / "content/alliances/nato.yaml", 2, BAD_YAML_LINE)
    session.reload({"content/alliances/nato.yaml"})
    assert when_checked == [(1, True)]  # the version event sent, the page's document done, then the check
    sent = [events.get_nowait() for _ in range(events.qsize())]
    assert [(e["type"], e["errors"]) for e in sent] == [("version", 0), ("checked", 1)]
    assert session.state(NATO)["errors"][0]["line"] == 2


def test_an_error_stays_shown_until_the_next_snapshot_is_checked(session: PreviewSession, scratch: Path) -> None:
    """While a reload renders pages and checks, pages keep seeing the errors last found (not an empty list); a save
    that fixes them clears them once checked, and a `checked` event tells the pages so."""
    from briefgen.preview.session import Snapshot

    path = scratch / "content/alliances/nato.yaml"
    original = break_line(path, 2, BAD_YAML_LINE)
    broken = session.reload({"content/alliances/nato.yaml"})
    assert broken.errors and broken.errors[0]["line"] == 2
    path.write_text(original, encoding="utf-8")
    unchecked = Snapshot(broken.version + 1, session.root, session.site, broken, checked=False)
    assert unchecked.shown_errors == broken.errors
    unchecked.check()
    assert unchecked.shown_errors == []
    events = session.subscribe()
    fixed = session.reload({"content/alliances/nato.yaml"})
    sent = [events.get_nowait() for _ in range(events.qsize())]
    assert fixed.errors == [] and [(e["type"], e["errors"]) for e in sent] == [("version", 0), ("checked", 0)]


def test_template_error_names_the_template_and_line(session: PreviewSession, scratch: Path) -> None:
    """An undefined name in a section template is reported against that template's line, per document."""
    (scratch / "templates/sections/overview.html.j2").open("a", encoding="utf-8").write("{{ no_such_value }}\n")
    session.reload({"templates/sections/overview.html.j2"})
    errors = session.state(NATO)["errors"]
    assert any(e["file"] == "templates/sections/overview.html.j2" and e["line"] and "no_such_value" in e["message"]
               for e in errors), errors


def test_only_affected_pdfs_are_rebuilt(session: PreviewSession, scratch: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Editing the free-riding obstacle rebuilds its brief's PDF and leaves NATO's alone; a no-op save rebuilds none."""
    # Without a record or git history an edition is dated by its files' modification times, which the edit moves to
    # today: a fixed content date keeps the test independent of when the project's files were last touched.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    nato, riding = Target("brief", "nato", "congress"), Target("brief", "free-riding", "congress")
    for target in (nato, riding):
        session.request_pdf(target)
    assert session.idle()
    assert session.pdfs[nato].status == session.pdfs[riding].status == "ok"
    assert session.pdfs[nato].path.read_bytes().startswith(b"%PDF")
    path = scratch / "content/obstacles/free-riding.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: >-\n", "summary: >-\n  Edited in the preview test.\n", 1), encoding="utf-8")
    session.reload({"content/obstacles/free-riding.yaml"})
    assert session.idle()
    assert (session.pdf_builds[riding], session.pdf_builds[nato]) == (2, 1)
    (scratch / "content/alliances/nato.yaml").touch()
    session.reload({"content/alliances/nato.yaml"})
    assert session.idle()
    assert (session.pdf_builds[riding], session.pdf_builds[nato]) == (2, 1)


def test_an_edit_stops_the_pdf_being_built_and_it_is_built_again_from_the_edit(
        session: PreviewSession, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change arriving while a PDF builds stops that build (it is out of date, and would slow the edited page);
    the PDF is then built once, from the snapshot with the edit."""
    import briefgen.preview.session as module

    nato = Target("brief", "nato", "congress")
    started, go = threading.Event(), threading.Event()
    render_target = module.render_target

    def held(*args, **kwargs):
        started.set()
        while not go.is_set():  # interpreted code: the builder's stop lands here
            time.sleep(0.01)
        return render_target(*args, **kwargs)

    monkeypatch.setattr(module, "render_target", held)
    session.request_pdf(nato)
    assert started.wait(60)
    path = scratch / "content/alliances/nato.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("summary: >-\n", "summary: >-\n  Edited now.\n", 1),
                    encoding="utf-8")
    snap = session.reload({"content/alliances/nato.yaml"})
    go.set()
    assert session.idle()
    assert session.pdf_builds[nato] == 1
    assert session.pdfs[nato].status == "ok"
    assert session.pdfs[nato].fingerprint == snap.document(nato).fingerprint


def test_a_reload_parses_and_checks_again_only_what_changed(session: PreviewSession, scratch: Path) -> None:
    """The next snapshot starts from what the last one parsed and checked: one edited block is parsed and checked
    again, the others come from memory, and the seeds (nothing under seeds/ changed) are the same library."""
    first = session.snapshot
    blocks = len(first.project.catalogue.blocks)
    path = scratch / "content/alliances/nato.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("summary: >-\n", "summary: >-\n  Edited now.\n", 1),
                    encoding="utf-8")
    snap = session.reload({"content/alliances/nato.yaml"})
    assert (snap.project.check_cache.checked, snap.project.check_cache.reused) == (1, blocks - 1)
    assert len(snap.project.parse_cache.used) == len(first.project.parse_cache.used)
    assert snap.project.seeds is first.project.seeds
    assert session.reload({"seeds/sources.yaml"}).project.seeds is not snap.project.seeds


def test_new_audience_appears_in_the_index(session: PreviewSession, scratch: Path) -> None:
    """The index lists every audience under audiences/, including one added while the preview runs."""
    shutil.copy(scratch / "audiences/congress.yaml", scratch / "audiences/press.yaml")
    snap = session.reload({"audiences/press.yaml"})
    assert "press" in snap.audiences
    assert "press/onepager/free-riding" in snap.by_key


REFUSED = [
    "/pdf/../../etc/passwd",
    "/pdf/..%2f..%2f..%2fetc%2fpasswd",
    "/pdf/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/pdf/%252e%252e/%252e%252e/etc/passwd",
    "/pdf/congress/briefs/../../../secret.txt",
    "/pdf/stray.pdf",
    "/pdf//etc/passwd",
    "/site/../../secret.txt",
    "/site/%2e%2e/%2e%2e/secret.txt",
    "/site/..%5c..%5csecret.txt",
    "/site/templates/base.html.j2",
    "/site/templates/css/../../../briefgen.yaml",
    "/site//etc/passwd",
    "//etc/passwd",
    "/etc/passwd",
    "/stray.pdf",
    "/pages/../../../etc/passwd/1.png",
    "/pages/congress/brief/nato/..%2f..%2f..%2f..%2fsecret.txt",
    "/pages/congress/brief/nato/99.png",
    "/view/../../etc/passwd",
    "/view/congress/brief/no-such-block",
    "/_preview/../serve.py",
    "/_preview/view.html.j2",
    "/api/state/../../secret.txt",
]


def test_only_generated_files_are_served(preview: Preview, scratch: Path, tmp_path: Path) -> None:
    """Traversal (plain and encoded), template sources and stray files in the build folder are all 404s."""
    base = preview.url
    (tmp_path / "secret.txt").write_text("root:x:0:0 secret", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "stray.pdf").write_text("root:x:0:0 stray", encoding="utf-8")
    status, body, _ = get(base, "/pdf/congress/briefs/nato.pdf")
    assert status == 200 and body.startswith(b"%PDF")
    status, body, headers = get(base, "/pages/congress/brief/nato/1.png")
    assert status == 200 and body.startswith(b"\x89PNG") and headers["content-type"] == "image/png"
    assert get(base, "/site/templates/css/print.css")[0] == 200
    for path in REFUSED:
        status, body, _ = get(base, path)
        assert status == 404, (path, status)
        assert b"root:" not in body and b"secret" not in body, path
    status, body, headers = get(base, "/view/" + NATO)
    assert status == 200 and "default-src 'none'" in headers["content-security-policy"]


def test_server_survives_bad_input(preview: Preview, scratch: Path) -> None:
    """Broken YAML, a broken template and a malformed request leave the server answering."""
    base = preview.url
    break_line(scratch / "content/alliances/nato.yaml", 2, BAD_YAML_LINE)
    (scratch / "templates/brief.html.j2").write_text("{% if %}\n", encoding="utf-8")
    preview.session.reload({"content/alliances/nato.yaml", "templates/brief.html.j2"})
    conn = http.client.HTTPConnection(urlsplit(base).netloc, timeout=10)
    conn.sock = None
    conn.connect()
    conn.sock.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
    conn.close()
    for path in ("/", "/view/" + NATO, "/api/state?doc=" + NATO):
        assert get(base, path)[0] == 200, path
    status, body, _ = get(base, "/api/state?doc=" + NATO)
    assert b"content/alliances/nato.yaml" in body


def test_watcher_reports_a_saved_file(scratch: Path) -> None:
    """watchfiles reports an edit under content/, named relative to the project (its latency is the bench's)."""
    seen: list[set[str]] = []
    got = threading.Event()
    watcher = Watcher(scratch, lambda paths: (seen.append(paths), got.set()))
    watcher.start()
    try:
        # Save until the watcher reports it (its folders register asynchronously): polled, bounded, never a guess.
        deadline = time.monotonic() + 60
        while not got.is_set() and time.monotonic() < deadline:
            (scratch / "content/alliances/nato.yaml").write_text("id: nato\n", encoding="utf-8")
            got.wait(0.5)
        assert got.is_set()
        assert "content/alliances/nato.yaml" in set().union(*seen)
    finally:
        watcher.stop()


def test_cli_serve_rejects_an_unknown_audience(run, scratch: Path) -> None:
    """`briefgen serve --audience nope` fails before listening, naming the known audiences."""
    result = run(scratch, "serve", "--port", "0", "--audience", "nope")
    assert result.exit_code == 2
    assert "no audience named 'nope'" in result.output and "congress" in result.output


NATO_OLD = "Of the 51 formal treaty allies of the United States, 31 are NATO allies."
NATO_NEW = "Of the 51 formal treaty allies of the United States, 31 are members of NATO."


def test_changes_tab_serves_the_redline_against_the_last_edition(small: Path, tmp_path: Path) -> None:
    """With edition 1 recorded and a point reworded since, /changes/<doc> is the document's HTML with the lost
    words in <del>, the new ones in <ins>, a change bar class and the summary box; the view offers the tab."""
    commit(small, current(Project(small), Target("brief", "nato", "congress")))
    path = small / "content" / "alliances" / "nato.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(NATO_OLD, NATO_NEW), encoding="utf-8")
    preview = Preview(small, tmp_path / "out", port=0)
    preview.start()
    try:
        status, body, headers = get(preview.url, "/changes/congress/brief/nato")
        html = body.decode("utf-8")
        assert status == 200 and headers["content-type"].startswith("text/html"), (status, html[:300])
        assert "<del>NATO allies.</del>" in html and "<ins>members of NATO.</ins>" in html
        assert 'class="changed"' in html and "redline-summary" in html and "1 point changed" in html.replace(
            '<span class="redline-count">1</span> ', "1 ")
        assert get(preview.url, "/changes/congress/book/book")[0] == 404
        assert get(preview.url, "/changes/congress/brief/no-such")[0] == 404
    finally:
        preview.stop()


def test_state_lists_what_the_document_leaves_out(small: Path, tmp_path: Path) -> None:
    """The preview's page state carries the located lines for content the document does not show (point 7 of NATO's
    why_it_matters, past congress's max_points of 6); the view has the panel that lists them."""
    from tests.render.test_omitted import add_point

    add_point(small)
    session = PreviewSession(small, tmp_path / "out")
    try:
        doc = session.state(NATO)["doc"]
        assert any(line.startswith("content/alliances/nato.yaml:") and "point 7 of why_it_matters is not shown in "
                   "congress/briefs/nato.html: the audience's max_points is 6" in line for line in doc["omitted"])
        assert not session.state("congress/onepager/nato")["doc"]["omitted"]  # by design: recorded, not listed
    finally:
        session.close()
    view = (Path(__file__).parents[2] / "src/briefgen/preview/assets/view.html.j2").read_text(encoding="utf-8")
    assert 'id="doc-omitted"' in view
