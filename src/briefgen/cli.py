"""The briefgen command line: parse arguments, call the library, print. No logic of its own."""
from __future__ import annotations

import logging
import re
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from briefgen._version import __version__
from briefgen.batch.executors import EXECUTORS, ExecutorChoice
from briefgen.batch.pool import Limits
from briefgen.config.audiences import effective_values, resolve_names, scaffold
from briefgen.config.kinds import DOCUMENT_KINDS, KINDS, Target
from briefgen.config.project import check_output_folder
from briefgen.config.schema import INVISIBLE
from briefgen.errors import COMMAND_LINE, BriefgenError, ContentError, ErrorGroup, Location, UsageError
from briefgen.project import Project, find_root
from briefgen.render.writers import FORMATS

if TYPE_CHECKING:  # each command imports the stages it runs when it runs: a no-op build starts faster
    from briefgen.ingest.curate import DraftView
    from briefgen.ingest.source import Ingested
    from briefgen.seeds.outline import Node, Outline

OUT_HELP = "Output folder (default: build/ in the project)."
AUD_HELP = "Audience to render for; repeat it, or say 'all' (default: the project's default audience)."


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
        root = self.project.root
        if out is not None:
            check_output_folder(root, out)
        return out if out is not None else root / "build"

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message)


pass_ctx = click.make_pass_decorator(Context)


class _Terminated(BaseException):
    """SIGTERM arrived outside a build (a build handles its own signals)."""


def _on_term(signum: int, frame: object) -> None:  # noqa: ARG001
    raise _Terminated()


class _Cli(click.Group):
    """The command group: Ctrl-C exits 130 and SIGTERM 143 in every phase, with no traceback."""

    def invoke(self, ctx: click.Context) -> object:
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _on_term) if in_main else None
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing half-written was left", err=True)
            raise SystemExit(130) from None
        except _Terminated:
            click.echo("terminated: nothing half-written was left", err=True)
            raise SystemExit(143) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
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
    for cls, blocks in c.project.catalogue.by_type():
        click.echo(f"{cls.label} ({len(blocks)})")
        for block in blocks:
            click.echo(f"  {block.id:<32} {block.name}")


def _comma_list(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:  # noqa: ARG001
    """A repeatable option's values with comma lists split (--id nato,aukus --id quad), in order, once each."""
    return tuple(dict.fromkeys(part.strip() for value in values for part in value.split(",") if part.strip()))


def _kind_list(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """--kind's values (repeated or comma lists); one that is not a document kind is a usage error naming them."""
    kinds = _comma_list(ctx, param, values)
    unknown = [k for k in kinds if k not in DOCUMENT_KINDS]
    if unknown:
        raise click.BadParameter(f"{unknown[0]!r} is not a document kind; the kinds are "
                                 f"{', '.join(DOCUMENT_KINDS)}", ctx, param)
    return kinds


def _select_options(doc: str):  # noqa: ANN202 - click decorator
    """--kind and --id, for `build` and `check --layout`; DOC starts their help ("With --layout: ", or nothing)."""
    only = f"{doc}only" if doc else "Only"

    def add(f):  # noqa: ANN001, ANN202
        f = click.option("--id", "ids", multiple=True, metavar="ID[,ID...]", callback=_comma_list,
                         help=f"{only} the documents of this alliance or obstacle (its brief and one-pager); repeat "
                              "it or give a comma list (default: every one, and the book).")(f)
        return click.option("--kind", "kinds", multiple=True, metavar="KIND[,KIND...]", callback=_kind_list,
                            help=f"{only} documents of this kind ({', '.join(DOCUMENT_KINDS)}); repeat it or give "
                                 "a comma list (default: every kind; with --id, the book only when named).")(f)
    return add


def _limit_options(f):  # noqa: ANN001, ANN202 - click decorator
    f = click.option("--doc-memory", type=click.IntRange(min=256), default=Limits.memory_mb, show_default=True,
                     metavar="MB", help="Memory a worker may use for one document.")(f)
    f = click.option("--doc-timeout", type=click.FloatRange(min=0.5), default=Limits.seconds, show_default=True,
                     metavar="SECONDS", help="CPU seconds one document may take before it is stopped (a busy machine "
                     "slows it, it does not fail it).")(f)
    f = click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                     help="Worker processes (default: all cores).")(f)
    return f


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings (a dropped hedge, prose above a reading level) as errors.")
@click.option("--layout", is_flag=True,
              help="Also lay out every document (nothing is written) and audit its pages: any finding is an error.")
@click.option("--audience", "audiences", multiple=True, metavar="NAME",
              help="With --layout or --web: audience to lay out or whose site to audit; repeat it, or say 'all' "
                   "(default: the default audience).")
@_select_options("With --layout: ")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="With --layout or --web: the build folder (default: build/); --layout records its findings in "
                   "the folder's manifest, --web audits the sites under it.")
@click.option("--redlines", is_flag=True,
              help="With --layout: also lay out and audit the redline of each brief and one-pager whose content "
                   "changed since its last recorded edition (what `diff --format pdf` would write).")
@click.option("--web", is_flag=True,
              help="Also open each page of the web edition (SITE_DIR, or OUT/AUDIENCE/site for each --audience) in "
                   "headless Chromium at 390 and 1280 px: no sideways scroll, no overlapping text, nothing cut.")
@click.argument("site_dirs", nargs=-1, metavar="[SITE_DIR]...",
                type=click.Path(file_okay=False, path_type=Path))
