"""The README's promises: its Python API example runs as written."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pypdf
import pytest

ROOT = Path(__file__).resolve().parents[1]


def api_example() -> str:
    """The Python block the README marks as the API example."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- api-example:[^>]*-->\s*```python\n(.*?)```", text, re.S)
    assert match, "README has no marked API example"
    return match.group(1)


def test_readme_api_example_runs(small: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """Run the example in a two-block copy of the project; it writes a real brief and builds the rest."""
    monkeypatch.chdir(small)
    exec(compile(api_example(), "README.md", "exec"), {})  # noqa: S102 - the README's own code
    printed = capsys.readouterr().out
    assert re.search(r"^\d+ pages, \d+ bytes$", printed, re.M), printed
    assert re.search(r"^\d+ built, 0 up to date, 0 failed$", printed, re.M), printed
    reader = pypdf.PdfReader(small / "nato-brief.pdf")
    assert len(reader.pages) >= 2
    assert "North Atlantic Treaty Organization" in reader.pages[0].extract_text()
    assert (small / "build" / "congress" / "book.pdf").is_file()
    assert os.listdir(small / "build" / "congress" / "onepagers")


def test_readme_lists_every_claims_rule() -> None:
    """The "Citations and claims" section names every rule of content/claims.py, each with an example."""
    from briefgen.content.claims import RULES

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Citations and claims"):text.index("### Authors, key takeaways")]
    for name in RULES:
        assert re.search(rf"^\| `{name}`( \(warning\))? \| .+ \|$", section, re.M), name
