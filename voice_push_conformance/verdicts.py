"""The verdict vocabulary, defined once for the terminal summary, reports and the kill matrix."""

from __future__ import annotations

from enum import StrEnum

NOT_APPLICABLE_PREFIX = "not applicable: "
WARN_PREFIX = "WARN "
INFO_PREFIX = "INFO "


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"  # a MUST scenario failed: the implementation is not conformant
    WARN = "warn"  # a SHOULD scenario failed
    INFO = "informative"  # an informative scenario observed something other than expected
    NOT_APPLICABLE = "not applicable"  # the candidate lacks a role or capability
    ERROR = "error"  # the suite or its environment broke, not the implementation


# How bad each verdict is when rolling scenarios up into one requirement.
SEVERITY = {
    Verdict.NOT_APPLICABLE: 0,
    Verdict.PASS: 1,
    Verdict.INFO: 2,
    Verdict.WARN: 3,
    Verdict.FAIL: 4,
    Verdict.ERROR: 5,
}


def worst(verdicts: list[Verdict]) -> Verdict:
    return max(verdicts, key=SEVERITY.__getitem__, default=Verdict.NOT_APPLICABLE)