@_limit_options
@pass_ctx
def check(c: Context, strict: bool, layout: bool, audiences: tuple[str, ...], kinds: tuple[str, ...],
          ids: tuple[str, ...], out: Path | None, redlines: bool, web: bool, site_dirs: tuple[Path, ...],
          jobs: int | None, doc_timeout: float, doc_memory: int) -> None:
    """Validate configuration, seeds, content, cross-links, every quote against its seed and every cited claim
    against its passages.

    With --layout, also lay out the documents (briefs, one-pagers and the book; the build's render path and fit
    loops, in worker processes, writing no output) and audit their pages: blank and runt pages, split sidebars,
    cards and figures, stranded headings, duplicate, uncited or repeated notes, thin one-pagers, uneven column
    tops, empty tinted slabs, long lines, lines broken early, wrapped labels, grid holes, collisions with the fact
    box, short briefs, lone figures, cut chart labels and fragment pull quotes (README: The layout audit). Each
    finding is printed with its document
    and page and recorded in the build folder's manifest; any finding exits 1. A document unchanged since it was
    built or checked is not laid out again. With --redlines, the redlines of changed documents are audited too.

    With --web, each page of the web edition is opened in headless Chromium (found on PATH: chromium,
    chromium-browser or google-chrome; Playwright from the web-audit extra drives it) at 390 and 1280 px, served
    from the site folder with every other request blocked. Each finding names the page, the width and the
    elements; any finding exits 1. Build the sites first (`briefgen site`).
    """
    from briefgen.content.drafts import check_drafts, draft_files
    from briefgen.content.gate import thin_note
    from briefgen.render.checks import check_project, omission_warnings, section_warnings

    if not (layout or web) and (audiences or out is not None):
        raise click.UsageError("--audience and --out go with --layout or --web")
    if not layout and (kinds or ids or jobs is not None or redlines):
        raise click.UsageError("--kind, --id, --jobs and --redlines go with --layout")
    if site_dirs and not web:
        raise click.UsageError("a SITE_DIR goes with --web")
    project = c.project
    check_project(project)
    drafts = check_drafts(project.root, project.seeds)  # verified where they lie; builds never read them
    if drafts:
        raise ErrorGroup(drafts) if len(drafts) > 1 else drafts[0]
    cat = project.catalogue
    verified = len(draft_files(project.root))
    warnings = project.warnings() + section_warnings(project) + omission_warnings(project)
    if strict and warnings:
        raise ErrorGroup([ContentError(w.message, w.location, w.hint) for w in warnings])
    for warning in warnings:
        click.echo(warning.format_message(), err=True)
    for block in cat.documents():  # the editorial gate: what a build leaves out of a thin topic
        if thin_note(block):
            click.echo(f"{cat.file_of(block)}: note: {thin_note(block)}", err=True)
    c.say(f"ok: {len(cat.blocks)} blocks, {len(project.seeds.seeds)} seeds, {len(project.audience_names())} "
          f"audiences, every quote found in its seed"
          + (f"; {verified} draft(s) in content/drafts/ verified" if verified else "")
          + (f"; {len(warnings)} warning(s)" if warnings else ""))
    failed = False
    if layout:
        failed = _check_layout(c, project, audiences, kinds, ids, out, strict=strict, jobs=jobs,
                               limits=Limits(doc_timeout, doc_memory), redlines=redlines)
    if web:
        sites = list(site_dirs) or [c.out(out) / name / "site" for name in
                                    resolve_names(project.root, audiences, project.config.default_audience)]
        failed = _check_web(c, sites) or failed
    if failed:
        raise SystemExit(1)


def _check_web(c: Context, sites: list[Path]) -> bool:
    """Audit each site folder in headless Chromium; print the findings and a summary; return whether any."""
    from briefgen.render.audit_web import WIDTHS, audit_site

    findings = 0
    for site_dir in sites:
        report = audit_site(site_dir)
        for finding in report.findings:
            click.echo(f"{site_dir}: {finding.format()}", err=True)
        findings += len(report.findings)
        click.echo(f"web: {site_dir}: {len(report.pages)} page(s) at {' and '.join(f'{w} px' for w in WIDTHS)}, "
                   f"{len(report.findings)} finding(s)" + (f", {len(report.blocked)} request(s) out of the site "
                                                           f"blocked" if report.blocked else ""))
    return bool(findings)


def _check_layout(c: Context, project: Project, audiences: tuple[str, ...], kinds: tuple[str, ...],
                  ids: tuple[str, ...], out: Path | None, *, strict: bool, jobs: int | None, limits: Limits,
                  redlines: bool = False) -> bool:
    """Lay out and audit the documents (and, with REDLINES, the redlines of changed ones); return whether any
    finding or failure."""
    from briefgen.batch.run import BuildInterrupted, run_layout_check
    from briefgen.render.audit import Finding

    names = resolve_names(project.root, audiences, project.config.default_audience)
    out_dir = c.out(out)
    bar = _Bar(c.quiet, "Laying out")
    try:
        report = run_layout_check(project, names, out_dir, kinds=tuple(kinds), ids=tuple(ids), jobs=jobs,
                                  strict=strict, limits=limits, reporter=bar)
    except BuildInterrupted as exc:
        bar.finish()
        click.echo("interrupted: nothing written but the manifest's record of what was checked", err=True)
        raise SystemExit(128 + exc.signum) from None
    bar.finish()
    for rel, exc in report.failures:
        for error in exc.errors if isinstance(exc, ErrorGroup) else [exc]:
            click.echo(f"failed {rel}: {error.format_message()}", err=True)
    if not c.quiet:
        for rel in sorted(report.fit_steps):
            click.echo(f"{rel}: fitted: {'; '.join(report.fit_steps[rel])}")
    findings = report.findings
    for finding in findings:
        click.echo(Finding(**finding).format(), err=True)
    # What only a layout tells: content a fit step left out (the rest `check` has said from the HTML).
    left_out = _say_omitted([o for o in report.unexpected_omissions if o.get("code") == "fit"], strict)
    laid_out, reused = len(report.built), len(report.skipped)
    layouts = sum(report.layouts.values())
    click.echo(f"layout: {laid_out + reused} document(s) audited ({laid_out} laid out"
               + (f" in {layouts} layout(s)" if layouts else "") + f", {reused} unchanged since recorded), "
               f"{len(findings)} finding(s) in {len(report.layout)} document(s), {len(report.failures)} failed, "
               f"in {report.seconds:.1f} s")
    failed = bool(findings or report.failures or left_out)
    if redlines:
        failed = _check_redlines(project, names, kinds, ids, out_dir) or failed
    return failed


