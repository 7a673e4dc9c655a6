"""Imports flow one way (docs/internals.md): no module of ``runner`` imports one that imports it
back, directly or through others, counting imports inside functions too (a lazy import is still
a cycle), and no module imports another's private name."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "runner"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    private: list[str] = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                private += [
                    f"{name} imports {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and node.module.startswith("runner")
                ]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                if target in modules and target != name:
                    edges[name].add(target)
    return edges, private


def _part(module: str) -> str:
    """The part a module belongs to: ``runner.spool``, ``runner.http`` (all of runner/http/)."""
    return ".".join(module.split(".")[:2])


def test_runner_has_no_import_cycles_between_its_modules():
    edges, _ = _graph()
    cycles = []
    for start in sorted(edges):
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(edges[node]):
                # a subpackage's own modules (runner.http.app <-> runner.http) are one part
                if nxt != start and _part(nxt) == _part(start):
                    continue
                if nxt == start:
                    cycles.append(" -> ".join(path + [nxt]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    assert cycles == []


def test_no_module_imports_a_private_name_of_another():
    _, private = _graph()
    assert private == []
