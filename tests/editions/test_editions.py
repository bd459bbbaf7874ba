"""Editions and redlines: a document's edition moves only when what it shows changes; `diff` says what changed."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

NATO = "content/alliances/nato.yaml"
OLD_POINT = "Of the 51 formal treaty allies of the United States, 31 are NATO allies."
NEW_POINT = "Of the 51 formal treaty allies of the United States, 31 are members of NATO."
REMOVED_QUOTE = '''  - text: "Each Ally is responsible for determining what it deems necessary in the particular circumstances …"
    speaker: A NATO explainer, on Article 5 in practice
    cite: csis-2025#L102
'''
ADDED_QUOTE = '''quotes:
  - text: "The 2022 Russian invasion of Ukraine, while an impressive moment for NATO cohesion, also highlights many of the deficiencies in both European state and U.S. military capabilities."
    speaker: Byman et al., CSIS
    cite: csis-2025#L551
'''


def _latest(root: Path, audience: str = "*") -> dict[str, int]:
    """Each document's latest edition number, by its record file (audience/kind/name), for AUDIENCE or all."""
    folder = root / "editions"
    return {p.relative_to(folder).with_suffix("").as_posix(): json.loads(p.read_text())["editions"][-1]["number"]
            for p in folder.glob(f"{audience}/*/*.json")}


def _record_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "editions").rglob("*"))
            if p.is_file()}


