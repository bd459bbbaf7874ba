"""The web edition's audit in headless Chromium: each rule catches its defect on a tiny page and passes its fix."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from briefgen.render.audit_web import WIDTHS, audit_site

IN_CI = bool(os.environ.get("CI"))
STYLE = "<style>body { margin: 0; padding: 8px; font: 16px/1.4 sans-serif; } {extra}</style>"
#: Visually hidden text (read by screen readers): not a finding.
SR_ONLY = ".sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }"
#: Each page: its body, its extra CSS.
PAGES = {
    # a table wider than a phone: the document scrolls sideways at 390 px
    "wide-table.html": ("<table><tr>" + "<td>Obstacle</td>" * 12 + "</tr></table>", "td { min-width: 60px; }"),
    # the fix: the cells wrap and the table keeps to the viewport
    "wide-table-fixed.html": ("<table><tr>" + "<td>Obstacle</td>" * 12 + "</tr></table>",
                              "table { width: 100%; table-layout: fixed; } td { overflow-wrap: anywhere; }"),
    # two absolutely positioned boxes whose text lands on the same spot
    "overlap.html": ('<div class="a">Bottom line first</div><div class="b">Key takeaways here</div>',
                     ".a, .b { position: absolute; top: 40px; left: 10px; }"),
    "overlap-fixed.html": ('<div class="a">Bottom line first</div><div class="b">Key takeaways here</div>',
                           ".a, .b { position: absolute; left: 10px; } .a { top: 40px; } .b { top: 80px; }"),
    # a label cut by its box (overflow hidden), and a visually hidden text that is not a finding
    "clipped.html": ('<p class="label">Prepared for congressional staff</p>',
                     ".label { width: 80px; white-space: nowrap; overflow: hidden; }"),
    "clipped-fixed.html": ('<p class="label">Prepared for congressional staff</p><span class="sr">Yes</span>',
                           ".label { max-width: 100%; } " + SR_ONLY),
    # a request out of the site is blocked and named
    "remote.html": ('<p>Text</p><img alt="" src="http://example.com/tracker.png">', ""),
}


def _page(body: str, extra: str) -> str:
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><meta name=viewport "
            f"content='width=device-width, initial-scale=1'><title>t</title>{STYLE.replace('{extra}', extra)}"
            f"</head><body>{body}</body></html>")


def _need_chromium() -> None:
    if not any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")):
        if IN_CI:
            pytest.fail("chromium is missing in CI: .ci/run installs it through scripts/system-deps.sh")
        pytest.skip("Debian's chromium is not installed; run: sudo apt-get install -y chromium")
    pytest.importorskip("playwright.sync_api", reason="install the test extra: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web-audit-site")
    for name, (body, extra) in PAGES.items():
        (folder / name).write_text(_page(body, extra), encoding="utf-8")
    outside = tmp_path_factory.mktemp("outside") / "secret.html"
    outside.write_text(_page("<p>outside the site</p>", ""), encoding="utf-8")
    (folder / "linked.html").symlink_to(outside)  # a link out of the site folder is neither audited nor served
    return folder


@pytest.fixture(scope="module")
def findings(site: Path) -> dict[tuple[str, int], set[str]]:
    """One browser for every page at both widths: page and width -> finding codes."""
    _need_chromium()
    report = audit_site(site)
    assert sorted(report.pages) == sorted(PAGES)  # not linked.html
    out: dict[tuple[str, int], set[str]] = {(f"/{p}", w): set() for p in PAGES for w in WIDTHS}
    for finding in report.findings:
        out[(finding.page, finding.width)].add(finding.code)
    out["messages"] = {f.format() for f in report.findings}  # type: ignore[index]
    return out


def test_a_table_wider_than_a_phone_is_a_horizontal_scroll_and_its_fix_passes(findings) -> None:
    assert findings[("/wide-table.html", 390)] == {"horizontal-scroll"}
    assert findings[("/wide-table.html", 1280)] == set()  # a desktop holds it
    assert any(m.startswith("/wide-table.html at 390px: web: the page is ") and "table" in m
               for m in findings["messages"])
    assert findings[("/wide-table-fixed.html", 390)] == findings[("/wide-table-fixed.html", 1280)] == set()


def test_overlapping_text_boxes_are_found_at_both_widths_and_their_fix_passes(findings) -> None:
    for width in WIDTHS:
        assert findings[("/overlap.html", width)] == {"text-overlap"}
        assert findings[("/overlap-fixed.html", width)] == set()
    assert any('div.a "Bottom line first" / div.b "Key takeaways here"' in m for m in findings["messages"])


def test_text_cut_by_its_box_is_found_and_visually_hidden_text_is_not(findings) -> None:
    assert findings[("/clipped.html", 390)] == {"overflow-cut"}
    assert findings[("/clipped-fixed.html", 390)] == findings[("/clipped-fixed.html", 1280)] == set()


def test_a_request_out_of_the_site_is_blocked_and_named(findings) -> None:
    assert findings[("/remote.html", 390)] == {"leaves-site"}
    assert any("blocked: http://example.com/tracker.png" in m for m in findings["messages"])


def test_check_web_exits_2_naming_the_package_when_no_chromium_is_on_path(small: Path, run, monkeypatch,
                                                                          tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "site").mkdir()
    result = run(small, "check", "--web", str(tmp_path / "site"))
    assert result.exit_code == 2, result.output
    assert "no Chromium on PATH" in result.output and "apt-get install -y chromium" in result.output


def test_check_web_prints_each_finding_with_page_and_width_and_exits_1(small: Path, run, tmp_path: Path) -> None:
    """The product command: `check --web SITE_DIR` (a second browser launch, one page)."""
    _need_chromium()
    site = tmp_path / "site"
    site.mkdir()
    (site / "overlap.html").write_text(_page(*PAGES["overlap.html"]), encoding="utf-8")
    result = run(small, "check", "--web", str(site))
    assert result.exit_code == 1, result.output
    assert f"{site}: /overlap.html at 390px: web: text overlaps: div.a" in result.output
    assert "/overlap.html at 1280px" in result.output and "[text-overlap]" in result.output
    assert f"web: {site}: 1 page(s) at 390 px and 1280 px, 2 finding(s)" in result.output
