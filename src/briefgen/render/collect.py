"""Fewer cyclic garbage collections while WeasyPrint lays documents out (its box trees are many small objects)."""
from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

#: The collector's thresholds while laying out: a young-generation pass after 10,000 net allocations instead of
#: Python's 700. A layout allocates hundreds of thousands of boxes and style objects that live until the document is
#: written, so each pass found little to free and the full passes re-walked every live box: on the congress book
#: 3.2 of 19.9 CPU-s went to the collector, 1.3 with these (about 25 MB more at the peak). Output never depends on it.
LAYOUT_THRESHOLDS = (10_000, 10, 10)

_lock = threading.Lock()
_depth = [0]
_saved: list[tuple[int, int, int]] = []


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often inside the block; the thresholds before it come back when the last such block in
    the process ends (blocks may nest and run in several threads)."""
    with _lock:
        if _depth[0] == 0:
            _saved[:] = [gc.get_threshold()]
            gc.set_threshold(*LAYOUT_THRESHOLDS)
        _depth[0] += 1
    try:
        yield
    finally:
        with _lock:
            _depth[0] -= 1
            if _depth[0] == 0 and _saved:
                gc.set_threshold(*_saved.pop())
