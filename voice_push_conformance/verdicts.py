"""The verdict vocabulary, defined once for the terminal summary, reports and the kill matrix."""

from __future__ import annotations

from enum import StrEnum

NOT_APPLICABLE_PREFIX = "not applicable: "
WARN_PREFIX = "WARN "
INFO_PREFIX = "INFO "
EXPECTED_PREFIX = "EXPECTED "


class Verdict(StrEnum):
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

# Exit statuses of a conformance run (pytest's own 2 = interrupted and 4 = usage error stay).
EXIT_CONFORMANT = 0
EXIT_NOT_CONFORMANT = 1
EXIT_COULD_NOT_RUN = 3


def claim(verdicts: list[Verdict]) -> tuple[str, int]:
    """The conformance claim for a run's scenario verdicts, and its exit status.

    Conformant: every applicable MUST passed (or failed as the expectations file says).
    A suite or environment error means the run could not judge the candidate at all.
    """
    if Verdict.ERROR in verdicts:
        return "could not run", EXIT_COULD_NOT_RUN
    if Verdict.FAIL in verdicts:
        return "not conformant", EXIT_NOT_CONFORMANT
    if Verdict.UNEXPECTED_PASS in verdicts:
        return "conformant, but the expectations file is stale", EXIT_NOT_CONFORMANT
    if Verdict.EXPECTED_FAILURE in verdicts:
        return "conformant except the expected failures", EXIT_CONFORMANT
    return "conformant", EXIT_CONFORMANT


def worst(verdicts: list[Verdict]) -> Verdict:
    return max(verdicts, key=SEVERITY.__getitem__, default=Verdict.NOT_APPLICABLE)
