"""The layout audit on tiny hand-made documents: each finding is triggered by a page built to show it, and a clean
document triggers none. Real WeasyPrint layouts, measured the way the build measures them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.render.audit import FINDINGS, THRESHOLDS, Thresholds, audit, summary
from briefgen.render.pdf import lay_out

PAGE = "<style>@page { size: 300pt 300pt; margin: 20pt; } body { font: 10pt/12pt serif; margin: 0; } " \
       "h2, h3 { font-size: 10pt; line-height: 12pt; margin: 0; } p { margin: 0; } ul { margin: 0; }</style>"


def lines(n: int, word: str = "Text") -> str:
    return "<br>".join(f"{word} line {i}" for i in range(n))


def codes(tmp_path: Path, body: str, kind: str = "brief") -> list[str]:
    layout = lay_out(f"<html lang=en><head><title>t</title>{PAGE}</head><body>{body}</body></html>", tmp_path, "t")
    return [f.code for f in audit(layout.document, "t.pdf", kind)]


def test_a_clean_document_has_no_finding(tmp_path: Path) -> None:
    body = (f"<aside class=sidebar><dl><dt class=figure>$5</dt><dd>a figure</dd></dl></aside>"
            f"<h2>One</h2><p>{lines(10)}</p><ol><li class=recommendation><h3>Card</h3><p>{lines(4)}</p></li></ol>"
            f"<p>{lines(8)}</p><p>{lines(10, 'More')}</p><section class=source-notes><ol><li id=note-1>Source A</li>"
            f"</ol></section><a href='#note-1'>1</a>")  # each paragraph its own words: no fact printed twice
    assert codes(tmp_path, body) == []


def test_a_page_left_blank_by_an_unbreakable_card(tmp_path: Path) -> None:
    body = f"<p>{lines(8)}</p><ol><li class=recommendation style='break-inside: avoid'><p>{lines(18)}</p></li></ol>" \
           f"<p>{lines(10)}</p>"
    assert "page-blank" in codes(tmp_path, body)


def test_a_runt_last_page(tmp_path: Path) -> None:
    assert codes(tmp_path, f"<p>{lines(22)}</p><p>{lines(2)}</p>") == ["last-page-runt"]


def test_split_sidebar_card_and_figure(tmp_path: Path) -> None:
    body = (f"<p>{lines(16)}</p><aside class=sidebar><dl><dt>a</dt><dd>{lines(2)}</dd><dt class=figure>$25 billion</dt>"
            f"<dd>{lines(3, 'Caption')}</dd></dl></aside><ol><li class=recommendation><p>{lines(20)}</p></li></ol>"
            f"<p>{lines(20)}</p>")
    found = codes(tmp_path, body)
    assert {"split-sidebar", "split-figure"} <= set(found), found
    late = codes(tmp_path, f"<p>{lines(30)}</p><aside class=sidebar><dl><dt>a</dt><dd>b</dd></dl></aside><p>{lines(12)}</p>")
    assert "sidebar-late" in late and "split-sidebar" not in late, late


def test_a_card_broken_with_a_sliver_on_one_page_but_not_a_clean_break(tmp_path: Path) -> None:
    card = "<ol style='margin: 0'><li class=recommendation><p style='orphans: 1'>{0}</p></li></ol>"
    sliver = codes(tmp_path, f"<p>{lines(19)}</p>" + card.format(lines(10)))
    assert "split-card" in sliver, sliver
    clean = codes(tmp_path, f"<p>{lines(12)}</p>" + card.format(lines(18)))
    assert "split-card" not in clean, clean


def test_a_heading_stranded_at_a_page_foot(tmp_path: Path) -> None:
    body = f"<p>{lines(19)}</p><h2>Stranded</h2><p style='orphans: 1'>{lines(12)}</p><p>{lines(10)}</p>"
    assert "heading-short" in codes(tmp_path, body)


def test_duplicate_and_uncited_notes(tmp_path: Path) -> None:
    body = ("<p>Claim<a href='#note-1'>1</a></p><section class=source-notes><ol>"
            "<li id=note-1>Byman, Cracks</li><li id=note-2>Byman, Cracks</li><li id=note-3>Other</li></ol></section>")
    found = codes(tmp_path, body)
    assert found.count("duplicate-note") == 1 and found.count("uncited-note") == 2, found


def test_an_empty_one_pager_and_uneven_column_tops(tmp_path: Path) -> None:
    body = (f"<p>{lines(3)}</p><div class=columns style='columns: 2'><h2 style='margin-top: 20pt'>Why</h2>"
            f"<p>{lines(12)}</p></div>")
    found = codes(tmp_path, body, kind="onepager")
    assert found == ["onepager-fill", "column-tops"], found


def test_thresholds_are_declared_with_a_line_each() -> None:
    source = Path(audit.__code__.co_filename).read_text(encoding="utf-8")
    for name in Thresholds.__dataclass_fields__:
        assert f"    {name}:" in source
        after = source.split(f"    {name}:", 1)[1].splitlines()[1].strip()
        assert after.startswith('"""') and after.endswith('"""'), name
    assert THRESHOLDS.page_blank == 0.25 and set(summary([])) == set(FINDINGS)


@pytest.mark.slow
def test_build_records_findings_and_strict_fails(small_built: Path, small_build: Path, run) -> None:  # noqa: ANN001
    """The shared first build of `small` records each document's layout findings and prints them; --strict fails."""
    small = small_built
    output = (small_build.parent / "build.log").read_text(encoding="utf-8")
    manifest = json.loads((small / "build" / "manifest.json").read_text())
    entries = [e for rel, e in manifest["outputs"].items() if not rel.endswith("book.pdf")]
    assert entries and all(isinstance(e.get("layout"), list) for e in entries)
    found = [f for e in entries for f in e["layout"]]
    assert all(f["code"] in FINDINGS and f["document"] for f in found)
    for f in found:  # every finding is printed with its document and page
        assert f["document"] in output
    left_out = [o for e in entries for o in e.get("omitted", []) if not o["expected"]]  # fail --strict too
    strict = run(small, "build", "--jobs", "1", "--strict")
    assert strict.exit_code == (1 if found or left_out else 0), strict.output
