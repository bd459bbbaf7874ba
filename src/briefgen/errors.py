"""Error types for briefgen: each error knows its file:line:col and formats itself with a hint."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import click


@dataclass(frozen=True)
class Location:
    """A place in a project file: path (relative to the project where possible), line and column."""

    path: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        out = self.path
        if self.line is not None:
            out += f":{self.line}"
            if self.col is not None:
                out += f":{self.col}"
        return out


#: Where a usage error is: in what the user typed, not in a file.
COMMAND_LINE = Location("command line")


def display_path(path: str | Path, root: Path | None = None) -> str:
    """Return PATH relative to ROOT (or the working directory) when it lies inside it."""
    p = Path(path)
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return p.resolve().relative_to(base.resolve()).as_posix()
        except (ValueError, OSError):
            continue
    return p.as_posix()


class BriefgenError(click.ClickException):
    """Root of every error briefgen reports to a user; exit code 1."""

    exit_code = 1
    kind = "error"

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.location = location
        self.hint = hint

    def format_message(self) -> str:
        head = f"{self.location}: " if self.location else ""
        tail = f" (hint: {self.hint})" if self.hint else ""
        return f"{head}{self.kind}: {self.message}{tail}"

    def __str__(self) -> str:
        return self.format_message()

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(self.format_message(), err=True, file=file)

    def __reduce__(self) -> tuple:
        # Errors cross from worker processes to the build whole: class, message, location and hint.
        return (type(self), (self.message, self.location, self.hint))


class ContentError(BriefgenError):
    """A content block, seed registry or configuration file is malformed or inconsistent."""


class TemplateError(BriefgenError):
    """A Jinja template failed to load, compile or render."""


class RenderError(BriefgenError):
    """HTML could not be turned into a PDF (blocked resource, WeasyPrint error, page check)."""


class SeedError(BriefgenError):
    """A seed document is missing, altered or unreadable."""


class OutputError(BriefgenError):
    """An output file could not be written (disk full, read-only folder, permissions)."""


class UsageError(BriefgenError):
    """The command line names something that does not exist (an id, an audience); exit code 2."""

    exit_code = 2


def did_you_mean(word: str, known: list[str], what: str, limit: int = 12) -> str:
    """A hint naming the closest of KNOWN to WORD, or listing a few of them."""
    close = difflib.get_close_matches(word, known, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    shown = ", ".join(known[:limit]) + (f", ... ({len(known)} in all)" if len(known) > limit else "")
    return f"known {what}: {shown or 'none'}"


class ErrorGroup(BriefgenError):
    """Several errors collected before aborting; shows each on its own line."""

    def __init__(self, errors: list[BriefgenError]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s)")

    def __reduce__(self) -> tuple:
        return (type(self), (self.errors,))

    def format_message(self) -> str:
        lines = [e.format_message() for e in self.errors]
        lines.append(f"{len(self.errors)} error(s)")
        return "\n".join(lines)


class ErrorCollector:
    """Gather errors across a validation pass, then raise them all at once."""

    def __init__(self) -> None:
        self.errors: list[BriefgenError] = []

    def add(self, error: BriefgenError) -> None:
        """Record one error."""
        self.errors.append(error)

    def extend(self, errors: list[BriefgenError]) -> None:
        """Record several errors (flattening groups)."""
        for e in errors:
            if isinstance(e, ErrorGroup):
                self.errors.extend(e.errors)
            else:
                self.errors.append(e)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        """Raise the single error, or an ErrorGroup of all of them, if any were recorded."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ErrorGroup(self.errors)


class ContentWarning(BriefgenError):
    """Something worth fixing that does not stop a build (e.g. prose above an audience's reading level)."""

    kind = "warning"


class CpuTimeout(BaseException):
    """Raised by the watchdog inside a thread that ran past a CPU-time limit (a BaseException: no `except Exception`
    may swallow it)."""