def _check_redlines(project: Project, names: list[str], kinds: tuple[str, ...], ids: tuple[str, ...],
                    out_dir: Path) -> bool:
    """Lay out and audit the redline of each selected document whose content changed since its last recorded
    edition; print the findings and a summary; return whether any."""
    from briefgen.batch.redline_audit import audit_redlines
    from briefgen.render.audit import Finding

    report = audit_redlines(project, names, kinds, ids, out_dir)
    for rel, exc in report.failures:
        for error in exc.errors if isinstance(exc, ErrorGroup) else [exc]:
            click.echo(f"failed {rel}: {error.format_message()}", err=True)
    for finding in report.findings:
        click.echo(Finding(**finding).format(), err=True)
    click.echo(f"redlines: {len(report.audited)} audited ({report.unchanged} document(s) unchanged since their last "
               f"edition), {len(report.findings)} finding(s), {len(report.failures)} failed")
    return bool(report.findings or report.failures)


def _render_one(c: Context, kind: str, block_id: str, audiences: tuple[str, ...], out: Path | None,
                strict: bool, fmt: str = "pdf") -> None:
    from briefgen.batch.manifest import load_manifest
    from briefgen.batch.render import RenderOptions, render, write
    from briefgen.content.gate import fills, thin_note
    from briefgen.render.audit import Finding
    from briefgen.render.checks import check_project

    project = c.project
    check_project(project)
    out_dir = c.out(out)
    previous = load_manifest(out_dir)["outputs"]
    block = project.catalogue.get(block_id)
    if block is not None and not fills(block, kind):
        click.echo(f"{project.catalogue.file_of(block)}: note: {thin_note(block)}; "
                   f"a build makes no {kind} of it", err=True)
    for name in resolve_names(project.root, audiences, project.config.default_audience):
        target = Target(kind, block_id, name)
        fit_start = (previous.get(target.rel()) or {}).get("fit_level")
        output = render(project, target, fmt, RenderOptions(strict=strict), out=out_dir,
                        fit_start=fit_start if isinstance(fit_start, int) else None)
        if _say_omitted(output.omitted, strict):
            raise SystemExit(1)  # under --strict, content a reader will not see fails the document: nothing written
        write(output, target.path(out_dir, fmt))
        c.say(f"wrote {target.path(out_dir, fmt)}")
        for finding in output.layout:
            click.echo(Finding(**finding).format(), err=True)


def _pages(count: int) -> str:
    """COUNT pages, in words ("1 page", "5 pages")."""
    return f"{count} page" + ("" if count == 1 else "s")


def _say_omitted(recorded: list[dict], strict: bool) -> bool:
    """Print what the document leaves out that it did not expect to; return whether that fails it (--strict)."""
    from briefgen.render.omitted import omission_lines

    lines = omission_lines(recorded, strict)
    for line in lines:
        click.echo(line, err=True)
    return strict and bool(lines)


def _output_options(f):  # noqa: ANN001, ANN202 - click decorator
    f = click.option("--strict", is_flag=True, help="Treat WeasyPrint warnings as errors.")(f)
    f = click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=OUT_HELP)(f)
    f = click.option("--audience", "audience", multiple=True, metavar="NAME", help=AUD_HELP)(f)
    return f


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(FORMATS), default="pdf", show_default=True,
                             help="pdf; html: a standalone HTML file for reading on screen; docx: a Word document "
                                  "for review (briefs and the book), citations as footnotes.")


@main.command()
@click.argument("block_id", metavar="ID")
@_output_options
@FORMAT_OPTION
@pass_ctx
def brief(c: Context, block_id: str, audience: tuple[str, ...], out: Path | None, strict: bool, fmt: str) -> None:
    """Render the multi-page brief of alliance or obstacle ID to OUT/AUDIENCE/briefs/ID.pdf (or .html)."""
    _render_one(c, "brief", block_id, audience, out, strict, fmt)


@main.command()
@click.argument("block_id", metavar="ID")
@_output_options
@FORMAT_OPTION
@pass_ctx
def onepager(c: Context, block_id: str, audience: tuple[str, ...], out: Path | None, strict: bool, fmt: str) -> None:
    """Render the one-page summary of alliance or obstacle ID to OUT/AUDIENCE/onepagers/ID.pdf (or .html)."""
    _render_one(c, "onepager", block_id, audience, out, strict, fmt)


@main.command()
@click.argument("block_id", metavar="ID")
@click.option("--kind", type=click.Choice([*KINDS, *(k for k in DOCUMENT_KINDS if k not in KINDS)]), default="brief",
              show_default=True,
              help="Which document of ID to compare (the book: ID is `book`).")
@click.option("--audience", metavar="NAME", help="Audience the document is for (default: the project's default).")
@click.option("--since", metavar="EDITION|DATE|REV",
              help="Compare with this edition number, the edition current on a date (YYYY-MM-DD), or the content "
                   "at a git revision (default: the last edition that differs from now).")
@click.option("--format", "fmt", type=click.Choice(["text", "pdf", "docx"]), default="text", show_default=True,
              help="text: +/- lines grouped by section, for a pull request; pdf: a redline of the document; docx: "
                   "the brief in Word with the changes as tracked changes.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: text to the terminal; the PDF or DOCX to "
                   "OUT/AUDIENCE/redlines/ID.KIND.pdf or .docx).")
