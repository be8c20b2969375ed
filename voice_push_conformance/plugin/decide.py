"""Deciding the run: every scenario's verdict, every requirement's verdict and the claim, once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from voice_push_conformance.judging import catalogue
from voice_push_conformance.judging.verdicts import (
    Claim,
    Expectation,
    Judged,
    Outcome,
    Verdict,
    claim,
    decide,
    rollup,
    stale,
)
from voice_push_conformance.plugin.marks import scenario_counts
from voice_push_conformance.plugin.outcomes import ScenarioResult
from voice_push_conformance.plugin.settings import RunSettings


@dataclass(frozen=True)
class Decided:
    """The run's verdicts, decided once; every output reads them from here."""

    scenarios: dict[str, ScenarioResult]
    requirements: dict[str, Verdict]  # requirements with at least one scenario that ran
    complete: dict[str, bool]  # requirement -> every scenario the features hold for it ran
    claim: Claim


def decide_run(results: dict[str, ScenarioResult], run: RunSettings) -> Decided:
    """Every scenario's verdict, every requirement's verdict and the claim, decided once.

    Expectations need the whole run: a listed requirement is stale only when all of its
    scenarios ran and none failed.
    """
    known = catalogue.load()
    held = scenario_counts()
    outcomes: dict[str, list[Outcome]] = defaultdict(list)
    for result in results.values():
        for req in result.requirements:
            outcomes[req].append(result.outcome or Outcome.SUITE_ERROR)
    complete = {req: len(outcomes.get(req, [])) >= held.get(req, 0) for req in known if held.get(req, 0)}
    stale_ids = {req for req in run.expectations if stale(outcomes.get(req, []), complete.get(req, False))}
    per_requirement: dict[str, list[Verdict]] = defaultdict(list)
    for result in results.values():
        listed = [r for r in result.requirements if r in run.expectations]
        if any(r in stale_ids for r in listed):
            expected = Expectation.STALE
        else:
            expected = Expectation.LISTED if listed else Expectation.NONE
        level = result.level
        for req in result.requirements:
            level = catalogue.effective_level(req, level, run.declared.profiles)
        result.verdict = decide(result.outcome or Outcome.SUITE_ERROR, level, expected)
        if level != result.level and result.verdict is Verdict.INFO and result.message:
            profile_name = known[result.requirements[0]].profile
            result.message = f"[{profile_name} not claimed: informative only] {result.message}"
        if result.verdict is Verdict.UNEXPECTED_PASS:
            result.message = (
                f"unexpected pass: {', '.join(listed)} is listed in the expectations file as failing "
                f"({'; '.join(run.expectations[r] for r in listed)}), but all its scenarios passed; remove the entry"
            )
        for req in result.requirements:
            per_requirement[req].append(result.verdict)
    requirements = rollup(per_requirement)
    claimed = run.declared.profiles
    judged = [
        Judged(
            req,
            catalogue.effective_level(req, entry.level, claimed),
            (entry.profile,),
            requirements.get(req),
            complete[req],
        )
        for req, entry in sorted(known.items())
        if req in complete
    ]
    under_test = catalogue.under_test(run.declared.roles, claimed)
    verdict_claim = claim(judged, under_test, every=catalogue.PROFILE_NAMES)
    return Decided(dict(sorted(results.items())), requirements, complete, verdict_claim)
