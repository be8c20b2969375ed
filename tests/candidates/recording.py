"""The reference behind a recorder: what each scenario asks of the candidate.

Only the self-tests use it. Loaded both as the target (``--target
tests.candidates.recording:build``) and as a pytest plugin (``-p
tests.candidates.recording``): the candidate notes every role and capability the suite
asks it for (``World`` asks through ``Candidate.require``) and every device-token event
its clients receive; the plugin writes one JSON line per scenario to the file named by
``VPC_RECORD_FILE``, next to the roles and capabilities the scenario's tags name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from voice_push_conformance import reference
from voice_push_conformance.reference import ReferenceClient
from voice_push_conformance.target import CAPABILITIES, ROLES, Candidate, ClientEnvironment, HarnessContext

RECORD_FILE = "VPC_RECORD_FILE"


@dataclass
class RecordingCandidate(Candidate):
    """A candidate that remembers what it was asked for, then answers as the reference does."""

    asked: set[str] = field(default_factory=set)
    events: list[str] = field(default_factory=list)

    def require(self, *needs: str) -> None:
        self.asked.update(needs)
        super().require(*needs)


class _RecordingClient(ReferenceClient):
    def __init__(self, env: ClientEnvironment, events: list[str]) -> None:
        super().__init__(env)
        self._events = events

    def on_app_start(self, device_token: str) -> None:
        self._events.append("app_start")
        super().on_app_start(device_token)

    def on_new_token(self, device_token: str) -> None:
        self._events.append("new_token")
        super().on_new_token(device_token)


_BUILT: list[RecordingCandidate] = []


def build(context: HarnessContext) -> Candidate:
    base = reference.build(context, description="recording reference")
    events: list[str] = []
    candidate = RecordingCandidate(
        description=base.description,
        issuer=base.issuer,
        service=base.service,
        client_factory=lambda env: _RecordingClient(env, events),
        capabilities=base.capabilities,
        close=base.close,
        events=events,
    )
    _BUILT.append(candidate)
    return candidate


def _scenario_name(item: pytest.Item) -> str:
    """pytest-bdd documents each scenario test as '<feature path>: <scenario name>'."""
    doc = getattr(getattr(item, "obj", None), "__doc__", None) or item.name
    path, _, name = doc.rpartition(": ")
    return f"{Path(path).name}: {name}" if path else doc


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _BUILT.clear()  # forget the run header's probe and the previous scenario


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    path = os.environ.get(RECORD_FILE)
    if path and report.when == "call":
        tagged = sorted({m.name for m in item.iter_markers() if m.name in ROLES or m.name in CAPABILITIES})
        record = {
            "nodeid": item.nodeid,
            "scenario": _scenario_name(item),
            "outcome": report.outcome,
            "built": len(_BUILT),
            "tagged": tagged,
            "asked": sorted({need for c in _BUILT for need in c.asked}),
            "events": [event for c in _BUILT for event in c.events],
        }
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
    return report