@click.option("--strict", is_flag=True, help="Treat WeasyPrint warnings as errors.")
@pass_ctx
def diff(c: Context, block_id: str, kind: str, audience: str | None, since: str | None, fmt: str,
         out: Path | None, strict: bool) -> None:
    """Show what changed in document ID since an earlier edition: points, quotes and citations added, removed
    or changed, word by word inside a changed sentence."""
    from briefgen.batch.manifest import load_manifest
    from briefgen.batch.redline import (
        compare_target,
        format_text,
        redline_path,
        redline_rel,
        render_redline,
        render_redline_docx,
    )
    from briefgen.batch.redline_audit import record_redline
    from briefgen.batch.render import check_target, start_levels
    from briefgen.render.audit import Finding
    from briefgen.render.checks import check_project
    from briefgen.write import write_atomic

    project = c.project
    check_project(project)
    name = audience or project.config.default_audience
    target = Target.of(kind, block_id, name)
    check_target(project, target)
    cmp = compare_target(project, target, since)
    if fmt == "text":
        text = format_text(project, cmp)
        if out is None:
            click.echo(text, nl=False)
        else:
            write_atomic(out, text)
            c.say(f"wrote {out} ({cmp.summary})")
        return
    if fmt == "docx":
        path = out or c.out(None) / name / "redlines" / f"{target.block_id}.{kind}.docx"
        write_atomic(path, render_redline_docx(project, cmp))
        c.say(f"wrote {path} ({cmp.summary} since {cmp.since}, as tracked changes)")
        return
    entry = load_manifest(c.out(None))["outputs"].get(target.rel())  # the fit levels the document was built at
    output = render_redline(project, cmp, strict=strict, levels=start_levels(entry))
    path = out or redline_path(c.out(None), target)
    write_atomic(path, output.data)
    c.say(f"wrote {path} ({_pages(output.pages)}; {cmp.summary} since {cmp.since})")
    for finding in output.layout:  # audited like the document it marks up, recorded in the build folder's manifest
        click.echo(Finding(**finding).format(), err=True)
    if out is None:  # at its place in the build folder: its audit goes in the folder's manifest
        record_redline(c.out(None), redline_rel(target), cmp.summary, cmp.since, output)


@main.command()
@click.argument("docx_file", metavar="FILE.docx", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--apply", "apply_changes", is_flag=True,
              help="Also put every edit that passes the checks into its block file (comments and layout kept).")
@pass_ctx
def review(c: Context, docx_file: Path, apply_changes: bool) -> None:
    """Read a brief reviewed in Word: per statement, its old and new wording (tracked changes accepted, untracked
    edits found), the comments, and each edit checked against the passages it cites; write the change proposal to
    content/drafts/reviews/NAME.yaml. Paragraphs a reviewer added are listed as uncited new text."""
    from briefgen.batch.review import apply, write_proposal
    from briefgen.batch.review import review as read_review

    project = c.project
    result = read_review(project, docx_file, str(docx_file))
    for notice in result.notices:
        click.echo(f"note: {notice}", err=True)
    for e in result.entries:
        c.say(f"{e.sid} [{e.status}] ({e.file}:{e.line})")
        if e.changed:
            c.say(f"  - {e.old}\n  + {e.new}" + ("  (edited without tracking)" if e.untracked else ""))
        for comment in e.comments:
            c.say(f"  comment by {comment['author']} ({comment['date']}): {comment['text']}")
        for f in e.findings:
            level = "warning" if f.get("warning") else "flagged"
            c.say(f"  {level}: {f['rule']}: {f['message']} (hint: {f['hint']})")
            if f.get("passage"):
                c.say(f"    passage: {_short(f['passage'], 200)}")
    for added in result.added:
        c.say(f"new text, uncited: {added['text']}" if "note" not in added else f"comment on: {added['text']}")
        for comment in added["comments"]:
            c.say(f"  comment by {comment['author']} ({comment['date']}): {comment['text']}")
    if apply_changes:
        applied = apply(project, result)
        c.say(f"applied {len(applied)} change(s): {', '.join(applied) or 'none'}")
    path = write_proposal(project, result)
    counts = {s: sum(1 for e in result.entries if e.status == s) for s in ("ready", "flagged", "by hand")}
    c.say(f"wrote {path.relative_to(project.root)}: {len(result.entries)} statement(s) "
          f"({counts['ready']} ready, {counts['flagged']} flagged, {counts['by hand']} by hand), "
          f"{sum(1 for a in result.added if 'note' not in a)} new paragraph(s)")
    if counts["flagged"]:
        raise SystemExit(1)


class _Bar:
    """Progress for `build` and `check --layout`: a click progress bar, or nothing with -q."""

    def __init__(self, quiet: bool, label: str = "Rendering") -> None:
        self.quiet = quiet
        self.label = label
        self.bar = None

    def start(self, total: int) -> None:
        if total and not self.quiet:
            self.bar = click.progressbar(length=total, label=self.label, show_pos=True,
                                         item_show_func=lambda t: str(t) if t else None)
            self.bar.__enter__()

    def done(self, target: Target, error: BriefgenError | None) -> None:
        if self.bar is not None:
            self.bar.update(1, target)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@main.command()
