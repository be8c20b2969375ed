"""The pure functions every output reads: decide, stale, worst and claim."""

from __future__ import annotations

import pytest

from voice_push_conformance.judging.verdicts import (
    CONFORMANT,
    CONFORMANT_EXCEPT,
    COULD_NOT_RUN,
    EXIT_COULD_NOT_RUN,
    EXIT_NOT_CONFORMANT,
    EXIT_NOTHING_JUDGED,
    NOT_CONFORMANT,
    NOTHING_JUDGED,
    PARTIAL,
    STALE,
    Expectation,
    Judged,
    Outcome,
    Verdict,
    claim,
    decide,
    stale,
    worst,
)
from voice_push_conformance.target import ROLES

P, F, E, NA = Outcome.PASSED, Outcome.FAILED, Outcome.SUITE_ERROR, Outcome.NOT_APPLICABLE
NONE, LISTED, STALE_LISTED = Expectation.NONE, Expectation.LISTED, Expectation.STALE

# outcome, level, expectation -> verdict: every combination the run can meet.
TABLE = [
    (P, "must", NONE, Verdict.PASS),
    (P, "should", NONE, Verdict.PASS),
    (P, "informative", NONE, Verdict.PASS),
    (F, "must", NONE, Verdict.FAIL),
    (F, "should", NONE, Verdict.WARN),
    (F, "informative", NONE, Verdict.INFO),
    (E, "must", NONE, Verdict.ERROR),
    (E, "should", NONE, Verdict.ERROR),
    (E, "must", LISTED, Verdict.ERROR),  # a broken suite is never excused by the vendor's list
    (NA, "must", NONE, Verdict.NOT_APPLICABLE),
    (NA, "must", LISTED, Verdict.NOT_APPLICABLE),
    (F, "must", LISTED, Verdict.EXPECTED_FAILURE),
    (F, "should", LISTED, Verdict.EXPECTED_FAILURE),
    (P, "must", LISTED, Verdict.PASS),  # another scenario of the requirement still fails
    (P, "must", STALE_LISTED, Verdict.UNEXPECTED_PASS),
    (P, "should", STALE_LISTED, Verdict.UNEXPECTED_PASS),
]


@pytest.mark.parametrize(("outcome", "level", "expected", "verdict"), TABLE)
def test_decide(outcome: Outcome, level: str, expected: Expectation, verdict: Verdict) -> None:
    assert decide(outcome, level, expected) is verdict


@pytest.mark.parametrize(
    ("outcomes", "complete", "is_stale"),
    [
        ([P, P, P], True, True),
        ([P, F, P], True, False),  # a boundary bug: the requirement still fails, the entry is right
        ([P, P], False, False),  # a partial run cannot prove the entry stale
        ([P, NA], True, True),
        ([NA, NA], True, False),  # nothing ran, nothing proven
        ([P, E], True, False),
        ([], True, False),
    ],
)
def test_stale_only_when_every_scenario_ran_and_passed(outcomes: list[Outcome], complete: bool, is_stale: bool) -> None:
    assert stale(outcomes, complete) is is_stale


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([], Verdict.NOT_APPLICABLE),
        ([Verdict.NOT_APPLICABLE, Verdict.PASS], Verdict.PASS),
        ([Verdict.PASS, Verdict.INFO], Verdict.INFO),
        ([Verdict.INFO, Verdict.WARN], Verdict.WARN),
        ([Verdict.PASS, Verdict.EXPECTED_FAILURE, Verdict.PASS], Verdict.EXPECTED_FAILURE),
        ([Verdict.UNEXPECTED_PASS, Verdict.EXPECTED_FAILURE], Verdict.UNEXPECTED_PASS),
        ([Verdict.FAIL, Verdict.UNEXPECTED_PASS], Verdict.FAIL),
        ([Verdict.FAIL, Verdict.ERROR, Verdict.PASS], Verdict.ERROR),
    ],
)
def test_worst(verdicts: list[Verdict], expected: Verdict) -> None:
    assert worst(verdicts) is expected


