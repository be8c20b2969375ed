"""Stability mode finds no flake in the reference, and does find one in a flaky candidate."""

from __future__ import annotations

import subprocess
import sys

import pytest

from voice_push_conformance.paths import ROOT
from voice_push_conformance.tools import stability


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voice_push_conformance.tools.stability", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_the_reference_is_stable_over_five_runs() -> None:
    completed = run("--runs", "5")
    assert "flaky scenarios: 0" in completed.stdout, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert completed.returncode == 0


@pytest.mark.slow
def test_a_flaky_candidate_is_reported_as_flaky() -> None:
    completed = run("--runs", "3", "--", "--target", "tests.candidates.flaky:build", "-k", "decodes_twi_params")
    assert "FLAKY" in completed.stdout, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert completed.returncode == 1


def test_flaky_compares_verdicts_per_scenario() -> None:
    runs = [{"a": "pass", "b": "pass"}, {"a": "pass", "b": "fail"}, {"a": "pass"}]
    assert stability.flaky(runs) == {"b": ["pass", "fail", "missing"]}
