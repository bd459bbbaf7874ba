"""The Jinja environment: per-audience search path, sandbox, StrictUndefined, autoescaping, filters."""
from __future__ import annotations

import contextlib
import ctypes
import difflib
import functools
import io
import os
import re
import string
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import Any, Callable

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import do_format, do_indent, do_replace, sync_do_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import generate_lorem_ipsum
from markupsafe import Markup, escape

from briefgen import prose, safeio
from briefgen.config.audiences import search_path
from briefgen.errors import BriefgenError, CpuTimeout, Location, TemplateError, display_path

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
        if any(p in ("", ".", "..") for p in parts) or name.startswith("/") or "\\" in name or "\0" in name:
            raise jinja2.TemplateNotFound(template, f"template name {template!r} refused: templates are named by "
                                                    "a relative path inside templates/, without '/' at the start "
                                                    "or '..'")
        if any(p.startswith(".") for p in parts):  # hidden files are no input the build watches: never loaded
            raise jinja2.TemplateNotFound(template, f"template name {template!r} refused: a hidden file (a name "
                                                    "starting with '.') is not a template; rename it")
        for folder in folders:
            path = folder.joinpath(*parts)
            if path.is_file():
                if not path.resolve().is_relative_to(folder.resolve()):
                    # Name the link itself: display_path would follow it to where it points.
                    shown = path.relative_to(self.root).as_posix()
                    raise TemplateError("template refused: it is a link to a file outside the templates folder",
                                        Location(shown),
                                        "copy the template into templates/ instead of linking to it")
                mtime = path.stat().st_mtime
                try:  # checked on the open file: a link swapped in after the check above is refused too
                    source = safeio.read_inside(path, folder).decode("utf-8")
                except safeio.UnsafeFile as exc:
                    raise TemplateError(f"template refused: {exc.why}", Location(path.relative_to(self.root)
                                                                                 .as_posix()),
                                        "templates are plain files inside templates/") from None
                return source, str(path), lambda p=path, m=mtime: p.is_file() and p.stat().st_mtime == m
        searched = ", ".join(display_path(f.joinpath(*parts), self.root) for f in folders)
        raise jinja2.TemplateNotFound(template, f"template {name!r} not found; searched: {searched}")


#: Most items or characters one template expression may build (a string, a list, a repeat count).
MAX_SIZE = 10_000_000
#: Most bits an integer computed by a template may have (2**16384 has about 4,900 digits).
MAX_INT_BITS = 16_384
#: Objects a template may hold but never look inside or call: they reach files, code or the interpreter.
_OPAQUE = (PurePath, types.ModuleType, type, io.IOBase, types.FrameType, types.CodeType)
# A printf width or precision taken from the arguments (*) or of seven or more digits.
_HUGE_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d{7,}|\d*\.(?:\*|\d{7,}))")


class TooLarge(SecurityError):
    """A template expression would build a value too large to be anything but an attack or a mistake."""


def _num(n: int) -> str:
    """Write N for a message without printing thousands of digits."""
    return f"{n:,}" if n.bit_length() < 64 else f"a {n.bit_length():,}-bit number"


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else None


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse `**`, `*`, `+` and `%` whose result would be huge, before Python computes it."""
    ints = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and ints and right > 0 and abs(left) > 1:
        bits = abs(left).bit_length() * right
        if bits > MAX_INT_BITS:
            raise TooLarge(f"{_num(left)} ** {_num(right)} would be a number of about {bits:,} bits")
    elif operator == "*":
        if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TooLarge(f"the product would be a number of more than {MAX_INT_BITS:,} bits")
        for seq, count in ((left, right), (right, left)):
            n = _size(seq)
            if n is not None and isinstance(count, int) and n * count > MAX_SIZE:
                raise TooLarge(f"repeating {n:,} items {_num(count)} times would build more than {MAX_SIZE:,}")
    elif operator == "+":
        a, b = _size(left), _size(right)
        if a is not None and b is not None and a + b > MAX_SIZE:
            raise TooLarge(f"joining would build {a + b:,} items")
    elif operator == "%" and isinstance(left, str):
        _check_printf(left)


def _check_printf(fmt: str) -> None:
    if _HUGE_PRINTF.search(fmt):
        raise TooLarge(f"the format {fmt[:40]!r} asks for a huge or argument-supplied width")


def _check_format(fmt: str) -> None:
    """Refuse str.format templates whose fields ask for huge or argument-supplied widths."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format will raise the same error itself
    for _, _, spec, _ in fields:
        if spec and ("{" in spec or re.search(r"\d{7,}", spec)):
            raise TooLarge(f"the format {fmt[:40]!r} asks for a huge or argument-supplied width")


