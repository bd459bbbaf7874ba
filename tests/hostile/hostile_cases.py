"""The hostile inputs of issue 9, as data: each names its files, its command and what must happen."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

NATO = "content/alliances/nato.yaml"
X = "content/alliances/x.yaml"
EVIL = "templates/audiences/evil/brief.html.j2"
CSS = "templates/css/print.css"
#: A minimal audience (today's schema) whose template folder holds the hostile template.
EVIL_AUDIENCE = {"audiences/evil.yaml": "label: Evil\nmarking: none\n"}
#: Where a summary's Markdown starts in nato.yaml: the `>-` after `summary:` (its line is read from the file,
#: so curating NATO's block does not break the suite).
def _line(text: str) -> int:
    """The line of the fixture's nato.yaml (the one the cases edit) that reads TEXT."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "two-blocks"
    return (fixture / NATO).read_text().splitlines().index(text) + 1


SUMMARY_AT = f"{NATO}:{_line('summary: >-')}:10"


@dataclass(frozen=True)
class Case:
    """One hostile input: files to write or edit in a scratch project, the command, the expected outcome.

    Text may hold @PORT@ (the recording test server's port) and @MARKER@ (a file a payload would create).
    """

    id: str
    item: int
    args: tuple[str, ...]
    files: dict[str, str | bytes] = field(default_factory=dict)
    edits: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # path -> (old, new) pairs
    links: dict[str, str] = field(default_factory=dict)  # link path -> target
    copies: dict[str, str] = field(default_factory=dict)  # new path -> existing project file
    expect: tuple[str, ...] = ()  # substrings of the output
    where: str | None = None  # location prefix of the first error, e.g. "content/alliances/x.yaml:3:1"
    exit_code: int = 1