@click.option("--audience", "audiences", multiple=True, metavar="NAME",
              help="Audience to build for; repeat it, or say 'all' (default: the project's default audience).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=OUT_HELP)
@click.option("--strict", is_flag=True, help="Treat WeasyPrint warnings as errors.")
@_limit_options
@click.option("--executor", type=click.Choice(sorted(EXECUTORS)), default="local", show_default=True,
              help="Where documents render: warm worker processes here (local), or a Dask cluster (dask; needs "
                   "pip install 'briefgen[dask]'); this process alone writes the outputs.")
@click.option("--scheduler", metavar="ADDRESS",
              help="With --executor dask: an existing cluster's scheduler (tcp://HOST:8786), whose workers see the "
                   "project at this same path (default: a cluster of --jobs workers on this machine).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but the summary.")
@click.option("--no-record", is_flag=True,
              help="Leave editions/ as it is (the documents show the editions they would get).")
@click.option("--site", "with_site", is_flag=True,
              help="Then bring each audience's web site up to date too (as `briefgen site`, with these PDFs).")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS), default=("pdf",), show_default=True,
              help="Format(s) to write; repeat it (--format pdf --format docx). Formats other than pdf are written "
                   "for the kinds their writer supports (docx: briefs and the book), rewritten on every build.")
@_select_options("")
@pass_ctx
def build(c: Context, audiences: tuple[str, ...], out: Path | None, strict: bool, jobs: int | None,
          doc_timeout: float, doc_memory: int, executor: str, scheduler: str | None, quiet: bool,
          no_record: bool, with_site: bool, formats: tuple[str, ...], kinds: tuple[str, ...],
          ids: tuple[str, ...]) -> None:
    """Render the book, every brief and every one-pager that changed; one failure does not stop the others.

    Each document rendered gets its edition in editions/: a new one when what it shows changed since the last.

    --kind and --id build only some documents (`build --id nato`: the NATO brief and one-pager; `--kind book`: the
    book); the manifest keeps every other document's record, and the next whole build still builds what changed."""
    from briefgen.batch.run import BuildInterrupted, run_build

    if scheduler is not None and executor != "dask":
        raise click.UsageError("--scheduler goes with --executor dask")
    project = c.project
    names = resolve_names(project.root, audiences, project.config.default_audience)
    bar = _Bar(quiet or c.quiet)
    out_dir = c.out(out)
    others = [f for f in dict.fromkeys(formats) if f != "pdf"]
    if "pdf" not in formats:
        from briefgen.batch.formats import write_formats
        from briefgen.render.checks import check_project

        check_project(project)
        extra = write_formats(project, names, out_dir, others, strict=strict, kinds=kinds, ids=ids)
        for rel, error in extra.failures:
            click.echo(f"failed {rel}: {error.format_message()}", err=True)
        click.echo(f"wrote {len(extra.built)}, failed {len(extra.failures)} documents as "
                   f"{', '.join(others)} into {out_dir} in {extra.seconds:.1f} s")
        if extra.failures:
            raise SystemExit(1)
        return
    try:
        report = run_build(project, names, out_dir, jobs=jobs, strict=strict,
                           limits=Limits(doc_timeout, doc_memory), reporter=bar, record_editions=not no_record,
                           executor=ExecutorChoice(executor, scheduler), kinds=kinds, ids=ids)
    except BuildInterrupted as exc:
        bar.finish()
        click.echo(f"interrupted: finished documents kept, manifest updated, no partial files left in {out_dir}",
                   err=True)
        raise SystemExit(128 + exc.signum) from None
    bar.finish()
    if others:
        from briefgen.batch.formats import write_formats

        extra = write_formats(project, names, out_dir, others, strict=strict, kinds=kinds, ids=ids)
        report.failures += extra.failures
        c.say(f"wrote {len(extra.built)} documents as {', '.join(others)} in {extra.seconds:.1f} s")
    for rel, exc in report.failures:
        for error in exc.errors if isinstance(exc, ErrorGroup) else [exc]:
            click.echo(f"failed {rel}: {error.format_message()}", err=True)
    if not (quiet or c.quiet):
        for rel in sorted(report.fit_steps):
            click.echo(f"{rel}: fitted: {'; '.join(report.fit_steps[rel])}")
    findings = report.findings
    if findings:
        from briefgen.render.audit import Finding

        for finding in findings:
            click.echo(Finding(**finding).format(), err=True)
    omitted = report.unexpected_omissions
    _say_omitted(omitted, strict)
    if report.manifest_error is not None:
        click.echo(f"failed manifest.json: {report.manifest_error.format_message()}", err=True)
    built, skipped, failed = len(report.built), len(report.skipped), len(report.failures)
    click.echo(f"built {built}, up to date {skipped}, failed {failed} of {report.planned} documents "
               f"into {out_dir} in {report.seconds:.1f} s"
               + (f"; {len(findings)} layout finding(s) in {len(report.layout)} document(s)"
                  f"{' (an error with --strict)' if strict else ''}" if findings else "")
               + (f"; {len(omitted)} left-out part(s) of blocks reported{' (errors with --strict)' if strict else ''}"
                  if omitted else "")
               + ("; the manifest was not written" if report.manifest_error is not None else ""))
    if with_site:
        failed = sum(not _site_one(c, project, name, out_dir, strict) for name in names) + failed
    if failed or report.layout_failed or report.omitted_failed or report.manifest_error is not None:
        raise SystemExit(1)


def _refuse_invisible(text: str, option: str) -> None:
    """A usage error (exit 2) for option text holding control, bidi, zero-width or private-use characters, which
    would reach the PDF's Title and spoof what a reader sees."""
    import re
    import unicodedata

    found = re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\ue000-\uf8ff]", text) or INVISIBLE.search(text)
    if found is not None:
        char = found.group(0)
        raise UsageError(f"{option} holds the invisible or control character U+{ord(char):04X} "
                         f"({unicodedata.name(char, 'control').lower()})", COMMAND_LINE,
                         "type the title again in plain characters")


