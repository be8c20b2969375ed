"""The verdict vocabulary and the pure functions that decide verdicts and the claim.

Every output of a run (terminal summary, report.json, report.html, junit.xml,
cucumber.json, the verdict file and the exit status) reads what these functions decide,
so no two outputs can tell a different story about one run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from voice_push_conformance.target import ROLES


class Outcome(StrEnum):
    """What happened to one scenario, before levels and expectations are applied."""

    PASSED = "passed"
    FAILED = "failed"  # an assertion about the candidate failed, or the candidate broke (CandidateError)
    SUITE_ERROR = "suite error"  # the suite or its environment broke: setup, teardown, a step's own bug
    NOT_APPLICABLE = "not applicable"  # the candidate lacks a role or capability the scenario needs


class Expectation(StrEnum):
    """What the vendor's expectations file says about a scenario's requirement."""

    NONE = "none"  # not listed
    LISTED = "listed"  # listed as known to fail
    STALE = "stale"  # listed, yet every scenario of the requirement ran and passed


class Verdict(StrEnum):
    """The suite's verdict vocabulary, each member meaning exactly one thing (see the comments)."""

    PASS = "pass"
    FAIL = "fail"  # a MUST scenario failed: the implementation is not conformant
    WARN = "warn"  # a SHOULD scenario failed
    INFO = "informative"  # an informative scenario observed something other than expected
    NOT_APPLICABLE = "not applicable"  # the candidate lacks a role or capability
    EXPECTED_FAILURE = "expected failure"  # failed, as the vendor's expectations file says it does
    UNEXPECTED_PASS = "unexpected pass"  # listed as an expected failure, yet passed: the list is stale
    ERROR = "error"  # the suite or its environment broke, not the implementation


# How bad each verdict is when rolling scenarios up into one requirement.
SEVERITY = {
    Verdict.NOT_APPLICABLE: 0,
    Verdict.PASS: 1,
    Verdict.INFO: 2,
    Verdict.WARN: 3,
    Verdict.EXPECTED_FAILURE: 4,
    Verdict.UNEXPECTED_PASS: 5,
    Verdict.FAIL: 6,
    Verdict.ERROR: 7,
}

_FAILED_AT_LEVEL = {"must": Verdict.FAIL, "should": Verdict.WARN, "informative": Verdict.INFO}


def decide(outcome: Outcome, level: str, expected: Expectation) -> Verdict:
    """The one place a scenario's verdict is decided."""
    if outcome is Outcome.NOT_APPLICABLE:
        return Verdict.NOT_APPLICABLE
    if outcome is Outcome.SUITE_ERROR:
        return Verdict.ERROR
    if outcome is Outcome.PASSED:
        return Verdict.UNEXPECTED_PASS if expected is Expectation.STALE else Verdict.PASS
    if expected is not Expectation.NONE:
        return Verdict.EXPECTED_FAILURE
    return _FAILED_AT_LEVEL[level]


def stale(outcomes: Iterable[Outcome], complete: bool) -> bool:
    """A listed requirement is stale only when all its scenarios ran and none failed.

    One failing scenario keeps the whole requirement an expected failure, so a bug that
    shows only at a boundary gives a clean baseline; a partial run cannot prove staleness.
    """
    seen = list(outcomes)
    return complete and Outcome.PASSED in seen and all(o in {Outcome.PASSED, Outcome.NOT_APPLICABLE} for o in seen)


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """A requirement's verdict: the worst among its scenarios."""
    return max(verdicts, key=SEVERITY.__getitem__, default=Verdict.NOT_APPLICABLE)


# Exit statuses of a conformance run. pytest's own 2 (interrupted), 4 (usage error) and
# 5 (the selection matched no scenario) pass through unchanged.
EXIT_CONFORMANT = 0
EXIT_NOT_CONFORMANT = 1
EXIT_COULD_NOT_RUN = 3
EXIT_NOTHING_JUDGED = 6

