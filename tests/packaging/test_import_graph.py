"""Imports flow one way: no part of the package imports a part that depends on it.

The graph is read from the source with `ast` (imports inside functions and under
TYPE_CHECKING included: a lazy import is still a dependency), not from sys.modules,
so an import on a path no test happens to run is still seen.
"""

from __future__ import annotations

import ast
import itertools
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"  # installed as the package `qunce`; engine/cli.py links to cli.py
PACKAGE = "qunce"

# Cycles tolerated, each as the set of parts that import each other: none. A cycle is tolerated
# only when its parts are exactly an entry, and an entry that is no longer a cycle fails the test
# too, so this list cannot grow by accident nor go stale.
KNOWN: frozenset[frozenset[str]] = frozenset()


@dataclass(frozen=True, slots=True)
class Site:
    """Where one import statement is written."""

    file: Path
    line: int

    def __str__(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line}"


Graph = dict[str, dict[str, list[Site]]]  # part → part it imports → the statements doing it


def module_name(path: Path) -> str:
    """The dotted name a file under engine/ is imported as (its package, for __init__.py)."""
    parts = [PACKAGE, *path.relative_to(ENGINE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Every module (or `from` target plus each name, which may be a submodule) a file imports."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                # `from .` is the file's own package; each further dot goes one package up
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield target, node.lineno
            for alias in node.names:
                yield f"{target}.{alias.name}", node.lineno


def part_of(module: str, parts: set[str]) -> str | None:
    """The part of the package (first component below qunce) a module belongs to, if any."""
    pieces = module.split(".")
    if pieces[0] != PACKAGE or len(pieces) < 2 or pieces[1] not in parts:
        return None  # not ours, or `qunce` itself, or a name imported from it that is no part
    return pieces[1]


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def engine_parts() -> set[str]:
    """Each subpackage and each top-level module of the package (cli among them)."""
    return {p.name if p.is_dir() else p.stem for p in ENGINE.iterdir()
            if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")}


def import_graph() -> Graph:
    """Edges between the package's parts, each with the import statements that make it."""
    parts = engine_parts()
    graph: Graph = {part: {} for part in parts}
    for path in python_files(ENGINE):
        source = part_of(module_name(path), parts)
        if source is None:
            continue  # engine/__init__.py: the package itself, no part
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for module, line in imported_modules(path, tree):
            target = part_of(module, parts)
            if target is not None and target != source:
                sites = graph[source].setdefault(target, [])
                if Site(path, line) not in sites:
                    sites.append(Site(path, line))
    return graph


def cyclic_components(graph: Graph) -> list[frozenset[str]]:
    """The strongly connected components with more than one part (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


def shortest_cycle(graph: Graph, component: frozenset[str]) -> list[str]:
    """One shortest cycle through the component's first part (by name), as a path back to it."""
    start = min(component)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(graph[node]):
            if successor not in component:
                continue
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if successor not in came_from:
                came_from[successor] = node
                queue.append(successor)
    raise AssertionError(f"{sorted(component)} is no cycle")  # a component always holds one


def describe(graph: Graph, component: frozenset[str]) -> str:
    cycle = shortest_cycle(graph, component)
    lines = [f"{' → '.join(cycle)}  (parts in the cycle: {', '.join(sorted(component))})"]
    for source, target in itertools.pairwise(cycle):
        lines.append(f"  {source} → {target}:")
        lines.extend(f"    {site}" for site in graph[source][target])
    return "\n".join(lines)


def test_relative_imports_resolve_to_their_part() -> None:
    # Guards the walk itself: a misresolved import would hide an edge from the cycle test.
    source = """
from . import fmt
from ...errors import UsageError
from .. import tables
from ... import catalog, checks as c
import qunce.simulate.run, json


def later() -> None:
    from ...events.roster import Roster
"""
    path = ENGINE / "compile" / "docs" / "example.py"  # parsed only, never read
    found = {module for module, _ in imported_modules(path, ast.parse(source))}
    assert {part_of(module, engine_parts()) for module in found} == {
        "compile", "errors", "catalog", "checks", "simulate", "events", None}
    assert {"qunce.compile.docs.fmt", "qunce.errors", "qunce.compile.tables", "qunce.catalog", "qunce.checks",
            "qunce.events.roster"} <= found


def test_the_graph_sees_the_package() -> None:
    # An empty graph, or one missing the parts, would pass the cycle test.
    graph = import_graph()
    assert {"checks", "diagnostics", "model", "events", "simulate", "cli", "validation", "commands", "catalog",
            "event_contract", "codes_catalog"} <= set(graph)
    assert Site(ENGINE / "checks" / "__init__.py", 5) in graph["checks"]["diagnostics"]
    assert "checks" in graph["codes_catalog"]  # `from . import checks`: a part imported by name
    assert "event_contract" in graph["schema"]  # imported inside a function only
    assert "compile" not in graph["compile"]  # imports within a part are no edges


def test_no_import_cycles_between_the_package_parts() -> None:
    graph = import_graph()
    components = cyclic_components(graph)
    unknown = [c for c in components if c not in KNOWN]
    assert not unknown, "import cycles between the package's parts:\n" + "\n".join(
        describe(graph, c) for c in unknown)
    stale = sorted(sorted(entry) for entry in KNOWN - set(components))
    assert not stale, f"no longer a cycle, remove from KNOWN: {stale}"


def test_tests_and_bench_import_the_package_by_its_one_name() -> None:
    # The repository folders are engine/ and cli.py, but only `qunce` is installed: `engine` or
    # `cli` would import a neighbour's package or nothing at all outside this checkout.
    wrong: list[str] = []
    for path in [*python_files(ROOT / "tests"), *python_files(ROOT / "bench")]:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            wrong.extend(f"{Site(path, node.lineno)}: {name}" for name in names
                         if name.split(".")[0] in ("engine", "cli"))
    assert wrong == []
