"""Mutants and variants change the reference only through its documented extension points.

The reference's underscore names (its lock, its storage, its helpers) are internals: a
mutant or variant that reached into them would break whenever the reference is tidied,
and would hide which rule it really changes (issue 16). The check reads source with
``ast``, so it sees every access, called or not.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from voice_push_conformance.paths import ROOT
from voice_push_conformance.reference import ReferenceClient, ReferenceIssuer, ReferenceVoiceService
from voice_push_conformance.reference.registrations import RegistrationStore

PACKAGE = ROOT / "voice_push_conformance"
REFERENCE = PACKAGE / "reference"
SUBCLASSERS = (PACKAGE / "mutants", PACKAGE / "variants")
EXTENDED = (ReferenceIssuer, ReferenceVoiceService, ReferenceClient, RegistrationStore)
INSTANCE_ATTRIBUTES = {
    "lock",
    "registrations",
    "push_credentials",
    "api_keys",
    "account_sid",
    "context",
    "credentials",
    "env",
}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_names(source: str) -> set[str]:
    """Underscore names ``source`` defines: functions, classes, module and class constants, ``self._x`` attributes."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and _private(node.name):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and _private(node.id):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr):
            names.add(node.attr)
    return names


def hooks_named(cls: type) -> set[str]:
    """The attribute names ``cls``'s docstring offers as extension points (in double backticks; not class names)."""
    named = re.findall(r"``([A-Za-z_][A-Za-z0-9_]*)``", inspect.getdoc(cls) or "")
    return {name for name in named if not (name[0].isupper() and not name.isupper())}


def documented_hooks() -> set[str]:
    """Every name the reference classes' docstrings offer as an extension point."""
    return set().union(*(hooks_named(cls) for cls in EXTENDED))


def reaches_into(source: str, internals: set[str]) -> list[tuple[int, str]]:
    """(line, name) of each use in ``source`` of one of ``internals``: read, written, overridden or imported."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in internals:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.ClassDef):
            found += [
                (item.lineno, item.name)
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name in internals
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("voice_push_conformance.reference"):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name in internals]
    return sorted(found)


def _reference_internals() -> set[str]:
    defined = set().union(*(private_names(path.read_text(encoding="utf-8")) for path in REFERENCE.glob("*.py")))
    return defined - documented_hooks()


def test_the_check_finds_a_reach_into_the_reference_and_accepts_a_hook() -> None:
    reference = "class R:\n    def __init__(self):\n        self._lock = 1\n    def _store(self, k):\n        pass\n"
    internals = private_names(reference)
    assert internals == {"_lock", "_store"}
    subclass = (
        "from voice_push_conformance.reference.service import _store\n"
        "class M(R):\n"
        "    def _store(self, k):\n"
        "        with self._lock:\n"
        "            self.registrations.put(k, self._own)\n"
    )
    assert reaches_into(subclass, internals) == [(1, "_store"), (3, "_store"), (4, "_lock")]


def test_the_reference_has_internals_for_the_check_to_guard() -> None:
    assert {"_calls_lock", "_bindings", "_http", "_bridge_secret"} <= _reference_internals()


@pytest.mark.parametrize(
    "path", sorted(p for d in SUBCLASSERS for p in d.glob("*.py")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_mutants_and_variants_use_only_the_documented_extension_points(path: Path) -> None:
    found = reaches_into(path.read_text(encoding="utf-8"), _reference_internals())
    assert not found, f"{path.relative_to(ROOT)} reaches into reference internals (use a documented hook): {found}"


def test_every_documented_extension_point_exists() -> None:
    missing = [
        f"{cls.__name__}.{name}"
        for cls in EXTENDED
        for name in sorted(hooks_named(cls))
        if not hasattr(cls, name) and name not in INSTANCE_ATTRIBUTES
    ]
    assert not missing, f"class docstrings name extension points that do not exist: {missing}"


def test_the_adapter_guide_lists_every_extension_point() -> None:
    """docs/python-adapter.md's table is where vendors look: every documented hook, and every token rule, is in it."""
    from voice_push_conformance.reference.access import AccessTokenRules  # noqa: PLC0415

    guide = (ROOT / "docs" / "python-adapter.md").read_text(encoding="utf-8")
    token_rules = {name for name in vars(AccessTokenRules) if not name.startswith("_")}
    hooks = (documented_hooks() - hooks_named(RegistrationStore)) | token_rules
    assert sorted(h for h in hooks if f"`{h}`" not in guide) == []
