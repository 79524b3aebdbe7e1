"""The layout shows the architecture: layers import only downwards, and nothing imports in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

LIB = ROOT / "lib" / "ecoscore"
#: Each package may import the packages on its own or a lower line (see docs/architecture.md).
LAYERS = [
    {"paths", "errors", "atomic", "cells", "words", "rules", "__init__"},
    {"spec"},
    {"facts", "scoring"},
    {"whatif"},
    {"reports"},
    {"batch", "app"},
    {"cli"},
]
LEVEL = {name: k for k, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(LIB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every ``ecoscore`` module ``path`` imports, at any depth of the file (lazy imports included)."""
    out = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for top in ast.walk(tree) if isinstance(top, ast.If)
                   and getattr(top.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(top)}
    for node in ast.walk(tree):
        if id(node) in typing_only:  # annotations only: not imported at run time
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ecoscore") and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if (LIB.parent / (sub.replace(".", "/") + ".py")).exists()
                        or (LIB.parent / sub.replace(".", "/")).is_dir() else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("ecoscore")}
    return out


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in LIB.rglob("*.py") if "fonts" not in p.parts}


def layer(module: str) -> int:
    parts = module.split(".")
    return LEVEL[parts[1]] if len(parts) > 1 else 0


def test_layers_import_only_downwards():
    # the package root is the public façade: it re-exports from every layer
    bad = [(m, i) for m, deps in graph().items() if m != "ecoscore" for i in deps if layer(i) > layer(m)]
    assert bad == []


def test_no_import_cycles():
    g = graph()
    # a package's __init__ that only re-exports its own modules is part of that package
    def deps(m):
        return {d for d in g.get(m, ()) if d != m and not (m.startswith(d + ".") and d in g)}

    seen, stack, cycles = set(), [], []

    def visit(m):
        if m in stack:
            cycles.append(stack[stack.index(m):] + [m])
            return
        if m in seen:
            return
        seen.add(m)
        stack.append(m)
        for d in deps(m):
            visit(d)
        stack.pop()

    for m in g:
        visit(m)
    assert cycles == []


def test_no_flat_module_soup():
    top = sorted(p.stem for p in LIB.glob("*.py"))
    assert top == ["__init__", "atomic", "cells", "errors", "paths", "words"]