def _check_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
            raise TooLarge(f"argument {_num(value)} is larger than any template needs (at most {MAX_SIZE:,})")


#: Most characters a single call or filter may be able to build, by the estimate below (a chapter's HTML is a few
#: hundred kilobytes; the whole book's about 2 MB).
MAX_ESTIMATE = 100_000_000
#: How many times its input a call may grow without any count argument (escaping, `tojson`, `urlencode`: a
#: character becomes at most a dozen).
_GROWTH = 12


def _weight(value: Any, budget: int = MAX_ESTIMATE) -> int:
    """How much VALUE can contribute to what a call builds: a text's or sequence's length, an integer's value (a
    count, a width, a tab size), a container's items and what they hold; counted up to BUDGET, never built."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, (str, bytes, bytearray)):
        return len(value)
    if isinstance(value, int):
        return min(abs(value), budget + 1)
    if isinstance(value, range):
        return len(value)
    if isinstance(value, dict):
        items: Any = (x for kv in value.items() for x in kv)
        total = len(value)
    elif isinstance(value, (list, tuple, set, frozenset)):
        items, total = iter(value), len(value)
    else:
        return 0
    for item in items:
        if total > budget:
            break
        total += _weight(item, budget - total)
    return total


def check_call_size(args: tuple[Any, ...], kwargs: dict[str, Any], what: str = "this call") -> None:
    """Refuse a call whose result could pass MAX_ESTIMATE characters, before it runs, whatever the method or filter:
    its largest input may grow a dozen times, and may be repeated as often as its next largest input says (a tab
    size, a replacement, a separator, a width). `expandtabs`, `replace`, `join`, `translate`, `format`, `center`,
    `urlencode`, `tojson` and the rest are bounded alike; no name is listed."""
    _check_args(args, kwargs)
    weights = sorted((_weight(v) for v in (*args, *kwargs.values())), reverse=True)
    first = weights[0] if weights else 0
    second = weights[1] if len(weights) > 1 else 0
    estimate = _GROWTH * first + first * second
    if estimate > MAX_ESTIMATE:
        raise TooLarge(f"{what} could build about {estimate:,} characters (at most {MAX_ESTIMATE:,})")


def _guarded(f: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
    """Wrap filter F so a call that could build a huge value is refused before it runs (keeps Jinja's pass_*
    marks; the eval context or environment a filter may take first is not an input)."""
    skip = 1 if getattr(f, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check_call_size(args[skip:], kwargs, f"the filter {name or getattr(f, '__name__', 'call')!r}")
        return f(*args, **kwargs)

    return wrapper


def _text_len(value: Any) -> int:
    """A lower bound on the length of str(VALUE), computed without building it."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple)):
        return len(value) + sum(len(v) for v in value if isinstance(v, str))
    return 0


def _check_total(total: int, what: str) -> None:
    if total > MAX_SIZE:
        raise TooLarge(f"{what} would build {total:,} characters (at most {MAX_SIZE:,})")


