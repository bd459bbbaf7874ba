"""The editorial gate: a topic's own text decides which documents of its own it gets, the build plans none it cannot
fill, and check names every thin topic with what it gets instead."""
from __future__ import annotations

from pathlib import Path

from briefgen.batch.targets import plan
from briefgen.config.kinds import DOCUMENT_KINDS, document_kind
from briefgen.content.gate import fills, own_words, thin_note
from briefgen.project import Project


def _thin(small: Path) -> None:
    """Cut the NATO block's lists of points, leaving its summary and bottom line."""
    path = small / "content" / "alliances" / "nato.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    out, skipping = [], False
    for line in lines:
        if line.startswith(("why_it_matters:", "modernization_priorities:", "key_actions:")):
            out.append(line.split(":")[0] + ": []")
            skipping = True
            continue
        if skipping and (line.startswith(" ") or line.startswith("-")):
            continue
        skipping = False
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_a_full_topic_gets_every_document_and_no_note(small: Path) -> None:
    project = Project(small)
    nato = project.catalogue.get("nato")
    assert own_words(nato) >= document_kind("brief").min_words and thin_note(nato) is None
    kinds = {(t.kind, t.block_id) for t in plan(project)}
    assert ("brief", "nato") in kinds and ("onepager", "nato") in kinds


def test_a_thin_topic_gets_no_brief_and_check_says_so(small: Path, run) -> None:  # noqa: ANN001
    _thin(small)
    project = Project(small)
    nato = project.catalogue.get("nato")
    words = own_words(nato)
    assert words < document_kind("brief").min_words
    assert not fills(nato, "brief") and fills(nato, "book")
    assert ("brief", "nato") not in {(t.kind, t.block_id) for t in plan(project)}
    note = thin_note(nato)
    assert note and f"{words} words" in note and "brief" in note
    result = run(small, "check")
    assert "content/alliances/nato.yaml: note: thin topic" in result.output, result.output
    assert result.exit_code == 0, result.output


def test_the_gate_limits_are_declared_by_each_kind() -> None:
    """Each kind's declaration carries its limit: the one-pager asks less than the brief, the book nothing."""
    assert document_kind("onepager").min_words < document_kind("brief").min_words
    assert [k.name for k in DOCUMENT_KINDS.values() if not k.min_words] == ["book"]
