"""`--format html`: a standalone HTML file per document that opens from build/ without the network."""
from __future__ import annotations

import re
from pathlib import Path


def test_brief_and_onepager_write_standalone_html(scratch: Path, run) -> None:
    """Both kinds write HTML whose stylesheet, fonts and logo resolve from the file's folder, none remote."""
    for kind, folder in (("brief", "briefs"), ("onepager", "onepagers")):
        result = run(scratch, kind, "free-riding", "--format", "html")
        assert result.exit_code == 0, result.output
        page = scratch / "build" / "congress" / folder / "free-riding.html"
        html = page.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and '<html lang="en-US">' in html
        urls = re.findall(r'(?:href|src)="([^"#][^"]*)"', html) + re.findall(r'url\("([^"]+)"\)', html)
        assert any(u.endswith("print.css") for u in urls) and any(u.endswith(".otf") for u in urls)
        assert any(u.endswith("logo-reverse.svg") for u in urls)
        for url in urls:
            assert "://" not in url and not url.startswith("/"), url
            assert (page.parent / url).resolve().is_file(), url
        assert 'href="#note-1"' in html and 'id="note-1"' in html
        assert "For congressional staff use" in html
        assert not (page.with_suffix(".pdf")).exists()
