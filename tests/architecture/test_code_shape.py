"""The code's shape: no branch on a document kind's name outside its declaration, no function over 80 lines."""
from __future__ import annotations

import ast
from pathlib import Path

import briefgen
from briefgen.config.kinds import DOCUMENT_KINDS

PACKAGE = Path(briefgen.__file__).resolve().parent
#: The one module that may spell the kinds' names: where they are declared.
KIND_DECLARATION = "config/kinds.py"
#: Most lines a function may take, its signature and docstring included (the house rule: "about 80 is a lot").
MAX_FUNCTION_LINES = 80
#: Functions left longer, each with its reason ("module.py:function": reason). Shorten one, then take it off.
LONG_FUNCTIONS = {
    "render/audit.py:audit": "the layout audit's rules, one after another; audit.py is being changed this round",
    "render/audit.py:design_findings": "the design rules' findings; audit.py is being changed this round",
}


def _literals(node: ast.AST) -> set[str]:
    """The string literals NODE is, or holds as a literal tuple, list or set."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def kind_name_branches(source: str, names: set[str]) -> list[int]:
    """The lines of SOURCE that branch on one of the kind NAMES: a comparison (==, !=, in) or match case with the
    name, a loop over a literal list of names, or a lookup in a dict literal keyed by names."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            hit = any(_literals(side) & names for side in (node.left, *node.comparators))
        elif isinstance(node, ast.MatchValue):
            hit = bool(_literals(node.value) & names)
        elif isinstance(node, (ast.For, ast.comprehension)):
            hit = bool(_literals(node.iter) & names)
        elif isinstance(node, (ast.Subscript, ast.Attribute)):
            inner = node.value
            hit = isinstance(inner, ast.Dict) and bool({k.value for k in inner.keys
                                                        if isinstance(k, ast.Constant)} & names)
        else:
            hit = False
        if hit:
            lines.append(node.iter.lineno if isinstance(node, ast.comprehension) else node.lineno)
    return sorted(lines)


def test_no_module_branches_on_a_kind_name() -> None:
    """A kind is asked for its declared facts (config.kinds.DocumentKind) or its behaviour (render.documents), never
    compared with its name, so that adding a kind is one registry entry."""
    names = set(DOCUMENT_KINDS)
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel != KIND_DECLARATION:
            found += [f"{rel}:{line}" for line in kind_name_branches(path.read_text(encoding="utf-8"), names)]
    assert found == []


def test_the_kind_branch_finder_finds_each_form_of_branch() -> None:
    """The check above can fail: each way of branching on a name is reported, a name passed as a value is not."""
    source = "\n".join([
        'if target.kind == "book": pass',
        'ok = kind not in ("brief", "book")',
        'for kind in ("brief", "onepager"): pass',
        'need = {"brief": 200, "onepager": 150}.get(kind, 0)',
        'match kind:\n    case "onepager": pass',
        'render(project, "brief", block_id)',
        'if kind == "pdf": pass',
    ])
    assert kind_name_branches(source, set(DOCUMENT_KINDS)) == [1, 2, 3, 4, 6]


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> dict[str, int]:
    """Every function (or method) of SOURCE longer than LIMIT lines, by name, with its length."""
    return {node.name: node.end_lineno - node.lineno + 1 for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > limit}


def test_no_function_is_longer_than_80_lines() -> None:
    """A function reads whole on one screen; the few left longer are listed with their reason, and come off the
    list when they are split (a listed function that is short again fails too, so the list stays true)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        found |= {f"{rel}:{name}": lines for name, lines in long_functions(path.read_text(encoding="utf-8")).items()}
    assert {k: v for k, v in found.items() if k not in LONG_FUNCTIONS} == {}
    assert sorted(set(LONG_FUNCTIONS) - set(found)) == []


def _function(name: str, body_lines: int, indent: str = "") -> str:
    return "\n".join([f"{indent}def {name}():", *(f"{indent}    x{i} = {i}" for i in range(body_lines))]) + "\n"


def test_the_length_check_finds_a_long_function_and_a_long_method() -> None:
    """The check above can fail: an 81-line function and method are reported, an 80-line one is not."""
    source = _function("short", 79) + _function("long", 80) + "class C:\n" + _function("m", 80, "    ")
    assert long_functions(source) == {"long": 81, "m": 81}
