"""The Jinja environment: per-audience search path, sandbox, StrictUndefined, autoescaping, filters."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from . import prose
from .errors import Location, TemplateError, display_path

#: Prefix that names the project's default templates, so an override can extend what it replaces.
BASE_PREFIX = "base"


class _Loader(jinja2.BaseLoader):
    """Search audience overrides, then defaults; 'base:NAME' always means the default template."""

    def __init__(self, folders: list[Path], root: Path) -> None:
        self.folders = folders
        self.default = folders[-1]
        self.root = root

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        prefix, sep, rest = template.partition(":")
        folders = [self.default] if sep and prefix == BASE_PREFIX else self.folders
        name = rest if sep and prefix == BASE_PREFIX else template
        parts = name.split("/")
        if any(p in ("", ".", "..") for p in parts) or name.startswith("/") or "\\" in name:
            raise jinja2.TemplateNotFound(template, f"template name {template!r} is not a plain relative path")
        for folder in folders:
            path = folder.joinpath(*parts)
            if path.is_file():
                mtime = path.stat().st_mtime
                source = path.read_text(encoding="utf-8")
                return source, str(path), lambda p=path, m=mtime: p.is_file() and p.stat().st_mtime == m
        searched = ", ".join(display_path(f.joinpath(*parts), self.root) for f in folders)
        raise jinja2.TemplateNotFound(template, f"template {name!r} not found; searched: {searched}")


def search_path(root: Path, audiences: str | list[str] | None = None) -> list[Path]:
    """Template folders in search order: each audience's overrides (the audience, then those it extends),
    then templates/."""
    chain = [audiences] if isinstance(audiences, str) else list(audiences or [])
    folders = [root / "templates" / "audiences" / name for name in chain]
    return [f for f in folders if f.is_dir()] + [root / "templates"]


def make_environment(root: Path, audiences: str | list[str] | None = None) -> ImmutableSandboxedEnvironment:
    """Return the sandboxed environment for an audience (its override chain first, then templates/)."""
    folders = search_path(root, audiences)
    env = ImmutableSandboxedEnvironment(
        loader=_Loader(folders, root),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = prose.block
    env.filters["mdi"] = prose.inline
    env.filters["plain"] = prose.plain
    return env


def render(env: jinja2.Environment, name: str, root: Path, **context: Any) -> str:
    """Render template NAME; Jinja and sandbox errors become TemplateErrors naming file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax: {exc.message}", Location(display_path(exc.filename or name, root),
                                                                         exc.lineno), "fix the template") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(exc.message or f"template {exc.name!r} not found", Location(display_path(
            root / "templates", root)), "create the template or fix the name") from None
    except SecurityError as exc:
        raise TemplateError(f"template blocked by the sandbox: {exc}", _frame_location(exc, root),
                            "templates may only read the document data they are given") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template uses an undefined value: {exc.message}", _frame_location(exc, root),
                            "check the variable name against the document context") from None
    except (TypeError, ValueError, ArithmeticError, OverflowError, MemoryError) as exc:
        raise TemplateError(f"template failed: {type(exc).__name__}: {exc}", _frame_location(exc, root),
                            "fix the expression on this line") from None


def _frame_location(exc: BaseException, root: Path) -> Location | None:
    """Find the innermost template frame of EXC's traceback."""
    tb = exc.__traceback__
    found: Location | None = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".css")) and Path(filename).is_file():
            found = Location(display_path(filename, root), tb.tb_lineno)
        tb = tb.tb_next
    return found