@jinja2.pass_eval_context
def _replace_filter(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> str:
    """The `replace` filter, refusing a result beyond MAX_SIZE (counted before replacing)."""
    text, old_s, new_s = str(s), str(old), str(new)
    hits = (text.count(old_s) if old_s else len(text) + 1)
    if count is not None and count >= 0:
        hits = min(hits, count)
    _check_total(len(text) + hits * (len(new_s) - len(old_s)), "replace")
    return do_replace(eval_ctx, s, old, new, count)


@jinja2.pass_eval_context
def _join_filter(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    """The `join` filter, refusing a result beyond MAX_SIZE."""
    items = list(value)
    if attribute is None:
        _check_total(sum(_text_len(v) for v in items) + max(0, len(items) - 1) * len(str(d)), "join")
    return sync_do_join(eval_ctx, items, d, attribute)


def _indent_filter(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    """The `indent` filter, refusing a result beyond MAX_SIZE (lines times the indent)."""
    text = str(s)
    pad = len(width) if isinstance(width, str) else int(width)
    _check_total(len(text) + (text.count("\n") + 1) * max(pad, 0), "indent")
    return do_indent(s, width, first, blank)


def _format_filter(value: Any, *args: Any, **kwargs: Any) -> str:
    """The `format` filter (printf style), refusing huge widths."""
    _check_printf(str(value))
    return do_format(value, *args, **kwargs)


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002 - Jinja's names
    """Jinja's lipsum, limited to a page's worth of placeholder text."""
    if n > 50 or max > 500:
        raise TooLarge("lipsum is limited to 50 paragraphs of at most 500 words")
    return generate_lorem_ipsum(n, html, min, max)


class _Generator(CodeGenerator):
    """Jinja's code generator, with `~` concatenation size-checked before it joins."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.concat_items((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


class TemplateTimeout(CpuTimeout):
    """Raised inside a template render that ran past its time limit."""


#: CPU seconds one template render may take unless a caller sets another limit (a real document takes
#: milliseconds; the limit is there for runaway loops).
TIME_LIMIT = 60.0

#: How often the watchdog reads the rendering threads' CPU clocks while any render is running.
_POLL = 0.1


def _thread_cpu(clock: int) -> float:
    """CPU seconds a thread has used (its clock, from time.pthread_getcpuclockid); infinite once it has ended."""
    try:
        return time.clock_gettime(clock)
    except OSError:
        return float("inf")


class _Watchdog:
    """One thread per process that interrupts template renders past their limit.

    The limit is CPU time of the rendering thread, not wall time, so a loaded machine slows a render without failing
    it, and a runaway loop is stopped after the same work anywhere. It raises TemplateTimeout in the rendering
    thread (PyThreadState_SetAsyncExc), again every poll until the render ends, so a loop that catches it cannot go on.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        # token -> (thread id, its CPU clock, CPU deadline, the exception to raise)
        self._active: dict[int, tuple[int, int, float, type[CpuTimeout]]] = {}
        self._next = 0
        self._pid = -1
        self._default = TIME_LIMIT
        self._local = threading.local()

    def limit(self) -> float:
        return getattr(self._local, "seconds", None) or self._default

    def _ensure(self) -> None:
        if self._pid != os.getpid():  # first use, or a forked worker (threads do not survive fork)
            self._pid = os.getpid()
            self._cond = threading.Condition()
            self._active = {}
            threading.Thread(target=self._run, name="briefgen-template-watchdog", daemon=True).start()

    def start(self, seconds: float, exc: type[CpuTimeout] = TemplateTimeout) -> int:
        with _START_LOCK:
            self._ensure()
        tid = threading.get_ident()
        clock = time.pthread_getcpuclockid(tid)
        with self._cond:
            self._next += 1
            self._active[self._next] = (tid, clock, _thread_cpu(clock) + seconds, exc)
            self._cond.notify_all()
            return self._next

    def stop(self, token: int) -> None:
        # Only this token's own exception is caught below: another limit's (a document's) must go on up.
        own = self._active.get(token, (0, 0, 0.0, TemplateTimeout))[3]
        while True:  # a timeout delivered while stopping must not leave the render registered
            try:
                with self._cond:
                    entry = self._active.pop(token, None)
                    if entry is not None and _thread_cpu(entry[1]) >= entry[2]:
                        # Fired (or about to): clear an exception not yet delivered, so it cannot hit later code.
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(entry[0]), None)
                return
            except own:
                continue

    def cancel(self, token: int) -> None:
        """End the work TOKEN limits now (nothing once it has stopped)."""
        with self._cond:
            entry = self._active.get(token)
            if entry is not None:
                self._active[token] = (*entry[:2], float("-inf"), entry[3])
                self._cond.notify_all()

    def cancel_all(self) -> None:
        """End every running render now (the build was interrupted)."""
        with self._cond:
            for token, (tid, clock, _deadline, exc) in list(self._active.items()):
                self._active[token] = (tid, clock, float("-inf"), exc)
            self._cond.notify_all()

    def _run(self) -> None:
        cond = self._cond
        while True:
            with cond:
                for tid, clock, deadline, exc in self._active.values():
                    if _thread_cpu(clock) >= deadline:
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), ctypes.py_object(exc))
                cond.wait(_POLL if self._active else None)


