"""`briefgen build --kind/--id`: only the documents asked for are built, every other record is kept."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.batch.targets import plan, select
from briefgen.errors import UsageError
from briefgen.project import Project


def _outputs(project: Path) -> dict:
    return json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))["outputs"]


def test_kind_and_id_select_those_documents_and_the_book_only_when_named(small: Path) -> None:
    project = Project(small)
    targets = plan(project)
    rels = lambda kinds, ids: sorted(t.rel() for t in select(project, targets, kinds, ids))  # noqa: E731
    assert rels((), ("nato",)) == ["congress/briefs/nato.pdf", "congress/onepagers/nato.pdf"]
    assert rels(("book",), ()) == ["congress/book.pdf"]
    assert rels(("book", "brief"), ("nato",)) == ["congress/book.pdf", "congress/briefs/nato.pdf"]
    assert rels(("onepager",), ()) == ["congress/onepagers/free-riding.pdf", "congress/onepagers/nato.pdf"]
    assert rels((), ()) == sorted(t.rel() for t in targets)
    with pytest.raises(UsageError, match="free-riding"):
        select(project, targets, (), ("natoo",))


def test_unknown_kind_or_id_is_a_usage_error_naming_the_known_ones(small: Path, run) -> None:  # noqa: ANN001
    unknown_id = run(small, "build", "--id", "nato,natoo")
    assert unknown_id.exit_code == 2, unknown_id.output
    assert "natoo" in unknown_id.output and "did you mean nato" in unknown_id.output
    assert "free-riding" in unknown_id.output  # the ids there are
    unknown_kind = run(small, "build", "--kind", "brief,briefs")
    assert unknown_kind.exit_code == 2 and "'briefs'" in unknown_kind.output, unknown_kind.output
    assert "book, brief, onepager" in unknown_kind.output
    assert not (small / "build").exists()


def test_building_one_document_keeps_the_others_records_and_the_next_build_builds_the_rest(
        small_built: Path, run) -> None:  # noqa: ANN001
    """Both briefs are out of date (their edition records deleted); `build --kind brief --id nato` renders the NATO
    brief only, leaves every other output's record as it was, and a whole build then renders the free-riding brief
    (not called up to date by the no-op check) and reports the rest, the NATO brief included, up to date."""
    for name in ("nato", "free-riding"):
        (small_built / "editions" / "congress" / "brief" / f"{name}.json").unlink()
    before = _outputs(small_built)
    assert len(before) == 5

    one = run(small_built, "build", "--kind", "brief", "--id", "nato", "--jobs", "1")
    assert one.exit_code == 0, one.output
    assert "built 1, up to date 0, failed 0 of 1 documents" in one.output, one.output
    after = _outputs(small_built)
    assert after.keys() == before.keys()
    assert after["congress/briefs/nato.pdf"] != before["congress/briefs/nato.pdf"]  # rendered and recorded again
    assert {rel: e for rel, e in after.items() if rel != "congress/briefs/nato.pdf"} == \
        {rel: e for rel, e in before.items() if rel != "congress/briefs/nato.pdf"}
    assert (small_built / "editions" / "congress" / "brief" / "nato.json").is_file()
    assert not (small_built / "editions" / "congress" / "brief" / "free-riding.json").exists()

    rest = run(small_built, "build", "--jobs", "1")
    assert rest.exit_code == 0, rest.output
    assert "built 1, up to date 4, failed 0 of 5 documents" in rest.output, rest.output
    assert _outputs(small_built)["congress/briefs/free-riding.pdf"] != before["congress/briefs/free-riding.pdf"]
    assert (small_built / "editions" / "congress" / "brief" / "free-riding.json").is_file()
    again = run(small_built, "build", "--jobs", "1")  # now the whole build is recorded: the no-op path
    assert "built 0, up to date 5, failed 0 of 5 documents" in again.output, again.output
