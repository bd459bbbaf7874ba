"""The layout's garbage-collection thresholds: set inside, restored when the last block in the process ends."""
from __future__ import annotations

import gc
import threading

from briefgen.render.collect import LAYOUT_THRESHOLDS, fewer_collections


def test_thresholds_are_raised_inside_and_restored_after_nested_and_threaded_blocks() -> None:
    before = gc.get_threshold()
    assert before != LAYOUT_THRESHOLDS
    inside, entered, release = [], threading.Event(), threading.Event()

    def other() -> None:
        with fewer_collections():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with fewer_collections():
        thread.start()
        assert entered.wait(10)
        with fewer_collections():
            inside.append(gc.get_threshold())
        inside.append(gc.get_threshold())
    inside.append(gc.get_threshold())  # the other thread's block is still open
    release.set()
    thread.join(10)
    assert inside == [LAYOUT_THRESHOLDS] * 3
    assert gc.get_threshold() == before


def test_briefs_and_one_pagers_are_laid_out_with_the_raised_thresholds(small, monkeypatch) -> None:  # noqa: ANN001
    """Every document kind's layouts run under LAYOUT_THRESHOLDS (the book's segments are checked in test_book), and
    the thresholds come back after the PDF is made."""
    from briefgen.config.kinds import Target
    from briefgen.project import Project
    from briefgen.render import fit
    from briefgen.render.documents import document
    from briefgen.render.output import RenderOptions

    seen: list[tuple[int, int, int]] = []
    real = fit.lay_out

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(fit, "lay_out", spy)
    before = gc.get_threshold()
    project = Project(small)
    for kind in ("brief", "onepager"):
        output = document(kind).pdf(project, Target(kind, "nato", project.config.default_audience), RenderOptions())
        assert output.data.startswith(b"%PDF")
    assert seen and set(seen) == {LAYOUT_THRESHOLDS}
    assert gc.get_threshold() == before
