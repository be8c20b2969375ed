"""The same scenarios, the same verdicts: in-process, over HTTP, serial or under xdist.

A binding that changed a verdict would make certification depend on how the suite was
run; these runs compare the per-scenario verdicts of whole suite runs.
"""

from __future__ import annotations

import importlib
import itertools
import json
import sys
from pathlib import Path

import pytest

from tests.helpers import run_suite
from voice_push_conformance import reference
from voice_push_conformance.clock import ManualClock
from voice_push_conformance.credentials import generate_credentials
from voice_push_conformance.plugin import reproduce
from voice_push_conformance.target import Candidate, HarnessContext, NotApplicable

SEED = "424242"


def _context() -> HarnessContext:
    return HarnessContext(clock=ManualClock(0), credentials=generate_credentials(1))


def verdicts(tmp_path: Path, name: str, *args: str) -> dict[str, str]:
    completed = run_suite("--seed", SEED, *args, verdict_file=tmp_path / f"{name}.json")
    assert completed.verdicts is not None, f"{name}: no verdict file\n{completed.tail(2000)}"
    # Under xdist node ids are the same; strip nothing, compare as they are.
    return completed.scenario_verdicts()


@pytest.mark.slow
def test_http_binding_gives_the_same_verdicts_as_in_process(tmp_path: Path) -> None:
    in_process = verdicts(tmp_path, "in-process")
    over_http = verdicts(tmp_path, "http", "--target", "reference-http")
    assert len(over_http) == len(in_process) > 0
    differing = {
        k: (in_process.get(k), over_http.get(k))
        for k in in_process.keys() | over_http.keys()
        if in_process.get(k) != over_http.get(k)
    }
    assert not differing, f"verdicts differ between in-process and HTTP: {differing}"
    assert set(in_process.values()) == {"pass"}


@pytest.mark.slow
def test_a_mutant_fails_the_same_way_over_http(tmp_path: Path) -> None:
    in_process = verdicts(tmp_path, "in-process", "--target", "mutant:discard-never")
    over_http = verdicts(tmp_path, "http", "--target", "reference-http:mutant:discard-never")
    assert in_process == over_http
    assert "fail" in in_process.values()


@pytest.mark.slow
def test_xdist_gives_the_same_verdicts_as_a_serial_run(tmp_path: Path) -> None:
    serial = verdicts(tmp_path, "serial", "-p", "no:xdist")
    parallel = verdicts(tmp_path, "parallel", "-n", "2")
    assert serial == parallel


def test_a_not_applicable_message_is_the_same_whatever_the_order_of_the_needs() -> None:
    """pytest-bdd keeps a scenario's tags in a set: the order of the needs changes between runs."""
    candidate = Candidate(description="issuer only", issuer=reference.build(_context()).issuer)
    messages = set()
    for needs in itertools.permutations(("service", "clock", "client", "voice_webhook")):
        with pytest.raises(NotApplicable) as caught:
            candidate.require(*needs)
        messages.add(str(caught.value))
    assert messages == {
        "the candidate does not offer client, clock, service, voice_webhook (roles: issuer; capabilities: none)"
    }


def test_the_reproduce_command_names_the_target_and_seed() -> None:
    command = reproduce.reproduce_command("reference", 7)
    assert command == './suite conformance --target reference --seed 7 -k "{name}"'
    assert command.format(name="scenario") == './suite conformance --target reference --seed 7 -k "scenario"'


def test_the_reproduce_command_names_the_expectations_file_and_a_non_default_timeout(tmp_path: Path) -> None:
    known = tmp_path / "known failures.toml"
    command = reproduce.reproduce_command("http://127.0.0.1:8080", 7, str(known), 10.0)
    assert f"--expectations '{known.resolve()}'" in command
    assert "--http-timeout 10 " in command
    assert "--http-timeout" not in reproduce.reproduce_command("http://127.0.0.1:8080", 7, None, 5.0)


def test_the_reproduce_command_keeps_the_pythonpath_that_made_the_adapter_importable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "vendor_adapter_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "adapter.py").write_text("def build(context):\n    raise NotImplementedError\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("vendor_adapter_pkg.adapter")
    try:
        command = reproduce.reproduce_command("vendor_adapter_pkg.adapter:build", 7)
    finally:
        sys.modules.pop("vendor_adapter_pkg.adapter", None)
        sys.modules.pop("vendor_adapter_pkg", None)
    # tox passes no PYTHONPATH into its environments, so the command runs pytest itself.
    assert command == (
        f"PYTHONPATH={tmp_path.resolve()} {sys.executable} -m pytest steps "
        '--target vendor_adapter_pkg.adapter:build --seed 7 -k "{name}"'
    )


@pytest.mark.slow
def test_the_report_reproduces_a_run_with_its_expectations_file(tmp_path: Path) -> None:
    known = tmp_path / "known.toml"
    known.write_text('[[expected_failure]]\nrequirement = "LATE-DISCARD"\nreason = "off by one at 60 s, fixed soon"\n')
    run_suite(
        "--seed",
        SEED,
        "--target",
        "mutant:discard-at-boundary",
        "--expectations",
        str(known),
        "--report-dir",
        str(tmp_path / "reports"),
        "-k",
        "late",
    )
    document = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    commands = {s["reproduce"].rsplit(" -k ", 1)[0] for s in document["scenarios"]}
    assert commands == {
        f"./suite conformance --target mutant:discard-at-boundary --seed {SEED} --expectations {known.resolve()}"
    }
