"""The preview against the review's attacks (issue 15): links out of the project, DNS rebinding, cross-site
requests, a runaway template; each through the real server on loopback."""
from __future__ import annotations

import http.client
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from briefgen.preview import session as session_module
from briefgen.preview.server import Preview

NATO = "congress/brief/nato"
SECRET = b"CANARY-7f3a9 root:x:0:0"
SLOW = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n"


def get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    """GET PATH with HEADERS (a Host header given here replaces the real one)."""
    conn = http.client.HTTPConnection(urlsplit(base).netloc, timeout=60)
    try:
        headers = dict(headers or {})
        conn.putrequest("GET", path, skip_host="Host" in headers, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read(), {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the project holding canary files."""
    folder = tmp_path / "canary"
    folder.mkdir()
    for name in ("secret.txt", "secret.svg", "secret.woff"):
        (folder / name).write_bytes(SECRET)
    return folder


def start(project: Path, out: Path) -> Preview:
    p = Preview(project, out, port=0)
    p.start()
    return p


def test_links_out_of_the_project_are_never_mirrored_or_served(small: Path, tmp_path: Path, outside: Path) -> None:
    """V1: links to outside files (and a linked images/ folder) are neither copied into the site nor served."""
    (small / "fonts").mkdir(exist_ok=True)
    (small / "fonts" / "passwd.woff").symlink_to("/etc/passwd")
    (small / "brand" / "leak.txt").symlink_to(outside / "secret.txt")
    (small / "templates" / "css" / "leak.css").symlink_to(outside / "secret.txt")
    shutil_images = small / "images"
    if shutil_images.exists():
        os.rename(shutil_images, tmp_path / "images-moved")
    shutil_images.symlink_to(outside, target_is_directory=True)
    out = tmp_path / "out"
    p = start(small, out)
    try:
        for path in ("/site/fonts/passwd.woff", "/site/brand/leak.txt", "/site/templates/css/leak.css",
                     "/site/images/secret.txt", "/site/images/secret.svg"):
            status, body, _ = get(p.url, path)
            assert status == 404, path
            assert b"root:" not in body and b"CANARY" not in body
        assert get(p.url, "/site/templates/css/print.css")[0] == 200  # real project files still are
    finally:
        p.stop()
    copied = [f for f in out.rglob("*") if f.is_file() and (b"CANARY" in f.read_bytes() or b"root:x" in f.read_bytes())]
    assert copied == []


def test_other_host_names_are_refused(small: Path, tmp_path: Path) -> None:
    """V2: a Host header other than the loopback names/addresses and this port (DNS rebinding) gets 421."""
    p = start(small, tmp_path / "out")
    port = p.server.server_address[1]
    try:
        for host in ("evil.example", f"attacker.com:{port}", f"127.0.0.1.evil.example:{port}", "127.0.0.1:1",
                     f"[::1]:{port + 1}"):
            for path in ("/", "/api/state?doc=" + NATO, "/site/templates/css/print.css"):
                status, body, _ = get(p.url, path, {"Host": host})
                assert status == 421, (host, path)
                assert b"nato" not in body.lower()
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
            assert get(p.url, "/", {"Host": host})[0] == 200, host
        assert get(p.url, "/", {"Host": ""})[0] == 421
    finally:
        p.stop()


def test_cross_site_requests_trigger_no_build(small: Path, tmp_path: Path) -> None:
    """V2: a request from another site's page (Origin, Referer or Sec-Fetch-Site) starts nothing: 403."""
    p = start(small, tmp_path / "out")
    try:
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                        {"Sec-Fetch-Site": "same-site"}, {"Referer": "https://evil.example/page"},
                        {"Origin": "null"}):
            for path in ("/pdf/congress/briefs/nato.pdf", "/view/" + NATO, "/api/state?doc=" + NATO):
                assert get(p.url, path, headers)[0] == 403, (headers, path)
        assert p.session.pdfs == {} and sum(p.session.pdf_builds.values()) == 0
        origin = p.url.rstrip("/")
        status, body, _ = get(p.url, "/pdf/congress/briefs/nato.pdf",
                              {"Origin": origin, "Sec-Fetch-Site": "same-origin"})
        assert status == 200 and body.startswith(b"%PDF")
        assert get(p.url, "/view/" + NATO, {"Sec-Fetch-Site": "none"})[0] == 200  # typed or bookmarked
    finally:
        p.stop()


def test_an_svg_opened_directly_cannot_run_script(small: Path, tmp_path: Path) -> None:
    """D11: SVGs are served with a sandboxing CSP."""
    (small / "brand" / "badge.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')
    p = start(small, tmp_path / "out")
    try:
        status, _, headers = get(p.url, "/site/brand/badge.svg")
        assert status == 200 and "sandbox" in headers["content-security-policy"]
        assert "script-src" not in headers["content-security-policy"]
    finally:
        p.stop()


@pytest.mark.slow
def test_a_runaway_template_does_not_wedge_the_preview(small: Path, tmp_path: Path, monkeypatch) -> None:
    """V6: a template that never ends is stopped with a located error; after the fix the PDF builds again."""
    monkeypatch.setattr(session_module, "TEMPLATE_SECONDS", 1.0)
    override = small / "templates" / "audiences" / "congress" / "brief.html.j2"
    override.parent.mkdir(parents=True, exist_ok=True)
    p = start(small, tmp_path / "out")
    try:
        status, body, _ = get(p.url, "/pdf/congress/briefs/nato.pdf")
        assert status == 200
        override.write_text(SLOW, encoding="utf-8")
        p.session.reload({"templates/audiences/congress/brief.html.j2"})
        status, body, _ = get(p.url, "/api/state?doc=" + NATO)
        state = json.loads(body)
        assert status == 200
        assert any("than the 1 s limit" in e["message"] and
                   e["file"] == "templates/audiences/congress/brief.html.j2" for e in state["errors"]), state
        nato = next(t for t in p.session.pdfs if t.block_id == "nato")
        assert p.session.idle(60)  # the builder took the PDF up, was stopped, and is free again
        assert p.session.pdfs[nato].status == "error"
        override.unlink()
        p.session.reload({"templates/audiences/congress/brief.html.j2"})
        before = p.session.pdf_builds[nato]
        status, body, _ = get(p.url, "/pdf/congress/briefs/free-riding.pdf")
        assert status == 200 and body.startswith(b"%PDF")
        assert json.loads(get(p.url, "/api/state?doc=" + NATO)[1])["errors"] == []
        assert p.session.idle(60)
        assert p.session.pdf_builds[nato] == before + 1
    finally:
        p.stop()


@pytest.mark.parametrize("name", ["x.html", "x.js", "x.htm", "x.xhtml", "x.txt"])
def test_no_project_asset_can_script_the_preview_origin(small: Path, tmp_path: Path, name: str) -> None:
    """A page under /site/ (images/x.html loading images/x.js, which would read /api/state) is served with a
    sandboxing CSP that allows no script at all; the preview's own pages keep theirs."""
    (small / "images").mkdir(exist_ok=True)
    (small / "images" / name).write_text("<script src='x.js'></script><script>fetch('/api/state')</script>")
    p = start(small, tmp_path / "out")
    try:
        status, _, headers = get(p.url, f"/site/images/{name}")
        assert status == 200, status
        csp = headers["content-security-policy"]
        assert "sandbox" in csp and "allow-scripts" not in csp and "script-src" not in csp, csp
        status, _, headers = get(p.url, "/")
        assert status == 200 and "script-src 'self'" in headers["content-security-policy"]
    finally:
        p.stop()


def test_a_fifo_editions_record_never_blocks_the_preview(small: Path, tmp_path: Path) -> None:
    """A FIFO in place of a document's editions record is an error in the preview's state, never a thread blocked
    in open(); once it is gone the PDF builds."""
    from briefgen.config.kinds import Target
    from briefgen.preview.session import PreviewSession

    record = small / "editions" / "congress" / "brief" / "nato.json"
    record.parent.mkdir(parents=True)
    os.mkfifo(record)
    session = PreviewSession(small, tmp_path / "out")
    session.start()
    try:
        target = Target("brief", "nato", "congress")
        session.request_pdf(target)
        assert session.idle()
        assert session.pdfs[target].status in ("error", "blocked"), session.pdfs[target]
        assert "not a regular file" in json.dumps(session.state(NATO))
        record.unlink()
        session.reload({"editions/congress/brief/nato.json"})
        session.request_pdf(target)
        assert session.idle()
        assert session.pdfs[target].status == "ok", session.pdfs[target]
    finally:
        session.close()
