"""The kill matrix: every mutant must make the suite fail its own requirement.

Each mutant runs the whole conformance suite in a subprocess (so runs cannot share
state) and the verdict file says which requirements failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from voice_push_conformance import catalogue, mutants
from voice_push_conformance.paths import ROOT

EXPECTED = {"must": "fail", "should": "warn", "informative": "informative"}


def run_suite(target: str, out: Path) -> dict[str, object]:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "steps",
            "-q",
            "-p",
            "no:randomly",
            "--target",
            target,
            "--seed",
            "20261125",
            "--verdict-file",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.exists(), (
        f"the suite wrote no verdicts for {target}:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    )
    document: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    document["exit_status"] = completed.returncode
    return document


@pytest.mark.slow
def test_reference_passes_everything(tmp_path: Path) -> None:
    result = run_suite("reference", tmp_path / "verdicts.json")
    requirements = result["requirements"]
    assert isinstance(requirements, dict)
    not_passing = {req: v for req, v in requirements.items() if v != "pass"}
    assert not not_passing, f"the reference implementation does not pass: {not_passing}"
    assert result["exit_status"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(mutants.CATALOGUE))
def test_mutant_is_killed(name: str, tmp_path: Path) -> None:
    mutant = mutants.get(name)
    level = catalogue.load()[mutant.breaks].level
    result = run_suite(f"mutant:{name}", tmp_path / "verdicts.json")
    requirements = result["requirements"]
    assert isinstance(requirements, dict)
    verdict = requirements.get(mutant.breaks)
    assert verdict == EXPECTED[level], (
        f"mutant {name} ({mutant.description}) survives: requirement {mutant.breaks} is {verdict!r}, "
        f"expected {EXPECTED[level]!r}. All verdicts: {requirements}"
    )


def test_every_mutant_names_a_catalogued_requirement() -> None:
    known = catalogue.load()
    unknown = {m.name: m.breaks for m in mutants.CATALOGUE.values() if m.breaks not in known}
    assert not unknown, f"mutants name requirements missing from requirements.toml: {unknown}"
