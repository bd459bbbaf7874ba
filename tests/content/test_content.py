"""Content blocks load into the typed model; every error names file, line and column."""
from __future__ import annotations

import re
from pathlib import Path

from briefgen.content.catalogue import load_catalogue
from briefgen.content.model import Alliance, Obstacle


def test_real_catalogue_loads(root: Path) -> None:
    """NATO and free riding load as an alliance and an obstacle that link to each other."""
    cat = load_catalogue(root)
    nato, fr = cat.get("nato"), cat.get("free-riding")
    assert isinstance(nato, Alliance) and isinstance(fr, Obstacle)
    assert "free-riding" in nato.related_obstacles and "nato" in fr.affected_alliances


def test_duplicate_key_names_file_and_both_lines(scratch: Path, run) -> None:
    """A duplicated key fails check with the file, the line of the second key and the first."""
    path = scratch / "content" / "alliances" / "nato.yaml"
    text = path.read_text()
    path.write_text(text.replace("short_name: NATO\n", "short_name: NATO\nname: Again\n", 1))
    result = run(scratch, "check")
    assert result.exit_code == 1
    line = text.splitlines().index("short_name: NATO") + 2
    assert f"content/alliances/nato.yaml:{line}:1: error: duplicate key 'name' (first defined at line 2)" in result.output


def test_all_errors_reported_before_exit(scratch: Path, run) -> None:
    """Two broken files give two located errors in one run, each with a hint."""
    nato = scratch / "content" / "alliances" / "nato.yaml"
    nato.write_text(nato.read_text().replace("kind: treaty alliance", "kind: club"))
    fr = scratch / "content" / "obstacles" / "free-riding.yaml"
    fr.write_text(fr.read_text().replace("domain: general", "domian: general"))
    result = run(scratch, "check")
    assert result.exit_code == 1
    assert "content/alliances/nato.yaml:4:7: error: kind: 'club'" not in result.output  # describe() says text
    assert "content/alliances/nato.yaml:4:7: error: kind: text ('club') is not one of the allowed values" in result.output
    assert "content/obstacles/free-riding.yaml:3:1: error: unknown field 'domian' (hint: did you mean 'domain'?)" in result.output
    assert "3 error(s)" in result.output  # club, domian, missing domain; no cascade from the broken file


def test_duplicate_ids_and_bad_ids(scratch: Path, run) -> None:
    """An id that is not [a-z0-9][a-z0-9-]* and a case-folded duplicate id are both errors."""
    (scratch / "content" / "obstacles" / "Nato.yaml").write_text(
        "id: Nato\nname: x\nsummary: x\ndomain: general\n")
    result = run(scratch, "check")
    assert result.exit_code == 1
    assert "content/obstacles/Nato.yaml:1:5: error: id: 'Nato' is not a valid id" in result.output


def test_cross_links_must_go_both_ways(scratch: Path, run) -> None:
    """An obstacle naming an alliance that does not name it back is an error pointing at the entry."""
    fr = scratch / "content" / "obstacles" / "free-riding.yaml"
    fr.write_text(re.sub(r"affected_alliances: \[[^\]]*\]", "affected_alliances: []", fr.read_text()))
    result = run(scratch, "check")
    assert result.exit_code == 1
    assert "nato lists obstacle 'free-riding', but free-riding does not list 'nato'" in result.output


def test_wrong_types_are_not_coerced(scratch: Path, run) -> None:
    """`summary: NO` is a yes/no value to YAML, and the schema refuses it where text is expected."""
    fr = scratch / "content" / "obstacles" / "free-riding.yaml"
    text = fr.read_text()
    start = text.index("summary: >-")
    end = text.index("bottom_line:")
    fr.write_text(text[:start] + "summary: NO\n" + text[end:])
    result = run(scratch, "check")
    assert result.exit_code == 1
    assert "error: summary: expected text, got a yes/no value ('NO') (hint: put the value in quotes" in result.output
