"""A CRS-style report as PDF, Word and HTML, and a Markdown note: same routing and entry, clean drafts, curate."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from briefgen.content.drafts import check_drafts
from briefgen.content.fragments import refusal
from briefgen.ingest.curate import StatementEdit, edit_text, settled
from briefgen.seeds.registry import load_library

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
ADDITIONS = {"free-riding", "credibility-and-trust", "countercoercion", "g7-and-multilateral-forums"}


def _ingest(project: Path, run, name: str, *args: str):
    shutil.copy2(REPORTS / name, project / "seeds" / name)
    return run(project, "ingest", f"seeds/{name}", *args)


def _drafts(project: Path) -> dict[str, dict]:
    folder = project / "content" / "drafts"
    return {p.relative_to(folder).as_posix(): yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in folder.rglob("*.yaml")}


def _statements(draft: dict) -> list[str]:
    return [i["text"] for key in ("why_it_matters", "key_actions", "how_it_shows_up", "examples")
            for i in draft.get(key) or []]


@pytest.mark.parametrize("name", ["report.pdf", "report.docx", "report.html"])
def test_each_format_of_the_report_gives_the_same_routing_entry_and_clean_drafts(scratch: Path, run,
                                                                                 name: str) -> None:
    """One addition per block the sections and table rows name; the entry from byline, dateline and footer."""
    result = _ingest(scratch, run, name, "--register", "--draft", "-v")
    assert result.exit_code == 0, result.output
    drafts = _drafts(scratch)
    assert set(drafts) == {f"additions/{b}-from-report.yaml" for b in ADDITIONS}, result.output
    entry = load_library(scratch).get("report").info
    assert (entry.title, entry.publisher, entry.date, entry.number) == (
        "Allied Burden Sharing and Coercion: Issues for Congress", "Congressional Research Service", "2026-03-03",
        "R48123")
    assert entry.authors == ["Paul Example", "Jane Sample"]
    assert entry.author_titles == ["Analyst in European Affairs", "Specialist in Asian Affairs"]
    for draft in drafts.values():
        for text in _statements(draft):
            assert refusal(text) is None, text
    quotes = drafts["additions/free-riding-from-report.yaml"]["quotes"]
    assert quotes[0]["speaker"] == "Roundtable participant, Warsaw, February 2026"
    rows = [i["cite"] for i in drafts["additions/credibility-and-trust-from-report.yaml"]["how_it_shows_up"]]
    assert rows == ["report#table-1-row-3"]
    assert check_drafts(scratch, load_library(scratch)) == []
    out = result.output
    assert "names alliance 'g7-and-multilateral-forums' ('g7'" in out
    g7 = out.index("names alliance 'g7-and-multilateral-forums'")
    assert "score ipef " in out[g7:g7 + 1500], "the losing candidate is shown with its evidence"
    assert "names the existing obstacle 'countercoercion'" in out


def test_a_markdown_working_note_adds_to_the_blocks_its_table_names_without_fragments(scratch: Path, run) -> None:
    """Table rows route one by one; list fragments are read as one sentence with their lead-in; no dateline."""
    result = _ingest(scratch, run, "note.md", "--register", "--draft")
    assert result.exit_code == 0, result.output
    drafts = _drafts(scratch)
    assert set(drafts) == {f"additions/{b}-from-note.yaml" for b in ("free-riding", "credibility-and-trust",
                                                                      "countercoercion")}
    texts = [t for d in drafts.values() for t in _statements(d)]
    assert texts and all(refusal(t) is None for t in texts), texts
    assert not any("Prepared for" in t or t.endswith((";", "; and", "and")) for t in texts)
    assert ("Participants named three concerns: the spending guideline ignores contributions to operations; "
            "commitments may not outlast an election; and retaliation deters joining U.S. initiatives.") in texts
    entry = load_library(scratch).get("note").info
    assert entry.date == "2026-03" and entry.authors == ["Jane Sample"]


def test_the_same_report_in_another_format_is_refused_with_the_id_it_duplicates(scratch: Path, run) -> None:
    """The Word copy of a registered PDF is not registered unless --allow-duplicate says so."""
    assert _ingest(scratch, run, "report.pdf", "--register").exit_code == 0
    registry = (scratch / "seeds" / "sources.yaml").read_bytes()
    result = _ingest(scratch, run, "report.docx", "--register")
    assert result.exit_code == 1
    assert "the same report as registered seed 'report'" in result.output
    assert (scratch / "seeds" / "sources.yaml").read_bytes() == registry
    assert run(scratch, "ingest", "seeds/report.docx", "--register", "--allow-duplicate").exit_code == 0
    assert load_library(scratch).get("report-2") is not None


def test_registry_fields_are_shown_before_registering_and_each_can_be_overridden(scratch: Path, run) -> None:
    """--date, --author, --publisher, --number and --title replace what the document states."""
    result = _ingest(scratch, run, "report.html", "--register", "--date", "March 2026", "--author", "A. N. Other",
                     "--publisher", "CRS", "--number", "R1", "--title", "Short title")
    assert result.exit_code == 0, result.output
    assert 'date: "2026-03"' in result.output and result.output.index("date:") < result.output.index("registered")
    info = load_library(scratch).get("report").info
    assert (info.date, info.authors, info.publisher, info.number, info.title) == (
        "2026-03", ["A. N. Other"], "CRS", "R1", "Short title")
    bad = run(scratch, "ingest", "seeds/report.html", "--date", "soon")
    assert bad.exit_code == 2 and "is not a date" in bad.output


def test_check_refuses_a_draft_point_that_is_a_byline_or_a_fragment(scratch: Path, run) -> None:
    """Each refusal names the point's line and says the fix."""
    assert _ingest(scratch, run, "report.pdf", "--register").exit_code == 0
    folder = scratch / "content" / "drafts" / "additions"
    folder.mkdir(parents=True)
    (folder / "nato-from-report.yaml").write_text(
        "draft: true\naddition_to: nato\nwhy_it_matters:\n"
        "  - text: Paul Example Analyst in European Affairs\n    cite: report#p1\n"
        "  - text: the spending guideline ignores contributions to operations;\n    cite: report#p1\n",
        encoding="utf-8")
    errors = [str(e) for e in check_drafts(scratch, load_library(scratch))]
    assert len(errors) == 2, errors
    assert ":4:" in errors[0] and "byline" in errors[0] and "sources.yaml" in errors[0]
    assert ":6:" in errors[1] and "fragment" in errors[1] and "whole sentence" in errors[1]
    result = run(scratch, "check")
    assert result.exit_code == 1 and "is a byline or dateline" in result.output


