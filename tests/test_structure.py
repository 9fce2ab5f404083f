"""The package's shape: no import cycles, dependencies pointing one way, no oversized function or class.

Read from the source (every import statement, at module level or inside a function), so a cycle that
only closes inside a function, where it would first bite at run time, is caught too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
APP = ROOT / "app"
MAX_FUNCTION_LINES = 60
MAX_CLASS_LINES = 250


def _module_name(path: Path) -> str:
    # The source folder app/ installs as the package zhaiyao.
    parts = ("zhaiyao", *path.relative_to(APP).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(APP.rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """The package modules ``name`` imports (``from zhaiyao.x import y`` counts as zhaiyao.x.y if a module)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _layer(module: str) -> str:
    for prefix, layer in (
        ("zhaiyao.cli", "shell"),
        ("zhaiyao.__main__", "shell"),
        ("zhaiyao.viewer", "shell"),
        ("zhaiyao.runtime", "runtime"),
        ("zhaiyao.summarise", "summarise"),
    ):
        if module == prefix or module.startswith(prefix + ".") or module.startswith(prefix + "_"):
            return layer
    return "base" if module in BASE else "pipeline"


# Modules everything may use: values, settings, errors, text rules, model files.
BASE = {
    "zhaiyao",
    "zhaiyao.errors",
    "zhaiyao.config",
    "zhaiyao.documents",
    "zhaiyao.text.rouge",
    "zhaiyao.manifest",
    "zhaiyao.text.sentences",
    *(m for m in MODULES if m == "zhaiyao.weights" or m.startswith("zhaiyao.weights.")),
}
# Which layers a layer may import. cli/viewer → pipeline → summarise → runtime; base under all.
ALLOWED = {
    "shell": {"shell", "pipeline", "summarise", "runtime", "base"},
    "pipeline": {"pipeline", "summarise", "runtime", "base"},
    "summarise": {"summarise", "runtime", "base"},
    "runtime": {"runtime", "base"},
    "base": {"base", "runtime"},  # weights names the int8 copy it must not delete
}


def test_no_import_cycle_in_the_package() -> None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if target.startswith(module + "."):
                continue  # a package's __init__ re-exporting its own modules is not a cycle
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if state.get(target) is None:
                visit(target)
        path.pop()
        state[module] = 2

    for module in MODULES:
        if module not in state:
            visit(module)


def test_dependencies_point_one_way() -> None:
    wrong = [
        f"{module} ({_layer(module)}) imports {target} ({_layer(target)})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if _layer(target) not in ALLOWED[_layer(module)] and target != "app"
    ]
    assert not wrong, "\n".join(wrong)


def test_every_module_imports_on_its_own_in_a_fresh_interpreter() -> None:
    # The Streamlit page and `python -m zhaiyao` run themselves on import; the rest must import cleanly,
    # in any order.
    names = [m for m in MODULES if m not in ("zhaiyao.viewer.page", "zhaiyao.__main__")]
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    for chunk in (names, names[::-1]):
        done = subprocess.run(
            [sys.executable, "-c", code, *chunk], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]


def test_no_function_or_class_is_too_long() -> None:
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                limit = MAX_CLASS_LINES if isinstance(node, ast.ClassDef) else MAX_FUNCTION_LINES
                if lines > limit:
                    long.append(f"{name}:{node.lineno} {node.name}: {lines} lines (limit {limit})")
    assert not long, "\n".join(long)
