"""A book segment whose HTML changed tries the tail level its last rendering kept, and keeps it when clean."""
from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from briefgen.project import Project
from briefgen.render.book.segments import SegmentFit, SegmentJob

SEGMENT = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title></head>'
           '<body class="book book audience-congress"><main class="chapter"><h1>T</h1><p>Short text.</p></main>'
           '</body></html>')


def _render(root: Path, fit: SegmentFit):  # noqa: ANN202 - a segments.Rendered
    return SegmentJob(SEGMENT, "content/alliances/nato.yaml", label="book/ch-x", audience="congress",
                      fit=fit).run(Project(root))


def test_a_changed_segment_is_laid_out_once_at_its_recorded_tail_level(root: Path) -> None:
    """Recorded tail level 2, clean at that level: one layout, written at level 2 (a real one-page PDF); a push
    level is judged against the design, so it is not tried alone: the design, one layout."""
    kept = _render(root, SegmentFit(recorded=2))
    assert (kept.level, kept.layouts, kept.findings) == (2, 1, [])
    assert len(PdfReader(io.BytesIO(kept.data)).pages) == kept.pages == 1
    pushed = _render(root, SegmentFit(recorded=9))
    assert (pushed.level, pushed.layouts) == (0, 1)