def summary(markdown: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """Edit nato.yaml so its summary starts with MARKDOWN."""
    return {NATO: (("summary: >-\n", f"summary: >-\n  {markdown}\n"),)}


def after_short_name(line: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """Edit nato.yaml to add LINE as its line 4, after `short_name: NATO`."""
    return {NATO: (("short_name: NATO\n", f"short_name: NATO\n{line}\n"),)}


def evil(template: str, **extra: str | bytes) -> dict[str, str | bytes]:
    """Files for an audience 'evil' whose brief template is TEMPLATE."""
    return {**EVIL_AUDIENCE, EVIL: template, **extra}


LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
CAFE_NFC = unicodedata.normalize("NFC", "café")
CAFE_NFD = unicodedata.normalize("NFD", "café")
RENDER = ("brief", "nato")
EVIL_RENDER = ("brief", "nato", "--audience", "evil")

YAML_CASES = [
    Case("duplicate-key", 1, ("check",), {X: "id: x\nname: a\nname: b\n"},
         expect=("duplicate key 'name'", "first defined at line 2", "lines 2 and 3"), where=f"{X}:3:1"),
    Case("duplicate-key-in-config", 1, ("check",), edits={"briefgen.yaml": (("language: en-US\n",
                                                                            "language: en-US\nlanguage: fr\n"),)},
         expect=("duplicate key 'language'",), where="briefgen.yaml:5:1"),
    Case("alias", 1, ("check",), {X: "id: x\nname: &n NATO\nshort_name: *n\n"},
         expect=("aliases are not allowed",), where=f"{X}:2:7"),
    Case("alias-without-anchor", 1, ("check",), {X: "id: x\nname: *n\n"},
         expect=("aliases are not allowed",), where=f"{X}:2:7"),
    Case("billion-laughs", 1, ("check",), {X: LAUGHS}, expect=("aliases are not allowed",), where=f"{X}:1:4"),
    Case("anchor-in-audience", 1, RENDER, {"audiences/congress.yaml": "label: &l Staff\nmarking: *l\n"},
         expect=("aliases are not allowed",), where="audiences/congress.yaml:1:8"),
    Case("python-object-apply", 1, RENDER, {X: 'id: !!python/object/apply:os.system ["touch @MARKER@"]\n'},
         expect=("tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",), where=f"{X}:1:5"),
    Case("python-object-new", 1, RENDER,
         {X: "name: !!python/object/new:subprocess.Popen [[touch, '@MARKER@']]\n"},
         expect=("is not allowed",), where=f"{X}:1:7"),
    Case("python-name-in-seeds", 1, ("check",), edits={"seeds/sources.yaml": (("seeds:\n", "x: !!python/name:os.system\nseeds:\n"),)},
         expect=("is not allowed",), where="seeds/sources.yaml"),
    Case("tab-indent", 1, ("check",), {X: "id: x\n\tname: b\n"}, expect=("spaces, not tabs",), where=f"{X}:2:1"),
    Case("unclosed-quote", 1, ("check",), {X: 'id: x\nname: "abc\nkind: partnership\n'},
         expect=("quoted value is never closed",), where=f"{X}:2:7"),
    Case("unclosed-bracket", 1, ("check",), {X: "id: x\nmembers: [a, b\nname: c\n"},
         expect=("invalid YAML", "line 2 column 10"), where=f"{X}:3:5"),
    Case("invalid-utf8", 1, ("check",), {X: b"id: x\nname: caf\xe9\n"}, expect=("not valid UTF-8",),
         where=f"{X}:2:10"),
    Case("nul-byte", 1, ("check",), {X: b"id: x\nname: a\x00b\n"}, expect=("NUL byte",), where=f"{X}:2:8"),
    Case("control-character", 1, ("check",), {X: "id: x\nname: a\x07b\n"}, expect=("control character U+0007",),
         where=f"{X}:2:8"),
    Case("empty-file", 1, ("check",), {X: ""}, expect=("file is empty",), where=f"{X}:1"),
    Case("comments-only", 1, ("check",), {X: "# to do\n\n"}, expect=("file is empty",), where=f"{X}:1"),
    Case("top-level-list", 1, ("check",), {X: "- id: x\n- name: y\n"},
         expect=("expected a mapping, got a list",), where=f"{X}:1:1"),
    Case("top-level-scalar", 1, ("check",), {X: "just some words\n"},
         expect=("expected a mapping, got text",), where=f"{X}:1:1"),
    Case("two-documents", 1, ("check",), {X: "id: x\n---\nid: y\n"},
         expect=("more than one YAML document",), where=f"{X}:2:1"),
    Case("deep-nesting", 1, ("check",), {X: "a: " + "[" * 5000 + "]" * 5000 + "\n"},
         expect=("nested more than 64 deep",), where=f"{X}:1:"),
]

TYPE_CASES = [
    Case("members-NO", 2, ("check",), edits=after_short_name("members: NO"),
         expect=("members: expected a list, got a yes/no value ('NO')",), where=f"{NATO}:4:10"),
    Case("members-norway", 2, ("check",), edits=after_short_name("members: [United States, NO]"),
         expect=("members[2]: expected text, got a yes/no value ('NO')", "quotes"), where=f"{NATO}:4:26"),
    Case("founded-007", 2, ("check",), edits={NATO: (("founded:\n  year: 1949\n  cite: csis-2025#L411\n",
                                                     "founded: 007\n"),)},
         expect=("founded: expected a mapping, got an integer ('007')",), where=f"{NATO}:{_line('founded:')}:10"),
    Case("founded-year-007", 2, ("check",), edits={NATO: (("  year: 1949\n", "  year: 007\n"),)},
         expect=("founded.year: '007' is not a four-digit year",), where=f"{NATO}:{_line('  year: 1949')}:9"),
    Case("date-in-text", 2, ("check",), edits={NATO: (("short_name: NATO\n", "short_name: 1949-04-04\n"),)},
         expect=("short_name: expected text, got a date ('1949-04-04')",), where=f"{NATO}:3:13"),
    Case("number-in-text", 2, ("check",), edits={NATO: (("short_name: NATO\n", "short_name: 3.10\n"),)},
         expect=("short_name: expected text, got a number ('3.10')",), where=f"{NATO}:3:13"),
]

ID_CASES = [
    Case("id-parent-path", 3, ("build",), edits={NATO: (("id: nato\n", "id: ../../x\n"),)},
         expect=("'../../x' is not a valid id",), where=f"{NATO}:1:5"),
    Case("id-absolute-path", 3, ("build",), edits={NATO: (("id: nato\n", "id: /etc/x\n"),)},
         expect=("'/etc/x' is not a valid id",), where=f"{NATO}:1:5"),
    Case("id-newline", 3, ("build",), edits={NATO: (("id: nato\n", 'id: "a\\nb"\n'),)},
         expect=("'a\\nb' is not a valid id",), where=f"{NATO}:1:5"),
    Case("id-Nato-beside-nato", 3, ("build",), {"content/alliances/Nato.yaml": "id: Nato\nname: NATO\n"},
         expect=("'Nato' is not a valid id",), where="content/alliances/Nato.yaml:1:5"),
    Case("file-Nato-beside-nato", 3, ("build",), copies={"content/alliances/Nato.yaml": NATO},
         expect=("id 'nato' does not match the file name 'Nato.yaml'",), where="content/alliances/Nato.yaml:1:1"),
    Case("id-nfc-nfd", 3, ("build",), {f"content/alliances/{CAFE_NFC}.yaml": f"id: {CAFE_NFC}\nname: A\n",
                                       f"content/alliances/{CAFE_NFD}.yaml": f"id: {CAFE_NFD}\nname: B\n"},
         expect=("is not a valid id",), where="content/alliances/caf"),
    Case("id-argument-parent-path", 3, ("brief", "../../x"), expect=("no alliance or obstacle with id '../../x'",),
         where="command line", exit_code=2),
    Case("audience-argument-parent-path", 3, ("brief", "nato", "--audience", "../../x"),
         expect=("audience", "'../../x'"), where="command line", exit_code=2),
    Case("audience-file-dotdot", 3, ("brief", "nato", "--audience", ".."),
         {"audiences/...yaml": "label: Dots\n"}, expect=("audience name '..' is not a valid id",), where="audiences/"),
    Case("content-link-outside", 3, ("build",), links={"content/alliances/passwd.yaml": "/etc/passwd"},
         expect=("content file is a link to a file outside the project",), where="content/alliances/passwd.yaml"),
]

PROSE_CASES = [
    Case("prose-script", 4, RENDER, edits=summary("<script>alert(1)</script>"), exit_code=0),
    Case("prose-img-onerror", 4, RENDER, edits=summary('<img src=x onerror="alert(1)">'), exit_code=0),
    Case("prose-link-attachment", 4, RENDER, edits=summary("<link rel=attachment href=file:///etc/passwd>"),
         exit_code=0),
    Case("prose-javascript-link", 4, RENDER, edits=summary("[x](javascript:alert(1))"), exit_code=0),
]

RESOURCE_CASES = [
    Case("prose-link-file-url", 5, RENDER, edits=summary("[h](file:///etc/hostname)"),
         expect=("link to file:///etc/hostname refused",), where=SUMMARY_AT),
    Case("prose-link-absolute-path", 5, RENDER, edits=summary("[h](/etc/hostname)"),
         expect=("link to /etc/hostname refused",), where=SUMMARY_AT),
    Case("prose-link-parent-path", 5, RENDER, edits=summary("[h](../../x.png)"),
         expect=("link to ../../x.png refused",), where=SUMMARY_AT),
    Case("prose-link-loopback", 5, RENDER, edits=summary("[h](http://127.0.0.1:@PORT@/)"),
         expect=("link to http://127.0.0.1:@PORT@/ refused",), where=SUMMARY_AT),
    Case("prose-image-file-url", 5, RENDER, edits=summary("![h](file:///etc/hostname)"),
         expect=("images are not allowed in prose (file:///etc/hostname)",), where=SUMMARY_AT),
    Case("prose-image-loopback", 5, RENDER, edits=summary("![h](http://127.0.0.1:@PORT@/x.png)"),
         expect=("images are not allowed in prose (http://127.0.0.1:@PORT@/x.png)",), where=SUMMARY_AT),
    Case("prose-image-missing", 5, RENDER, edits=summary("![h](images/missing.png)"),
         expect=("images are not allowed in prose (images/missing.png)",), where=SUMMARY_AT),
    Case("template-img-file-url", 5, EVIL_RENDER, evil('<p>x</p>\n<img src="file:///etc/hostname" alt="x">'),
         expect=("refused to load file:///etc/hostname (outside the project)", "rendering " + NATO),
         where=f"{EVIL}:2:11"),
    Case("template-img-absolute-path", 5, EVIL_RENDER, evil('<img src="/etc/hostname" alt="x">'),
         expect=("refused to load file:///etc/hostname (outside the project)", "rendering " + NATO),
         where=f"{EVIL}:1:11"),
    Case("template-img-parent-path", 5, EVIL_RENDER, evil('<img src="../../../../../../../x.png" alt="x">'),
         expect=("refused to load file:///x.png (outside the project)", "rendering " + NATO), where=f"{EVIL}:1:"),
    Case("template-img-loopback", 5, EVIL_RENDER, evil('<img src="http://127.0.0.1:@PORT@/x.png" alt="x">'),
         expect=("refused to load http://127.0.0.1:@PORT@/x.png (network access is not allowed)",
                 "rendering " + NATO), where=f"{EVIL}:1:11"),
    Case("template-stylesheet-loopback", 5, EVIL_RENDER,
         evil('<link rel="stylesheet" href="http://127.0.0.1:@PORT@/x.css"><p>x</p>'),
         expect=("refused to load http://127.0.0.1:@PORT@/x.css",), where=f"{EVIL}:1:"),
    Case("template-attachment-passwd", 5, EVIL_RENDER,
         evil('<p>x</p><link rel="attachment" href="file:///etc/passwd">'),
         expect=("refused to load file:///etc/passwd",), where=f"{EVIL}:1:"),
    Case("template-link-file-url", 5, EVIL_RENDER, evil('<p><a href="file:///etc/hostname">x</a></p>'),
         expect=("link to file:///etc/hostname refused",), where=f"{EVIL}:1:13"),
    Case("template-image-link-outside", 5, EVIL_RENDER, evil('<img src="images/host.png" alt="x">'),
         links={"images/host.png": "/etc/hostname"},
         expect=("refused to load images/host.png (a link to a file outside the project)",),
         where=f"{EVIL}:1:11"),
    Case("stylesheet-url-absolute-path", 5, RENDER,
         edits={CSS: (("@page {", "html { background: url(/etc/hostname); }\n@page {"),)},
         expect=("refused to load file:///etc/hostname (outside the project)", "rendering " + NATO),
         where=f"{CSS}:"),
    Case("stylesheet-import-loopback", 5, RENDER,
         edits={CSS: (("\n:root {", '\n@import url("http://127.0.0.1:@PORT@/x.css");\n:root {'),)},
         expect=("refused to load http://127.0.0.1:@PORT@/x.css",), where=f"{CSS}:"),
    Case("stylesheet-missing-image", 5, RENDER,
         edits={CSS: (("@page {", "html { background: url(../images/missing.png); }\n@page {"),)},
         expect=("refused to load templates/images/missing.png (no such file in the project)",
                 "rendering " + NATO), where=f"{CSS}:"),
]

SANDBOX_CASES = [
    Case("cycler-globals", 6, EVIL_RENDER,
         evil("<p>{{ cycler.__init__.__globals__.os.popen('touch @MARKER@').read() }}</p>"),
         expect=("blocked by the sandbox", "'__init__'"), where=f"{EVIL}:1"),
    Case("str-class-mro", 6, EVIL_RENDER, evil("{{ ''.__class__.__mro__[1].__subclasses__() }}"),
         expect=("blocked by the sandbox", "'__class__'"), where=f"{EVIL}:1"),
    Case("attr-format", 6, EVIL_RENDER, evil("{{ ('{0.__class__.__base__}'|attr('format'))(cycler) }}"),
         expect=("blocked by the sandbox",), where=f"{EVIL}:1"),
    Case("path-read", 6, EVIL_RENDER, evil("\n{{ notes.project.root.joinpath('/etc/hostname').read_text() }}"),
         expect=("blocked by the sandbox", "'root'"), where=f"{EVIL}:2"),
    Case("path-write", 6, EVIL_RENDER, evil("{{ notes.project.seeds.seeds['csis-2025'].path.write_text('x') }}"),
         expect=("blocked by the sandbox", "'path'"), where=f"{EVIL}:1"),
    Case("include-absolute", 6, EVIL_RENDER, evil("<p>x</p>\n{% include '/etc/hostname' %}"),
         expect=("template name '/etc/hostname' refused",), where=f"{EVIL}:2"),
    Case("include-parent", 6, EVIL_RENDER, evil("{% include '../../../../../../etc/hostname' %}"),
         expect=("refused", "'..'"), where=f"{EVIL}:1"),
    Case("template-link-outside", 6, EVIL_RENDER, EVIL_AUDIENCE, links={EVIL: "/etc/passwd"},
         expect=("template refused: it is a link to a file outside the templates folder",), where=EVIL),
    Case("ordinary-expressions", 6, EVIL_RENDER,
         evil("<html lang=en><p>{{ escape('<b>') }} {{ dict(a=1) }} {{ range(3)|list }} {{ cycler(1, 2).next() }} {{ 'a' ~ 'b' * 3 }}"
              " {{ 2**10 }} {{ '%5d' % 3 }} {{ '{:>5}'.format(1) }} {{ 'x'|center(9) }} {{ [1] + [2] }}</p></html>"),
         exit_code=0),
    Case("power-tower", 6, EVIL_RENDER, evil("<html lang=en><p>{{ 9**9**9 }}</p></html>"), exit_code=0),  # Jinja: (9**9)**9, 78 digits
    Case("power-huge", 6, EVIL_RENDER, evil("<p>{{ 9**(9**9) }}</p>"),
         expect=("template expression too large", "9 ** 387,420,489"), where=f"{EVIL}:1"),
    Case("repeat-huge", 6, EVIL_RENDER, evil("<p>{{ 'a' * 10**9 }}</p>"),
         expect=("template expression too large",), where=f"{EVIL}:1"),
    Case("center-huge", 6, EVIL_RENDER, evil("<p>{{ 'a'.center(10**9) }}{{ 'a'|center(10**9) }}</p>"),
         expect=("template expression too large",), where=f"{EVIL}:1"),
    Case("printf-huge", 6, EVIL_RENDER, evil("<p>{{ '%0999999999d' % 1 }}</p>"),
         expect=("template expression too large",), where=f"{EVIL}:1"),
    Case("format-huge", 6, EVIL_RENDER, evil("<p>{{ '{:>999999999}'.format(1) }}</p>"),
         expect=("template expression too large",), where=f"{EVIL}:1"),
    Case("extends-itself", 6, EVIL_RENDER, evil("{% extends 'brief.html.j2' %}"),
         expect=("template recursion too deep", "base:NAME"), where=f"{EVIL}:1"),
    Case("macro-recursion", 6, EVIL_RENDER, evil("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"),
         expect=("template recursion too deep",), where=f"{EVIL}:1"),
]

GIT_CONFIG = "[remote \"origin\"]\n\turl = https://analyst:ghp_FAKETOKEN123@github.com/org/briefs.git\n"
BOMB = "{% set a = 'x' * 9999999 %}"

#: The hostile-input review of issue 15 (../shared/reviews/security.md), each replayed through the real CLI.
REVIEW_CASES = [
    Case("V10-attach-git-config-and-env", 15, EVIL_RENDER,
         evil('<link rel="attachment" href=".git/config"><link rel="attachment" href=".env"><p>x</p>',
              **{".git/config": GIT_CONFIG, ".env": "API_KEY=sk-FAKE-canary\n"}),
         expect=("refused to load .git/config", "refused to load .env", "not in templates/, fonts/, images/, brand/"),
         where=f"{EVIL}:1:"),
    Case("V10-attach-content-file", 15, EVIL_RENDER,
         evil('<p>x</p><link rel="attachment" href="content/alliances/nato.yaml">'),
         expect=("refused to load content/alliances/nato.yaml",), where=f"{EVIL}:1:"),
    Case("V10-attach-hidden-asset", 15, EVIL_RENDER,
         evil('<p>x</p><link rel="attachment" href="images/.secret.txt">', **{"images/.secret.txt": "CANARY\n"}),
         expect=("refused to load images/.secret.txt", "hidden file"), where=f"{EVIL}:1:"),
    Case("V10-image-link-to-env", 15, EVIL_RENDER, evil('<img src="images/x.svg" alt="x">',
                                                        **{".env": "API_KEY=sk-FAKE-canary\n"}),
         links={"images/x.svg": "../.env"}, expect=("refused to load images/x.svg", "a link to a file that is"),
         where=f"{EVIL}:1:11"),
    Case("V12-prose-link-percent-encoded-loopback", 15, ("check",),
         edits=summary("[the dashboard](http://%31%32%37.0.0.1:8000/api/state)"),
         expect=("refused", "percent-encoded"), where=SUMMARY_AT),
    Case("V12-prose-link-localhost-dot", 15, ("check",), edits=summary("[admin](http://localhost%2e:631/admin)"),
         expect=("refused", "percent-encoded"), where=SUMMARY_AT),
    Case("V12-template-link-percent-encoded", 15, EVIL_RENDER,
         evil('<p><a href="http://127.0.0.1%2e:@PORT@/">x</a></p>'), expect=("refused", "percent-encoded"),
         where=f"{EVIL}:1:"),
    # Round two: URLs a browser parses differently from Python, in every output format.
    *(Case(f"V12b-{name}-{fmt}", 28, (*EVIL_RENDER, "--format", fmt), evil(f'<p><a href="{href}">x</a></p>'),
           expect=("refused", why))
      for fmt in ("html", "pdf")
      for name, href, why in (("backslash", "http://127.0.0.1\\@evil.com/", "user name"),
                              ("user-name", "http://evil.com@127.0.0.1:@PORT@/", "user name"),
                              ("tab-in-host", "http://127.0.0.1&#9;.evil.com/", "control character"))
      if (name, fmt) != ("tab-in-host", "pdf")),  # WeasyPrint drops the tab itself, as browsers do
    Case("V12b-prose-escaped-backslash", 28, ("check",), edits=summary("[x](http://127.0.0.1\\@evil.com/)"),
         expect=("refused",), where=SUMMARY_AT),
    Case("D22-prose-link-intranet-name", 15, ("check",), edits=summary("[print it](http://printer/queue)"),
         expect=("single-label intranet name",), where=SUMMARY_AT),
    Case("V14-replace-bomb", 15, EVIL_RENDER, evil(BOMB + "{{ (a|replace('x', 'y' * 300))|length }}"),
         expect=("template expression too large", "'replace' could build"), where=f"{EVIL}:1"),
    Case("V14-tilde-bomb", 15, EVIL_RENDER, evil(BOMB + "{{ (a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a)|length }}"),
         expect=("template expression too large", "joining with ~"), where=f"{EVIL}:1"),
    Case("V14-join-bomb", 15, EVIL_RENDER, evil(BOMB + "{{ ([a] * 10)|join(a)|length }}"),
         expect=("template expression too large", "'join' could build"), where=f"{EVIL}:1"),
    Case("V14-indent-bomb", 15, EVIL_RENDER, evil("{% set a = '\\n' * 9999999 %}{{ a|indent(300)|length }}"),
         expect=("template expression too large", "'indent' could build"), where=f"{EVIL}:1"),
    # Round two: any method or filter, bounded by the size of what it could build (no list of names).
    *(Case(f"V14b-{name}", 28, EVIL_RENDER, evil(template), expect=("template expression too large", "could build"),
           where=f"{EVIL}:1") for name, template in (
        ("expandtabs", "{% set a = '\\t' * 3000 %}{{ a.expandtabs(999999)|length }}"),
        ("str-replace-method", BOMB + "{{ a.replace('x', 'y' * 300)|length }}"),
        ("str-join-method", BOMB + "{{ 'abcd'.join(a)|length }}"),
        ("translate", BOMB + "{{ a.translate({120: 'y' * 10})|length }}"),
        ("str-format", BOMB + "{{ '{}{}{}'.format(a, a, a)|length }}"),
        ("urlencode", BOMB + "{{ (a|urlencode)|length }}"),
        ("tojson", BOMB + "{{ (a|tojson)|length }}"),
        ("center", BOMB + "{{ a.center(9999999)|length }}"),
        ("ljust-of-tabs", "{% set a = '\\t' * 9999 %}{{ a.expandtabs(9999).ljust(99)|length }}"),
        ("wordwrap", BOMB + "{{ (a|wordwrap(1, true, '\\n' * 50))|length }}"),
    )),
    Case("V14-output-bomb", 15, EVIL_RENDER,
         evil(BOMB + "{% for i in range(99) %}{{ a }}{% endfor %}"),
         expect=("template expression too large", "output passed"), where=EVIL),
    Case("D16-bidi-override-in-name", 15, ("check",),
         edits={NATO: (("name: ", 'name: "Atlantic \u202eTreaty\u200b " #'),)},
         expect=("invisible character U+202E (right-to-left override)",), where=f"{NATO}:2:"),
    Case("D16-zero-width-in-audience-label", 15, ("check",),
         {"audiences/zw.yaml": 'label: "Staff\u200b"\nmarking: none\n'},
         expect=("invisible character U+200B (zero width space)",), where="audiences/zw.yaml:1:"),
    Case("D5-yaml-file-over-the-size-cap", 15, ("check",), {X: "id: x\nname: " + "a" * 1_100_000 + "\n"},
         expect=("file refused: larger than the 1 MB limit",), where=X),
    Case("D6-markdown-bracket-flood", 15, ("check",), edits=summary("![" * 300 + "x"),
         expect=("300 '[' characters, more than the 200",), where=SUMMARY_AT),
    Case("D18-linked-content-folder", 15, ("check",), {"../elsewhere/x.yaml": "id: x\nname: X\n"},
         links={"content/frameworks": "../../elsewhere"},
         expect=("content folder is a link; the blocks in it are not read",), where="content/frameworks"),
    Case("D18-seed-link-outside", 15, ("check",),
         edits={"seeds/sources.yaml": (("seeds:\n", "seeds:\n  - id: pw\n    file: passwd.txt\n    format: web-text\n"
                                                    "    title: \"x\"\n    sha256: " + "ab" * 32 + "\n"),)},
         links={"seeds/passwd.txt": "/etc/passwd"},
         expect=("seed file 'passwd.txt' refused: it is a link to a file outside seeds/",),
         where="seeds/sources.yaml:6:5"),
    Case("D21-utf16-seed", 15, ("ingest", "seeds/u16.txt"), {"seeds/u16.txt": "A page of text.\n".encode("utf-16")},
         expect=("the file is UTF-16 text",), where="seeds/u16.txt"),
    Case("V15-drafts-through-a-link", 15, ("ingest", "--draft", "seeds/csis-2025-us-allied-cooperation.md"),
         {"../drafts-target/keep": ""}, links={"content/drafts": "../../drafts-target"},
         expect=("drafts not written: this folder is a link",), where="content/drafts"),
]

ALL_CASES = YAML_CASES + TYPE_CASES + ID_CASES + PROSE_CASES + RESOURCE_CASES + SANDBOX_CASES + REVIEW_CASES


def fill(text: str, port: int) -> str:
    """Replace @PORT@ in an expectation with the recording server's port."""
    return text.replace("@PORT@", str(port))


def assert_outcome(o, port: int) -> None:  # noqa: ANN001 - conftest.Outcome
    """The case exited as expected, said what it should, first at the expected place, and wrote nothing else."""
    case = o.case
    assert o.exit_code == case.exit_code, o.output
    for text in case.expect:
        assert fill(text, port) in o.output, o.output
    if case.where is not None:
        lines = o.error_lines()
        assert lines and lines[0].startswith(fill(case.where, port)), o.stderr
    assert "Traceback" not in o.output
    assert not o.written_outside_build(), o.written_outside_build()
    assert not o.marker.exists(), "the payload ran"
