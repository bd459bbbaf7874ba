"""The live preview behind `briefgen serve`: project snapshots, generated files, PDF builds, file watching."""
from __future__ import annotations

from briefgen.preview.session import PreviewSession, Snapshot
from briefgen.preview.watch import Watcher

__all__ = ["PreviewSession", "Snapshot", "Watcher"]
