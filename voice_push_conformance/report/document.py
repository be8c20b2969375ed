"""The report document: one dict, built once from the decided run, that every output renders."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from voice_push_conformance import __version__
from voice_push_conformance.judging import catalogue
from voice_push_conformance.judging import coverage as coverage_view
from voice_push_conformance.judging.verdicts import Claim, Verdict

PACKAGES = ("pytest", "pytest-bdd", "jsonschema", "PyJWT", "requests", "Faker", "flask")


class Result(Protocol):
    """What the document needs from a scenario result, so this package does not import the plugin."""

    nodeid: str
    requirements: tuple[str, ...]
    level: str
    feature: str
    name: str
    line: int
    steps: list[dict[str, Any]]
    reached: int
    failed_step: int | None
    verdict: Verdict | None
    duration_s: float
    message: str
    transcript: list[dict[str, Any]]
    notes: list[str]


def coverage() -> dict[str, list[str]]:
    """Requirement id -> the scenarios that check it, read from the feature files."""
    return coverage_view.scenarios_by_requirement()


def installed_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed versions of the libraries a verdict depends on, for reproducing a report."""
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


# How a scenario's verdict shows in Cucumber, step by step: the step that raised gets this
# status, the steps before it passed and the ones after it were skipped. Cucumber has no
# warning: "pending" is the status report tools show apart from both passed and failed.
CUCUMBER_STATUS = {
    "fail": "failed",
    "error": "failed",
    "warn": "pending",
    "informative": "pending",
    "expected failure": "pending",
}


def _steps(result: Result, verdict: str) -> list[dict[str, Any]]:
    """Each step with the status the scenario's verdict gives it."""
    steps = []
    failed_at = result.failed_step
    if verdict in CUCUMBER_STATUS and failed_at is None:
        failed_at = max(result.reached - 1, 0)  # failed outside a step (fixture or scenario body)
    for index, step in enumerate(result.steps):
        if verdict == "not applicable" or (failed_at is not None and index > failed_at):
            status = "skipped"
        elif failed_at is not None and index == failed_at:
            status = CUCUMBER_STATUS[verdict]
        else:
            status = "passed"
        steps.append({**step, "status": status})
    return steps


def build_document(
    *,
    target: str,
    description: str,
    roles: Iterable[str],
    capabilities: Iterable[str],
    seed: int,
    certify: bool,
    expectations: Mapping[str, str],
    expectations_file: Mapping[str, str] | None,
    started: float,
    finished: float,
    results: Mapping[str, Result],
    requirement_verdicts: Mapping[str, Verdict],
    complete: Mapping[str, bool],
    profiles: Iterable[str],
    claim: Claim,
    exit_status: int,
    reproduce: str,
) -> dict[str, Any]:
    """The one document every written output is rendered from, so they cannot disagree."""
    known = catalogue.load()
    covered = coverage()
    requirements = []
    for req in sorted(known):
        entry = known[req]
        verdict = requirement_verdicts.get(req)
        requirements.append(
            {
                "id": req,
                "level": entry.level,
                "profile": entry.profile,
                "complete": complete.get(req, False),
                "roles": list(entry.roles),
                "statement": entry.statement,
                "sources": [{"title": s.title, "url": s.url, "section": s.section} for s in entry.sources],
                "verdict": verdict.value if verdict is not None else "not run",
                "scenarios": covered.get(req, []),
                "expected_failure": expectations.get(req),
            }
        )
    scenarios = []
    for r in sorted(results.values(), key=lambda r: r.nodeid):
        shown = (r.verdict or Verdict.ERROR).value
        scenarios.append(
            {
                "nodeid": r.nodeid,
                "feature": r.feature,
                "name": r.name,
                "line": r.line,
                "requirements": list(r.requirements),
                "level": r.level,
                "verdict": shown,
                "duration_s": round(r.duration_s, 4),
                "message": r.message,
                "steps": _steps(r, shown),
                "transcript": r.transcript,
                "notes": sorted(set(r.notes)),
                "reproduce": reproduce.format(name=r.nodeid.split("::")[-1]),
            }
        )
    counts = Counter(s["verdict"] for s in scenarios)
    requirement_counts = Counter(r["verdict"] for r in requirements)
    return {
        "suite": {"name": "voice-push-conformance", "version": __version__},
        "target": {
            "spec": target,
            "description": description,
            "roles": list(roles),
            "capabilities": sorted(capabilities),
            "profiles": sorted(profiles),
        },
        "seed": seed,
        "certification": certify,
        "expectations": dict(expectations_file) if expectations_file else None,
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "finished": dt.datetime.fromtimestamp(finished, dt.UTC).isoformat(),
        "claim": claim.status,
        "claim_detail": {
            "text": claim.text,
            "covers": list(claim.covers),
            "not_covered": list(claim.not_covered),
            "not_under_test": list(claim.not_under_test),
            "partial": claim.partial,
            "musts_judged": claim.musts_judged,
        },
        "exit_status": exit_status,
        "counts": dict(sorted(counts.items())),
        "requirement_counts": dict(sorted(requirement_counts.items())),
        "requirements": requirements,
        "scenarios": scenarios,
        "environment": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "packages": installed_versions(),
        },
    }
