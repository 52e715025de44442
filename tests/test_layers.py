"""The import graph: four layers with one-way arrows, no cycles between modules.

``sim`` (physics on arrays) < ``buildings`` (sources -> twin) < ``scenarios`` (catalogue,
policy, plans, scenario runs, their outputs and readers) < ``api`` (the ways in). A module
may import its own layer and the layers below it, never one above; and no two modules import
each other, directly or around a loop (imports inside functions count too: they only hide a
cycle). The notebooks are research code on the library: they import ``sim``, ``buildings`` and
``scenarios``, never ``api``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("sim", "buildings", "scenarios", "api")


def _imports(source: str) -> set[str]:
    """Modules of the four packages imported anywhere in ``source`` (``from a import b``: ``a``
    and, when ``a.b`` is a module of ours, ``a.b``)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in out if m.split(".")[0] in LAYERS}


def _modules() -> dict[str, set[str]]:
    found = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = _imports(path.read_text(encoding="utf-8"))
    # keep only edges to modules that exist (``from a import name`` of a function)
    return {m: {d for d in deps if d in found and d != m} for m, deps in found.items()}


def test_every_import_points_to_the_same_layer_or_one_below() -> None:
    wrong = [
        f"{module} imports {dep}"
        for module, deps in _modules().items()
        for dep in deps
        if LAYERS.index(dep.split(".")[0]) > LAYERS.index(module.split(".")[0])
    ]
    assert wrong == []


def test_no_module_imports_itself_around_a_loop() -> None:
    graph = _modules()
    # strongly connected components (Tarjan); a component of more than one module is a cycle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
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
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_graph_is_read_from_real_imports() -> None:
    # the checks above would pass on an empty graph: the known arrows must be found
    graph = _modules()
    assert "sim.core" in graph["scenarios.candidates"]
    assert "scenarios.household" in graph["api.service"]
    assert "buildings.twin" in graph["scenarios.pipeline"]


def test_notebooks_import_only_the_library_below_the_service() -> None:
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        lines = [ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        used = _imports("\n".join(lines))
        assert not [m for m in used if m.split(".")[0] == "api"], path.name
