"""Count ``Any`` in the public signatures of geoseg.

A signature is public when its function (or class) is listed in the ``__all__`` of a module
whose path has no private (``_name``) part, or is a public method of such a class. Every
parameter or return annotation that mentions ``Any`` counts once.

Usage: ``python .ci/count_any.py [--list]`` from the repository root.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path


def _mentions_any(node: ast.expr | None) -> bool:
    if node is None:
        return False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id == "Any":
            return True
        if isinstance(sub, ast.Attribute) and sub.attr == "Any":
            return True
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and "Any" in sub.value:
            return True
    return False


def _slots(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, ast.expr | None]]:
    a = fn.args
    params = [*a.posonlyargs, *a.args, *a.kwonlyargs]
    if a.vararg:
        params.append(a.vararg)
    if a.kwarg:
        params.append(a.kwarg)
    return [(p.arg, p.annotation) for p in params] + [("return", fn.returns)]


def _exported(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = node.value
                if isinstance(value, ast.List | ast.Tuple):
                    return {e.value for e in value.elts if isinstance(e, ast.Constant)}
    return set()


def count(root: Path) -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent)
        if any(p.startswith("_") and p != "__init__.py" for p in rel.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        public = _exported(tree)
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        for node in tree.body:
            name = getattr(node, "name", None)
            if name is None or name not in public:
                continue
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                fns = [(name, node)]
            elif isinstance(node, ast.ClassDef):
                fns = [
                    (f"{name}.{m.name}", m)
                    for m in node.body
                    if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)
                    and (not m.name.startswith("_") or m.name == "__init__")
                ]
            else:
                continue
            for qual, fn in fns:
                for slot, ann in _slots(fn):
                    if _mentions_any(ann):
                        found.append((module, qual, slot))
    return found


def main() -> None:
    found = count(Path("geoseg"))
    by_module = Counter(m for m, _, _ in found)
    if "--list" in sys.argv:
        for m, q, s in found:
            print(f"{m}.{q}: {s}")
    for m, n in by_module.most_common():
        print(f"{n:4d}  {m}")
    print(f"{len(found)} Any in {len({(m, q) for m, q, _ in found})} public signatures")


if __name__ == "__main__":
    main()
