"""`briefgen build --format`: the planned documents written in formats besides PDF (Word, HTML), each by its writer,
for the kinds that writer supports."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.batch.render import render_target
from briefgen.batch.targets import plan, select
from briefgen.errors import BriefgenError
from briefgen.project import Project
from briefgen.render.writers import writer

logger = logging.getLogger(__name__)


@dataclass
class FormatsReport:
    """What the other formats' pass wrote and what failed."""

    built: list[str] = field(default_factory=list)
    failures: list[tuple[str, BriefgenError]] = field(default_factory=list)
    seconds: float = 0.0


def write_formats(project: Project, audiences: list[str], out: Path, formats: list[str], *,
                  strict: bool = False, kinds: tuple[str, ...] = (), ids: tuple[str, ...] = ()) -> FormatsReport:
    """Write every planned document of AUDIENCES (of KINDS and IDS only, when given: batch.targets.select) in each of
    FORMATS (not pdf: the build's own) its writer supports.

    They render in this process, one after another (a Word brief takes a fraction of a second, no layout), and are
    rewritten on every build: the manifest and its up-to-date check cover the PDFs only. One failure does not stop
    the others.
    """
    report = FormatsReport()
    started = time.perf_counter()
    for name in formats:
        if name == "pdf":
            continue
        chosen = writer(name)
        for audience in audiences:
            for target in select(project, plan(project, audience), kinds, ids):
                if target.kind not in chosen.kinds:
                    continue
                rel = target.rel(name)
                try:
                    render_target(project, target, out, fmt=name, strict=strict)
                except BriefgenError as exc:
                    report.failures.append((rel, exc))
                    continue
                logger.info("wrote %s", rel)
                report.built.append(rel)
    report.seconds = time.perf_counter() - started
    return report