def _site_one(c: Context, project: Project, name: str, out_dir: Path, strict: bool) -> bool:
    """Build one audience's site, print its summary and failures; return whether every page was written."""
    from briefgen.batch.site import build_site

    report = build_site(project, name, out_dir, strict=strict)
    for path, exc in report.failures:
        for error in exc.errors if isinstance(exc, ErrorGroup) else [exc]:
            click.echo(f"failed {name}/site/{path}: {error.format_message()}", err=True)
    click.echo(f"site {name}: {len(report.built)} files written, {len(report.kept)} up to date"
          + (f", {len(report.removed)} removed" if report.removed else "")
          + (f", {len(report.failures)} failed" if report.failures else "")
          + f", {report.size / 1e6:.1f} MB in {report.folder} ({report.seconds:.1f} s); open "
            f"{report.folder / 'index.html'}")
    return not report.failures


@main.command()
@click.option("--audience", "audiences", multiple=True, metavar="NAME", help=AUD_HELP)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=OUT_HELP)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@pass_ctx
def site(c: Context, audiences: tuple[str, ...], out: Path | None, strict: bool) -> None:
    """Write each audience's web edition to OUT/AUDIENCE/site/: every brief as a page, home, sources, editions, feed.

    The PDFs the last `build` made are offered for download; only pages whose inputs changed are rewritten."""
    from briefgen.render.checks import check_project

    project = c.project
    check_project(project)
    out_dir = c.out(out)
    ok = [_site_one(c, project, name, out_dir, strict)
          for name in resolve_names(project.root, audiences, project.config.default_audience)]
    if not all(ok):
        raise SystemExit(1)  # one page's failure does not stop the others


@main.command()
@_output_options
@click.option("--select", metavar="WHAT",
              help="alliances, obstacles, recommendations, or block ids, comma-separated (default: everything).")
@click.option("--title", help="Title on the cover (default: the project's title).")
@click.option("--changes-since", metavar="EDITION|DATE",
              help="Add a changes appendix: per chapter, what changed since this edition of the book (audiences "
                   "with what_changed get one since the previous edition).")
@_limit_options
@FORMAT_OPTION
@pass_ctx
def book(c: Context, audience: tuple[str, ...], out: Path | None, strict: bool, select: str | None,
         title: str | None, changes_since: str | None, jobs: int | None, doc_timeout: float, doc_memory: int,
         fmt: str) -> None:
    """Bind a briefing book (cover, contents, parts, chapters, matrix, changes, sources) to OUT/AUDIENCE/book.pdf
    (or .html, .docx)."""
    from briefgen.batch.render import RenderOptions, render, write
    from briefgen.batch.run import build_book
    from briefgen.render.audit import Finding
    from briefgen.render.checks import check_project

    if title is not None:
        _refuse_invisible(title, "--title")
    project = c.project
    check_project(project)
    failed = False
    for name in resolve_names(project.root, audience, project.config.default_audience):
        target = Target.book(name, select, title, changes_since)
        if fmt != "pdf":
            write(render(project, target, fmt, RenderOptions(strict=strict), out=c.out(out)),
                  target.path(c.out(out), fmt))
            c.say(f"wrote {target.path(c.out(out), fmt)}")
            continue
        output = build_book(project, target, c.out(out), jobs=jobs, strict=strict,
                            limits=Limits(doc_timeout, doc_memory))
        book = output.book or {}
        c.say(f"wrote {target.path(c.out(out))} ({_pages(output.pages)}; {len(book.get('rendered', []))} segments "
              f"rendered, {len(book.get('reused', []))} reused)")
        for finding in output.layout:
            click.echo(Finding(**finding).format(), err=True)
        failed = _say_omitted(output.omitted, strict) or failed or (strict and bool(output.layout))
    if failed:
        raise SystemExit(1)  # under --strict, a layout finding or content left out fails the book as it fails a build


@main.group()
def audience() -> None:
    """List, inspect and create audiences (audiences/<name>.yaml)."""


@audience.command("list")
@pass_ctx
def audience_list(c: Context) -> None:
    """List every audience with its label, what it extends, and its framing."""
    project = c.project
    default = project.config.default_audience
    for name in project.audience_names():
        cfg = project.audience(name).config
        flags = " (default)" if name == default else ""
        parent = f" extends {cfg.extends}" if cfg.extends else ""
        click.echo(f"{name:<12} {cfg.label}{flags}{parent}")
        if cfg.description:
            click.echo(f"{'':<12} {cfg.description}")


@audience.command("show")
@click.argument("name")
@pass_ctx
def audience_show(c: Context, name: str) -> None:
    """Print NAME's effective configuration after `extends:`, with where each value came from."""
    loaded = c.project.audience(name)
    click.echo(f"# audience {name}: " + " <- ".join(f"audiences/{n}.yaml" for n in loaded.chain) + " <- defaults")
    rows = effective_values(loaded)
    width = max(len(key) for key, _, _ in rows)
    for key, value, where in rows:
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        if isinstance(value, dict):
            shown = ", ".join(f"{k}: {v}" for k, v in value.items()) or "{}"
        click.echo(f"{key:<{width}}  {shown!s:<40}  # {where}")


@audience.command("new")
@click.argument("name")
@click.option("--from", "base", metavar="BASE", help="Audience the new one extends.")
@pass_ctx
def audience_new(c: Context, name: str, base: str | None) -> None:
    """Scaffold audiences/NAME.yaml and templates/audiences/NAME/ with a commented override example."""
    for path in scaffold(c.project.root, name, base):
        c.say(f"created {path.relative_to(c.project.root)}")


