"""Outcomes recording: each phase's outcome as plain data that survives pytest-xdist,
gathered per scenario into :data:`RESULTS` for the end of the run to judge."""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from voice_push_conformance.judging import catalogue, features
from voice_push_conformance.judging.verdicts import Expectation, Outcome, Verdict, decide
from voice_push_conformance.plugin import candidate_warnings, target_faults
from voice_push_conformance.plugin.marks import level_of, requirements_of
from voice_push_conformance.plugin.settings import PASSED, RUN, TRANSCRIPT
from voice_push_conformance.target import CAPABILITIES, ROLES, CandidateError, NotApplicable


@dataclass
class ScenarioResult:
    """Everything the outputs say about one scenario, gathered from its setup, call and teardown.

    The phases record an :class:`Outcome`; the verdict is decided once, at the end of the
    run, by :func:`verdicts.decide` (expectations are per requirement, so a scenario's
    verdict can depend on its requirement's other scenarios).
    """

    nodeid: str
    requirements: tuple[str, ...]
    level: str
    feature: str = ""
    name: str = ""
    line: int = 0
    steps: list[dict[str, Any]] = field(default_factory=list)  # keyword, text, line
    reached: int = 0  # steps started
    failed_step: int | None = None  # index of the step that raised
    outcome: Outcome | None = None
    verdict: Verdict | None = None
    duration_s: float = 0.0
    message: str = ""
    transcript: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # never verdicts: candidate warnings, harness faults


def _notes(report: pytest.TestReport) -> list[str]:
    """Notes a phase's report carries: the candidate's warnings and the harness's own faults."""
    found = [
        f"candidate warning ({n['when']}): {n['category']}: {n['message']} at {n['location']}"
        + (f" (x{n['count']})" if n["count"] > 1 else "")
        for n in candidate_warnings.notes(report)
    ]
    for name, value in report.user_properties:
        if name == target_faults.NOTES_PROPERTY:
            found.extend(str(note) for note in json.loads(str(value)))
    return found


# Every scenario's result in this process, by node id (on the controller: every worker's too).
RESULTS: dict[str, ScenarioResult] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """One run per configuration, even when pytest runs twice in a process."""
    RESULTS.clear()


# The scenario's step progress, from pytest-bdd's public step hooks.
REACHED = pytest.StashKey[int]()
FAILED_STEP = pytest.StashKey[int]()
META = pytest.StashKey[dict[str, Any]]()


def _scenario_meta(item: pytest.Item) -> dict[str, Any]:
    """Feature, scenario name and rendered steps, from the feature file pytest-bdd bound.

    pytest-bdd names the bound feature file and scenario in the test function's docstring.
    """
    doc = str(getattr(getattr(item, "obj", None), "__doc__", "") or "")
    filename, _, scenario_name = doc.partition(": ")
    callspec = getattr(item, "callspec", None)
    row: dict[str, str] = dict(callspec.params.get("_pytest_bdd_example", {})) if callspec is not None else {}
    for feature in features.load_all():
        if feature.area != Path(filename).stem:
            continue
        for scenario in feature.scenarios:
            if scenario.name != scenario_name:
                continue
            steps = []
            for step in scenario.steps:
                text = step.text
                for key, value in row.items():
                    text = text.replace(f"<{key}>", str(value))
                steps.append({"keyword": step.type.capitalize() + " ", "text": text, "line": step.line})
            suffix = f" [{callspec.id}]" if callspec is not None else ""
            return {"feature": feature.area, "name": scenario.name + suffix, "line": scenario.line, "steps": steps}
    return {"feature": Path(item.nodeid.split("::")[0]).stem, "name": item.name, "line": 0, "steps": []}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Note the scenario's feature data and stop here, as not applicable, if the candidate lacks a needed role."""
    if not requirements_of(item):
        return
    item.stash[META] = _scenario_meta(item)
    item.stash[REACHED] = 0
    needs = [m.name for m in item.iter_markers() if m.name in ROLES or m.name in CAPABILITIES]
    item.config.stash[RUN].declared.require(*needs)  # NotApplicable: recorded as such in makereport


def pytest_bdd_before_step(request: pytest.FixtureRequest) -> None:
    """Count the steps started, so the reports can say which step a failure came from."""
    request.node.stash[REACHED] = request.node.stash.get(REACHED, 0) + 1


def pytest_bdd_step_error(request: pytest.FixtureRequest) -> None:
    """Remember the step that raised, for the step statuses in the reports."""
    request.node.stash[FAILED_STEP] = request.node.stash.get(REACHED, 1) - 1