def _text(pdf: bytes | Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", re.sub(r"[\u2010\u00ad-]\s*\n\s*", "", text))


def _edit(root: Path) -> None:
    """Reword a point, add a quote (first: the pull quote) and remove another."""
    path = root / NATO
    text = path.read_text(encoding="utf-8")
    assert OLD_POINT in text and REMOVED_QUOTE in text
    text = text.replace(OLD_POINT, NEW_POINT).replace(REMOVED_QUOTE, "").replace("quotes:\n", ADDED_QUOTE, 1)
    path.write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_editions_move_only_for_what_shows_the_change_and_diff_says_what(small_other_audiences: Path, run,
                                                                         tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Build (a copy of the shared first build, executive among its audiences), edit a point, add a quote and remove
    one, rebuild: the edition moves by one for exactly the documents that show those fields (NATO's brief, its
    one-pager, the book), not free riding's, which shows only NATO's name; the masthead carries the document number
    and the edition; a rebuild without changes leaves the record byte-identical; `diff` prints the marked words and
    the right counts, and its redline PDF passes PDF/UA-1."""
    import page as page_validation

    shutil.copytree(small_other_audiences, tmp_path / "copy", symlinks=True)
    small, out = tmp_path / "copy" / "project", tmp_path / "copy" / "out"
    # the first build's SOURCE_DATE_EPOCH, so that only what the edit changes is built again
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(json.loads((out / "manifest.json").read_text())["source_date_epoch"]))
    result = run(small, "-q", "build", "--audience", "executive", "--out", str(out))
    assert result.exit_code == 0 and "built 0, up to date 5" in result.output, result.output
    first = _latest(small, "executive")
    assert first == {**{f"executive/{k}/{n}": 1 for k in ("brief", "onepager") for n in ("nato", "free-riding")},
                     "executive/book/book": 1}
    brief = _text(out / "executive" / "briefs" / "nato.pdf")
    assert re.search(r"USAP-B-\d{5}", brief) and "Edition 1 \u00b7 Updated " in brief, brief[:400]
    assert "what changed in this edition" not in brief.lower()  # a first edition has nothing to list

    _edit(small)
    result = run(small, "-q", "build", "--audience", "executive", "--out", str(out))
    assert result.exit_code == 0, result.output
    second = _latest(small, "executive")
    moved = {doc for doc in second if second[doc] != first.get(doc)}
    assert moved == {"executive/brief/nato", "executive/onepager/nato", "executive/book/book"}, (first, second)
    assert all(second[doc] == first[doc] + 1 for doc in moved)
    brief = _text(out / "executive" / "briefs" / "nato.pdf")
    assert "Edition 2 \u00b7 Updated " in brief
    # executive principals see what changed, cited: the reworded point with its note number
    assert "what changed in this edition" in brief.lower() and re.search(r"Revised, under .Why it matters.: " + re.escape(
        NEW_POINT) + r" ?\d", brief), brief[:1500]
    assert "Edition 1 \u00b7" in _text(out / "executive" / "briefs" / "free-riding.pdf")
    # the book's changes appendix: per chapter, linked to it, each line cited
    book = pypdf.PdfReader(out / "executive" / "book.pdf")
    page_no = next(i for i, page in enumerate(book.pages) if "What changed in this edition" in page.extract_text()
                   and "Chapter 1: North Atlantic" in page.extract_text())
    links = [a.get_object() for a in book.pages[page_no].get("/Annots", [])]
    assert any(str(a.get("/Contents", "")).startswith("North Atlantic Treaty Organization (NATO), page") for a in links)

    before = _record_bytes(small)
    result = run(small, "build", "--audience", "executive", "--out", str(out))
    assert result.exit_code == 0 and "built 0, up to date 5" in result.output, result.output
    assert _record_bytes(small) == before

    result = run(small, "diff", "nato", "--kind", "onepager", "--audience", "executive")
    assert result.exit_code == 0, result.output
    text = result.output
    assert "summary: 1 point changed, 1 quote added, 1 quote removed" in text, text
    assert "~ point changed: Of the 51 formal treaty allies of the United States, 31 are [-NATO allies.-] " \
           "{+members of NATO.+}" in text
    assert "- quote removed: [-Each Ally is responsible" in text and "+ quote added: {+The 2022 Russian" in text
    assert text.index("## Why it matters") < text.index("## In their words")

    redline = tmp_path / "redline.pdf"
    result = run(small, "diff", "nato", "--kind", "onepager", "--audience", "executive", "--since", "1",
                 "--format", "pdf", "--out", str(redline))
    assert result.exit_code == 0, result.output
    shown = _text(redline)
    assert "Changes since Edition 1" in shown.title() or "CHANGES SINCE EDITION 1" in shown.upper()
    assert re.search(r"1 point changed 1 quote added 1 quote removed", shown), shown[:600]
    # what a screen reader hears around each mark, and the words themselves
    assert "[deleted text] NATO allies. [end of deleted text]" in shown, shown
    assert "[inserted text] members of NATO. [end of inserted text]" in shown
    report = page_validation.validate_pdf(str(redline), profile="ua1")
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]


def test_diff_refuses_unknown_ids_and_editions(small: Path, run) -> None:
    """Usage errors exit 2 and say what exists."""
    result = run(small, "diff", "natoo")
    assert result.exit_code == 2 and "did you mean nato" in result.output, result.output
    result = run(small, "diff", "nato", "--since", "7")
    assert result.exit_code == 2 and "no recorded edition" in result.output, result.output


def test_diff_since_a_git_revision_reads_that_revision(small: Path, run) -> None:
    """Without any build, `--since REV` re-derives the document from the revision's files (no checkout: the
    working tree keeps the edit)."""
    git = ["git", "-C", str(small), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    try:
        subprocess.run([*git, "init", "-q"], check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "content"], check=True)
    _edit(small)
    result = run(small, "diff", "nato", "--since", "HEAD")
    assert result.exit_code == 0, result.output
    assert "since revision HEAD" in result.output
    assert "[-NATO allies.-] {+members of NATO.+}" in result.output
    assert NEW_POINT in (small / NATO).read_text()
    result = run(small, "diff", "nato", "--since", "no-such-rev")
    assert result.exit_code == 2 and "not an edition number, a date" in result.output, result.output


def test_a_broken_record_is_a_located_error_not_a_new_history(small: Path, run) -> None:
    """A record with a merge conflict fails with its file, line and column and a hint; it is left as it was."""
    record = small / "editions" / "congress" / "brief" / "nato.json"
    record.parent.mkdir(parents=True)
    record.write_text('{\n "doc_number": "USAP-B-18567",\n<<<<<<< HEAD\n "editions": []\n}\n', encoding="utf-8")
    before = record.read_bytes()
    result = run(small, "diff", "nato")
    assert result.exit_code == 1, result.output
    assert "editions/congress/brief/nato.json:3:1: error: the editions record is not valid JSON" in result.output
    assert "git checkout -- editions/congress/brief/nato.json" in result.output
    assert record.read_bytes() == before


def test_each_audience_edition_has_its_own_document_number(small: Path) -> None:
    """One brief for two audiences is two documents: the same series and digits, then the audience's own code."""
    from briefgen.editions.records import audience_code, audience_number, doc_number
    from briefgen.project import Project

    project = Project(small)
    base = doc_number(project, "brief", "nato")
    numbers = {a: audience_number(project, base, a) for a in project.audience_names()}
    assert len(set(numbers.values())) == len(numbers) > 1, numbers
    assert all(n.startswith(base + "-") for n in numbers.values())
    assert numbers["congress"] == base + "-" + audience_code(project, "congress") == base + "-C"
    assert audience_number(project, numbers["congress"], "congress") == numbers["congress"]  # kept, not doubled
