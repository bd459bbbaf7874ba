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