@main.command()
@click.argument("seeds", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--draft", is_flag=True, help="Also write draft blocks under content/drafts/ (never overwrites).")
@click.option("--register", "register_new", is_flag=True,
              help="Append the entry of each new seed (already copied into seeds/) to seeds/sources.yaml.")
@click.option("--all", "every_node", is_flag=True, help="List every node, not only sections and anchored passages.")
@click.option("-v", "--verbose", is_flag=True,
              help="With --draft, show each draft's evidence and score per candidate block, and why each section "
                   "got no draft.")
@click.option("--title", help="The title to register, over the one the document states.")
@click.option("--author", "authors", multiple=True, help="An author to register (repeat it), over the byline's.")
@click.option("--publisher", help="The publisher to register, over a running footer's or the front matter's.")
@click.option("--date", help="The date to register (2026-03-03, 2026-03, 'March 3, 2026'), over the dateline's.")
@click.option("--number", help="The report number to register, over the one the document states.")
@click.option("--allow-duplicate", is_flag=True,
              help="Register a seed even though a registered seed has the same text (another format of it).")
@pass_ctx
def ingest(c: Context, seeds: tuple[Path, ...], draft: bool, register_new: bool, every_node: bool,
           verbose: bool, title: str | None, authors: tuple[str, ...], publisher: str | None, date: str | None,
           number: str | None, allow_duplicate: bool) -> None:
    """Read SEED files into outlines: anchors, line (and page) spans, tables, footnotes, figures, repairs.

    PDF (with a text layer), Word (.docx), Markdown (with or without front matter), HTML pages and plain-text
    pages are read. For a seed not yet in seeds/sources.yaml the entry to add is printed (with its sha256:
    title, authors and their titles from the byline, date from the dateline, publisher from a running
    header or footer, report number), or shown and appended with --register. A seed whose text is that of
    a registered seed (the same report in another format) is flagged, and not registered without
    --allow-duplicate.
    """
    from briefgen.ingest.source import EntryOverrides, entry_yaml, ingest_files

    given = EntryOverrides(title, list(authors), publisher, date, number, allow_duplicate)
    reports, errors = ingest_files(c.project, list(seeds), draft=draft, register_new=register_new,
                                   warn=lambda m: click.echo(f"warning: {m}"), overrides=given)
    for report in reports:
        click.echo(describe_seed(report.ing, every_node))
        ing = report.ing
        if ing.duplicate_of is not None and not ing.registered:
            click.echo(f"warning: the same report as registered seed {ing.duplicate_of[0]!r} "
                       f"({ing.duplicate_of[1]:.0%} of its text is there)")
        if report.registered_in is not None:
            click.echo("entry (what the document states; --title, --author, --publisher, --date, --number override):")
            click.echo(entry_yaml(ing.entry).rstrip("\n"))
            click.echo(f"registered {ing.seed_id} in {report.registered_in.relative_to(c.project.root).as_posix()}")
        elif not ing.registered and not register_new:
            click.echo("to register it, add this entry to seeds/sources.yaml (or run again with --register):")
            click.echo(entry_yaml(ing.entry).rstrip("\n"))
        if report.drafted:
            drafts = report.drafts
            click.echo(f"drafts ({sum(d.status == 'wrote' for d in drafts)} written of {len(drafts)} found):")
            for d in drafts:
                what = "addition" if d.addition_to else d.kind
                click.echo(f"  {what:<9} {d.path.as_posix():<58} {d.status}")
                if verbose or c.verbose:
                    click.echo(f"            from #{d.node.anchor or d.node.start} {_short(d.node.title, 50)}: {d.why}")
                    for line in (d.route.explain() if d.route is not None else []):
                        click.echo(f"              score {line}")
            if (verbose or c.verbose) and not drafts and not report.no_draft:
                click.echo("  no draft: the seed has no headings or named entries, and no title that names an "
                           "alliance, partnership or obstacle")
            if (verbose or c.verbose) and report.no_draft:
                click.echo("sections without a draft:")
                for node, why in report.no_draft:
                    click.echo(f"  {_span(node, ing.outline):<12} #{node.anchor or '-'} {_short(node.title, 50)}: {why}")
            if not ing.registered and any(d.status == "wrote" for d in drafts):
                click.echo(f"note: the drafts cite seed id {ing.seed_id!r}; register the seed before curating them")
        click.echo("")
    if errors:
        raise ErrorGroup(errors) if len(errors) > 1 else errors[0]


@main.command()
@click.argument("draft", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--keep", metavar="all|N,N,...",
              help="Apply these statements (numbers as shown, or 'all') to the block, then run `check`; without "
                   "it the draft is shown beside its block.")
@pass_ctx
def curate(c: Context, draft: Path, keep: str | None) -> None:
    """Show a DRAFT (content/drafts/...) beside its block, or apply the statements you keep to the block.

    An addition's kept statements are inserted into the block's YAML after its own (comments and layout kept)
    and its sources extended; a new block's draft keeps the chosen statements, loses `draft: true` and its
    to-do comments, and moves to content/<folder>/. The content check (`check` without templates) then runs:
    if it fails, every file is put back as it was and the errors say why.
    """
    from briefgen.ingest.curate import curate as curate_draft
    from briefgen.ingest.curate import read_draft

    project = c.project
    root = project.root
    path = draft if draft.is_absolute() else (root / draft if (root / draft).exists() else draft.resolve())
    if not path.is_file() or not path.resolve().is_relative_to((root / "content" / "drafts").resolve()):
        raise UsageError("no such draft" if not path.exists() else "not a draft", Location(str(draft)),
                         "give a file under content/drafts/, as `briefgen ingest --draft` lists them")
    view = read_draft(root, path, dict(project.catalogue.files))
    if keep is None:
        click.echo(describe_draft(root, view))
        return
    numbers = None if keep.strip().lower() == "all" else _numbers(keep)
    result = curate_draft(root, view, numbers, lambda: Project(root).check_sources())
    target = result.path.relative_to(root).as_posix()
    if not result.kept:
        click.echo(f"{target}: left as it was: `check` failed after the edit", err=True)
        raise ErrorGroup(result.errors) if len(result.errors) > 1 else result.errors[0]
    count = len(view.statements) if numbers is None else len(numbers)
    click.echo(f"{target}: {count} statement(s) applied from {view.shown}; check passed")


def _numbers(text: str) -> list[int]:
    try:
        return sorted({int(part) for part in re.split(r"[,\s]+", text.strip()) if part})
    except ValueError:
        raise UsageError(f"--keep {text!r} is not a list of numbers", None, "write --keep all or --keep 1,3") from None


def describe_draft(root: Path, view: DraftView) -> str:
    """The draft's numbered statements beside the block's current ones, list by list."""
    from briefgen.ingest.curate import block_statements

    target = view.target.relative_to(root).as_posix()
    what = f"addition to {target}" if view.addition else f"new block, to move to {target}"
    out = [f"{view.shown}: {what}"]
    current = block_statements(view.target, target) if view.addition else {}
    for name in dict.fromkeys(s.field for s in view.statements):
        have = current.get(name, [])
        out.append(f"{name} (the block has {len(have)}):")
        out += [f"      {_short(t, 100)}" for t in have]
        for s in (s for s in view.statements if s.field == name):
            who = f" \u2014 {s.item['speaker']}" if s.item.get("speaker") else ""
            out.append(f"  {s.number:>2}+ {_short(str(s.item.get('text', '')), 96)}{who}  [{s.item.get('cite', '')}]")
    out.append(f"apply with: briefgen curate {view.shown} --keep all (or --keep 1,3)")
    return "\n".join(out)


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _span(node: Node, outline: Outline) -> str:
    """Where a node is: its line span, with its page(s) for a paged seed."""
    span = f"L{node.start}" + (f"-L{node.end}" if node.end != node.start else "")
    pages = outline.page_span(node.start, node.end)
    if pages is not None:
        span = (f"p{pages[0]}" if pages[0] == pages[1] else f"p{pages[0]}-{pages[1]}") + " " + span
    return span


_LISTED = ("section", "subsection", "figure", "pairs", "epigraph", "caption", "table", "footnote")


def describe_seed(ing: Ingested, every_node: bool = False) -> str:
    """A readable report of one seed: header, outline with anchors and spans, figures, repairs, notes."""
    o = ing.outline
    unit = f"{o.line_count} lines" + (f", {max(o.pages)} pages" if o.pages else "")
    out = [f"{ing.shown}: seed {ing.seed_id} ({ing.format}, {unit})" + ("" if ing.registered else ", not registered yet")]
    if o.breadcrumb:
        out.append(f"  breadcrumb:   {' > '.join(o.breadcrumb)}")
    out.append(f"  title:        {o.title or '(none found)'}")
    if o.subtitle:
        out.append(f"  subtitle:     {o.subtitle}")
    if o.front_matter:
        out.append("  front matter: " + ", ".join(f"{k}={_short(str(v), 40)}" for k, v in o.front_matter.items()))
    out.append("  nodes:        " + ", ".join(f"{k} {n}" for k, n in o.counts().items()))
    head = "page, line span" if o.pages else "line span"
    out.append(f"outline ({head}, #anchor, kind, title):")
    width = 16 if o.pages else 10
    for node in o.walk():
        if not (every_node or node.anchor or node.kind in _LISTED):
            continue
        depth = len([p for p in node.path() if p is not node]) + (0 if node.kind in ("section", "subsection") else 1)
        anchor = f"#{node.anchor}" if node.anchor else ""
        if node.aliases:
            anchor += " (also #" + ", #".join(node.aliases) + ")"
        extra = f" (footnotes {node.attrs['footnotes']})" if node.attrs.get("footnotes") else ""
        title = f"{node.title}: {node.text}" if node.kind in ("table", "row", "footnote") else node.title
        out.append(f"  {_span(node, o):<{width}} {'  ' * depth}{anchor} [{node.kind}] {_short(title, 70)}{extra}")
    if o.pages:
        out.append(f"pages: cite a page as {ing.seed_id}#p12, lines 3-5 of it as {ing.seed_id}#p12-L3-L5")
    figures = o.figures()
    if figures:
        out.append("figures (remote images are recorded, never fetched):")
        for fig in figures:
            out.append(f"  L{fig.start}  #{fig.anchor or '-'}  {fig.attrs.get('url', '')}  "
                       f"{_short(fig.attrs.get('caption', ''), 60)!r}"
                       + (f"  source: {_short(fig.attrs['source'], 60)}" if fig.attrs.get("source") else ""))
    if ing.repairs:
        certain = sum(r.certain for r in ing.repairs)
        out.append(f"encoding repairs ({certain} certain, {len(ing.repairs) - certain} uncertain, "
                   f"marked \ufffd; seed:line:col before -> after):")
        out.extend(f"  {r}" for r in ing.repairs)
    if o.duplicates:
        out.append("duplicates (kept once):")
        out.extend(f"  {d}" for d in o.duplicates)
    if o.notes:
        out.append("notes:")
        out.extend(f"  {ing.shown}:{n.line}: {n.message}" for n in o.notes)
    return "\n".join(out)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0 picks a free one (the address is printed).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default keeps the preview on this machine.")
@click.option("--audience", "audience", multiple=True, metavar="NAME",
              help="Audience to preview; repeat it (default: every audience, also ones added later).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=OUT_HELP)
@click.option("--strict", is_flag=True, help="Treat WeasyPrint warnings as errors.")
@pass_ctx
def serve(c: Context, port: int, host: str, audience: tuple[str, ...], out: Path | None, strict: bool) -> None:
    """Serve a live preview of every document; open pages update on every save."""
    from briefgen.preview.server import serve as run_preview  # the server and file watcher load only for this command

    project = c.project
    names = resolve_names(project.root, audience, project.config.default_audience) if audience else None
    run_preview(project.root, c.out(out), host=host, port=port, strict=strict, audiences=names, say=c.say,
                announce=click.echo)
