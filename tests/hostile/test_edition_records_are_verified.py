"""The editions record is data from the project: read safely, checked against its hashes, its text vetted."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from briefgen.batch.redline import current
from briefgen.batch.site import FONT_CACHE
from briefgen.config.kinds import Target
from briefgen.editions import records
from briefgen.project import Project

REL = "editions/executive/brief/nato.json"


def _record_first_edition(root: Path) -> dict:
    """Record NATO's executive brief as it is now (edition 1), as a build would; return the record."""
    proposal = current(Project(root), Target.of("brief", "nato", "executive"))
    records.commit(root, proposal)
    return json.loads((root / REL).read_text())


def _put_object(root: Path, value: object) -> str:
    text = records.canonical(value)
    digest = hashlib.sha256(text.encode()).hexdigest()
    path = root / "editions" / "objects" / f"{digest}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return digest


def _forge_earlier_edition(root: Path, point: str) -> None:
    """Put a fake edition 1 before the real one, whose NATO object (hash-consistent) holds POINT, cited."""
    record = _record_first_edition(root)
    real = record["editions"][0]
    block = json.loads((root / "editions" / "objects" / f"{real['blocks']['nato']}.json").read_text())
    # First in the list: a reader sees the first points (one past the audience's max_points is no change to them).
    block["why_it_matters"] = [{"text": point, "cite": "csis-2025#L107"}, *block["why_it_matters"]]
    fake = {**real, "blocks": {"nato": _put_object(root, block)}, "number": 1, "fingerprint": "0" * 64}
    record["editions"] = [fake, {**real, "number": 2}]
    (root / REL).write_text(json.dumps(record))


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(path).pages)


