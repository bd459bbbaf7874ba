"""Item 9: random YAML and random Markdown never raise anything but briefgen's errors; HTML stays inert.

Examples are few and fixed (derandomized) so `make test` stays fast and repeatable; set
HYPOTHESIS_PROFILE=deep for a long randomized run.
"""
from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import copy_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_error_format import assert_format

from briefgen import prose
from briefgen.cli import main
from briefgen.config.yamlsafe import loads
from briefgen.content.model import Alliance, new_converter
from briefgen.errors import BriefgenError
from briefgen.project import Project
from briefgen.render.checks import check_project
from briefgen.render.context import render_html

_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile("ci", derandomize=True, database=None, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("deep", database=None, deadline=None, suppress_health_check=_QUIET)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
#: How many times more examples the deep profile tries.
SCALE = 30 if PROFILE == "deep" else 1

ROOT = Path(__file__).resolve().parents[2]
NATO_TEXT = (ROOT / "tests/fixtures/two-blocks/content/alliances/nato.yaml").read_text(encoding="utf-8")
SUMMARY_BLOCK = re.compile(r"^summary: >-\n(?:  .*\n)+", re.M)
assert SUMMARY_BLOCK.search(NATO_TEXT), "nato.yaml no longer has a folded summary"

YAML_TOKENS = [
    "id: x\n", "name: ", "summary: ", "kind: partnership\n", "members:\n", "cite: csis-2025#introduction\n",
    "- ", "  ", "    ", "\n", "\t", ": ", ":", ", ", "&a ", "*a", "&b ", "*b", "!!python/object/apply:os.system [id]",
    "!!binary ", "!!set ", "!x ", "!<tag:x> ", "'", '"', "''", "---\n", "...\n", "{", "}", "[", "]", "? ", "| ",
    ">- ", "|+\n", "# c\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "<<: ", "~", "null", "0x1F", "0o17", "007",
    "NO", "yes", "2024-01-01", "2024-13-45", "1e400", ".nan", "-.inf", "12:30:00", "\x00", "\x07", "\x85",
    "\ufeff", "\u2028", "\ufffe", "é", "\U0001F600", "\\", "\\x", "\\u", "=", "@", "`", "%", "x" * 300,
]
_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
_data = st.recursive(_scalar, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
                     max_leaves=12)


@st.composite
def _mutated_nato(draw: st.DrawFn) -> str:
    """The fixture nato.yaml (tests/fixtures/two-blocks) with a random span replaced by random YAML tokens."""
    start = draw(st.integers(0, len(NATO_TEXT)))
    end = draw(st.integers(start, min(len(NATO_TEXT), start + 40)))
    insert = "".join(draw(st.lists(st.sampled_from(YAML_TOKENS), max_size=6)))
    return NATO_TEXT[:start] + insert + NATO_TEXT[end:]


YAML_DOCUMENTS = st.one_of(
    st.lists(st.sampled_from(YAML_TOKENS), max_size=25).map("".join),
    _mutated_nato(),
    st.builds(lambda d, flow: yaml.safe_dump(d, default_flow_style=flow, allow_unicode=True), _data, st.booleans()),
    st.text(max_size=200),
)

MD_TOKENS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<link rel=attachment href=file:///etc/passwd>",
    "[x](", "](", ")", "![", "[", "]", "(", "<", ">", "javascript:", "JaVaScRiPt:", "java\tscript:",
    "&#106;avascript:", "&#x6A;avascript:", "vbscript:", "data:text/html,<script>", "file:///etc/passwd",
    "http://127.0.0.1/", "https://example.org/a?b=<c>", "mailto:a@b.c", "/etc/hostname", "../../x.png", "%6a",
    "<a href=", "\"", "'", "onerror=", "onload=", " ", "\n", "\n\n", "    ", "* ", "1. ", "> ", "---", "```",
    "`", "*", "_", "__", "~~", "|", "| --- |", "&lt;", "&amp;", "&#0;", "\\", "[1]: javascript:alert(1)\n",
    "<javascript:alert(1)>", "<http://localhost/>", "<style>", "<iframe src=x>", "<svg onload=x>", "word",
]
MARKDOWN = st.one_of(st.lists(st.sampled_from(MD_TOKENS), max_size=20).map("".join), st.text(max_size=120))