_START_LOCK = threading.Lock()
_watchdog = _Watchdog()


@contextlib.contextmanager
def cpu_limit(seconds: float, exc: type[CpuTimeout]) -> Any:
    """Raise EXC in this thread once it has used SECONDS of CPU time inside the block (a Dask worker's document,
    where no signal can reach the thread); the watchdog reads the clock every 0.1 s."""
    token = _watchdog.start(seconds, exc)
    try:
        yield
    finally:
        _watchdog.stop(token)


@contextlib.contextmanager
def cancellable(exc: type[CpuTimeout]) -> Iterator[Callable[[], None]]:
    """Yield a function that any thread may call to raise EXC in this one while it is inside the block (the preview
    stops a PDF build that a newer change has made out of date); delivered as a CPU limit's exception is."""
    token = _watchdog.start(float("inf"), exc)
    try:
        yield lambda: _watchdog.cancel(token)
    finally:
        _watchdog.stop(token)


@contextlib.contextmanager
def time_limit(seconds: float | None, *, process: bool = False) -> Any:
    """Limit each template render to SECONDS, in this thread (or, with PROCESS, as every thread's default)."""
    if process:
        saved, _watchdog._default = _watchdog._default, (seconds or TIME_LIMIT)
    else:
        saved, _watchdog._local.seconds = getattr(_watchdog._local, "seconds", None), seconds
    try:
        yield
    finally:
        if process:
            _watchdog._default = saved
        else:
            _watchdog._local.seconds = saved


