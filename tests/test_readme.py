"""The README's promises: its Python API example runs as written."""
from __future__ import annotations

import os
import re
import subprocess
import sys
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


def _run_script(project: Path, text: str) -> subprocess.CompletedProcess:
    """Save TEXT as api.py in PROJECT and run it as a user would: `python api.py` (a hang fails at the timeout)."""
    (project / "api.py").write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "api.py"], cwd=project, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_readme_api_example_runs_saved_as_a_script(small: Path) -> None:
    """Saved as api.py in a two-block copy of the project and run: it writes a real brief and builds the rest."""
    proc = _run_script(small, api_example())
    assert proc.returncode == 0, proc.stderr
    printed = proc.stdout
    assert re.search(r"^\d+ pages, \d+ bytes$", printed, re.M), printed
    assert re.search(r"^\d+ built, 0 up to date, 0 failed$", printed, re.M), printed
    reader = pypdf.PdfReader(small / "nato-brief.pdf")
    assert len(reader.pages) >= 2
    assert "North Atlantic Treaty Organization" in reader.pages[0].extract_text()
    assert (small / "build" / "congress" / "book.pdf").is_file()
    assert os.listdir(small / "build" / "congress" / "onepagers")


@pytest.mark.slow
def test_the_example_without_its_main_guard_fails_saying_what_to_do(small: Path) -> None:
    """Without `if __name__ == "__main__":` the build's workers would import the script and call briefgen again:
    they stop at start-up, and run_build raises naming the script and the fix instead of waiting forever."""
    lines = api_example().splitlines()
    guard = next(i for i, line in enumerate(lines) if line.startswith("if __name__"))
    unguarded = "\n".join(lines[:guard] + [line[4:] for line in lines[guard + 1:]]) + "\n"
    assert "if __name__" not in unguarded and "run_build" in unguarded
    proc = _run_script(small, unguarded)
    assert proc.returncode == 1
    assert ("api.py: error: worker processes stopped at start-up: api.py calls briefgen at its top level"
            in proc.stderr), proc.stderr[-2000:]
    assert 'put the calls under `if __name__ == "__main__":`' in proc.stderr
    assert not (small / "build" / "congress" / "book.pdf").exists()


def test_readme_lists_every_claims_rule() -> None:
    """The "Citations and claims" section names every rule of content/claims.py, each with an example."""
    from briefgen.content.claims import RULES

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Citations and claims"):text.index("### Authors, key takeaways")]
    for name in RULES:
        assert re.search(rf"^\| `{name}`( \(warning\))? \| .+ \|$", section, re.M), name
