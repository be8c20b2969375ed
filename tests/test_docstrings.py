"""Every public top-level class and function of the package and the steps says why it exists.

A newcomer reads a module from its names and their one-line docstrings; a definition without
one is the first thing they trip over (issue 16). The check reads source with ``ast``, so it
imports nothing and sees exactly what a reader sees.
"""

from __future__ import annotations

import ast
from pathlib import Path

from voice_push_conformance.paths import ROOT

PACKAGE = ROOT / "voice_push_conformance"
SCANNED = (PACKAGE, ROOT / "steps")

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def undocumented(source: str) -> list[tuple[int, str]]:
    """(line, name) of each public top-level class or function in ``source`` without a docstring."""
    return [
        (node.lineno, node.name)
        for node in ast.parse(source).body
        if isinstance(node, Definition) and not node.name.startswith("_") and not ast.get_docstring(node)
    ]


def _scanned_files() -> list[Path]:
    return sorted(path for directory in SCANNED for path in directory.rglob("*.py"))


def test_the_check_finds_a_missing_docstring_and_accepts_a_present_one() -> None:
    source = (
        "def shown():\n    '''Why.'''\n\n"
        "def bare():\n    return 1\n\n"
        "class Plain:\n    x: int\n\n"
        "def _private():\n    pass\n\n"
        "class Told:\n    '''Why.'''\n"
    )
    assert undocumented(source) == [(4, "bare"), (7, "Plain")]


def test_every_public_top_level_definition_has_a_docstring() -> None:
    files = _scanned_files()
    assert len(files) > 20, f"expected the package and the steps, found only {files}"
    missing = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in files
        for line, name in undocumented(path.read_text(encoding="utf-8"))
    ]
    assert not missing, "add a one-line docstring saying why each exists:\n  " + "\n  ".join(missing)
