"""The variant catalogue and the tolerance matrix's verdict logic (the matrix run itself is in tox selftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_push_conformance import variants
from voice_push_conformance.bindings import targets
from voice_push_conformance.judging import catalogue
from voice_push_conformance.tools import tolerance
from voice_push_conformance.tools.runs import SuiteRun


def test_every_variant_says_what_allows_it_in_one_line() -> None:
    bad = [v.name for v in variants.CATALOGUE.values() if "\n" in v.description or not v.allowed_by.strip()]
    assert not bad, f"variants without a one-line description or an allowing clause: {bad}"


def test_every_tolerated_verdict_names_a_catalogued_requirement_and_a_reason() -> None:
    known = catalogue.load()
    bad = {
        v.name: req
        for v in variants.CATALOGUE.values()
        for req, why in v.tolerated.items()
        if req not in known or not why
    }
    assert not bad, f"tolerances naming unknown requirements or giving no reason: {bad}"


@pytest.mark.parametrize("name", sorted(variants.CATALOGUE))
def test_every_variant_resolves_as_a_target(name: str) -> None:
    spec = targets.resolve(variants.get(name).target)
    assert spec.kind == "python"


def test_an_unknown_variant_is_a_clear_target_error() -> None:
    with pytest.raises(targets.TargetError, match="no callable"):
        targets.resolve("voice_push_conformance.variants:no_such_variant")


def test_a_failure_is_never_tolerated_and_a_documented_warning_is() -> None:
    failed = tolerance.judge(SuiteRun("token-jti-uuid", {"TOKEN-JTI": "fail", "TOKEN-HEADER": "pass"}, "", 0.1))
    assert not failed.tolerated
    warned = tolerance.judge(SuiteRun("token-jti-uuid", {"TOKEN-JTI": "warn"}, "", 0.1))
    assert warned.tolerated
    undocumented = tolerance.judge(SuiteRun("token-ttl-600", {"TOKEN-LIFETIME": "warn"}, "", 0.1))
    assert not undocumented.tolerated
    text = tolerance.render([failed, warned, undocumented])
    assert "false failures: token-jti-uuid, token-ttl-600" in text


def test_a_run_without_verdicts_is_an_error_row(tmp_path: Path) -> None:
    row = tolerance.judge(SuiteRun("list-store", None, "ImportError: boom", 0.1))
    assert row.error is not None and "boom" in row.error
    assert "ERROR" in tolerance.render([row])


@pytest.mark.slow
def test_one_variant_is_judged_conformant_in_a_fresh_process(tmp_path: Path) -> None:
    from voice_push_conformance.tools.runs import run_suite  # noqa: PLC0415

    row = tolerance.judge(run_suite("recency-by-time", variants.get("recency-by-time").target, tmp_path))
    assert row.tolerated, row
    assert "recency-by-time" in tolerance.render([row])
