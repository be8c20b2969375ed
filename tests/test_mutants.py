"""The mutant catalogue itself, and the kill matrix's verdict logic.

The matrix run (every mutant x the whole suite) is ``python -m
voice_push_conformance.tools.killmatrix``, which ``./suite selftest`` runs and prints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_suite
from voice_push_conformance import mutants
from voice_push_conformance.judging import catalogue
from voice_push_conformance.tools import killmatrix, runs


@pytest.mark.slow
def test_reference_passes_everything(tmp_path: Path) -> None:
    completed = run_suite("--seed", runs.SEED, verdict_file=tmp_path / "verdicts.json")
    assert completed.verdicts is not None, completed.tail()
    requirements = completed.verdicts["requirements"]
    not_passing = {req: v for req, v in requirements.items() if v != "pass"}
    assert not not_passing, f"the reference implementation does not pass: {not_passing}"
    assert completed.returncode == 0


@pytest.mark.slow
def test_one_mutant_is_killed_and_reported(tmp_path: Path) -> None:
    row = killmatrix.run_mutant("token-wrong-secret", "", tmp_path)
    assert row.killed, row
    assert row.got == "fail"
    assert "token-wrong-secret" in killmatrix.render([row], [])


def test_a_survivor_and_an_unproven_requirement_are_reported() -> None:
    survivor = killmatrix.Row("m", "TOKEN-HEADER", "fail", "pass", (), 0.1)
    text = killmatrix.render([survivor], ["LATE-DISCARD"])
    assert "SURVIVED" in text
    assert "survivors: m" in text
    assert "requirements no mutant breaks: LATE-DISCARD" in text


def test_every_mutant_names_a_catalogued_requirement() -> None:
    known = catalogue.load()
    unknown = {m.name: m.breaks for m in mutants.CATALOGUE.values() if m.breaks not in known}
    assert not unknown, f"mutants name requirements missing from requirements.toml: {unknown}"


def test_every_mutant_has_a_one_line_description() -> None:
    bad = [m.name for m in mutants.CATALOGUE.values() if not m.description or "\n" in m.description]
    assert not bad, f"mutants need a one-line description: {bad}"
