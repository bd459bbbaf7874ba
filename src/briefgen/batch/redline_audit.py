"""`check --layout --redlines`: lay out and audit the redline of each document changed since its last edition."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.batch.manifest import load_manifest, save_manifest
from briefgen.batch.redline import compare_target, redline_rel, render_redline
from briefgen.batch.render import check_target, start_levels
from briefgen.batch.targets import plan
from briefgen.config.kinds import Target, document_kind
from briefgen.errors import BriefgenError
from briefgen.project import Project

log = logging.getLogger(__name__)

#: The manifest's key for the redlines' audit: redline path -> what was compared, its pages and its findings.
REDLINES = "redlines"


@dataclass
class RedlineAudit:
    """The redlines laid out and what their audit found."""

    #: The redlines audited (AUDIENCE/redlines/ID.KIND.pdf).
    audited: list[str] = field(default_factory=list)
    #: Their findings (render.audit.Finding.as_dict(), named by the redline's path).
    findings: list[dict] = field(default_factory=list)
    failures: list[tuple[str, BriefgenError]] = field(default_factory=list)
    #: Documents whose content is what their last recorded edition shows: no redline to audit.
    unchanged: int = 0


def audit_redlines(project: Project, audiences: list[str], kinds: tuple[str, ...], ids: tuple[str, ...],
                   out: Path) -> RedlineAudit:
    """Audit the redline of each planned brief and one-pager of AUDIENCES (of KINDS, of IDS when given) whose
    content changed since its last recorded edition, laid out at the fit levels OUT's manifest recorded (a check's
    over a build's)."""
    report = RedlineAudit()
    manifest = load_manifest(out)
    checked = manifest.get("checked") if isinstance(manifest.get("checked"), dict) else {}
    entries = {**manifest["outputs"], **checked}  # the fit levels of the last build, or of this check's layout
    per_block = tuple(k for k in kinds if document_kind(k).per_block)  # a redline PDF is made for these
    for block_id in ids:  # an unknown id is a usage error, as for `check --layout`
        check_target(project, Target("brief", block_id, project.config.default_audience))
    for name in audiences:
        for target in plan(project, name, per_block):
            if ids and target.block_id not in ids:
                continue
            comparison = compare_target(project, target)
            if not comparison.now.new or not comparison.changes:
                report.unchanged += 1
                continue
            rel = redline_rel(target)
            log.info("auditing the redline %s (%s)", rel, comparison.summary)
            try:
                output = render_redline(project, comparison, levels=start_levels(entries.get(target.rel())),
                                        layout_only=True)
            except BriefgenError as exc:
                report.failures.append((rel, exc))
                continue
            report.audited.append(rel)
            report.findings += output.layout
            record_redline(out, rel, comparison.summary, comparison.since, output)
    return report


def record_redline(out: Path, rel: str, changes: str, since: str, output: object) -> None:
    """Record a redline's audit in OUT/manifest.json under "redlines" (the build's own entries stay as they were)."""
    manifest = load_manifest(out)
    entries = manifest.get(REDLINES) if isinstance(manifest.get(REDLINES), dict) else {}
    entries[rel] = {"changes": changes, "since": since, "pages": getattr(output, "pages", 0),
                    "layout": list(getattr(output, "layout", []))}
    manifest[REDLINES] = dict(sorted(entries.items()))
    out.mkdir(parents=True, exist_ok=True)
    save_manifest(out, manifest)


__all__ = ["REDLINES", "RedlineAudit", "audit_redlines", "record_redline"]
