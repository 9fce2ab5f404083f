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
    """The modules ``name`` imports (``from zhaiyao.x import y`` counts as zhaiyao.x.y if a module)."""
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


# The rooms (packages of app/, and "base" for the root's modules), from the top floor down. A module
# imports modules of its own room or of rooms on lower floors; rooms side by side on one floor do not
# import each other. A new package must be given a floor here.
FLOORS: tuple[frozenset[str], ...] = tuple(
    frozenset(floor)
    for floor in (
        {"__main__"},
        {"cli"},
        {"viewer", "evaluate"},
        {"run", "stories"},
        {"sources"},
        {"split", "store", "export", "summarise"},
        {"weights"},
        {"runtime"},
        {"text"},
        {"base"},
    )
)
FLOOR = {room: height for height, floor in enumerate(reversed(FLOORS)) for room in floor}
MAX_ROOT_MODULES = 8
BACKEND_NAMES = {"llm", "seq2seq", "extractive", "lead"}
REGISTRY = "zhaiyao.summarise.registry"


def _room(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and (parts[1] == "__main__" or (APP / parts[1]).is_dir()):
        return parts[1]
    return "base"


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


def test_every_room_has_a_floor() -> None:
    rooms = {_room(module) for module in MODULES}
    assert rooms <= set(FLOOR), f"rooms without a floor in FLOORS: {sorted(rooms - set(FLOOR))}"


def test_rooms_import_only_downward() -> None:
    wrong = [
        f"{module} ({_room(module)}) imports {target} ({_room(target)})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if _room(target) != _room(module)
        and target != "zhaiyao"
        and FLOOR[_room(target)] >= FLOOR[_room(module)]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_root_keeps_only_the_shared_base() -> None:
    loose = sorted(p.name for p in APP.glob("*.py"))
    assert len(loose) <= MAX_ROOT_MODULES, f"{len(loose)} modules in app/: {loose}"


def test_every_package_says_what_it_owns_and_is_installed() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for init in sorted(APP.rglob("__init__.py")):
        package = _module_name(init)
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{package}: no docstring"
        assert f'"{package}"' in text, f"{package} is missing from pyproject's packages list"


def _mentions_backend(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Name) and "backend" in n.id)
        or (isinstance(n, ast.Attribute) and "backend" in n.attr)
        for n in ast.walk(node)
    )


def _backend_names_in(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in BACKEND_NAMES}


def test_no_backend_is_known_by_name_outside_the_registry() -> None:
    # What a backend needs (weights, a model name, a cache key) is asked of its registry entry:
    # a comparison of a backend's name with a literal elsewhere is knowledge in the wrong room.
    found = []
    for name, path in MODULES.items():
        if name == REGISTRY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and _mentions_backend(node):
                names = _backend_names_in(node)
                if names:
                    found.append(f"{name}:{node.lineno} compares a backend with {sorted(names)}")
    assert not found, "\n".join(found)


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


def test_commands_declare_the_settings_they_read() -> None:
    # A command's options reach it as its own parameters (the summariser's folded into one Overrides
    # value), never fished out of click's context where no signature shows them.
    readers = [
        f"{name}:{node.lineno}"
        for name, path in MODULES.items()
        if name.startswith("zhaiyao.cli")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "params"
    ]
    assert not readers, "ctx.params read at " + ", ".join(readers)


def test_the_readme_stays_a_front_page() -> None:
    # What it is, the two commands, inputs and outputs, commands, today's figures; the record is in docs/.
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 200, f"README.md has {lines} lines; move the record to docs/"


def test_a_page_walks_down_through_the_rooms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The static rules above read imports; this follows a real page from the command line to the
    # store (extractive backend, every call recorded) and checks each call between rooms goes down a
    # floor. The only calls up are to callbacks handed down (functions defined inside another one).
    from zhaiyao.cli import main

    monkeypatch.setenv("ZHAIYAO_DB", str(tmp_path / "walk.db"))
    app = str(APP.resolve()) + "/"
    crossings: dict[tuple[str, str, str], int] = {}

    def room_of(filename: str) -> str | None:
        if not filename.startswith(app):
            return None
        parts = Path(filename[len(app) :]).parts
        return parts[0] if len(parts) > 1 else "base"

    def profile(frame, event, arg) -> None:
        callee = room_of(frame.f_code.co_filename) if event == "call" else None
        if callee is None:
            return
        caller = frame.f_back
        while caller is not None and room_of(caller.f_code.co_filename) is None:
            caller = caller.f_back
        if caller is not None and room_of(caller.f_code.co_filename) != callee:
            key = (room_of(caller.f_code.co_filename), callee, frame.f_code.co_qualname)
            crossings[key] = crossings.get(key, 0) + 1

    page = ROOT / "examples" / "zhuzhou_front_page.txt"
    sys.setprofile(profile)
    try:
        main(
            ["batch", str(page), "--backend", "extractive", "-q"], prog_name="zhaiyao", standalone_mode=False
        )
    finally:
        sys.setprofile(None)
    rooms = {room for key in crossings for room in key[:2]}
    assert {"cli", "sources", "run", "split", "store", "summarise"} <= rooms
    upward = [
        f"{caller} → {callee}: {name}"
        for caller, callee, name in crossings
        if FLOOR[callee] >= FLOOR[caller] and "<locals>" not in name
    ]
    assert not upward, "\n".join(upward)