def judged(
    verdict: Verdict | None = Verdict.PASS,
    *,
    req: str = "TOKEN-HEADER",
    level: str = "must",
    roles: tuple[str, ...] = ("issuer",),
    complete: bool = True,
) -> Judged:
    return Judged(req, level, roles, verdict, complete)


ALL = ROLES
FULL = [
    judged(req="TOKEN-HEADER"),
    judged(req="REG-VALID", roles=("service",)),
    judged(req="LATE-DISCARD", roles=("client",)),
    judged(req="TOKEN-CODE", level="should"),
]


def test_every_must_of_every_role_passed_is_conformant_and_covers_all_roles() -> None:
    found = claim(FULL, ALL)
    assert (found.status, found.exit_status, found.covers, found.partial) == (CONFORMANT, 0, ALL, False)
    assert found.text == "conformant (covers issuer, service, client; 3 MUST requirement(s) judged)"


def test_a_failed_must_is_not_conformant_even_in_a_partial_run() -> None:
    found = claim([judged(Verdict.FAIL), judged(None, req="REG-VALID", roles=("service",), complete=False)], ALL)
    assert (found.status, found.exit_status, found.partial) == (NOT_CONFORMANT, EXIT_NOT_CONFORMANT, True)


def test_a_suite_error_means_the_run_could_not_judge() -> None:
    found = claim([judged(Verdict.FAIL), judged(Verdict.ERROR, req="REG-VALID")], ALL)
    assert (found.status, found.exit_status) == (COULD_NOT_RUN, EXIT_COULD_NOT_RUN)


def test_a_warning_does_not_change_the_claim() -> None:
    assert claim([*FULL[:3], judged(Verdict.WARN, req="TOKEN-CODE", level="should")], ALL).status == CONFORMANT


def test_expected_failures_and_a_stale_list() -> None:
    assert claim([*FULL[1:], judged(Verdict.EXPECTED_FAILURE)], ALL).status == CONFORMANT_EXCEPT
    found = claim([*FULL[1:], judged(Verdict.UNEXPECTED_PASS)], ALL)
    assert (found.status, found.exit_status) == (STALE, EXIT_NOT_CONFORMANT)


def test_an_issuer_only_candidate_claims_only_the_issuer_role() -> None:
    table = [
        judged(req="TOKEN-HEADER"),
        judged(Verdict.NOT_APPLICABLE, req="REG-VALID", roles=("service",)),
        judged(Verdict.NOT_APPLICABLE, req="LATE-DISCARD", roles=("client",)),
    ]
    found = claim(table, ("issuer",))
    assert (found.status, found.covers, found.not_under_test) == (CONFORMANT, ("issuer",), ("service", "client"))
    assert found.text == "conformant (covers issuer; not under test: service, client; 1 MUST requirement(s) judged)"


def test_a_role_whose_musts_were_all_not_applicable_is_not_covered() -> None:
    table = [judged(req="TOKEN-HEADER"), judged(Verdict.NOT_APPLICABLE, req="LATE-DISCARD", roles=("client",))]
    found = claim(table, ("issuer", "client"))
    assert (found.covers, found.not_covered) == (("issuer",), ("client",))


def test_a_partial_run_says_partial_and_covers_only_complete_roles() -> None:
    table = [judged(req="TOKEN-HEADER"), judged(None, req="REG-VALID", roles=("service",), complete=False)]
    found = claim(table, ("issuer", "service"))
    assert (found.status, found.exit_status, found.partial) == (PARTIAL, 0, True)
    assert (found.covers, found.not_covered) == (("issuer",), ("service",))
    assert "partial run" in found.text


def test_a_run_where_no_must_applied_judges_nothing() -> None:
    table = [
        judged(Verdict.NOT_APPLICABLE),
        judged(Verdict.WARN, req="TOKEN-CODE", level="should"),
    ]
    found = claim(table, ("issuer",))
    assert (found.status, found.exit_status, found.covers) == (NOTHING_JUDGED, EXIT_NOTHING_JUDGED, ())
    assert claim([], ("issuer",)).status == NOTHING_JUDGED
