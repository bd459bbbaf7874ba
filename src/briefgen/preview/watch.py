"""Watch the project's inputs with watchfiles and report each batch of changed files."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

import watchfiles

from briefgen.config.inputs import ROOT_FILES, WATCHED_DIRS

logger = logging.getLogger(__name__)

#: Files at the project root that are inputs to every document.
WATCHED_FILES = ROOT_FILES
#: Milliseconds without a new change before a batch is reported (editors write a file in several steps).
STEP_MS = 50


class Watcher:
    """Two watchfiles loops: the input folders recursively, and the project root for its own files."""

    def __init__(self, root: Path, on_change: Callable[[set[str]], object], *, ignore: Path | None = None) -> None:
        self.root = root.resolve()
        self.on_change = on_change
        self.ignore = ignore.resolve() if ignore else None
        self._stop = threading.Event()
        self._tree_stop = threading.Event()
        self._tree: threading.Thread | None = None
        self._top = threading.Thread(target=self._watch_top, name="briefgen-watch-root", daemon=True)
        self._default_filter = watchfiles.DefaultFilter()

    def start(self) -> None:
        """Start watching."""
        self._start_tree()
        self._top.start()

    def stop(self) -> None:
        """Stop watching and wait for both loops to end."""
        self._stop.set()
        self._tree_stop.set()
        for thread in (self._tree, self._top):
            if thread is not None and thread.is_alive():
                thread.join(timeout=10)

    def _start_tree(self) -> None:
        if self._stop.is_set():
            return
        if self._tree is not None:
            self._tree_stop.set()
            self._tree.join(timeout=10)
        self._tree_stop = threading.Event()
        folders = [self.root / d for d in WATCHED_DIRS if (self.root / d).is_dir()]
        self._tree = threading.Thread(target=self._watch_tree, args=(folders, self._tree_stop),
                                      name="briefgen-watch-tree", daemon=True)
        self._tree.start()

    def _keep(self, change: watchfiles.Change, path: str) -> bool:
        """Drop editor droppings and anything under the output folder."""
        if self.ignore is not None and Path(path).resolve().is_relative_to(self.ignore):
            return False
        return self._default_filter(change, path)

    def _keep_top(self, change: watchfiles.Change, path: str) -> bool:
        name = Path(path).name
        return Path(path).parent.resolve() == self.root and (name in WATCHED_FILES or name in WATCHED_DIRS)

    def _watch_tree(self, folders: list[Path], stop: threading.Event) -> None:
        if not folders:
            return
        self._loop(watchfiles.watch(*folders, watch_filter=self._keep, step=STEP_MS, stop_event=stop,
                                    raise_interrupt=False, rust_timeout=1000, yield_on_timeout=False))

    def _watch_top(self) -> None:
        changes = watchfiles.watch(self.root, watch_filter=self._keep_top, step=STEP_MS, stop_event=self._stop,
                                   recursive=False, raise_interrupt=False, rust_timeout=1000)
        self._loop(changes, on_top=True)

    def _loop(self, changes, *, on_top: bool = False) -> None:  # noqa: ANN001 - watchfiles' generator
        try:
            for batch in changes:
                paths = {self._shown(p) for _, p in batch}
                if on_top and any(Path(p).name in WATCHED_DIRS for p in paths):
                    self._start_tree()  # an input folder appeared or went away
                try:
                    self.on_change(paths)
                except Exception:  # noqa: BLE001 - one bad reload must not stop watching
                    logger.exception("reloading after %s failed", ", ".join(sorted(paths)))
        except Exception:  # noqa: BLE001
            if not self._stop.is_set():
                logger.exception("watching %s stopped", self.root)

    def _shown(self, path: str) -> str:
        p = Path(path)
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()
