"""What briefgen writes into YAML (the registry, drafts) and PDFs cannot be bent by names or stated text."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "seeds" / "wisc-modernizing-alliances-and-partnerships.txt"


def _page(title: str) -> str:
    return (f"<html><head><title>{title}</title><meta name=\"author\" content=\"Ann\x9fOther\">"
            f"<meta name=\"publisher\" content=\"Think\x7fTank\"></head><body><article><h1>{title}</h1>"
            "<p>Allies share the burden of collective defense in Europe and Asia.</p></article></body></html>")


@pytest.mark.parametrize("title", ["Report\x85on allies", "Report\u2028on allies", "Report \u202eon allies",
                                   "Report\x9fon allies", "Report\ue002on allies"])
def test_registration_refuses_control_characters_and_the_registry_stays_valid(small: Path, run, title: str) -> None:
    (small / "seeds" / "page.html").write_text(_page(title), encoding="utf-8")
    result = run(small, "ingest", "--register", "seeds/page.html")
    assert result.exit_code == 0, result.output
    text = (small / "seeds" / "sources.yaml").read_text(encoding="utf-8")
    entry = next(e for e in yaml.safe_load(text)["seeds"] if e["id"] == "page") if isinstance(
        yaml.safe_load(text), dict) else next(e for e in yaml.safe_load(text) if e["id"] == "page")
    for value in (entry["title"], entry.get("publisher"), *(entry.get("authors") or [])):
        assert value is None or not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f or c in "\u2028\u202e\ue002"
                                        for c in str(value)), entry
    assert "control character" in result.output
    result = run(small, "check")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", ["q\nsummary: INJECTED\n#.md", "q\rsummary: INJECTED\r#.md",
                                  "q\x85summary: INJECTED\x85#.md", "q\u2028summary: INJECTED\u2028#.md"])
def test_a_seed_name_cannot_inject_keys_into_drafts(small: Path, run, name: str) -> None:
    (small / "seeds" / name).write_bytes((ROOT / "seeds" / "csis-2025-us-allied-cooperation.md").read_bytes()
                                          + b"\nA closing note of the analyst.\n")
    result = run(small, "ingest", "--register", "--allow-duplicate", "--draft", f"seeds/{name}")
    assert result.exit_code == 0, result.output
    drafts = list((small / "content" / "drafts").rglob("*.yaml"))
    assert drafts
    for path in drafts:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data.get("summary") != "INJECTED", path
        assert "INJECTED" not in str(data.get("summary", ""))[:8]
    result = run(small, "check")
    assert "duplicate key" not in result.output


@pytest.mark.parametrize("title", ["Alliances \u202e2026", "Alliances\u200b", "Alliances\x85", "Alliances\ue002"])
def test_a_book_title_with_invisible_characters_is_a_usage_error(small: Path, run, title: str) -> None:
    result = run(small, "book", "--title", title)
    assert result.exit_code == 2
    assert "--title holds the invisible or control character" in result.output


@pytest.mark.parametrize("char", ["\ue002", "\ue003", "\uf8ff"])
def test_private_use_marks_are_refused_in_content(small: Path, run, char: str) -> None:
    nato = small / "content" / "alliances" / "nato.yaml"
    text = nato.read_text(encoding="utf-8")
    nato.write_text(text.replace("31 are NATO allies.", f"31 are {char}NATO allies.", 1), encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 1 and "private-use character" in result.output, result.output


@pytest.mark.slow
def test_a_failed_manifest_write_still_lists_every_failed_document(small: Path, tmp_path: Path, run) -> None:
    """The full-disk case, made portable: the manifest's place is a folder and both briefs' places are FIFOs (the
    build is of the briefs only: the one-pagers and the book would fail nothing here)."""
    out = tmp_path / "out"
    (out / "manifest.json").mkdir(parents=True)
    for rel in ("executive/briefs/nato.pdf", "executive/briefs/free-riding.pdf"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(out / rel)
    result = run(small, "build", "--audience", "executive", "--out", str(out), "--kind", "brief")
    assert result.exit_code == 1
    assert "failed executive/briefs/nato.pdf" in result.output
    assert "failed executive/briefs/free-riding.pdf" in result.output
    assert "failed 2 of 2 documents" in result.output, result.output
    assert "failed manifest.json" in result.output and "the manifest was not written" in result.output