def test_curate_applies_kept_points_to_the_block_keeping_its_lines_and_restores_it_when_check_fails(
        scratch: Path, run) -> None:
    """Every line of the block stays; the kept points follow its own; a failing check leaves both files as they were."""
    assert _ingest(scratch, run, "report.pdf", "--register", "--draft").exit_code == 0
    block = scratch / "content" / "obstacles" / "free-riding.yaml"
    draft = scratch / "content" / "drafts" / "additions" / "free-riding-from-report.yaml"
    before = block.read_text(encoding="utf-8").splitlines()
    shown = run(scratch, "curate", "content/drafts/additions/free-riding-from-report.yaml")
    assert shown.exit_code == 0 and " 1+ Allies say the spending guideline" in shown.output
    bad = draft.read_text(encoding="utf-8").replace("Allies say the spending", "Allies in 1999 say the spending")
    draft.write_text(bad, encoding="utf-8")
    block_bytes = block.read_bytes()
    failed = run(scratch, "curate", "content/drafts/additions/free-riding-from-report.yaml", "--keep", "1")
    assert failed.exit_code == 1 and "1999" in failed.output and "left as it was" in failed.output
    assert block.read_bytes() == block_bytes and draft.read_text(encoding="utf-8") == bad
    draft.write_text(bad.replace("Allies in 1999 say", "Allies say"), encoding="utf-8")
    done = run(scratch, "curate", "content/drafts/additions/free-riding-from-report.yaml", "--keep", "1,5")
    assert done.exit_code == 0, done.output
    after = block.read_text(encoding="utf-8").splitlines()
    rest = iter(after)
    assert all(line in rest for line in before), "every line of the block is kept, in order"
    assert '  - text: "Allies say the spending guideline ignores their contributions to operations."' in after
    assert '    speaker: "Roundtable participant, Warsaw, February 2026"' in after
    left = yaml.safe_load(draft.read_text(encoding="utf-8"))
    assert "quotes" not in left and len(left["how_it_shows_up"]) == 1
    assert check_drafts(scratch, load_library(scratch)) == []  # what is left of the draft still verifies