def cancel_renders() -> None:
    """Stop every template render in progress (Ctrl-C or SIGTERM during a build)."""
    _watchdog.cancel_all()


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, also refusing files, modules and huge values.

    Beyond Jinja's rules (no underscore attributes, no mutation of lists and dicts, str.format sandboxed),
    a template may not look inside paths, modules, classes or open files it reaches through the document
    data, and may not build values beyond MAX_SIZE items or MAX_INT_BITS bits.
    """

    intercepted_binops = frozenset({"**", "*", "+", "%"})
    code_generator_class = _Generator

    def concat_items(self, items: tuple[Any, ...]) -> tuple[Any, ...]:
        """Refuse a `~` concatenation whose result would be beyond MAX_SIZE, before it is built."""
        _check_total(sum(_text_len(v) for v in items), "joining with ~")
        return items

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, _OPAQUE) or isinstance(value, _OPAQUE):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj: Any) -> bool:
        # Only methods of paths and files: a builtin function's __self__ is its (harmless) module.
        if isinstance(getattr(obj, "__self__", None), (PurePath, io.IOBase)):
            return False
        return super().is_safe_callable(obj)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        receiver = getattr(__obj, "__self__", None)  # a method: what it is called on is an input too
        inputs = (receiver, *args) if isinstance(receiver, (str, bytes, list, tuple, dict)) else args
        check_call_size(inputs, kwargs, f"calling {getattr(__obj, '__name__', 'this')!r}")
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped


def _md(text: str, after: str = "") -> Markup:
    """The `md` filter: TEXT as block HTML; AFTER (e.g. note numbers) goes at the end of its last paragraph."""
    html = str(prose.block(text))
    if after:
        stripped = html.rstrip()
        if stripped.endswith("</p>"):
            html = stripped[:-4] + str(after) + "</p>\n"
        else:
            html += str(after)
    return Markup(html)


def _mdi(text: str, after: str = "") -> Markup:
    """The `mdi` filter: TEXT as inline HTML, followed by AFTER (e.g. note numbers)."""
    return prose.inline(text) + Markup(after)


def quotation(text: str) -> Markup:
    """A quote's words for display: the quoter's bracketed insertions and changed letters set apart as
    editorial (`<span class="editorial">`), elisions as an ellipsis."""
    from briefgen.content.provenance import quote_parts

    out = Markup("")
    for part in quote_parts(text):
        if part.kind == "words":
            out += escape(part.text)
        elif part.kind == "elision":
            mark = part.text.strip()
            lead, trail = part.text[:part.text.index(mark)], part.text[part.text.index(mark) + len(mark):]
            out += Markup('{0}<span class="elision">{1}</span>{2}').format(lead, mark, trail)
        else:
            out += Markup('<span class="editorial">{0}</span>').format(part.text)
    return out


def make_environment(root: Path, audiences: str | list[str] | None = None) -> ImmutableSandboxedEnvironment:
    """Return the sandboxed environment for an audience (its override chain first, then templates/)."""
    folders = search_path(root, audiences)
    env = Sandbox(
        loader=_Loader(folders, root),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    for name, f in list(env.filters.items()):
        env.filters[name] = _guarded(f, name)
    env.filters["format"] = _guarded(_format_filter, "format")
    env.filters["replace"] = _guarded(_replace_filter, "replace")
    env.filters["join"] = _guarded(_join_filter, "join")
    env.filters["indent"] = _guarded(_indent_filter, "indent")
    env.globals["lipsum"] = _lipsum
    env.filters["md"] = _md
    env.filters["mdi"] = _mdi
    env.filters["plain"] = prose.plain
    env.filters["quotation"] = quotation
    env.tests["sentence"] = lambda quote: prose.is_sentence(getattr(quote, "text", quote))
    return env


def render(env: jinja2.Environment, name: str, root: Path, **context: Any) -> str:
    """Render template NAME; Jinja and sandbox errors become TemplateErrors naming file and line."""
    seconds = _watchdog.limit()
    top = Location(display_path(root / "templates", root))  # where an error outside any template line is
    try:
        token = _watchdog.start(seconds)
        try:
            template = env.get_template(name)
            top = Location(display_path(template.filename or name, root))
            return _render_capped(template, context)
        finally:
            _watchdog.stop(token)
    except TemplateTimeout as exc:
        raise TemplateError(f"template rendering used more CPU time than the {seconds:g} s limit",
                            _frame_location(exc, root) or top,
                            "look for a loop over a huge range or nested loops; templates lay out data, they "
                            "should not compute") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax: {exc.message}", Location(display_path(exc.filename or name, root),
                                                                         exc.lineno), "fix the template") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(exc.message or f"template {exc.name!r} not found",
                            _frame_location(exc, root) or Location(display_path(root / "templates", root)),
                            "create the template or fix the name") from None
    except TooLarge as exc:
        raise TemplateError(f"template expression too large: {exc}", _frame_location(exc, root) or top,
                            "templates lay out the document data; they should not build huge values") from None
    except SecurityError as exc:
        raise TemplateError(f"template blocked by the sandbox: {exc}", _frame_location(exc, root),
                            "templates may only read the document data they are given") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template uses an undefined value: {exc.message}", _frame_location(exc, root),
                            "check the variable name against the document context") from None
    except RecursionError as exc:
        raise TemplateError("template recursion too deep: a template includes or extends itself, or a macro "
                            "calls itself without end", _frame_location(exc, root),
                            "to extend the default template of the same name, use 'base:NAME'") from None
    except BriefgenError:
        raise
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template failed: {exc.message or type(exc).__name__}", _frame_location(exc, root),
                            "fix the template on this line") from None
    except Exception as exc:  # noqa: BLE001 - whatever a template expression raises is the template's fault
        raise TemplateError(f"template failed: {type(exc).__name__}: {exc}", _frame_location(exc, root),
                            "fix the expression on this line") from None


#: Most characters one rendered template may produce (the 129-page book is about 2 MB of HTML).
MAX_OUTPUT = 50_000_000


def _render_capped(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render TEMPLATE piece by piece, refusing output beyond MAX_OUTPUT before it is all held."""
    parts: list[str] = []
    total = 0
    for part in template.generate(**context):
        total += len(part)
        if total > MAX_OUTPUT:
            raise TooLarge(f"the template's output passed {MAX_OUTPUT:,} characters")
        parts.append(part)
    return "".join(parts)


