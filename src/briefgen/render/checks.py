"""The whole pre-render check: the project's sources, then what every render will use (brands, limits, templates)."""
from __future__ import annotations

import dataclasses

from briefgen.config.audiences import brand_overrides, missing_templates
from briefgen.config.brand import load_brand
from briefgen.config.kinds import DOCUMENT_KINDS, KINDS, Target
from briefgen.content.model import BLOCK_TYPES, FIELD_SECTIONS, type_templates
from briefgen.content.views import audience_view
from briefgen.errors import BriefgenError, ContentWarning, ErrorCollector, ErrorGroup, Location
from briefgen.project import Project
from briefgen.render.context import render_html
from briefgen.render.templates import check_overrides


def document_templates() -> tuple[str, ...]:
    """The templates every audience renders its documents with (the book's parts are included by book.html.j2),
    and each block type's partials."""
    return (*(kind.template for kind in DOCUMENT_KINDS.values()),
            *(name for cls in BLOCK_TYPES for name in type_templates(cls)))


def check_project(project: Project) -> None:
    """Validate configuration, seeds, content, provenance, then what rendering uses; raise every error at once."""
    errors = ErrorCollector()
    errors.extend(project.check_sources(also=lambda: check_templates(project)))
    if not errors:
        errors.extend(check_rendering(project))
    errors.raise_if_any()


def check_templates(project: Project) -> list[BriefgenError]:
    """Check every audience's template overrides (each override file once, however many audiences use it)."""
    seen: set[str] = set()
    errors: list[BriefgenError] = []
    for name in project.audience_names():
        try:
            chain = project.audience(name).chain
        except BriefgenError:
            continue  # reported by Project.check_audiences
        for error in check_overrides(project.root, chain):
            if error.format_message() not in seen:
                seen.add(error.format_message())
                errors.append(error)
    return errors


def check_rendering(project: Project) -> list[BriefgenError]:
    """Validate, per audience, what every render will use: its merged brand, its word limits on every document,
    and a template for each of its document kinds and sections. Each problem is reported once."""
    errors: list[BriefgenError] = []
    brands: dict[str, str] = {}
    templates = document_templates()
    for name in project.audience_names():
        aud = project.audience(name)
        try:
            load_brand(project.root, brand_overrides(aud), overrides_file=aud.file)
        except BriefgenError as exc:
            # An error in brand.yml itself shows once, not once per audience that inherits it.
            for error in exc.errors if isinstance(exc, ErrorGroup) else [exc]:
                brands.setdefault(error.format_message(), name)
                if brands[error.format_message()] == name:
                    errors.append(error)
        errors.extend(missing_templates(project.root, aud, templates))
        if aud.config.limits.over_limit == "error":
            for block in project.catalogue.documents():
                try:
                    audience_view(block, aud.config, name)
                except BriefgenError as exc:
                    errors.append(exc)
    return errors


def omission_warnings(project: Project, audience: str | None = None) -> list[ContentWarning]:
    """What the briefs and one-pagers of AUDIENCE (default: the project's) leave out of their blocks without their
    design expecting it (render.omitted), one warning per field and reason, found by rendering their HTML (no
    layout: the one-pager's fit steps are reported by `check --layout` and builds)."""
    name = audience or project.config.default_audience
    found: list[ContentWarning] = []
    for block in project.catalogue.documents():
        for kind in KINDS:
            target = Target(kind, block.id, name)
            for omission in render_html(project, block.id, kind, name).omitted:
                if not omission.expected:
                    omission = dataclasses.replace(omission, document=target.rel())
                    found.append(ContentWarning(omission.message(), Location(omission.file, omission.line),
                                                omission.hint()))
    return found


#: Sections that show a block field other than the one of their own name (the pull quote shows the first quote).
_SHOWS: dict[str, tuple[str, ...]] = {"pull_quote": ("quotes",)}


def section_warnings(project: Project) -> list[ContentWarning]:
    """Each audience whose whole `brief.sections` list leaves out a section that some blocks have content for,
    without naming it in a `remove` edit: a warning at that list, naming the blocks."""
    found: list[ContentWarning] = []
    for name in project.audience_names():
        plan = project.audience(name).config.brief
        for section, loc in plan.dropped.items():
            fields = (section, *_SHOWS.get(section, ()), *(f for f, s in FIELD_SECTIONS.items() if s == section))
            having = [b.id for b in project.catalogue.documents() if section not in plan.sections_for(b.type_name)
                      and any(getattr(b, f, None) for f in fields)]
            if having:
                shown = ", ".join(having[:5]) + (f" and {len(having) - 5} more" if len(having) > 5 else "")
                found.append(ContentWarning(
                    f"audience {name}: brief.sections leaves out {section!r}, which {len(having)} block(s) have "
                    f"content for ({shown})", loc,
                    f"add it back, or replace the list with named changes (brief.edits: [{{remove: {section}}}]) "
                    "so that leaving it out is a choice"))
    return found