def test_statement_edits_replace_delete_and_add_only_the_lines_they_touch() -> None:
    """Comments, folded text and other fields are kept byte for byte."""
    text = ("id: x  # keep me\nname: X\nwhy_it_matters:\n  # a comment\n  - text: >-\n      one\n      two\n"
            "    cite: s#a\n  - text: three\n    cite: s#b\n\nsources:\n  - s#a\n")
    edits = [StatementEdit("why_it_matters", "replace", 1, {"text": "Three.", "cite": "s#b"}),
             StatementEdit("why_it_matters", "add", item={"text": "Four.", "cite": "s#c", "key": True}),
             StatementEdit("sources", "add", item="s#c")]
    out = edit_text(text, edits, "x.yaml")
    assert out == ("id: x  # keep me\nname: X\nwhy_it_matters:\n  # a comment\n  - text: >-\n      one\n      two\n"
                   "    cite: s#a\n  - text: \"Three.\"\n    cite: s#b\n  - text: \"Four.\"\n    cite: s#c\n"
                   "    key: true\n\nsources:\n  - s#a\n  - s#c\n")
    gone = edit_text(text, [StatementEdit("why_it_matters", "delete", 0), StatementEdit("why_it_matters", "delete", 1)],
                     "x.yaml")
    assert "why_it_matters" not in gone and "id: x  # keep me" in gone and "sources:\n  - s#a" in gone


def test_a_settled_draft_loses_its_flag_header_and_todos_only() -> None:
    """The `draft: true` line, the header comments and every to-do go; other comments stay."""
    text = ("# Draft obstacle from x\n# To curate: ...\ndraft: true\nid: a\ndomain: general  # TODO: check\n"
            "# TODO: rewrite\nsummary: \"S.\"  # the seed's words\n")
    assert settled(text) == "id: a\ndomain: general\nsummary: \"S.\"  # the seed's words\n"


@pytest.mark.slow
def test_a_curated_addition_reaches_the_built_brief(scratch: Path, run) -> None:
    """From the PDF to the brief: ingest, curate one addition, render; the new point is in the PDF."""
    import subprocess

    assert _ingest(scratch, run, "report.pdf", "--register", "--draft").exit_code == 0
    done = run(scratch, "curate", "content/drafts/additions/credibility-and-trust-from-report.yaml", "--keep", "all")
    assert done.exit_code == 0, done.output
    result = run(scratch, "brief", "credibility-and-trust", "--out", str(scratch / "out"))
    assert result.exit_code == 0, result.output
    pdf = next((scratch / "out").rglob("credibility-and-trust.pdf"))
    # pdftotext reads the two-column notes column by column, as a reader does (pdfplumber interleaves the columns).
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Allies doubt that U.S. commitments will outlast an election." in text
    assert "Paul Example and Jane Sample, Allied Burden Sharing" in text  # the note names the byline's authors
    assert "Research Service, March 3, 2026" in text  # and the publisher the footer gave, with the dateline
    assert "Issues for Congress, R48123 (" in text  # and the report number
