"""The layout rules of docs/architecture.md, checked on the source tree.

- No file in model/ over 400 lines (a short list of TODO exceptions, printed as warnings).
- Imports point one way: foundation -> data -> params -> sim -> checks -> observe -> fit ->
  scenarios -> api -> cli; text extraction is a side room (data -> extract -> api/cli).
  Function-local and TYPE_CHECKING imports count too: a lazy import is fine for speed, never
  to reach a later room.
- The import graph of the package has no cycle, again counting every import.
- Only ``rebound`` lands in site-packages, and every subpackage folder is packaged.
- Tests reach the shared collection (``../shared``) only through tests/conftest.py.
"""

from __future__ import annotations

import ast
import re
import tomllib
import warnings
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "model"
MAX_LINES = 400

# Files owned by others that are being rewritten; each must come under the limit and leave this list.
TODO_LONG: dict[str, str] = {}

# Imports against the arrows in files owned by others that are being rewritten (printed as warnings).
TODO_IMPORTS: dict[tuple[str, str], str] = {}

ORDER = ["foundation", "data", "params", "sim", "checks", "observe", "fit", "scenarios", "api", "cli"]
SIDE_ROOMS = {"extract": {"foundation", "data"}}  # may import these; only api and cli import it
FOUNDATION = {"rebound.version", "rebound.units", "rebound.problems", "rebound.writers"}
TOP_LEVEL = {"rebound": "api", "rebound.api": "api", "rebound.__main__": "cli", "rebound.checks": "checks"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(MODEL).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["rebound", *parts])


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(MODEL.rglob("*.py"))}


