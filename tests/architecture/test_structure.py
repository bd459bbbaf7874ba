"""The package's shape: stages as folders, no import cycle, one caller of WeasyPrint's render(), the public API."""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import briefgen

PACKAGE = Path(briefgen.__file__).resolve().parent
#: The pipeline's stages, lowest first: a module may import its own stage and those before it, never one after.
#: "base" is the loose leaf modules every stage uses; "project" assembles config, seeds and content; "api" is the
#: package root (the public API) and the command line.
STAGE_ORDER = ("base", "config", "seeds", "content", "project", "editions", "ingest", "render", "batch", "preview",
               "api")
STAGES = ("config", "seeds", "content", "editions", "ingest", "render", "batch", "preview")
LOOSE = {"_version": "base", "errors": "base", "safeio": "base", "safegit": "base", "write": "base", "prose": "base",
         "project": "project", "cli": "api", "__main__": "api", "": "api"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def _imports(name: str, path: Path, known: set[str], type_checking: bool = False) -> set[str]:
    """Every briefgen module NAME imports, at the top or inside a function (TYPE_CHECKING blocks only when
    TYPE_CHECKING is true)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only: set[int] = set()
    for node in ast.walk(tree):
        if not type_checking and isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_only.update(id(n) for n in ast.walk(node))
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` depends on the module; `from mod import name` on mod. (Every submodule
            # import runs the packages' __init__ first; that is how Python packages work, not a cycle.)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            if target in known and target != name:
                out.add(target)
    return out


def _graph(type_checking: bool = False) -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known, type_checking) for name, path in modules.items()}


def _stage(module: str) -> str:
    """The stage a module belongs to: its first package under briefgen, or the loose module's declared stage."""
    first = module.split(".")[1] if "." in module else ""
    return first if first in STAGES else LOOSE[first]


def _upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a module in a later stage than the importer's."""
    rank = {stage: i for i, stage in enumerate(STAGE_ORDER)}
    return sorted(f"{a} ({_stage(a)}) imports {b} ({_stage(b)})" for a, targets in graph.items() for b in targets
                  if rank[_stage(b)] > rank[_stage(a)])


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle() -> None:
    """Imports inside functions count too: a lazy import does not make a cycle go away."""
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: a graph with a -> b -> c -> a is reported."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_stages_import_only_downward() -> None:
    """config -> seeds -> content -> project -> editions -> ingest -> render -> batch -> preview -> cli: a stage
    imports only those before it, counting imports inside functions and under TYPE_CHECKING."""
    assert _upward_imports(_graph(type_checking=True)) == []


def test_every_module_has_a_stage() -> None:
    """A new loose module must be placed in the stage order (it is not silently exempt)."""
    for module in _modules():
        assert _stage(module) in STAGE_ORDER, module


def test_the_stage_check_finds_an_upward_import() -> None:
    """The check above can fail: render importing batch is reported, batch importing render is not."""
    graph = {"briefgen.render.context": {"briefgen.batch.run"}, "briefgen.batch.run": {"briefgen.render.context"}}
    assert _upward_imports(graph) == ["briefgen.render.context (render) imports briefgen.batch.run (batch)"]


def test_stages_are_folders() -> None:
    """The pipeline reads from the folder list."""
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    # safeio.py (safe reads), write.py (atomic writes) and safegit.py (git with no configured program) are the I/O
    # leaves every stage uses.
    assert loose == ["__init__.py", "__main__.py", "_version.py", "cli.py", "errors.py", "project.py", "prose.py",
                     "safegit.py", "safeio.py", "write.py"]


def test_only_one_caller_of_weasyprint_render() -> None:
    """render/pdf.py's lay_out is the only place that lays a document out with WeasyPrint."""
    callers = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\.render\(\s*(stylesheets|font_config|\))", text):
            callers.append((path.relative_to(PACKAGE).as_posix(), text.count("\n", 0, match.start()) + 1))
    assert [c[0] for c in callers] == ["render/pdf.py"], callers


def test_nothing_outside_render_pdf_imports_weasyprint_html() -> None:
    """WeasyPrint's HTML class is used in one module only."""
    users = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                   if re.search(r"\bwp\.HTML\(|weasyprint\.HTML\(|from weasyprint import HTML", p.read_text()))
    assert users == ["render/pdf.py"]


def test_public_api_is_the_root_package() -> None:
    """Everything the README's example uses is importable from briefgen itself."""
    for name in ("open_project", "check", "render_document", "run_build", "Project", "Target", "Output", "BuildReport",
                 "BriefgenError", "UsageError", "__version__"):
        assert hasattr(briefgen, name), name
    assert set(briefgen.__all__) >= {"open_project", "check", "render_document", "run_build"}
    importlib.import_module("briefgen.batch.run")  # importing the stages must not shadow the API functions
    importlib.import_module("briefgen.render.context")
    assert callable(briefgen.render_document) and callable(briefgen.run_build)
