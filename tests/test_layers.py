"""The house has no cycles: every import goes to the same layer or a lower one (docs/concepts.md)."""

from __future__ import annotations

import ast
import re

from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "spie_occitanie"


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (``spie_occitanie.model.dates``)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    return skipped


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports at run time, at any depth of its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def resolve(target: str) -> str | None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target or None

    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names
            ]
        for target in targets:
            if target.startswith("spie_occitanie"):
                resolved = resolve(target)
                if resolved is not None and resolved != name:
                    found.add(resolved)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def layers() -> list[list[str]]:
    """The layers written in docs/concepts.md, lowest first, as dotted prefixes."""
    text = (ROOT / "docs" / "concepts.md").read_text(encoding="utf-8")
    block = text.split("<!-- layers: lowest first -->", 1)[1].split("<!-- end of layers -->", 1)[0]
    found = []
    for line in block.strip().splitlines():
        names = re.findall(r"`([^`]+)`", line)
        found.append(["spie_occitanie" if n == "spie_occitanie" else f"spie_occitanie.{n}" for n in names])
    return found


def layer_of(module: str, order: list[list[str]]) -> int | None:
    """The layer of the longest prefix naming the module."""
    best: tuple[int, int] | None = None
    for number, names in enumerate(order):
        for prefix in names:
            named = module == prefix or module.startswith(prefix + ".")
            if named and (best is None or len(prefix) > best[1]):
                best = (number, len(prefix))
    return None if best is None else best[0]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle():
    assert [] == cycles(graph())


def test_every_module_is_in_a_layer():
    order = layers()
    assert [] == sorted(m for m in modules() if layer_of(m, order) is None)


def test_imports_go_down_the_layers():
    order = layers()
    upward = []
    for module, targets in graph().items():
        for target in targets:
            here, there = layer_of(module, order), layer_of(target, order)
            assert here is not None
            assert there is not None
            if there > here:
                upward.append(f"{module} (layer {here + 1}) imports {target} (layer {there + 1})")
    assert [] == sorted(upward)


def test_the_walker_sees_deferred_imports(tmp_path):
    """A function-level import counts; one under TYPE_CHECKING does not (so the test can fail)."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from spie_occitanie import cli\n"
        "def f():\n    from spie_occitanie.dataset import Dataset\n"
    )
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    known = {**modules(), "spie_occitanie.m": path}
    assert {"spie_occitanie.dataset"} == imports("spie_occitanie.m", path, known)
    assert [["a", "b"]] == cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}})


def test_every_exception_lives_in_errors_under_spie_error():
    """The library's exceptions are one hierarchy, in one module (frictionless's own check classes aside)."""
    import inspect

    from spie_occitanie import errors

    for name, path in modules().items():
        if name == "spie_occitanie.errors":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module-level classes: a frictionless plugin's are nested in functions
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                assert not any(b.endswith(("Error", "Exception")) for b in bases), f"{name}.{node.name}"
    for _, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, BaseException) and cls.__module__ == errors.__name__:
            assert issubclass(cls, errors.SpieError), cls
