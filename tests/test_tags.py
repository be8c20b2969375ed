"""Each scenario's tags name exactly the roles and capabilities it asks the candidate for.

The tags decide applicability before a scenario runs: a missing tag turns "not
applicable" into a failure for a candidate without that role or capability, and a
superfluous one hides a check from candidates that could have run it. The suite is run
once against the reference behind a recorder (``tests/candidates/recording.py``), which
notes every ``Candidate.require`` the steps make through ``World``; the recorded needs
are compared with the tags, scenario by scenario.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.candidates.recording import RECORD_FILE
from tests.helpers import run_suite
from voice_push_conformance.paths import ROOT

Record = Mapping[str, Any]


def mismatches(records: Iterable[Record]) -> list[str]:
    """One line per scenario whose tags and recorded needs differ, sorted."""
    problems = []
    for record in records:
        tagged, asked = set(record["tagged"]), set(record["asked"])
        where = f"{record['scenario']} ({record['nodeid']})"
        for need in sorted(asked - tagged):
            problems.append(f"{where}: asks the candidate for {need!r} but is not tagged @{need}")
        for need in sorted(tagged - asked):
            problems.append(f"{where}: tagged @{need} but never asks the candidate for {need!r}")
    return sorted(problems)


def test_the_comparison_reports_missing_and_superfluous_tags() -> None:
    records = [
        {"nodeid": "a", "scenario": "late", "tagged": ["service"], "asked": ["clock", "service"]},
        {"nodeid": "b", "scenario": "early", "tagged": ["client", "clock"], "asked": ["client"]},
        {"nodeid": "c", "scenario": "fine", "tagged": ["issuer"], "asked": ["issuer"]},
    ]
    assert mismatches(records) == [
        "early (b): tagged @clock but never asks the candidate for 'clock'",
        "late (a): asks the candidate for 'clock' but is not tagged @clock",
    ]


def test_steps_reach_the_candidate_only_through_world() -> None:
    """The recorder sees what World asks for; a step reading the candidate directly would go unseen."""
    direct = sorted(
        f"{path.name}:{n}"
        for path in (ROOT / "steps").glob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.candidate\b", line)
    )
    assert direct == [], f"steps that bypass World's role accessors: {', '.join(direct)}"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[Record]:
    path = tmp_path_factory.mktemp("tags") / "needs.jsonl"
    completed = run_suite(
        "-p",
        "no:randomly",
        "-p",
        "tests.candidates.recording",
        "--target",
        "tests.candidates.recording:build",
        "--seed",
        "7",
        env={**os.environ, RECORD_FILE: str(path)},
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    records = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    assert records, "the recorder wrote nothing"
    return records


@pytest.mark.slow
def test_every_scenario_ran_to_the_end_on_its_own_candidate(recorded: list[Record]) -> None:
    """A scenario that stopped early could hide a need its later steps have."""
    odd = sorted(r["nodeid"] for r in recorded if r["outcome"] != "passed" or r["built"] != 1)
    assert odd == [], f"scenarios that did not pass on one fresh candidate: {odd}"


@pytest.mark.slow
def test_tags_name_exactly_what_each_scenario_asks_for(recorded: list[Record]) -> None:
    problems = mismatches(recorded)
    assert problems == [], "\n".join(problems)


@pytest.mark.slow
def test_the_cadence_steps_tell_app_start_from_on_new_token(recorded: list[Record]) -> None:
    """The source separates the two events; the steps must hand each one to its own callback."""
    events = {r["scenario"].split(": ", 1)[-1]: r["events"] for r in recorded if "registration_cadence" in r["nodeid"]}
    assert events["A changed device token is registered and then remembered"] == ["app_start", "new_token", "app_start"]
    assert events["A refused registration is retried at the next token callback"] == [
        "app_start",
        "new_token",
        "new_token",
    ]
    assert events["The first device token is registered over FCM"] == ["app_start"]
