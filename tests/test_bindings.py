"""The same scenarios, the same verdicts: in-process, over HTTP, serial or under xdist.

A binding that changed a verdict would make certification depend on how the suite was
run; these runs compare the per-scenario verdicts of whole suite runs.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from voice_push_conformance import reference
from voice_push_conformance.clock import ManualClock
from voice_push_conformance.credentials import generate_credentials
from voice_push_conformance.paths import ROOT
from voice_push_conformance.target import Candidate, HarnessContext, NotApplicable

SEED = "424242"


def _context() -> HarnessContext:
    return HarnessContext(clock=ManualClock(0), credentials=generate_credentials(1))


def verdicts(tmp_path: Path, name: str, *args: str) -> dict[str, str]:
    out = tmp_path / f"{name}.json"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "steps", "-q", "--seed", SEED, "--verdict-file", str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.exists(), f"{name}: no verdict file\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
    document = json.loads(out.read_text(encoding="utf-8"))
    # Under xdist node ids are the same; strip nothing, compare as they are.
    return {nodeid: entry["verdict"] for nodeid, entry in document["scenarios"].items()}


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
    in_process = verdicts(tmp_path, "in-process", "--target", "mutant:discard-at-boundary")
    over_http = verdicts(tmp_path, "http", "--target", "reference-http:mutant:discard-at-boundary")
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
