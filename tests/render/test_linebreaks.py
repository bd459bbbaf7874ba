"""The line-breaking cache: keyed by every style property WeasyPrint's line breaking reads, and invisible in the PDF."""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from briefgen.config.kinds import Target
from briefgen.project import Project
from briefgen.render import linebreaks
from briefgen.render.pdf import weasyprint


def _reads(module: object, roots: tuple[str, ...]) -> set[str]:
    """The style properties that ROOTS (functions or classes of MODULE) and every function of MODULE they call read
    as style['name'] or self.style['name']."""
    tree = ast.parse(inspect.getsource(module))
    defs = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    seen: set[str] = set()
    todo = list(roots)
    keys: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen.add(name)
        for node in ast.walk(defs[name]):
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                    and isinstance(node.slice.value, str):
                target = node.value
                if (isinstance(target, ast.Name) and target.id == "style") or \
                        (isinstance(target, ast.Attribute) and target.attr == "style"):
                    keys.add(node.slice.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                todo.append(node.func.id)
    return keys


def test_the_key_holds_every_style_property_line_breaking_reads() -> None:
    """A property split_first_line (or what it calls) reads but the key lacks would let two differently styled texts
    share a line: read the installed WeasyPrint's source and fail when a release reads one the key does not hold."""
    wp = weasyprint()
    if wp.__version__ not in linebreaks.VERIFIED:
        pytest.skip(f"WeasyPrint {wp.__version__} runs uncached")
    line_break = importlib.import_module("weasyprint.text.line_break")
    fonts = importlib.import_module("weasyprint.text.fonts")
    read = _reads(line_break, ("split_first_line",)) | _reads(fonts, ("get_font_description",))
    assert {"white_space", "font_size", "hyphens", "font_family", "letter_spacing"} <= read  # the scan finds reads
    assert read <= set(linebreaks.STYLE_KEYS), sorted(read - set(linebreaks.STYLE_KEYS))


def test_the_cache_is_installed_for_a_verified_weasyprint() -> None:
    wp = weasyprint()
    assert linebreaks.installed() == (wp.__version__ in linebreaks.VERIFIED)
    if linebreaks.installed():
        for name in linebreaks.CALLERS:
            assert hasattr(importlib.import_module(name).split_first_line, "__wrapped__"), name


def test_documents_are_the_same_bytes_with_and_without_the_cache(small: Path, monkeypatch) -> None:
    """The real one-pager (its fit loop lays it out several times, its columns balanced) and brief, rendered by
    WeasyPrint's own line breaking and then twice through the cache (the second from a warm cache): same bytes."""
    if not linebreaks.installed():
        pytest.skip("the cache is not installed for this WeasyPrint")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    from briefgen.batch.render import render

    project = Project(small)
    targets = [Target.of("onepager", "free-riding", project.config.default_audience),
               Target.of("brief", "nato", project.config.default_audience)]
    with monkeypatch.context() as uncached:
        for name in linebreaks.CALLERS:
            module = importlib.import_module(name)
            uncached.setattr(module, "split_first_line", module.split_first_line.__wrapped__)
        plain = [render(project, t, "pdf", out=small / "build").data for t in targets]
    hits = linebreaks.COUNTS.hits
    first = [render(project, t, "pdf", out=small / "build").data for t in targets]
    warm = render(project, targets[0], "pdf", out=small / "build").data
    assert linebreaks.COUNTS.hits > hits
    assert first == plain
    assert warm == plain[0]


class _Style(dict):
    """A computed style as the cache sees one: the properties, and the font configuration it lives on."""

    def __init__(self, font_config: object, **values: object) -> None:
        super().__init__({name: "normal" for name in linebreaks.STYLE_KEYS}, **values)
        self.font_config = font_config


class _Fonts:
    pass


class _Done:
    """A finished layout (no live .layout), as split_first_line returns one."""

    def __init__(self, text: str) -> None:
        self.text = text


def test_a_hit_is_a_copy_and_a_different_style_misses() -> None:
    calls: list[str] = []

    def split(text, style, context, max_width, spacing, is_line_start=True, minimum=False):  # noqa: ANN001, ANN202
        calls.append(text)
        return _Done(text), len(text), None, 10.0, 12.0, 9.0

    cached = linebreaks._cached(split)
    fonts = _Fonts()
    one = cached("a line", _Style(fonts), None, 100.0, 0)
    two = cached("a line", _Style(fonts), None, 100.0, 0)
    assert calls == ["a line"] and two[1:] == one[1:] and two[0] is not one[0] and two[0].text == "a line"
    cached("a line", _Style(fonts, font_weight=700), None, 100.0, 0)  # bolder: another line
    cached("a line", _Style(fonts), None, 90.0, 0)  # narrower
    cached("a line", _Style(_Fonts()), None, 100.0, 0)  # other fonts
    cached("a line", _Style(fonts, font_family=["x"]), None, 100.0, 0)  # unhashable: not cached, still answered
    cached("a line", _Style(fonts, font_family=["x"]), None, 100.0, 0)
    assert len(calls) == 6


def test_the_cache_stays_bounded(monkeypatch) -> None:
    monkeypatch.setattr(linebreaks, "LIMIT", 10)

    def split(text, style, context, max_width, spacing, is_line_start=True, minimum=False):  # noqa: ANN001, ANN202
        return _Done(text), len(text), None, 1.0, 1.0, 1.0

    cached = linebreaks._cached(split)
    fonts = _Fonts()
    for n in range(25):
        cached(f"line {n}", _Style(fonts), None, 100.0, 0)
    assert len(fonts.__dict__[linebreaks._SLOT]) <= 10


def test_a_font_face_added_empties_the_cache() -> None:
    """A face added to a configuration can change how any text of it breaks: that configuration's lines are dropped."""
    if not linebreaks.installed():
        pytest.skip("the cache is not installed for this WeasyPrint")
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    config.__dict__[linebreaks._SLOT] = {("text",): "a line"}
    config.add_font_face({"src": [], "font_family": "Nothing"}, None)
    assert linebreaks._SLOT not in config.__dict__
