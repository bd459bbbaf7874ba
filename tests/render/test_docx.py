"""Briefs and the book as Word documents: real Word structure (headings, footnotes, ids) read back by python-docx and
docx2python, opened and converted by LibreOffice, reproducible; reviewed copies read back and checked by `review`;
redlines as tracked changes."""
from __future__ import annotations

import html as html_lib
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from docx2python import docx2python
from docx_edits import Reviewed  # tests/render/docx_edits.py (the test folder is on sys.path)
from lxml import etree

import briefgen
from briefgen.render.docx.ids import parse_id
from briefgen.render.docx.package import read_custom_properties

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
EPOCH = {"SOURCE_DATE_EPOCH": "1764547200"}
NATO = "content/alliances/nato.yaml"


def _docx(project: Path, run, out: Path, *args: str) -> Path:
    result = run(project, "brief", "nato", "--format", "docx", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    return next(out.glob("*/briefs/nato.docx"))


def _xml(path: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(part))


def test_brief_docx_is_a_word_document_with_headings_footnotes_and_statement_ids(small: Path, run, tmp_path: Path,
                                                                                   monkeypatch) -> None:
    """The brief's sections are Word headings in the audience's order, every note is one footnote (as many as the
    PDF's notes), each statement carries its block/field/index id, and the properties say what it was made from."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH["SOURCE_DATE_EPOCH"])
    path = _docx(small, run, tmp_path / "out")
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:5] == ["Bottom line", "At a glance", "The issue in brief", "Options for Congress",
                            "Why it matters"], headings
    assert document.paragraphs[[p.style.name for p in document.paragraphs].index("Title")].text == \
        "North Atlantic Treaty Organization (NATO)"
    core = document.core_properties
    assert core.title.startswith("North Atlantic Treaty Organization (NATO)") and core.language == "en-US"
    assert core.keywords.startswith("North Atlantic Treaty Organization (NATO), alliance")
    # the notes, as the HTML numbers them
    project = briefgen.open_project(small)
    html = briefgen.render_document(project, "brief", "nato", fmt="html").data.decode()
    notes = [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", n)).split())
             for n in re.findall(r'<li id="note-\d+">(.*?)</li>', html, re.S)]
    with docx2python(path) as read:
        footnotes = [" ".join(t.split()) for t in re.findall(r"footnote\d+\)\t([^\n]*)", read.text)]
    assert footnotes == notes and len(notes) > 5, (footnotes, notes)  # one to one, in order
    assert "Improving U.S. Cooperation with Allies and Partners" in footnotes[0]
    tags = [t.get(f"{{{W}}}val") for t in _xml(path, "word/document.xml").iter(f"{{{W}}}tag")]
    assert all(parse_id(t) for t in tags) and len(tags) == len(set(tags)) > 10
    assert {"bg:nato:bottom_line", "bg:nato:summary", "bg:nato:why_it_matters:1", "bg:nato:quotes:1"} <= set(tags)
    props = read_custom_properties(path.read_bytes())
    assert props["briefgen.id"] == "nato" and props["briefgen.audience"] == "congress"
    assert re.fullmatch(r"[0-9a-f]{64}", props["briefgen.fingerprint"]), props
    # the marking in header and footer, page numbers as fields
    footer = _xml(path, next(n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/footer")))
    instr = [f.get(f"{{{W}}}instr").strip() for f in footer.iter(f"{{{W}}}fldSimple")]
    assert instr == ["PAGE", "NUMPAGES"]
    assert "FOR CONGRESSIONAL STAFF USE" in "".join(footer.itertext())
    styles = {s.name for s in document.styles}
    assert {"Quote", "List Bullet", "footnote text", "footnote reference"} <= styles
    assert document.styles["Normal"].font.name == "Noto Serif"
    assert document.styles["Heading 1"].font.name == "Inter"


def test_docx_bytes_are_the_same_for_the_same_inputs(small: Path, tmp_path: Path, monkeypatch) -> None:
    """Two renders give identical bytes, every zip entry dated SOURCE_DATE_EPOCH's instant."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH["SOURCE_DATE_EPOCH"])
    project = briefgen.open_project(small)
    first = briefgen.render_document(project, "brief", "nato", fmt="docx").data
    second = briefgen.render_document(briefgen.open_project(small), "brief", "nato", fmt="docx").data
    assert first == second
    stamps = {i.date_time for i in zipfile.ZipFile(io.BytesIO(first)).infolist()}
    assert stamps == {(2025, 12, 1, 0, 0, 0)}


def test_onepager_refuses_docx_with_the_formats_that_can(small: Path, run, tmp_path: Path) -> None:
    """A one-pager is not written as Word: a usage error naming the formats that can."""
    result = run(small, "onepager", "nato", "--format", "docx", "--out", str(tmp_path))
    assert result.exit_code == 2 and "--format pdf or html" in result.output, result.output


def _redline(project: Path, run, out: Path) -> Path:
    """Record NATO's brief as edition 1, reword a point, and write the redline DOCX since edition 1 to OUT."""
    from briefgen.editions.records import commit
    from briefgen.render.context import document_edition

    loaded = briefgen.open_project(project)
    commit(project, document_edition(loaded, loaded.catalogue.get("nato"), "brief", loaded.audience("congress")))
    path = project / NATO
    path.write_text(path.read_text().replace("31 are NATO allies", "31 are members of NATO"))
    result = run(project, "diff", "nato", "--since", "1", "--format", "docx", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"),
                    reason="LibreOffice (scripts/system-deps.sh --test) is not installed")
def test_libreoffice_opens_the_brief_a_reviewed_copy_and_a_redline_and_converts_them(small: Path, run,
                                                                                       tmp_path: Path) -> None:
    """A real word processor reads what briefgen writes and what a reviewer returns: LibreOffice converts the brief,
    a copy with a tracked change, a comment and a new paragraph, and the tracked-changes redline, in one run, each to
    a PDF holding the title, the statements and the footnotes."""
    import pypdf

    brief = _docx(small, run, tmp_path / "out")
    doc = Reviewed(brief.read_bytes())
    doc.track_change("bg:nato:why_it_matters:1", "31", "35", "A. Reviewer")
    doc.comment("bg:nato:bottom_line", "Source?", "B. Clearance")
    doc.add_paragraph_after("bg:nato:summary", "A reviewer's new paragraph.")
    reviewed = tmp_path / "reviewed.docx"
    reviewed.write_bytes(doc.save())
    redline = _redline(small, run, tmp_path / "redline.docx")
    done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                           "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(brief), str(reviewed),
                           str(redline)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    texts = {}
    for name in ("nato", "reviewed", "redline"):
        reader = pypdf.PdfReader(tmp_path / "pdf" / f"{name}.pdf")
        assert 3 <= len(reader.pages) <= 8, (name, len(reader.pages))
        texts[name] = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
        assert "North Atlantic Treaty" in texts[name] and "NOTEREF" not in texts[name]
        assert "Improving U.S. Cooperation with Allies and Partners" in texts[name]  # the footnotes laid out
    assert "Of the 51 formal treaty allies" in texts["nato"]
    assert "A reviewer's new paragraph." in texts["reviewed"]
    assert "members of NATO" in texts["redline"]


def test_review_reads_tracked_untracked_comments_and_new_text_and_flags_an_unsupported_number(
        small: Path, run, tmp_path: Path) -> None:
    """A reviewer's tracked change, comment, untracked edit and new paragraph come back per statement; the tracked
    change that puts a number the passage lacks is flagged with its rule and passage; --apply writes only the
    passing edit into the block file, every other line (comments too) untouched."""
    block = small / NATO
    block.write_text("# kept: an analyst's comment\n" + block.read_text().replace(
        "why_it_matters:\n", "why_it_matters:  # kept too\n  # and this one\n", 1))
    path = _docx(small, run, tmp_path / "out")
    doc = Reviewed(path.read_bytes())
    doc.track_change("bg:nato:why_it_matters:1", "31", "35", "A. Reviewer")
    doc.comment("bg:nato:bottom_line", "Is 'gold standard' CSIS's phrase?", "B. Clearance")
    untracked_old = doc.text("bg:nato:why_it_matters:3")
    doc.edit("bg:nato:why_it_matters:3", "make their members less likely", "make members less likely")
    doc.add_paragraph_after("bg:nato:summary", "NATO should also lead on Arctic security.")
    # shorter: a folded value of three lines becomes one, above the other edit in the file
    doc.edit("bg:nato:why_it_matters:2", "; the Indo-Pacific has no equivalent.", ".")
    reviewed = tmp_path / "nato-reviewed.docx"
    reviewed.write_bytes(doc.save())

    result = run(small, "review", str(reviewed))
    assert result.exit_code == 1, result.output  # a flagged edit
    proposal = yaml.safe_load((small / "content/drafts/reviews/nato-reviewed.yaml").read_text())
    by_id = {e["id"]: e for e in proposal["statements"]}
    flagged = by_id["bg:nato:why_it_matters:1"]
    assert flagged["status"] == "flagged" and "35 are NATO allies" in flagged["new"]
    assert flagged["tracked"][0]["author"] == "A. Reviewer"
    assert {(t["kind"], t["text"]) for t in flagged["tracked"]} == {("deleted", "31"), ("inserted", "35")}
    finding = next(f for f in flagged["findings"] if f["rule"] == "unsupported_number")
    assert "'35'" in finding["message"] and "csis-2025#L107" in finding["passage"]
    commented = by_id["bg:nato:bottom_line"]
    assert commented["status"] == "unchanged" and commented["comments"][0]["author"] == "B. Clearance"
    edited = by_id["bg:nato:why_it_matters:3"]
    assert edited["untracked"] is True and edited["status"] == "ready" and edited["old"] == untracked_old
    assert edited["file"] == NATO and edited["field"] == "why_it_matters" and edited["index"] == 3
    assert proposal["uncited_new_text"][0]["text"] == "NATO should also lead on Arctic security."
    assert proposal["uncited_new_text"][0]["findings"][0]["rule"] == "uncited"
    assert len(proposal["statements"]) == 4
    from briefgen.content.drafts import check_drafts

    assert check_drafts(small, briefgen.open_project(small).seeds) == []  # a proposal is not a draft block

    before = (small / NATO).read_text().splitlines()
    result = run(small, "review", str(reviewed), "--apply")
    assert "applied 2 change(s): bg:nato:why_it_matters:3, bg:nato:why_it_matters:2" in result.output, result.output
    after = (small / NATO).read_text().splitlines()
    assert len(after) == len(before) - 2  # the folded value now fits one line
    assert [line for line in before if "#" in line and "#L" not in line] == \
        [line for line in after if "#" in line and "#L" not in line] != []  # comments kept
    assert "  - text: It runs formal multinational planning, such as the NATO Defence Planning Process (NDPP)." \
        in after
    assert "31 are NATO allies" in (small / NATO).read_text()  # the flagged edit is not applied
    proposal = yaml.safe_load((small / "content/drafts/reviews/nato-reviewed.yaml").read_text())
    assert [e["status"] for e in proposal["statements"]] == ["unchanged", "flagged", "applied", "applied"]
    nato = briefgen.open_project(small).catalogue.get("nato")
    assert nato.why_it_matters[2].text == "Defense pacts such as NATO make members less likely to be attacked."
    assert nato.why_it_matters[1].text.endswith("(NDPP).") and nato.why_it_matters[1].cite


def test_review_refuses_a_word_file_briefgen_did_not_make_and_a_fifo(small: Path, run, tmp_path: Path) -> None:
    """A Word file without briefgen's properties, or a FIFO, is a usage error saying which file to give."""
    other = tmp_path / "other.docx"
    docx.Document().save(str(other))
    result = run(small, "review", str(other))
    assert result.exit_code == 2 and "no briefgen properties" in result.output, result.output
    fifo = tmp_path / "fifo.docx"
    os.mkfifo(fifo)
    result = run(small, "review", str(fifo))
    assert result.exit_code == 2 and "not a regular file" in result.output, result.output


def test_diff_docx_shows_the_changes_as_tracked_changes(small: Path, run, tmp_path: Path) -> None:
    """Between two editions, the redline DOCX holds w:ins and w:del by briefgen, dated, around the changed words."""
    out = _redline(small, run, tmp_path / "redline.docx")
    root = _xml(out, "word/document.xml")
    ins = ["".join(e.itertext()) for e in root.iter(f"{{{W}}}ins")]
    dels = ["".join(t.text or "" for t in e.iter(f"{{{W}}}delText")) for e in root.iter(f"{{{W}}}del")]
    assert "members of NATO." in " ".join(ins) and "NATO allies." in " ".join(dels), (ins, dels)
    assert {e.get(f"{{{W}}}author") for e in root.iter(f"{{{W}}}ins")} == {"briefgen"}
    assert all(e.get(f"{{{W}}}date") for e in root.iter(f"{{{W}}}del"))
    text = " ".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Changes since Edition 1" in text and "1 point changed" in text and "Sections changed: " in text


def test_build_format_docx_writes_briefs_and_the_book_in_word(small: Path, run, tmp_path: Path) -> None:
    """`build --format docx` writes each brief and the book as Word (no one-pager: the writer does not make them);
    the book's chapters are Word sections whose footnotes restart at 1, under part and chapter headings."""
    out = tmp_path / "out"
    result = run(small, "build", "--format", "docx", "--out", str(out))
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.docx"))
    assert written == ["congress/book.docx", "congress/briefs/free-riding.docx", "congress/briefs/nato.docx"]
    book = docx.Document(str(out / "congress/book.docx"))
    levels = [(p.style.name, p.text) for p in book.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    assert levels == [("Heading 1", "Part I. Alliances and partnerships"),
                      ("Heading 2", "1. North Atlantic Treaty Organization (NATO)"),
                      ("Heading 1", "Part II. Obstacles to allied cooperation"),
                      ("Heading 2", "2. Free riding and buck-passing"),
                      ("Heading 1", "Part III. Recommendations"),
                      ("Heading 2", "3. Prioritize U.S. objectives and expedite U.S. procedures")], levels
    restarts = [s._sectPr.find(f"{{{W}}}footnotePr/{{{W}}}numRestart") for s in book.sections]
    from briefgen.render.book.plan import plan_book

    appendix = plan_book(briefgen.open_project(small), "congress").whole_html()
    notes = len(re.findall(r'<li id="note-ch-[a-z0-9-]+-\d+"', appendix))
    footnotes = [f for f in _xml(out / "congress/book.docx", "word/footnotes.xml").iter(f"{{{W}}}footnote")
                 if int(f.get(f"{{{W}}}id")) > 0]
    assert len(footnotes) == notes > 10, (len(footnotes), notes)  # the Notes appendix's notes, one to one
    # a chapter starts a section restarting its footnotes (the part openers after it copy its properties)
    assert restarts[0] is None and sum(r is not None and r.get(f"{{{W}}}val") == "eachSect" for r in restarts) >= 3


def test_review_reads_a_reviewed_book_chapter_statement(small: Path, run, tmp_path: Path) -> None:
    """The book's statements carry the same ids: an edit in a chapter comes back against its block's file."""
    out = tmp_path / "out"
    assert run(small, "book", "--format", "docx", "--out", str(out)).exit_code == 0
    doc = Reviewed((out / "congress/book.docx").read_bytes())
    doc.edit("bg:nato:why_it_matters:3", "make their members less likely", "make members less likely")
    reviewed = tmp_path / "book-reviewed.docx"
    reviewed.write_bytes(doc.save())
    result = run(small, "review", str(reviewed))
    assert result.exit_code == 0, result.output
    proposal = yaml.safe_load((small / "content/drafts/reviews/book-reviewed.yaml").read_text())
    assert [(e["id"], e["status"], e["untracked"]) for e in proposal["statements"]] == \
        [("bg:nato:why_it_matters:3", "ready", True)]
    assert proposal["uncited_new_text"] == []