CONFORMANT = "conformant"
CONFORMANT_EXCEPT = "conformant except the expected failures"
NOT_CONFORMANT = "not conformant"
STALE = "conformant, but the expectations file is stale"
COULD_NOT_RUN = "could not run"
NOTHING_JUDGED = "nothing judged"
PARTIAL = "partial"
CLAIMS = (CONFORMANT, CONFORMANT_EXCEPT, NOT_CONFORMANT, STALE, COULD_NOT_RUN, NOTHING_JUDGED, PARTIAL)


@dataclass(frozen=True)
class Judged:
    """One catalogue requirement as the run saw it."""

    requirement: str
    level: str
    roles: tuple[str, ...]  # what it counts toward in the claim: its profile (or, in unit tests, roles)
    verdict: Verdict | None  # None: none of its scenarios ran
    complete: bool  # every scenario the features hold for it ran


@dataclass(frozen=True)
class Claim:
    """What a run may claim, and exactly what the claim covers.

    ``covers`` names what was under test (the run passes profiles: the core profile of
    each role the candidate offers, and the optional profiles it claims) whose applicable
    MUST requirements all ran. ``partial`` says some requirement's scenarios did not run,
    so the claim is about a subset.
    """

    status: str
    exit_status: int
    covers: tuple[str, ...]
    not_covered: tuple[str, ...]  # under test, but its applicable MUSTs did not all run
    not_under_test: tuple[str, ...]  # roles not offered, optional profiles not claimed
    partial: bool
    musts_judged: int

    @property
    def text(self) -> str:
        scope = f"covers {', '.join(self.covers)}" if self.covers else "covers nothing"
        if self.not_covered:
            scope += f"; not covered: {', '.join(self.not_covered)}"
        if self.not_under_test:
            scope += f"; not under test: {', '.join(self.not_under_test)}"
        if self.partial:
            scope += "; partial run: some scenarios did not run"
        return f"{self.status} ({scope}; {self.musts_judged} MUST requirement(s) judged)"


_JUDGED = {Verdict.PASS, Verdict.FAIL, Verdict.EXPECTED_FAILURE, Verdict.UNEXPECTED_PASS}


def claim(judged: Iterable[Judged], roles: Iterable[str], every: Iterable[str] = ROLES) -> Claim:
    """The run's claim from its per-requirement verdicts and what is under test.

    ``roles`` names what is under test and ``every`` all there could be: the run passes
    profile names for both, so the claim says which profiles it covers.
    """
    table = list(judged)
    offered = list(roles)
    verdicts = [j.verdict for j in table if j.verdict is not None]
    partial = any(not j.complete for j in table)
    musts = [j for j in table if j.level == "must"]
    musts_judged = sum(1 for j in musts if j.verdict in _JUDGED)
    covers: list[str] = []
    not_covered: list[str] = []
    for role in offered:
        mine = [j for j in musts if role in j.roles]
        ran_all = all(j.complete and j.verdict is not None for j in mine)
        judged_some = any(j.verdict in _JUDGED for j in mine)
        (covers if ran_all and judged_some else not_covered).append(role)
    if Verdict.ERROR in verdicts:
        status, exit_status = COULD_NOT_RUN, EXIT_COULD_NOT_RUN
    elif Verdict.FAIL in verdicts:
        status, exit_status = NOT_CONFORMANT, EXIT_NOT_CONFORMANT
    elif Verdict.UNEXPECTED_PASS in verdicts:
        status, exit_status = STALE, EXIT_NOT_CONFORMANT
    elif musts_judged == 0:
        status, exit_status = NOTHING_JUDGED, EXIT_NOTHING_JUDGED
    elif partial:
        status, exit_status = PARTIAL, EXIT_CONFORMANT
    elif Verdict.EXPECTED_FAILURE in verdicts:
        status, exit_status = CONFORMANT_EXCEPT, EXIT_CONFORMANT
    else:
        status, exit_status = CONFORMANT, EXIT_CONFORMANT
    absent = tuple(r for r in every if r not in offered)
    return Claim(status, exit_status, tuple(covers), tuple(not_covered), absent, partial, musts_judged)


def rollup(requirements: Mapping[str, Iterable[Verdict]]) -> dict[str, Verdict]:
    """Requirement id -> its verdict, for every requirement with at least one scenario."""
    return {req: worst(vs) for req, vs in sorted(requirements.items())}
