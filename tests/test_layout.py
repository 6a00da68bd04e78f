"""The layout's rules, read from the source: one-way imports, public names, literal docstrings.

Every module of geoseg is parsed (not imported); imports inside functions count, imports
under ``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

#: Pairs of packages allowed to import each other: none.
KNOWN_CYCLES: set[frozenset[str]] = set()


def _modules(top: str) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``) for every file under ``top``."""
    out = {}
    for path in sorted((REPO / top).rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, package)
    return out


def _imports(name: str, path: Path, package: bool) -> Iterator[tuple[str, str | None, int]]:
    """``(module, imported name or None, line)`` of every import that runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                yield source, alias.name, node.lineno


def _package(module: str, modules: dict[str, tuple[Path, bool]]) -> str:
    """``geoseg.x`` for a module of the package ``geoseg/x/``; a top-level module is its own."""
    parts = module.split(".")
    head = ".".join(parts[:2])
    return head if head in modules and modules[head][1] else module


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(comp)

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def test_packages_do_not_import_each_other_in_a_cycle():
    modules = _modules("geoseg")
    graph: dict[str, set[str]] = {}
    for name, (path, package) in modules.items():
        own = _package(name, modules)
        for source, _, _ in _imports(name, path, package):
            if not source.startswith("geoseg.") or own == "geoseg":
                continue
            other = _package(source, modules)
            if other not in (own, "geoseg"):
                graph.setdefault(own, set()).add(other)
    cycles = [c for c in _cycles(graph) if frozenset(c) not in KNOWN_CYCLES]
    assert cycles == []


@pytest.mark.parametrize("top", ["geoseg", "tests", "benchmarks"])
def test_no_private_name_is_taken_from_another_package(top):
    modules = _modules("geoseg")
    taken = []
    for name, (path, package) in _modules(top).items():
        own = _package(name, modules) if top == "geoseg" else top
        for source, imported, line in _imports(name, path, package):
            if not source.startswith("geoseg"):
                continue
            dotted = f"{source}.{imported}" if imported else source
            private = any(p.startswith("_") and not p.startswith("__") for p in dotted.split("."))
            if private and _package(source, modules) != own:
                taken.append(f"{path.relative_to(REPO)}:{line}: {dotted}")
    assert taken == []


def test_every_module_declares_its_public_names():
    missing = []
    for path, _ in _modules("geoseg").values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = [
            t
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        ]
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            missing.append(str(path.relative_to(REPO)))
    assert missing == []


def test_docstrings_are_written_not_assembled():
    assembled = []
    for path, _ in _modules("geoseg").values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign | ast.AnnAssign)
                else []
            )
            if any(isinstance(t, ast.Attribute) and t.attr == "__doc__" for t in targets):
                assembled.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert assembled == []


def test_no_test_turns_an_import_or_an_error_into_a_skip():
    found = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_handler = {
            id(n) for h in ast.walk(tree) if isinstance(h, ast.ExceptHandler) for n in ast.walk(h)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = ast.unparse(node.func)
            if func.endswith("importorskip") or (func.endswith("skip") and id(node) in in_handler):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {func}")
    assert found == []
