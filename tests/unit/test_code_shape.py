"""The shape the code keeps (ARCHITECTURE.md): small modules and functions, and every
public name defined once, so that a name found in one module means one thing."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ("bot", "brief", "storage")
MODULE_LINES = 350
FUNCTION_LINES = 45  # declarations and decorators included
# Names every module of a kind defines on purpose: its logger, and a handler module's
# registration function, which bot/app.py calls by module (`reader.handlers()`).
CONVENTIONS = frozenset({"log", "handler", "handlers"})


def modules() -> Iterator[tuple[str, ast.Module, int]]:
    for package in PRODUCTION:
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            yield str(path.relative_to(ROOT)), ast.parse(text), len(text.splitlines())


def public_names(tree: ast.Module) -> Iterator[str]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        else:
            continue
        yield from (name for name in names if not name.startswith("_"))


def test_no_module_passes_its_line_limit() -> None:
    long = {name: lines for name, _, lines in modules() if lines > MODULE_LINES}
    assert long == {}


def test_no_function_passes_its_line_limit() -> None:
    long = {}
    for name, tree, _ in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - first + 1
                if length > FUNCTION_LINES:
                    long[f"{name}:{node.name}"] = length
    assert long == {}


def test_every_public_name_is_defined_once() -> None:
    where: defaultdict[str, list[str]] = defaultdict(list)
    for name, tree, _ in modules():
        for public in public_names(tree):
            where[public].append(name)
    twice = {n: found for n, found in where.items() if len(found) > 1 and n not in CONVENTIONS}
    assert twice == {}


def test_the_checks_see_what_they_check() -> None:
    """Guards the tests above from passing on nothing: the tree is read, names found."""
    found = {name: lines for name, _, lines in modules()}
    assert "bot/app.py" in found
    assert len(found) > 100
    tree = ast.parse("def f(): pass\nclass C: pass\nX = 1\n_y = 2\n")
    assert list(public_names(tree)) == ["f", "C", "X"]