def room_of(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    if module in TOP_LEVEL:
        return TOP_LEVEL[module]
    return module.split(".")[1]


def may_import(src: str, dst: str) -> bool:
    if src == dst:
        return True
    if src in SIDE_ROOMS:
        return dst in SIDE_ROOMS[src]
    if dst in SIDE_ROOMS:
        return src in ("api", "cli")
    return ORDER.index(dst) < ORDER.index(src)


def _resolve(base: str, name: str) -> str:
    """``from base import name``: the submodule if ``name`` is one, else ``base``."""
    sub = f"{base}.{name}"
    return sub if sub in modules() else base


def _absolute(module: str, level: int, target: str | None) -> str:
    pkg = module.split(".")
    if modules()[module].name != "__init__.py":
        pkg = pkg[:-1]
    pkg = pkg[: len(pkg) - (level - 1)] if level > 1 else pkg
    return ".".join(pkg + ([target] if target else []))


def imports_in(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """(line, imported rebound module) for every import in ``tree``, wherever it stands."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "rebound"]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node.level, node.module) if node.level else (node.module or "")
            if base.split(".")[0] == "rebound":
                out += [(node.lineno, _resolve(base, a.name)) for a in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.startswith("rebound"):
                out.append((node.lineno, arg.value))
    return [(line, m) for line, m in out if m in modules()]


@cache
def imports_of(module: str) -> list[tuple[int, str]]:
    return imports_in(ast.parse(modules()[module].read_text(encoding="utf-8")), module)


def test_rooms_cover_every_module() -> None:
    rooms = {room_of(m) for m in modules()}
    assert rooms <= set(ORDER) | set(SIDE_ROOMS), rooms - set(ORDER) - set(SIDE_ROOMS)


def test_no_file_over_400_lines() -> None:
    too_long, todo = [], []
    for path in modules().values():
        rel = path.relative_to(ROOT).as_posix()
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            (todo if rel in TODO_LONG else too_long).append(f"{rel}: {n} lines")
    for rel in sorted(set(TODO_LONG) - {t.split(":")[0] for t in todo}):
        print(f"TODO list: {rel} is within {MAX_LINES} lines now; take it off TODO_LONG")
    for item in todo:
        warnings.warn(f"TODO exception to the {MAX_LINES}-line rule: {item} ({TODO_LONG[item.split(':')[0]]})", stacklevel=1)
        print(f"TODO: {item}")
    assert too_long == [], f"split these by job (docs/architecture.md): {too_long}"


def test_imports_point_only_to_earlier_rooms() -> None:
    bad = []
    for module, path in modules().items():
        src = room_of(module)
        for line, target in imports_of(module):
            if (module, target) in TODO_IMPORTS:
                warnings.warn(f"TODO exception to the arrows: {path.relative_to(ROOT)}:{line} imports {target} ({TODO_IMPORTS[module, target]})", stacklevel=1)
                print(f"TODO: {path.relative_to(ROOT)}:{line}: {src} imports {target}")
                continue
            if not may_import(src, room_of(target)):
                bad.append(f"{path.relative_to(ROOT)}:{line}: {src} imports {target} ({room_of(target)})")
    assert bad == [], "imports must point data -> params -> sim -> checks -> observe -> fit -> scenarios -> api -> cli:\n" + "\n".join(bad)


def import_graph() -> dict[str, list[str]]:
    return {m: sorted({t for _, t in imports_of(m) if t != m}) for m in modules()}


def find_cycle(graph: dict[str, list[str]]) -> list[str]:
    """One cycle of ``graph`` as a list of nodes (first = last), or []."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(m: str) -> list[str]:
        state[m] = 1
        stack.append(m)
        for t in graph.get(m, []):
            if state.get(t) == 1:
                return [*stack[stack.index(t) :], t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return []

    for m in graph:
        if m not in state:
            found = visit(m)
            if found:
                return found
    return []


def test_import_graph_has_no_cycle_not_even_through_function_local_imports() -> None:
    assert find_cycle(import_graph()) == []


def test_layout_checker_sees_function_local_imports_and_cycles() -> None:
    """What the old params <-> guards knot looked like is caught: a lazy import inside a
    function still counts, both as an arrow and as an edge of the graph."""
    old_guards = "def _give_back(p):\n    from rebound.sim.calendar import Calendar\n    from rebound.params.load import get_path\n"
    found = [t for _, t in imports_in(ast.parse(old_guards), "rebound.params.guards")]
    assert found == ["rebound.sim.calendar", "rebound.params.load"]
    assert not may_import("params", room_of("rebound.sim.calendar"))
    knot = {"rebound.params.load": ["rebound.params.guards"], "rebound.params.guards": ["rebound.params.load"]}
    assert find_cycle(knot) == ["rebound.params.load", "rebound.params.guards", "rebound.params.load"]
    assert not may_import("fit", "api") and not may_import("extract", "params") and not may_import("sim", "checks")
    assert may_import("cli", "extract") and may_import("scenarios", "fit") and may_import("checks", "sim")
    assert "rebound.api" in {t for _, t in imports_of("rebound")}  # importlib.import_module in rebound/__init__


def test_only_rebound_is_installed_and_every_folder_is_packaged() -> None:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    tool = cfg["tool"]["setuptools"]
    assert tool["package-dir"] == {"rebound": "model"}
    packages = set(tool["packages"])
    assert all(p == "rebound" or p.startswith("rebound.") for p in packages)
    folders = {module_name(p.parent / "__init__.py") for p in MODEL.rglob("__init__.py")}
    assert folders == packages
    assert cfg["project"]["scripts"] == {"rebound": "rebound.cli.main:main"}


def test_architecture_doc_names_every_room() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for folder in sorted(p.parent.name for p in MODEL.glob("*/__init__.py")):
        assert f"── {folder}/" in doc, f"docs/architecture.md: add model/{folder}/ to the tree"
    for path in sorted(MODEL.glob("*.py")):
        assert path.name in doc, f"docs/architecture.md: add model/{path.name} to the tree"


def test_tests_reach_the_shared_collection_only_through_conftest() -> None:
    pattern = re.compile(r"""["']shared["']\s*[/,)]|\.\./shared""")
    offenders = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        if path.name in ("conftest.py", "test_layout.py"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == [], "use conftest.shared_path / needs_shared / shared_file:\n" + "\n".join(offenders)
