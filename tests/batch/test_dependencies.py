"""A document depends on its own audience's chain and the registry entries it cites: unrelated edits rebuild nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTE = """---
title: "A working note on alliances"
author: "Jane Roe"
date: 2026-03-01
---

# Burden sharing

Allies discuss burden sharing in 2026.
"""


def _built(result) -> int:  # noqa: ANN001 - click's Result
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("built "), result.output
    return int(line.split()[1].rstrip(","))


@pytest.mark.slow
def test_registering_a_seed_adding_or_editing_another_audience_rebuilds_nothing(small_built: Path, run) -> None:
    """After a build of congress (5 documents; the shared one's copy): registering a seed, adding an audience and
    editing another audience rebuild none; editing a cited seed's registry entry or congress itself rebuilds what
    depends on it."""
    small = small_built
    assert len(json.loads((small / "build" / "manifest.json").read_text())["last_run"]["built"]) == 5
    (small / "seeds" / "note.md").write_text(NOTE, encoding="utf-8")
    assert run(small, "ingest", "--register", "seeds/note.md").exit_code == 0
    assert _built(run(small, "build", "--jobs", "1", "-q")) == 0
    (small / "audiences" / "analysts.yaml").write_text('label: "Analysts"\nextends: congress\n', encoding="utf-8")
    assert _built(run(small, "build", "--jobs", "1", "-q")) == 0
    public = small / "audiences" / "public.yaml"
    public.write_text(public.read_text(encoding="utf-8").replace('label: "', 'label: "Edited: ', 1), encoding="utf-8")
    assert _built(run(small, "build", "--jobs", "1", "-q")) == 0
    inputs = json.loads((small / "build" / "manifest.json").read_text())["outputs"]["congress/briefs/nato.pdf"]["inputs"]
    assert "audiences/congress.yaml" in inputs and "audiences/public.yaml" not in inputs
    assert "seeds/sources.yaml" not in inputs and "seeds/sources.yaml#csis-2025" in inputs
    sources = small / "seeds" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        'title: "International Alliances"', 'title: "International Alliances (revised)"'), encoding="utf-8")
    cites = [rel for rel, e in json.loads((small / "build" / "manifest.json").read_text())["outputs"].items()
             if "seeds/sources.yaml#wiki-international" in e["inputs"]]
    assert cites and len(cites) < 5
    assert _built(run(small, "build", "--jobs", "1", "-q")) == len(cites)
    congress = small / "audiences" / "congress.yaml"
    congress.write_text(congress.read_text(encoding="utf-8").replace("max_points: 6", "max_points: 7"),
                        encoding="utf-8")
    assert _built(run(small, "build", "--jobs", "1", "-q")) == 5