#: Elements Markdown prose may produce; anything else in rendered prose would be an active or foreign element.
PROSE_TAGS = {"p", "em", "strong", "a", "code", "pre", "ul", "ol", "li", "blockquote", "hr", "br", "s",
              "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
ACTIVE_SCHEME = re.compile(r"\s*(javascript|vbscript|data|file):", re.I)


class _Elements(HTMLParser):
    """Collect every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def active_elements(html: str, allowed: set[str] | None = None) -> list[str]:
    """Describe each script element, event-handler attribute or script/file URL in HTML (and foreign tags)."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag in ("script", "iframe", "object", "embed", "svg", "base", "form") or (
                allowed is not None and tag not in allowed):
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and ACTIVE_SCHEME.match(value or ""):
                found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and not re.fullmatch(r"text-align:(left|right|center)", value or ""):
                found.append(f"<{tag} style={value!r}>")
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch project the property tests rewrite one file of, example after example."""
    return copy_project(tmp_path_factory.mktemp("properties") / "project")


def _check(project: Path):
    """Run `briefgen check` in-process; anything but a briefgen error propagates and fails the test."""
    return CliRunner().invoke(main, ["--project", str(project), "check"], catch_exceptions=False)


@pytest.mark.slow
@settings(max_examples=60 * SCALE)
@given(document=YAML_DOCUMENTS)
def test_random_yaml_only_raises_briefgen_errors(project: Path, document: str) -> None:
    """`briefgen check` on a random content file exits 0 or 1 with formatted errors, never a traceback."""
    path = project / "content/alliances/x.yaml"
    path.write_bytes(document.encode("utf-8", "surrogatepass"))
    try:
        result = _check(project)
    finally:
        path.unlink()
    assert result.exit_code in (0, 1)
    if result.exit_code:
        assert_format([ln for ln in result.stderr.splitlines() if ln.strip() and not ln.endswith("error(s)")])


@settings(max_examples=150 * SCALE)
@given(document=YAML_DOCUMENTS)
def test_random_yaml_library_raises_only_briefgen_errors(document: str) -> None:
    """The YAML reader and the schema converter raise nothing but BriefgenError on any text."""
    try:
        node = loads(document, "x.yaml")
    except BriefgenError:
        return
    conv = new_converter()
    conv.record(node, Alliance, "")
    assert all(isinstance(e, BriefgenError) for e in conv.errors)


@settings(max_examples=300 * SCALE)
@given(text=MARKDOWN)
def test_random_markdown_renders_inert(text: str) -> None:
    """Any Markdown renders to prose elements only: no script, no event handler, no script or file URL."""
    refused = prose.problems(text)  # what `briefgen check` reports for this prose
    for html in (prose.block(text), prose.inline(text)):
        assert active_elements(str(html), PROSE_TAGS) == [], (text, str(html))
        for link in re.findall(r'href="([^"]*)"', str(html)):
            assert link.startswith("#") or prose.refused_url(link) is None or refused, (text, link)
    prose.plain(text)


@pytest.mark.slow
@settings(max_examples=40 * SCALE)
@given(text=MARKDOWN)
def test_random_prose_through_check(project: Path, text: str) -> None:
    """Random prose in nato's summary passes `briefgen check` or fails it with formatted errors."""
    path = project / "content/alliances/nato.yaml"
    summary = "summary: " + json.dumps(text, ensure_ascii=False) + "\n"
    path.write_text(SUMMARY_BLOCK.sub(lambda m: summary, NATO_TEXT, count=1), encoding="utf-8")
    try:
        result = _check(project)
    finally:
        path.write_text(NATO_TEXT, encoding="utf-8")
    assert result.exit_code in (0, 1)
    if result.exit_code:
        assert_format([ln for ln in result.stderr.splitlines() if ln.strip() and not ln.endswith("error(s)")])


@pytest.fixture(scope="module")
def loaded(project: Path) -> Project:
    """The scratch project, loaded once, for rendering whole documents with random prose."""
    p = Project(project)
    check_project(p)
    return p


@settings(max_examples=15 * SCALE)
@given(summary=MARKDOWN, point=MARKDOWN)
def test_random_prose_in_a_whole_brief_is_inert(loaded: Project, summary: str, point: str) -> None:
    """A whole brief's HTML, with random prose in the summary and a point, holds no active element."""
    block = loaded.catalogue.get("nato")
    old_summary, old_point = block.summary, block.why_it_matters[0].text
    block.summary, block.why_it_matters[0].text = summary or "x", point or "x"
    try:
        html = render_html(loaded, "nato", "brief").html
    finally:
        block.summary, block.why_it_matters[0].text = old_summary, old_point
    assert active_elements(html) == []
    assert "<script" not in html.lower()
