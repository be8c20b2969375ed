"""Reports, exit statuses, expectations and certification, from whole runs of the suite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from voice_push_conformance import report, schemas
from voice_push_conformance.credentials import generate_credentials
from voice_push_conformance.paths import ROOT

SEED = 31337
SUBSET = "access_token"  # a few scenarios are enough to exercise the reporting


def run(tmp_path: Path, *args: str, subset: str | None = SUBSET) -> tuple[int, str, Path]:
    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "pytest", "steps", "-q", "--seed", str(SEED), "--report-dir", str(reports)]
    command += args
    if subset:
        command += ["-k", subset]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    return completed.returncode, completed.stdout + completed.stderr, reports


def document(reports: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    return loaded


def expectations(tmp_path: Path, requirement: str) -> Path:
    path = tmp_path / "expectations.toml"
    path.write_text(
        f'[[expected_failure]]\nrequirement = "{requirement}"\n'
        'reason = "signing uses the wrong key until release 2.4"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_a_conformant_run_writes_every_report_and_no_secret(tmp_path: Path) -> None:
    status, output, reports = run(tmp_path, subset=None)
    assert status == 0, output[-2000:]
    assert sorted(p.name for p in reports.iterdir()) == ["cucumber.json", "junit.xml", "report.html", "report.json"]
    found = document(reports)
    assert not schemas.errors("report", found)
    assert found["claim"] == "conformant"
    assert {r["verdict"] for r in found["requirements"]} == {"pass"}
    credentials = generate_credentials(SEED)
    for path in reports.iterdir():
        text = path.read_text(encoding="utf-8")
        for secret in credentials.secrets:
            assert secret.reveal() not in text, f"a configured secret appears in {path.name}"


@pytest.mark.slow
def test_a_failing_run_shows_requirement_expected_actual_and_how_to_reproduce(tmp_path: Path) -> None:
    status, output, reports = run(tmp_path, "--target", "mutant:token-wrong-secret")
    assert status == 1, output[-2000:]
    found = document(reports)
    assert not schemas.errors("report", found)
    assert found["claim"] == "not conformant"
    failing = [s for s in found["scenarios"] if s["verdict"] == "fail"]
    assert [s["requirements"] for s in failing] == [["TOKEN-SIGNATURE"]]
    assert "does not verify as HS256" in failing[0]["message"]
    assert failing[0]["reproduce"].startswith("./suite conformance --target mutant:token-wrong-secret --seed 31337 -k")
    assert failing[0]["transcript"], "the failure carries no exchanges"
    page = (reports / "report.html").read_text(encoding="utf-8")
    for needle in ("TOKEN-SIGNATURE", "does not verify as HS256", "./suite conformance", "not conformant"):
        assert needle in page


@pytest.mark.slow
def test_an_expected_failure_keeps_the_run_conformant(tmp_path: Path) -> None:
    path = expectations(tmp_path, "TOKEN-SIGNATURE")
    status, output, reports = run(tmp_path, "--target", "mutant:token-wrong-secret", "--expectations", str(path))
    assert status == 0, output[-2000:]
    found = document(reports)
    assert found["claim"] == "conformant except the expected failures"
    verdicts = {r["id"]: r["verdict"] for r in found["requirements"]}
    assert verdicts["TOKEN-SIGNATURE"] == "expected failure"


@pytest.mark.slow
def test_an_expected_failure_that_passes_is_an_unexpected_pass(tmp_path: Path) -> None:
    path = expectations(tmp_path, "TOKEN-HEADER")
    status, output, reports = run(tmp_path, "--expectations", str(path))
    assert status == 1, output[-2000:]
    verdicts = {r["id"]: r["verdict"] for r in document(reports)["requirements"]}
    assert verdicts["TOKEN-HEADER"] == "unexpected pass"
    assert "remove the entry" in output


@pytest.mark.slow
def test_a_certification_run_refuses_expectations(tmp_path: Path) -> None:
    status, output, _ = run(tmp_path, "--certify", "--expectations", str(expectations(tmp_path, "TOKEN-HEADER")))
    assert status == 4
    assert "accepts no expectations file" in output


@pytest.mark.slow
def test_an_unknown_requirement_in_expectations_is_a_usage_error(tmp_path: Path) -> None:
    status, output, _ = run(tmp_path, "--expectations", str(expectations(tmp_path, "TOKEN-NO-SUCH-RULE")))
    assert status == 4
    assert "TOKEN-NO-SUCH-RULE" in output


@pytest.mark.slow
def test_a_broken_environment_could_not_run(tmp_path: Path) -> None:
    status, output, reports = run(tmp_path, "--target", "tests.candidates.unbuildable:build")
    assert status == 3, output[-2000:]
    found = document(reports)
    assert found["claim"] == "could not run"
    assert {s["verdict"] for s in found["scenarios"]} == {"error"}


def test_the_coverage_view_lists_every_requirement_with_its_scenarios() -> None:
    table = report.coverage()
    assert "LIMIT-TEN" in table
    assert any("device_limit" in s for s in table["LIMIT-TEN"])