def _message(excinfo: pytest.ExceptionInfo[BaseException] | None) -> str:
    """The exception's own message, without pytest's assertion introspection."""
    if excinfo is None:
        return ""
    text = str(excinfo.value).split("\nassert ", 1)[0].strip()
    return (text or type(excinfo.value).__name__)[:2000]


def _phase_outcome(report: pytest.TestReport, call: pytest.CallInfo[None]) -> Outcome | None:
    """The outcome one phase contributes; None when the phase says nothing (a clean setup)."""
    if call.excinfo is not None and call.excinfo.errisinstance(NotApplicable):
        return Outcome.NOT_APPLICABLE
    if report.when == "call":
        if report.passed:
            return Outcome.PASSED
        if report.failed and call.excinfo is not None and call.excinfo.errisinstance((AssertionError, CandidateError)):
            return Outcome.FAILED
        return Outcome.SUITE_ERROR  # the suite itself broke, or skipped for a reason of its own
    return None if report.passed else Outcome.SUITE_ERROR


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Record the phase's outcome once, as plain data that survives pytest-xdist."""
    report = yield
    requirements = requirements_of(item)
    if not requirements:
        return report
    outcome = _phase_outcome(report, call)
    level = level_of(item) or "must"
    meta: dict[str, Any] = item.stash.get(META, {})
    report.vpc = {
        "requirements": list(requirements),
        "level": level,
        **meta,
        "outcome": outcome.value if outcome is not None else None,
        "message": _message(call.excinfo) if outcome not in (None, Outcome.PASSED) else "",
        "reached": item.stash.get(REACHED, 0),
        "failed_step": item.stash.get(FAILED_STEP, None),
    }
    if report.when == "teardown" and TRANSCRIPT in item.stash and not item.stash.get(PASSED, False):
        # Evidence for what did not pass; a passing scenario's exchanges would only bloat the reports.
        report.vpc["transcript"] = [asdict(e) for e in item.stash[TRANSCRIPT].exchanges]
    if report.when == "call":
        item.stash[PASSED] = report.passed
    if outcome is None:
        return report
    # What pytest's own progress line shows. Expectations are judged per requirement at the
    # end of the run, so a listed scenario that passes shows "pass" here and may still be
    # reported as an unexpected pass in the verdicts.
    run = item.config.stash[RUN]
    listed = any(r in run.expectations for r in requirements)
    judged_at = level
    for req in requirements:
        judged_at = catalogue.effective_level(req, judged_at, run.declared.profiles)
    shown = decide(outcome, judged_at, Expectation.LISTED if listed else Expectation.NONE)
    report.vpc["shown"] = shown.value
    if shown in {Verdict.WARN, Verdict.INFO, Verdict.EXPECTED_FAILURE, Verdict.NOT_APPLICABLE}:
        # Not a failure of the run: neither -x nor --maxfail stops on it.
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"{shown.value}: {report.vpc['message']}")
    return report


_SHOWN = {
    Verdict.WARN: ("warn", "w", "WARN"),
    Verdict.INFO: ("informative", "i", "INFORMATIVE"),
    Verdict.EXPECTED_FAILURE: ("expected failure", "x", "EXPECTED FAILURE"),
    Verdict.NOT_APPLICABLE: ("not applicable", "n", "NOT APPLICABLE"),
    Verdict.ERROR: ("error", "E", "ERROR"),
}


def pytest_report_teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    """Let pytest's progress line show warn, informative, expected failure and not applicable by name."""
    shown = getattr(report, "vpc", {}).get("shown")
    return _SHOWN.get(Verdict(shown)) if shown else None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Fold each phase's report (from this process or an xdist worker) into the scenario's result."""
    data = getattr(report, "vpc", None)
    if not data:
        return
    result = RESULTS.setdefault(
        report.nodeid, ScenarioResult(report.nodeid, tuple(data["requirements"]), str(data["level"]))
    )
    result.duration_s += report.duration
    result.notes.extend(_notes(report))
    result.feature = data.get("feature", result.feature)
    result.name = data.get("name", result.name)
    result.line = data.get("line", result.line)
    result.steps = data.get("steps", result.steps)
    result.reached = max(result.reached, int(data["reached"]))
    if data["failed_step"] is not None:
        result.failed_step = int(data["failed_step"])
    if "transcript" in data:
        result.transcript = data["transcript"]
    if data["outcome"] is None:
        return
    outcome = Outcome(data["outcome"])
    # Setup gives the first outcome (not applicable, error), the call decides, and an
    # error in any later phase (a teardown that breaks) overrides.
    if result.outcome is Outcome.SUITE_ERROR:
        return  # the first error stands, with its message
    if result.outcome is None or report.when == "call" or outcome is Outcome.SUITE_ERROR:
        result.outcome = outcome
        result.message = data["message"] or result.message