def _frame_location(exc: BaseException, root: Path) -> Location | None:
    """Find the innermost template frame of EXC's traceback."""
    tb = exc.__traceback__
    found: Location | None = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".css")) and Path(filename).is_file():
            line = tb.tb_lineno
            compiled = tb.tb_frame.f_globals.get("__jinja_template__")
            if compiled is not None:  # a frame of the compiled template (not rewritten by Jinja): map the line
                line = compiled.get_corresponding_lineno(line)
            found = Location(display_path(filename, root), line)
        tb = tb.tb_next
    return found


def _defined_blocks(env: jinja2.Environment, name: str, seen: set[str]) -> tuple[set[str], str | None]:
    """Every block template NAME and the templates it extends define, and the name of its top ancestor."""
    if name in seen or len(seen) > 32:  # a cycle or an absurd chain: render() reports it
        return set(), None
    seen.add(name)
    source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    tree = env.parse(source, name, filename)
    blocks = {b.name for b in tree.find_all(nodes.Block)}
    for ext in tree.find_all(nodes.Extends):
        if isinstance(ext.template, nodes.Const) and isinstance(ext.template.value, str):
            more, _top = _defined_blocks(env, ext.template.value, seen)
            blocks |= more
    return blocks, name


def _top_level_blocks(node: nodes.Node) -> list[nodes.Block]:
    """Blocks not nested in another block: the ones a child template hands to the template it extends."""
    out: list[nodes.Block] = []
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Block):
            out.append(child)
        else:
            out.extend(_top_level_blocks(child))
    return out


def check_overrides(root: Path, audience_chain: list[str]) -> list[BriefgenError]:
    """Check the template overrides of AUDIENCE_CHAIN (an audience, then those it extends).

    An override that extends a template and fills a `{% block %}` that template does not define changes
    nothing (Jinja ignores it silently); that is an error naming the blocks it could fill. Syntax errors
    and a missing extended template are errors too.
    """
    errors: list[BriefgenError] = []
    for i, audience in enumerate(audience_chain):
        env = make_environment(root, audience_chain[i:])  # what this folder's templates see when they render
        folder = root / "templates" / "audiences" / audience
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix not in (".j2", ".jinja", ".jinja2") or not path.is_file() or path.is_symlink():
                continue
            shown = display_path(path, root)
            try:
                source = path.read_text(encoding="utf-8")
                tree = env.parse(source, path.relative_to(folder).as_posix(), str(path))
            except jinja2.TemplateSyntaxError as exc:
                errors.append(TemplateError(f"template syntax: {exc.message}", Location(shown, exc.lineno),
                                            "fix the template"))
                continue
            except (OSError, UnicodeDecodeError) as exc:
                errors.append(TemplateError(f"template cannot be read: {exc}", Location(shown),
                                            "save the template as UTF-8 text"))
                continue
            for ext in tree.find_all(nodes.Extends):
                if not (isinstance(ext.template, nodes.Const) and isinstance(ext.template.value, str)):
                    continue  # a computed name: only a render can tell
                parent = ext.template.value
                try:
                    known, _top = _defined_blocks(env, parent, {path.relative_to(folder).as_posix()})
                except jinja2.TemplateNotFound as exc:
                    errors.append(TemplateError(exc.message or f"template {parent!r} not found",
                                                Location(shown, ext.lineno),
                                                "extend a template that exists, e.g. 'base:brief.html.j2'"))
                    continue
                except jinja2.TemplateSyntaxError:
                    continue  # reported for that template itself
                except BriefgenError as exc:
                    errors.append(exc)
                    continue
                for block in _top_level_blocks(tree):
                    if block.name not in known:
                        close = difflib.get_close_matches(block.name, sorted(known), n=1)
                        hint = (f"did you mean {close[0]!r}? " if close else "") + \
                            f"blocks {parent} defines: {', '.join(sorted(known)) or 'none'}"
                        errors.append(TemplateError(
                            f"block {block.name!r} is not defined by {parent!r}, so this override changes nothing",
                            Location(shown, block.lineno), hint))
    return errors
