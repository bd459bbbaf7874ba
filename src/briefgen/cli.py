"""The briefgen command line: parse arguments, call the library, print. No logic of its own."""
from __future__ import annotations

import logging
from pathlib import Path

import click

from . import __version__
from .build import FORMATS, Target, plan, render_target
from .errors import BriefgenError, ContentError, ErrorGroup, Location
from .project import Project, find_root

OUT_HELP = "Output folder (default: build/ in the project)."
AUD_HELP = "Audience to render for (default: the project's default audience)."


class Context:
    """What every command shares: the project and output options."""

    def __init__(self, project_dir: Path | None, quiet: bool, verbose: bool) -> None:
        self.project_dir = project_dir
        self.quiet = quiet
        self.verbose = verbose

    @property
    def project(self) -> Project:
        return Project(find_root(self.project_dir))

    def out(self, out: Path | None) -> Path:
        return out if out is not None else self.project.root / "build"

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefgen")
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Project folder (default: the nearest folder holding briefgen.yaml).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and a summary.")
@click.option("-v", "--verbose", is_flag=True, help="Print what each stage does.")
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None, quiet: bool, verbose: bool) -> None:
    """Turn sourced YAML content blocks into branded policy briefs, one-pagers and books."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    for noisy in ("weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
        logging.getLogger(noisy).propagate = verbose
    ctx.obj = Context(project_dir, quiet, verbose)


@main.command("list")
@pass_ctx
def list_cmd(c: Context) -> None:
    """List every content block by type, with its id and name."""
    cat = c.project.catalogue
    for label, blocks in (("Alliances", cat.alliances), ("Obstacles", cat.obstacles),
                          ("Recommendations", cat.recommendations), ("Frameworks", cat.frameworks)):
        click.echo(f"{label} ({len(blocks)})")
        for block in blocks:
            click.echo(f"  {block.id:<32} {block.name}")


@main.command()
@pass_ctx
def check(c: Context) -> None:
    """Validate configuration, seeds, content, cross-links and every quote against its seed."""
    project = c.project
    project.check()
    cat = project.catalogue
    c.say(f"ok: {len(cat.blocks)} blocks, {len(project.seeds.seeds)} seeds, every quote found in its seed")


def _render_one(c: Context, kind: str, block_id: str, audience: str | None, out: Path | None, strict: bool,
                fmt: str = "pdf") -> None:
    project = c.project
    project.check()
    target = Target(kind, block_id, audience or project.config.default_audience)
    if project.catalogue.get(block_id) is None:
        known = ", ".join(b.id for b in project.catalogue.documents())
        raise ContentError(f"no alliance or obstacle with id {block_id!r}", Location("content/"),
                           f"known ids: {known}")
    path = render_target(project, target, c.out(out), strict=strict, fmt=fmt)
    c.say(f"wrote {path}")


def _output_options(f):  # noqa: ANN001, ANN202 - click decorator
    f = click.option("--strict", is_flag=True, help="Treat WeasyPrint warnings as errors.")(f)
    f = click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=OUT_HELP)(f)
    f = click.option("--audience", help=AUD_HELP)(f)
    return f


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(FORMATS), default="pdf", show_default=True,
                             help="pdf, or html: a standalone HTML file for reading on screen.")


@main.command()
@click.argument("block_id", metavar="ID")
@_output_options
@FORMAT_OPTION
@pass_ctx
def brief(c: Context, block_id: str, audience: str | None, out: Path | None, strict: bool, fmt: str) -> None:
    """Render the multi-page brief of alliance or obstacle ID to OUT/AUDIENCE/briefs/ID.pdf (or .html)."""
    _render_one(c, "brief", block_id, audience, out, strict, fmt)


@main.command()
@click.argument("block_id", metavar="ID")
@_output_options
@FORMAT_OPTION
@pass_ctx
def onepager(c: Context, block_id: str, audience: str | None, out: Path | None, strict: bool, fmt: str) -> None:
    """Render the one-page summary of alliance or obstacle ID to OUT/AUDIENCE/onepagers/ID.pdf (or .html)."""
    _render_one(c, "onepager", block_id, audience, out, strict, fmt)


@main.command()
@_output_options
@pass_ctx
def build(c: Context, audience: str | None, out: Path | None, strict: bool) -> None:
    """Render every brief and one-pager; one failure does not stop the others."""
    project = c.project
    project.check()
    targets = plan(project, audience)
    failures: list[BriefgenError] = []
    with click.progressbar(targets, label="Rendering", show_pos=True, hidden=c.quiet,
                           item_show_func=lambda t: str(t) if t else None) as bar:
        for target in bar:
            try:
                render_target(project, target, c.out(out), strict=strict)
            except BriefgenError as exc:
                failures.append(exc)
    click.echo(f"built {len(targets) - len(failures)} of {len(targets)} documents into {c.out(out)}")
    if failures:
        raise ErrorGroup(failures)