@pytest.mark.parametrize("point", [
    "The United States will leave NATO in 2027, and 31 allies agree.",  # a figure no passage states
    "Of the 51 formal treaty allies of the United States, 31 are NATO allies, as this block says.",  # a forbidden word
])
def test_a_forged_earlier_edition_never_prints_unchecked_text(small: Path, tmp_path: Path, run, point: str) -> None:
    _forge_earlier_edition(small, point)
    out = tmp_path / "out"
    result = run(small, "brief", "nato", "--audience", "executive", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = _pdf_text(out / "executive" / "briefs" / "nato.pdf")
    assert "Edition 2" in text
    assert "leave NATO in 2027" not in text and "this block" not in text


def test_an_earlier_edition_that_passes_the_checks_is_still_printed(small: Path, tmp_path: Path, run) -> None:
    """The vetting keeps what it should: a withdrawn statement that its passages support is listed."""
    record = _record_first_edition(small)
    real = record["editions"][0]
    block = json.loads((small / "editions" / "objects" / f"{real['blocks']['nato']}.json").read_text())
    old = {**block, "why_it_matters": [{"text": block["bottom_line"], "cite": block["bottom_line_cite"]},
                                       *block["why_it_matters"]]}
    fake = {**real, "blocks": {"nato": _put_object(small, old)}, "number": 1, "fingerprint": "0" * 64}
    record["editions"] = [fake, {**real, "number": 2}]
    (small / REL).write_text(json.dumps(record))
    out = tmp_path / "out"
    result = run(small, "brief", "nato", "--audience", "executive", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = _pdf_text(out / "executive" / "briefs" / "nato.pdf")
    assert "No longer stated" in text, text[:2000]


@pytest.mark.parametrize("ref", ["../../../../outside/leak", "/etc/passwd", "0" * 63 + "G", "A" * 64, "0" * 65])
def test_an_object_reference_that_is_not_a_sha256_id_is_a_located_error(small: Path, tmp_path: Path, run,
                                                                       ref: str) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "leak.json").write_text('{"id": "zz", "name": "OUTSIDE-CANARY"}')
    record = _record_first_edition(small)
    record["editions"][0]["linked"] = {"zz": ref}
    (small / REL).write_text(json.dumps(record))
    result = run(small, "diff", "nato", "--audience", "executive", "--since", "1")
    assert result.exit_code == 1, result.output
    assert f"{REL}: error: the editions record is not valid" in result.output
    assert "OUTSIDE-CANARY" not in result.output and "Traceback" not in result.output


def test_an_object_whose_bytes_do_not_match_its_name_is_refused(small: Path, run) -> None:
    record = _record_first_edition(small)
    path = small / "editions" / "objects" / f"{record['editions'][0]['blocks']['nato']}.json"
    path.write_text(path.read_text().replace("31 are NATO allies", "31 are not NATO allies"))
    result = run(small, "diff", "nato", "--audience", "executive", "--since", "1")
    assert result.exit_code == 1
    assert "does not match its sha256 name" in result.output and path.name in result.output


@pytest.mark.parametrize("change, why", [
    ({"number": 10 ** 18}, "edition number"), ({"number": -7}, "edition number"), ({"number": True}, "edition number"),
    ({"number": 1.0}, "edition number"), ({"date": "2024-02-30"}, "not a real YYYY-MM-DD date"),
    ({"date": "+02024-01-01"}, "not a real YYYY-MM-DD date"), ({"date": "0001-01-01"}, "not a real YYYY-MM-DD date"),
    ({"fingerprint": "x"}, "fingerprint"),
])
def test_edition_numbers_and_dates_are_validated(small: Path, run, change: dict, why: str) -> None:
    record = _record_first_edition(small)
    record["editions"][0].update(change)
    (small / REL).write_text(json.dumps(record))
    for args in (("brief", "nato", "--audience", "executive"), ("diff", "nato", "--audience", "executive")):
        result = run(small, *args)
        assert result.exit_code == 1, result.output
        assert REL in result.output and why in result.output, result.output


def test_a_deeply_nested_record_is_a_located_error_not_a_recursion_crash(small: Path, run) -> None:
    (small / REL).parent.mkdir(parents=True)
    (small / REL).write_text("[" * 100_000)
    result = run(small, "diff", "nato", "--audience", "executive")
    assert result.exit_code == 1 and f"{REL}:1:1: error:" in result.output, result.output
    assert "nested too deeply" in result.output


@pytest.mark.parametrize("since", ["\u00b2", "\u0661", "\uff11", "2024-02-30", "1e3", "-1"])
def test_odd_since_values_are_usage_errors(small: Path, run, since: str) -> None:
    _record_first_edition(small)
    result = run(small, "diff", "nato", "--audience", "executive", "--since", since)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The real CLI in a child process, so a hang is a failed test (timeout) rather than a stuck suite."""
    return subprocess.run([sys.executable, "-m", "briefgen", "--project", str(root), *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("where", ["record", "object"])
def test_a_fifo_in_editions_is_a_located_error_and_never_blocks(small: Path, where: str) -> None:
    record = _record_first_edition(small)
    if where == "record":
        (small / REL).unlink()
        os.mkfifo(small / REL)
        shown = REL
    else:
        digest = record["editions"][0]["blocks"]["nato"]
        path = small / "editions" / "objects" / f"{digest}.json"
        path.unlink()
        os.mkfifo(path)
        shown = f"editions/objects/{digest}.json"
    done = _cli(small, "diff", "nato", "--audience", "executive", "--since", "1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert shown in done.stderr and "not a regular file" in done.stderr


def test_a_linked_editions_folder_is_never_written_through(small: Path, tmp_path: Path, run) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (small / "editions").symlink_to(outside)
    result = run(small, "-q", "build", "--audience", "executive", "--out", str(tmp_path / "o"))
    assert list(outside.iterdir()) == []
    assert result.exit_code != 0 and "is a link" in result.output, result.output


def test_the_redline_never_prints_a_forged_earlier_edition_s_unchecked_text(small: Path, tmp_path: Path,
                                                                             run) -> None:
    _forge_earlier_edition(small, "The United States will leave NATO in 2027, as this block says.")
    redline = tmp_path / "redline.pdf"
    result = run(small, "diff", "nato", "--audience", "executive", "--since", "1", "--format", "pdf", "--out",
                 str(redline))
    assert result.exit_code == 0, result.output
    text = _pdf_text(redline)
    assert "Changes since" in text or "CHANGES SINCE" in text.upper()
    assert "leave NATO in 2027" not in text and "this block" not in text


@pytest.mark.slow
def test_the_site_never_publishes_a_forged_edition_s_unchecked_text(small: Path, tmp_path: Path, run,
                                                                   site_fonts: Path) -> None:
    _forge_earlier_edition(small, "The United States will leave NATO in 2027, as this block says.")
    out = tmp_path / "out"
    shutil.copytree(site_fonts, out / FONT_CACHE)  # the session's font subsets, not eight faces again
    result = run(small, "site", "--audience", "executive", "--out", str(out))
    assert result.exit_code == 0, result.output
    pages = {p: p.read_text(encoding="utf-8", errors="replace") for p in (out / "executive" / "site").rglob("*.html")}
    assert any("ditions" in p.name or "editions" in str(p) for p in pages), sorted(map(str, pages))[:10]
    for path, text in pages.items():
        assert "leave NATO in 2027" not in text and "this block" not in text, path
