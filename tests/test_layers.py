"""The package's folders are layers: a module imports only from its own layer or the ones below,
and module-level imports form no cycle. docs/architecture.md draws the same layers; this
test keeps the drawing true."""

from __future__ import annotations

import ast
from pathlib import Path

from voice_push_conformance.paths import ROOT

PACKAGE = "voice_push_conformance"
# Lowest first. A top-level module or a sub-package is one unit; each unit sits in one layer.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"__init__", "paths", "clock", "secrecy", "schemas", "data", "credentials", "target", "stepkit"}),
    frozenset({"codecs", "judging"}),  # wire formats and the rules for judging: pure data in, data out
    frozenset({"reference", "observers"}),  # the reference, and what the suite plays for a candidate
    frozenset({"mutants", "variants", "vectors", "token_vectors", "world"}),
    frozenset({"bindings"}),  # how a candidate is reached: --target, the HTTP harness both ends
    frozenset({"report"}),
    frozenset({"plugin", "pytest_plugin"}),
    frozenset({"tools", "cli", "__main__"}),
)


def _unit(module: str) -> str:
    """``voice_push_conformance.observers.fcm`` -> ``observers``; the package itself -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _modules() -> dict[str, Path]:
    base = ROOT / PACKAGE
    if not base.is_dir():  # an installed wheel: the package sits beside its _suite data
        base = Path(str(__import__(PACKAGE).__file__)).parent
    found = {}
    for path in sorted(base.rglob("*.py")):
        rel = path.relative_to(base.parent).with_suffix("")
        if "_suite" in rel.parts:
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(path: Path, known: dict[str, Path], *, top_level_only: bool) -> set[str]:
    """The package modules ``path`` imports (``from pkg import mod`` counts as importing ``mod``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == PACKAGE:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known.keys()
            found |= submodules or ({node.module} & known.keys())
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names} & known.keys()
    return found


def _layer(unit: str) -> int:
    for index, members in enumerate(LAYERS):
        if unit in members:
            return index
    raise AssertionError(f"{unit!r} is in no layer: add it to LAYERS (and to docs/architecture.md)")


def test_every_unit_has_a_layer() -> None:
    units = {_unit(m) for m in _modules()}
    assert sorted(u for u in units if not any(u in layer for layer in LAYERS)) == []
    assert sorted(u for layer in LAYERS for u in layer if u not in units) == [], "a layer names a unit that is gone"


def test_nothing_imports_upward() -> None:
    """Lazy imports inside functions count too: they are dependencies all the same."""
    known = _modules()
    upward = []
    for module, path in known.items():
        here = _layer(_unit(module))
        for imported in _imports(path, known, top_level_only=False):
            if _layer(_unit(imported)) > here:
                upward.append(f"{module} -> {imported}")
    assert sorted(upward) == []


def test_module_level_imports_have_no_cycle() -> None:
    known = _modules()
    graph = {m: _imports(p, known, top_level_only=True) - {m} for m, p in known.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 finished

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert [" -> ".join(c) for c in cycles] == []


def test_the_architecture_page_names_every_unit() -> None:
    """docs/architecture.md's layer table names each folder and top-level module of the package."""
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    units = {_unit(m) for m in _modules()} - {"__init__"}
    missing = sorted(u for u in units if f"`{u}/" not in page and f"`{u}.py`" not in page)
    assert missing == [], f"not on the architecture page: {missing}"
